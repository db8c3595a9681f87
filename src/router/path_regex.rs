//! A route's regex path compiled for holding tens of thousands of them: the same regex
//! engine, syntax and match semantics as `regex::Regex` (what atc-router uses), built
//! without the lazy DFAs (which add a reverse NFA per regex) and without the one-pass DFA
//! table. Every Kong path regex starts with `^` and paths are short, so the bounded
//! backtracker (or the PikeVM) over the one forward NFA is about as fast here, and a router
//! of 50,000 routes holds a third less memory.

use super::pattern::{kong_pattern, summarize_text, RegexRejection, REGEX_SIZE_LIMIT};
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;

/// A compiled `~/...` path, with the `regex::Regex` methods the router uses.
#[derive(Clone, Debug)]
pub struct PathRegex {
    re: Regex,
    pattern: String,
}

impl PathRegex {
    /// The pattern as compiled (`^...`).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Group names by index (`None` for unnamed groups; index 0 is the whole match).
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.re.group_info().pattern_names(regex_automata::PatternID::ZERO)
    }

    /// The leftmost-first match and its groups, as `regex::Regex::captures`.
    pub fn captures<'h>(&self, haystack: &'h str) -> Option<PathCaptures<'h>> {
        let mut caps = self.re.create_captures();
        self.re.captures(haystack, &mut caps);
        caps.is_match().then_some(PathCaptures { haystack, caps })
    }
}

/// The groups of one match.
pub struct PathCaptures<'h> {
    haystack: &'h str,
    caps: Captures,
}

impl<'h> PathCaptures<'h> {
    /// Group `i`, if it took part in the match.
    pub fn get(&self, i: usize) -> Option<PathMatch<'h>> {
        self.caps.get_group(i).map(|span| PathMatch(&self.haystack[span.range()]))
    }
}

/// The text one group matched.
#[derive(Clone, Copy, Debug)]
pub struct PathMatch<'h>(&'h str);

impl<'h> PathMatch<'h> {
    pub fn as_str(&self) -> &'h str {
        self.0
    }
}

/// Compiles a `~/...` path as Kong's router would, with the same verdicts as
/// [`super::pattern::compile`].
pub fn compile(path: &str) -> Result<PathRegex, RegexRejection> {
    if let Some(msg) = super::pattern::pcre_rejects(path.strip_prefix('~').unwrap_or(path)) {
        return Err(RegexRejection::Pcre(msg));
    }
    let pattern = kong_pattern(path);
    // what regex::RegexBuilder configures, minus the lazy and one-pass DFAs
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid(false)
        .dfa(false)
        .onepass(false);
    let re = meta::Builder::new().configure(config).build(&pattern).map_err(|e| {
        RegexRejection::Router(match e.size_limit() {
            Some(limit) => format!("compiled regex exceeds size limit of {limit} bytes"),
            None => summarize_text(&e.syntax_error().map(ToString::to_string).unwrap_or_else(|| e.to_string())),
        })
    })?;
    Ok(PathRegex { re, pattern })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_verdicts_and_captures_as_the_regex_crate() {
        for path in ["~/a/(?<x>[^/]+)/b$", "~/(?i)API/.*", "~/v(\\d+)?/x", "~/a{1000}{1000}", "~/(?<=a)b", "~/a(b", "~/a|/b(c)", "~/é/(?<n>.)"] {
            let theirs = super::super::pattern::compile(path);
            let ours = compile(path);
            assert_eq!(ours.as_ref().err(), theirs.as_ref().err(), "{path}");
            let (Ok(ours), Ok(theirs)) = (ours, theirs) else { continue };
            assert_eq!(ours.as_str(), theirs.as_str());
            assert_eq!(ours.capture_names().collect::<Vec<_>>(), theirs.capture_names().collect::<Vec<_>>(), "{path}");
            for hay in ["/a/xyz/b", "/a/xyz/bc", "/api/q", "/API/", "/v12/x", "/v/x", "/b", "/bc", "/é/ü", "/é/", "/x"] {
                let (o, t) = (ours.captures(hay), theirs.captures(hay));
                assert_eq!(o.is_some(), t.is_some(), "{path} on {hay}");
                if let (Some(o), Some(t)) = (o, t) {
                    for i in 0..t.len() {
                        assert_eq!(o.get(i).map(|m| m.as_str()), t.get(i).map(|m| m.as_str()), "{path} on {hay}, group {i}");
                    }
                }
            }
        }
    }
}
