//! Human-readable findings: `error[CODE]: message`, the source line with a caret, then
//! the entity, field, rule and hint. Snippets come from the text the user wrote, never from
//! rendered values.

use crate::diagnostic::{Diagnostic, Origin, Severity};
use crate::rules;
use crate::source::Sources;
use colored::Colorize;
use std::fmt::Write;

pub fn diagnostics(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        diagnostic(&mut out, d, sources, color);
        out.push('\n');
    }
    out
}

fn paint(s: &str, color: bool, f: fn(&str) -> colored::ColoredString) -> String {
    if color {
        f(s).to_string()
    } else {
        s.to_string()
    }
}

fn diagnostic(out: &mut String, d: &Diagnostic, sources: &Sources, color: bool) {
    let (word, painter): (&str, fn(&str) -> colored::ColoredString) = match d.severity {
        Severity::Error => ("error", |s| s.red().bold()),
        Severity::Warning => ("warning", |s| s.yellow().bold()),
        Severity::Note => ("note", |s| s.cyan().bold()),
    };
    let head = format!("{word}[{}]", d.rule.code);
    let _ = writeln!(out, "{}: {}", paint(&head, color, painter), paint(&d.message, color, |s| s.bold()));
    if let Some(loc) = d.loc {
        let file = sources.get(loc.file);
        if loc.line == 0 {
            let _ = writeln!(out, "  --> {}", file.name);
        } else {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}--> {}:{}:{}", file.name, loc.line, loc.column);
            if let Some(line) = file.line(loc.line) {
                let mask = std::ptr::eq(d.rule, &rules::LITERAL_CREDENTIAL);
                let (shown, start, width) = snippet(line, loc.column as usize, mask);
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{} | {}", loc.line, shown);
                let caret = format!("{}{}", " ".repeat(start), "^".repeat(width.max(1)));
                let _ = writeln!(out, "{pad} | {}", paint(&caret, color, painter));
            }
        }
    }
    let mut context = Vec::new();
    if let Some(e) = &d.entity {
        context.push(format!("entity: {e}"));
    }
    if let Some(f) = &d.field {
        context.push(format!("field: {f}"));
    }
    if !context.is_empty() {
        let _ = writeln!(out, "  = {}", context.join(", "));
    }
    let why = match d.rule.origin {
        Origin::Kong => "kong: Kong or decK rejects this",
        Origin::Lint => "lint: Kong accepts this, but it cannot work as intended",
        Origin::Input => "input: the file cannot be read or parsed; Kong has not judged it",
    };
    let _ = writeln!(out, "  = rule: {} ({why})", d.rule.name);
    if let Some(h) = &d.hint {
        let _ = writeln!(out, "  = {}: {h}", paint("help", color, |s| s.bold()));
    }
}

/// The line as shown (tabs expanded, a masked token if asked), the caret start (chars) and width.
fn snippet(line: &str, column: usize, mask: bool) -> (String, usize, usize) {
    let mut chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let mut start = column.saturating_sub(1).min(chars.len());
    // long lines: show a window around the column
    const WINDOW: usize = 100;
    if chars.len() > WINDOW + 20 {
        let from = start.saturating_sub(WINDOW / 2);
        let to = (from + WINDOW).min(chars.len());
        let mut shown: Vec<char> = Vec::new();
        if from > 0 {
            shown.extend("...".chars());
        }
        let offset = shown.len();
        shown.extend(&chars[from..to]);
        if to < chars.len() {
            shown.extend("...".chars());
        }
        start = start - from + offset;
        chars = shown;
    }
    let in_flow = chars[..start].iter().any(|c| matches!(c, '[' | '{'));
    let width = token_width(&chars[start..], in_flow);
    if mask && width > 0 {
        let mut shown: String = chars[..start].iter().collect();
        shown.push_str("[masked]");
        shown.extend(&chars[start + width..]);
        return (shown, start, "[masked]".len());
    }
    (chars.iter().collect(), start, width)
}

fn token_width(rest: &[char], in_flow: bool) -> usize {
    match rest.first() {
        None => 1,
        Some(q @ ('"' | '\'')) => {
            let mut i = 1;
            while i < rest.len() {
                if rest[i] == '\\' && *q == '"' {
                    i += 2;
                    continue;
                }
                if rest[i] == *q {
                    return i + 1;
                }
                i += 1;
            }
            rest.len()
        }
        Some(_) => {
            let mut end = rest.len();
            for (i, c) in rest.iter().enumerate() {
                let next = rest.get(i + 1).copied().unwrap_or(' ');
                if (in_flow && matches!(c, ',' | ']' | '}')) || (*c == '#' && i > 0 && rest[i - 1] == ' ') || (*c == ':' && next == ' ') {
                    end = i;
                    break;
                }
            }
            let trimmed = rest[..end].iter().collect::<String>().trim_end().chars().count();
            trimmed.max(1)
        }
    }
}

/// The closing line: counts per severity and the verdict.
pub fn summary(diags: &[Diagnostic], files: usize, valid: bool, color: bool) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let counts = format!("{}, {}", plural(count(Severity::Error), "error"), plural(count(Severity::Warning), "warning"));
    let inputs = plural(files, "input");
    if valid {
        format!("{}: {inputs} checked, {counts}\n", paint("valid", color, |s| s.green().bold()))
    } else {
        // a missing or unparsable input is not something Kong refused: say so
        let mut unloaded: Vec<_> = diags.iter().filter(|d| d.unreadable_input()).map(|d| d.loc.map(|l| l.file)).collect();
        unloaded.dedup();
        let why = match unloaded.len() {
            0 => String::new(),
            n => format!(" ({} could not be read or parsed)", plural(n, "input")),
        };
        format!("{}: {inputs} checked, {counts}{why}\n", paint("invalid", color, |s| s.red().bold()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_widths() {
        assert_eq!(snippet("  name: \"$(x.y)\"", 9, false).2, 8);
        assert_eq!(snippet("  - ~/a/b$", 5, false).2, 6);
        assert_eq!(snippet("  paths: [/a, /b]", 11, false).2, 2);
        assert_eq!(snippet("  zure_instance: x", 3, false).2, 13);
        assert_eq!(snippet("  header_value: s3cret", 17, true).0, "  header_value: [masked]");
        assert_eq!(snippet("  header_value: ${key}", 17, false).2, 6);
        let long = format!("k: {}", "[".repeat(5000));
        let (shown, start, _) = snippet(&long, 300, false);
        assert!(shown.chars().count() < 130 && start < 130, "{shown}");
    }
}
