//! `$(source.key)` templates in AI proxy model settings.
//!
//! Kong finds each `$(...)` (shortest match up to the first `)`), splits its inside on `.`
//! into exactly two parts, and reads the value from request headers, the route's named
//! regex captures, or query parameters. Current Kong Enterprise replaces every placeholder
//! in a string, left to right.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Headers,
    UriCaptures,
    QueryParams,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Headers => "headers",
            Source::UriCaptures => "uri_captures",
            Source::QueryParams => "query_params",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    pub source: Source,
    pub key: String,
    /// Byte range of `$(...)` in the string.
    pub start: usize,
    pub end: usize,
}

/// Why Kong cannot evaluate a template, in Kong's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Parse(String),
    Source(String),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Parse(field) => write!(f, "cannot parse expression for field '{field}'"),
            TemplateError::Source(src) => write!(f, "source '{src}' is not supported"),
        }
    }
}

/// The next `$(...)` at or after byte `from`: its start, end (after `)`) and inside.
fn next_placeholder(s: &str, from: usize) -> Option<(usize, usize, &str)> {
    let start = from + s[from..].find("$(")?;
    let close = s[start + 2..].find(')')?;
    let end = start + 2 + close + 1;
    Some((start, end, &s[start + 2..end - 1]))
}

fn parse_one(s: &str, start: usize, end: usize, inner: &str) -> Result<Placeholder, TemplateError> {
    let parts: Vec<&str> = inner.split('.').collect();
    if parts.len() != 2 {
        return Err(TemplateError::Parse(s.to_string()));
    }
    let source = match parts[0] {
        "headers" => Source::Headers,
        "uri_captures" => Source::UriCaptures,
        "query_params" => Source::QueryParams,
        other => return Err(TemplateError::Source(other.to_string())),
    };
    Ok(Placeholder { source, key: parts[1].to_string(), start, end })
}

/// Every placeholder in `s`, or the first error Kong would raise for it.
pub fn placeholders(s: &str) -> Result<Vec<Placeholder>, TemplateError> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some((start, end, inner)) = next_placeholder(s, from) {
        out.push(parse_one(s, start, end, inner)?);
        from = end;
    }
    Ok(out)
}

/// Replaces every placeholder using `lookup`, left to right; the first placeholder that
/// cannot be parsed or has no value stops it with Kong's error (`"<source> key <name> was
/// not provided"`).
///
/// Kong OSS master (22246ef2) still replaces only the first placeholder of a string. Kong
/// commit 41688fe4 ("fix(ai-proxy): fix AI Plugins with multiple capture groups", June
/// 2025, on Kong/kong branch `aigw-393`, not merged into OSS master; its changelog line is
/// the one of Kong Gateway 3.10.0.3 / 3.11.0.0) makes `merge_model_options` in
/// `kong/llm/drivers/shared.lua` replace all of them in one left-to-right pass, stopping
/// at the first error. This follows the fixed behaviour.
pub fn resolve(s: &str, lookup: &dyn Fn(Source, &str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    while let Some((start, end, inner)) = next_placeholder(s, last) {
        let p = parse_one(s, start, end, inner).map_err(|e| e.to_string())?;
        out.push_str(&s[last..p.start]);
        match lookup(p.source, &p.key) {
            Some(v) => out.push_str(&v),
            None => return Err(format!("{} key {} was not provided", p.source, p.key)),
        }
        last = p.end;
    }
    out.push_str(&s[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Behaviour restated from Kong's kong/llm/drivers/shared.lua (conf_from_request,
    // merge_model_options) via ../shared/reference/ai-proxy.md §2.
    #[test]
    fn parses_like_kong() {
        let p = placeholders("$(uri_captures.azure_deployment)").unwrap();
        assert_eq!(p[0].source, Source::UriCaptures);
        assert_eq!(p[0].key, "azure_deployment");
        assert_eq!(placeholders("west-$(headers.x-model)-1").unwrap()[0].key, "x-model");
        assert_eq!(placeholders("plain").unwrap(), vec![]);
        assert_eq!(
            placeholders("$(query_params[\"x\"])").unwrap_err().to_string(),
            "cannot parse expression for field '$(query_params[\"x\"])'"
        );
        assert_eq!(placeholders("$(conf.params.model)").unwrap_err(), TemplateError::Parse("$(conf.params.model)".into()));
        assert_eq!(placeholders("$(body.model)").unwrap_err().to_string(), "source 'body' is not supported");
    }

    #[test]
    fn resolves_every_placeholder() {
        let lookup = |s: Source, k: &str| match (s, k) {
            (Source::UriCaptures, "a") => Some("x".to_string()),
            (Source::Headers, "b") => Some("y".to_string()),
            _ => None,
        };
        assert_eq!(resolve("$(uri_captures.a)/$(headers.b)", &lookup).unwrap(), "x/y");
        assert_eq!(resolve("$(uri_captures.zz)", &lookup).unwrap_err(), "uri_captures key zz was not provided");
    }
}
