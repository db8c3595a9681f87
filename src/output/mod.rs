//! Rendering results for people (text) and machines (JSON). Renderers write into a
//! buffer; the shell writes the buffer once.

pub mod json;
pub mod yaml;
pub mod text;

use crate::diagnostic::Diagnostic;
use crate::node::Node;

/// Replaces secret values (those that came from the environment) wherever they would
/// appear in a finding's message or hint. Values shorter than 4 characters are left
/// alone, since masking them would garble unrelated text.
pub fn mask_secrets(diags: &mut [Diagnostic], secrets: &[String]) {
    for d in diags {
        for s in secrets.iter().filter(|s| s.chars().count() >= 4) {
            if d.message.contains(s.as_str()) {
                d.message = d.message.replace(s.as_str(), "[masked]");
            }
            if let Some(h) = &mut d.hint {
                if h.contains(s.as_str()) {
                    *h = h.replace(s.as_str(), "[masked]");
                }
            }
        }
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
