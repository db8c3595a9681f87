"""The official OpenAI Python SDK (AzureOpenAI) against `gateway simulate --serve`.

Usage: python azure_sdk.py http://127.0.0.1:PORT
Prints one line per model and exits non-zero when the response model is not the
requested deployment.
"""
import sys

from openai import AzureOpenAI

endpoint = sys.argv[1]
client = AzureOpenAI(api_key="test", azure_endpoint=endpoint, api_version="2025-01-01-preview", max_retries=0, timeout=10)

failed = False
for model in ["gpt-4o", "gpt-4.1-mini"]:
    response = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "What model are you? Reply with only your model name."}],
    )
    print(f"Requested: {model}, Got: {response.model}")
    if response.model != model:
        failed = True

sys.exit(1 if failed else 0)
