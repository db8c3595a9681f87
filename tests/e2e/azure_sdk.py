"""The official OpenAI Python SDK (AzureOpenAI) against `gateway simulate --serve`.

Usage: python azure_sdk.py http://127.0.0.1:PORT
Prints one line per model, then one line for a streamed call (`stream=True`), and exits
non-zero when a response model is not the requested deployment, or the stream lacks
content chunks, the model or a finish_reason.
"""
import sys

from openai import AzureOpenAI

endpoint = sys.argv[1]
client = AzureOpenAI(api_key="test", azure_endpoint=endpoint, api_version="2025-01-01-preview", max_retries=0, timeout=10)
messages = [{"role": "user", "content": "What model are you? Reply with only your model name."}]

failed = False
for model in ["gpt-4o", "gpt-4.1-mini"]:
    response = client.chat.completions.create(model=model, messages=messages)
    print(f"Requested: {model}, Got: {response.model}")
    if response.model != model:
        failed = True

# the SDK's own SSE decoder: chat.completion.chunk events, then `data: [DONE]`
model = "gpt-4.1-mini"
content_chunks, models, finish_reasons = 0, set(), []
for chunk in client.chat.completions.create(model=model, messages=messages, stream=True):
    models.add(chunk.model)
    for choice in chunk.choices:
        if choice.delta and choice.delta.content:
            content_chunks += 1
        if choice.finish_reason:
            finish_reasons.append(choice.finish_reason)
print(f"Streamed: {model}, models {sorted(models)}, content chunks >= 1: {content_chunks >= 1}, finish_reason: {finish_reasons}")
if content_chunks < 1 or models != {model} or not finish_reasons:
    failed = True

sys.exit(1 if failed else 0)
