//! Rendering results for people (text) and machines (JSON). Renderers write into a
//! buffer; the shell writes the buffer once.

pub mod json;
pub mod yaml;
pub mod text;

use crate::diagnostic::Diagnostic;
use crate::node::Node;

/// Replaces secret values wherever they appear in a text: the last line of defence for
/// texts that can echo input (Kong's error messages, findings). A value is also found as a
/// JSON string escapes it (a PEM key's newlines as `\n`). Values shorter than 4 characters
/// are left alone, since masking them would garble unrelated text.
pub fn mask_text(text: &str, secrets: &[String]) -> String {
    let mut t = text.to_string();
    for s in secrets.iter().filter(|s| s.chars().count() >= 4) {
        let escaped = serde_json::to_string(s).unwrap_or_default();
        let escaped = escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or_default();
        for form in [s.as_str(), escaped] {
            if !form.is_empty() && t.contains(form) {
                t = t.replace(form, "[masked]");
            }
        }
    }
    t
}

/// `mask_text` over every finding's message and hint.
pub fn mask_secrets(diags: &mut [Diagnostic], secrets: &[String]) {
    for d in diags {
        d.message = mask_text(&d.message, secrets);
        d.hint = d.hint.as_deref().map(|h| mask_text(h, secrets));
    }
}

/// The values in a document that came from the environment.
pub fn secret_values(doc: &Node) -> Vec<String> {
    let mut out = Vec::new();
    doc.walk_strings("", &mut |_, n| {
        // a value equal to its variable's name is validate's stand-in for an unset variable
        if let (Some(var), Some(s)) = (&n.env, n.as_str()) {
            if s != var {
                out.push(s.to_string());
            }
        }
    });
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::mask_text;

    #[test]
    fn secrets_are_masked_raw_and_as_json_escapes_them() {
        let pem = "-----BEGIN KEY-----\nabc\"def\n-----END KEY-----".to_string();
        let json = serde_json::to_string(&serde_json::json!({"error": format!("bad key {pem}")})).unwrap();
        assert_eq!(mask_text(&json, std::slice::from_ref(&pem)), r#"{"error":"bad key [masked]"}"#);
        assert_eq!(mask_text(&format!("got {pem}!"), &[pem]), "got [masked]!");
        assert_eq!(mask_text("a key abc", &["abc".into()]), "a key abc", "too short to mask");
    }
}
