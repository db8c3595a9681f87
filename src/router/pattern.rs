//! Route paths as Kong's traditional_compatible router compiles them.
//!
//! A regex path `~/x` becomes `^/x` with every `?<` rewritten to `?P<`, compiled with the
//! Rust regex crate (what atc-router uses). Kong's schema also dry-runs the regex with
//! PCRE, so a few things Rust accepts (group names with dots) are still rejected.

use regex::{Regex, RegexBuilder};

/// atc-router compiles with the regex crate's defaults; this is its compiled size limit.
pub const REGEX_SIZE_LIMIT: usize = 10 * (1 << 20);

/// Why Kong refuses a regex path.
#[derive(Debug, Clone, PartialEq)]
pub enum RegexRejection {
    /// The Rust regex crate (atc-router) refuses it.
    Router(String),
    /// PCRE (the schema's dry run) refuses it.
    Pcre(String),
}

/// The pattern text Kong hands to the router for a regex path (`~/x` -> `^/x`).
pub fn kong_pattern(path: &str) -> String {
    let body = path.strip_prefix('~').unwrap_or(path);
    format!("^{}", body.replace("?<", "?P<"))
}

/// Compiles a `~/...` path the way Kong does.
pub fn compile(path: &str) -> Result<Regex, RegexRejection> {
    if let Some(msg) = pcre_rejects(path.strip_prefix('~').unwrap_or(path)) {
        return Err(RegexRejection::Pcre(msg));
    }
    RegexBuilder::new(&kong_pattern(path))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| RegexRejection::Router(summarize(&e)))
}

/// The last line of a regex error ("error: look-around ... is not supported").
fn summarize(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled regex exceeds size limit of {limit} bytes")
        }
        other => {
            let text = other.to_string();
            text.lines()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .map(String::from)
                .unwrap_or(text)
        }
    }
}

/// Group names PCRE refuses: they must be a letter or `_`, then word characters, at most 32.
fn pcre_rejects(re: &str) -> Option<String> {
    let bytes = re.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &re[i + 1..];
                let name_start = if rest.starts_with("?P<") {
                    Some(3)
                } else if rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!") {
                    Some(2)
                } else {
                    None
                };
                if let Some(off) = name_start {
                    let name_part = &rest[off..];
                    let end = name_part.find('>').unwrap_or(name_part.len());
                    let name = &name_part[..end];
                    let ok = !name.is_empty()
                        && name.len() <= 32
                        && !name.as_bytes()[0].is_ascii_digit()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                    if !ok {
                        return Some(format!(
                            "syntax error in subpattern name (missing terminator?) at offset {}",
                            i + 1 + off + name.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count()
                        ));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Constructs Kong accepts whose meaning differs from PCRE's (worth a warning).
pub fn surprising_constructs(path: &str) -> Vec<&'static str> {
    let re = path.strip_prefix('~').unwrap_or(path);
    let mut found = Vec::new();
    if re.contains("\\<") || re.contains("\\>") {
        found.push("`\\<` and `\\>` are word-boundary assertions in Kong's (Rust) regex engine, not literal `<`/`>`");
    }
    if re.contains("++") || re.contains("*+") || re.contains("?+") {
        found.push("possessive quantifiers (`x++`) are not possessive in Kong's regex engine");
    }
    if re.contains("[?<") || (re.contains('[') && re.contains("?<]")) {
        found.push("Kong rewrites every `?<` to `?P<`, also inside a character class, which then also matches `P`");
    }
    found
}

/// Named capture groups of a compiled path regex.
pub fn capture_names(re: &Regex) -> Vec<String> {
    re.capture_names().flatten().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Verdicts restated from ../shared/reference/kong-router.md §3.2 (regex syntax table).
    #[test]
    fn kong_verdicts_on_regex_syntax() {
        assert!(compile("~/users/(?<id>\\d+)").is_ok());
        assert!(compile("~/users/(?P<id>\\d+)").is_ok());
        assert!(matches!(compile("~/(?<a.b>x)"), Err(RegexRejection::Pcre(_))));
        assert!(matches!(compile("~/foo(?=bar)"), Err(RegexRejection::Router(m)) if m.contains("look-around")));
        assert!(matches!(compile("~/(?<=x)y"), Err(RegexRejection::Router(_))));
        assert!(matches!(compile("~/(a)\\1"), Err(RegexRejection::Router(m)) if m.contains("backreferences")));
        assert!(compile("~/(?>x)").is_err());
        assert!(compile("~/x\\Z").is_err());
        assert!(compile("~/\\/x").is_ok());
        assert!(compile("~/(?i)x").is_ok());
        assert!(compile("~/[abc/*/user$").is_err());
        assert!(compile("~/x++").is_ok());
        assert!(matches!(compile("~/a{1000}{1000}"), Err(RegexRejection::Router(m)) if m.contains("size limit")));
    }

    #[test]
    fn kong_anchors_at_the_start_only() {
        let re = compile("~/prefix/[0-9]+").unwrap();
        assert!(!re.is_match("/extra/prefix/123"));
        assert!(compile("~/users/\\d+/profile").unwrap().is_match("/users/123/profile/hello/world"));
        assert_eq!(kong_pattern("~/openai/deployments/(?<d>[^/]+)/chat/completions$"), "^/openai/deployments/(?P<d>[^/]+)/chat/completions$");
    }
}
