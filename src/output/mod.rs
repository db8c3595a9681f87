//! Rendering results for people (text) and machines (JSON). Renderers write into a
//! buffer; the shell writes the buffer once.

pub mod json;
pub mod yaml;
pub mod text;

use crate::diagnostic::Diagnostic;
use crate::node::Node;

/// Replaces secret values wherever they appear in a text: the last line of defence for
/// texts that can echo input (Kong's error messages, findings). Values shorter than 4
/// characters are left alone, since masking them would garble unrelated text.
pub fn mask_text(text: &str, secrets: &[String]) -> String {
    let mut t = text.to_string();
    for s in secrets.iter().filter(|s| s.chars().count() >= 4) {
        if t.contains(s.as_str()) {
            t = t.replace(s.as_str(), "[masked]");
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
