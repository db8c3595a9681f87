//! Route paths as Kong's traditional_compatible router compiles them.
//!
//! A regex path `~/x` becomes `^/x` with every `?<` rewritten to `?P<`, compiled with the
//! Rust regex crate (what atc-router uses). Kong's schema first dry-runs the regex with
//! PCRE (approximated by `pcre_rejects`), so a few things Rust accepts (group names with
//! dots) are still rejected, and unbalanced groups get PCRE's message, not Rust's.

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

/// Whether `re` compiles as a PCRE regex, as far as can be told here: the PCRE scanner
/// below, then the regex crate's parser, whose refusals of look-around and back-references
/// (which PCRE takes) do not count. Kong's `is_regex` validator (kong/db/schema/init.lua)
/// asks `ngx.re.match` to compile the value.
pub fn pcre_compiles(re: &str) -> bool {
    use regex_syntax::ast::ErrorKind;
    if pcre_rejects(re).is_some() || stacked_quantifier(re) {
        return false;
    }
    match regex_syntax::ast::parse::Parser::new().parse(re) {
        Ok(_) => true,
        Err(e) => matches!(e.kind(), ErrorKind::UnsupportedLookAround | ErrorKind::UnsupportedBackreference),
    }
}

/// A quantifier with nothing to repeat, which PCRE refuses ("quantifier does not follow a
/// repeatable item") and the regex crate takes: `a**`, `(*a)`, `|+`, a leading `?`. A `?` or
/// `+` right after a quantifier makes it lazy or possessive, which PCRE takes once.
fn stacked_quantifier(re: &str) -> bool {
    #[derive(PartialEq)]
    enum Prev {
        Nothing,
        Atom,
        Quantifier,
        Modified,
    }
    let b = re.as_bytes();
    let mut prev = Prev::Nothing;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                prev = Prev::Atom;
                continue;
            }
            b'[' => {
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') {
                    j += 1;
                }
                if b.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < b.len() && b[j] != b']' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                prev = Prev::Atom;
                continue;
            }
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    // group syntax: (?:, (?=, (?!, (?<name>, (?i) ...
                    let mut j = i + 2;
                    while j < b.len() && !matches!(b[j], b':' | b'=' | b'!' | b'>' | b')') {
                        j += 1;
                    }
                    prev = if b.get(j) == Some(&b')') { Prev::Atom } else { Prev::Nothing };
                    i = j + 1;
                    continue;
                }
                prev = Prev::Nothing;
            }
            b'|' => prev = Prev::Nothing,
            b'*' | b'+' | b'?' => {
                prev = match prev {
                    Prev::Nothing | Prev::Modified => return true,
                    Prev::Quantifier if b[i] == b'*' => return true,
                    Prev::Quantifier => Prev::Modified,
                    Prev::Atom => Prev::Quantifier,
                };
            }
            _ => prev = Prev::Atom,
        }
        i += 1;
    }
    false
}

/// The last line of a regex error ("error: look-around ... is not supported").
fn summarize(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled regex exceeds size limit of {limit} bytes")
        }
        other => summarize_text(&other.to_string()),
    }
}

/// The last `error: ` line of a regex error's text (the whole text when it has none).
pub(super) fn summarize_text(text: &str) -> String {
    text.lines().rev().find_map(|l| l.strip_prefix("error: ")).map(String::from).unwrap_or_else(|| text.to_string())
}

/// The PCRE dry run of Kong's schema (kong/db/schema/typedefs.lua `validate_path_with_regexes`
/// runs `ngx.re.find("", path, "aj")`), approximated: PCRE cannot run here, so this scanner
/// finds the compile errors PCRE2 reports for unbalanced groups and classes, a trailing
/// backslash and bad group names, and words them as lua-nginx-module does:
/// `pcre2_compile() failed: ERROR in "PATTERN"` plus ` at "REST"` when PCRE2's error offset
/// is not the end of the pattern. Other PCRE2 errors are not detected here; the Rust regex
/// crate's error (the router check) reports them instead.
pub(super) fn pcre_rejects(re: &str) -> Option<String> {
    let fail = |what: &str, offset: usize| {
        if offset >= re.len() {
            format!("pcre2_compile() failed: {what} in \"{re}\"")
        } else {
            format!("pcre2_compile() failed: {what} in \"{re}\" at \"{}\"", &re[offset..])
        }
    };
    let bytes = re.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if i + 1 >= bytes.len() {
                    return Some(fail("\\ at end of pattern", bytes.len()));
                }
                i += 2;
                continue;
            }
            b'[' => {
                // a class: `]` right after `[` or `[^` is literal; `[:name:]` is a POSIX class
                let mut j = i + 1;
                if bytes.get(j) == Some(&b'^') {
                    j += 1;
                }
                if bytes.get(j) == Some(&b']') {
                    j += 1;
                }
                let mut closed = false;
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 1,
                        b'[' if bytes.get(j + 1) == Some(&b':') => {
                            if let Some(end) = re[j + 2..].find(":]") {
                                j += 2 + end + 1;
                            }
                        }
                        b']' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if !closed {
                    return Some(fail("missing terminating ] for character class", bytes.len()));
                }
                i = j + 1;
                continue;
            }
            b')' => {
                if depth == 0 {
                    return Some(fail("unmatched closing parenthesis", i));
                }
                depth -= 1;
            }
            b'(' => {
                let rest = &re[i + 1..];
                if rest.starts_with("?#") {
                    // a comment runs to the next `)`
                    match rest.find(')') {
                        Some(end) => {
                            i += 1 + end + 1;
                            continue;
                        }
                        None => return Some(fail("missing ) after (?# comment", bytes.len())),
                    }
                }
                depth += 1;
                let name_start = if rest.starts_with("?P<") {
                    Some(3)
                } else if rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!") {
                    Some(2)
                } else {
                    None
                };
                if let Some(off) = name_start {
                    let name_part = &rest[off..];
                    let word = name_part.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
                    let at = i + 1 + off;
                    if word == 0 {
                        return Some(fail("subpattern name expected", at));
                    }
                    if name_part.as_bytes()[0].is_ascii_digit() {
                        return Some(fail("subpattern name must start with a non-digit", at));
                    }
                    // Kong builds PCRE2 10.45 (.requirements); MAX_NAME_SIZE is 128 since 10.44
                    if word > 128 {
                        return Some(fail("subpattern name is too long (maximum 128 code units)", at + word));
                    }
                    if name_part.as_bytes().get(word) != Some(&b'>') {
                        return Some(fail("syntax error in subpattern name (missing terminator?)", at + word));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth > 0 {
        return Some(fail("missing closing parenthesis", bytes.len()));
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
        // spec/01-unit/01-db/01-schema/06-routes_spec.lua "must dry-run values that are considered regexes"
        assert_eq!(
            compile("~/users/(foo/profile").unwrap_err(),
            RegexRejection::Pcre("pcre2_compile() failed: missing closing parenthesis in \"/users/(foo/profile\"".into())
        );
        assert_eq!(
            compile("~/a)b").unwrap_err(),
            RegexRejection::Pcre("pcre2_compile() failed: unmatched closing parenthesis in \"/a)b\" at \")b\"".into())
        );
        assert!(matches!(compile("~/[abc"), Err(RegexRejection::Pcre(m)) if m.contains("missing terminating ]")));
        assert!(pcre_rejects("/[]a](?#c)[[:alpha:]]").is_none());
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

#[cfg(test)]
mod pcre_compiles_tests {
    #[test]
    fn pcre_compiles_as_kong_is_regex() {
        assert!(super::pcre_compiles(r".*\.example(?:-foo)?\.com"));
        assert!(super::pcre_compiles("example.com") && super::pcre_compiles("(?=a)b"));
        assert!(!super::pcre_compiles("invalid_**regex"), "nothing to repeat");
        assert!(!super::pcre_compiles("a(b") && !super::pcre_compiles("[a"));
        assert!(super::pcre_compiles("a*?b+?c*+") && super::pcre_compiles(r"\**") && super::pcre_compiles("[*]*"));
        assert!(!super::pcre_compiles("*a") && !super::pcre_compiles("(+a)") && !super::pcre_compiles("a|?") && !super::pcre_compiles("a*+?"));
    }
}
