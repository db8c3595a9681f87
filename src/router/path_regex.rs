//! A route's regex path compiled for holding tens of thousands of them: the same regex
//! engine, syntax and match semantics as `regex::Regex` (what atc-router uses), built
//! without the lazy DFAs (which add a reverse NFA per regex) and without the one-pass DFA
//! table. Every Kong path regex starts with `^` and paths are short, so the bounded
//! backtracker (or the PikeVM) over the one forward NFA is about as fast here, and a router
//! of 50,000 routes holds a third less memory.
//!
//! Compiling is deferred to a regex's first use: [`compile`] parses the pattern (every
//! syntax error and PCRE refusal is reported there, with the message an eager compile
//! gives) and bounds the size of the automaton it would build from the parsed pattern
//! ([`nfa_size_bound`]); only a pattern whose bound comes near the size limit is compiled
//! at once, so an over-the-limit regex is refused by [`compile`] too. A router of 50,000
//! routes then builds in the time of parsing its regexes, and holds automata only for the
//! regexes requests reached.

use super::pattern::{kong_pattern, summarize_text, RegexRejection, REGEX_SIZE_LIMIT};
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_syntax::hir::{Class, Hir, HirKind};
use std::sync::OnceLock;

/// A `~/...` path, parsed and checked, compiled on first use, with the `regex::Regex`
/// methods the router uses.
#[derive(Clone, Debug)]
pub struct PathRegex {
    re: OnceLock<Regex>,
    pattern: String,
    /// Literals every match starts with / ends with (see `index`), from the same parse.
    prefixes: Option<Vec<Vec<u8>>>,
    suffixes: Option<Vec<Vec<u8>>>,
}

impl PathRegex {
    /// The pattern as compiled (`^...`).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Literals one of which every match starts with (`None`: no finite set).
    pub fn literal_prefixes(&self) -> Option<&Vec<Vec<u8>>> {
        self.prefixes.as_ref()
    }

    /// For a regex anchored at the end, literals one of which every match ends with.
    pub fn literal_suffixes(&self) -> Option<&Vec<Vec<u8>>> {
        self.suffixes.as_ref()
    }

    /// Whether the automaton has been built (the first use, or at [`compile`] for a
    /// pattern near the size limit).
    pub fn is_compiled(&self) -> bool {
        self.re.get().is_some()
    }

    fn regex(&self) -> &Regex {
        // `compile` parsed this pattern with the same syntax settings and bounded its
        // automaton well under the size limit, so building it cannot fail
        self.re.get_or_init(|| build(&self.pattern).expect("a pattern `compile` accepted builds"))
    }

    /// Group names by index (`None` for unnamed groups; index 0 is the whole match).
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.regex().group_info().pattern_names(regex_automata::PatternID::ZERO)
    }

    /// The leftmost-first match and its groups, as `regex::Regex::captures`.
    pub fn captures<'h>(&self, haystack: &'h str) -> Option<PathCaptures<'h>> {
        let re = self.regex();
        let mut caps = re.create_captures();
        re.captures(haystack, &mut caps);
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

/// Checks a `~/...` path as Kong's router would, with the same verdicts as
/// [`super::pattern::compile`]; the automaton is built on first use (or now, for a pattern
/// whose [`nfa_size_bound`] reaches the size limit).
pub fn compile(path: &str) -> Result<PathRegex, RegexRejection> {
    if let Some(msg) = super::pattern::pcre_rejects(path.strip_prefix('~').unwrap_or(path)) {
        return Err(RegexRejection::Pcre(msg));
    }
    let pattern = kong_pattern(path);
    // meta::Builder's default syntax settings are regex_syntax's defaults
    let hir = regex_syntax::ParserBuilder::new().build().parse(&pattern).map_err(|e| RegexRejection::Router(summarize_text(&e.to_string())))?;
    let (prefixes, suffixes) = super::index::literals_of(&hir);
    let re = OnceLock::new();
    if nfa_size_bound(&hir) >= REGEX_SIZE_LIMIT {
        let _ = re.set(build(&pattern)?);
    }
    Ok(PathRegex { re, pattern, prefixes, suffixes })
}

/// What an NFA holds besides its pattern's states (start states, the unanchored prefix,
/// capture bookkeeping), generously.
const BASE_BYTES: usize = 4096;

/// Bytes of NFA states per state, generously (regex-automata counts each state's heap
/// size against the limit: a byte range is 3 bytes, a union a pointer per branch).
const STATE_BYTES: usize = 64;

/// An upper bound on the size regex-automata's Thompson compiler gives a pattern, in the
/// units of its size limit: every literal byte a state; a class at most 4 states per UTF-8
/// byte sequence (at most 16 sequences per range); a repetition its
/// body once per copy (`{n,m}` compiles m copies, `{n,}` n, one of them looping) plus a union; a capture
/// group two states; alternation and concatenation the sum plus one per part.
pub fn nfa_size_bound(hir: &Hir) -> usize {
    fn states(h: &Hir) -> usize {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => 1,
            HirKind::Literal(l) => l.0.len() + 1,
            HirKind::Class(Class::Unicode(c)) => c.ranges().len().saturating_mul(64) + 1,
            HirKind::Class(Class::Bytes(c)) => c.ranges().len() + 1,
            HirKind::Repetition(r) => {
                let copies = r.max.map_or(r.min.max(1), |m| m.max(1)) as usize;
                states(&r.sub).saturating_mul(copies).saturating_add(copies + 1)
            }
            HirKind::Capture(c) => states(&c.sub) + 2,
            HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().map(states).fold(hs.len() + 1, usize::saturating_add),
        }
    }
    states(hir).saturating_mul(STATE_BYTES).saturating_add(BASE_BYTES)
}

/// Builds the automaton (what regex::RegexBuilder configures, minus the lazy and one-pass
/// DFAs), with the size limit's and the parser's messages.
fn build(pattern: &str) -> Result<Regex, RegexRejection> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid(false)
        .dfa(false)
        .onepass(false);
    meta::Builder::new().configure(config).build(pattern).map_err(|e| {
        RegexRejection::Router(match e.size_limit() {
            Some(limit) => format!("compiled regex exceeds size limit of {limit} bytes"),
            None => summarize_text(&e.syntax_error().map(ToString::to_string).unwrap_or_else(|| e.to_string())),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // what compile defers: a small pattern is built on first use, one near the size limit
    // at once (so a pattern over it is refused by compile, as the eager build refuses it)
    #[test]
    fn small_patterns_compile_on_first_use() {
        let re = compile("~/api/(?<id>[^/]+)$").unwrap();
        assert!(!re.is_compiled());
        assert_eq!(re.literal_prefixes(), Some(&vec![b"/api/".to_vec()]));
        assert_eq!(re.captures("/api/7").and_then(|c| c.get(1)).map(|m| m.as_str()), Some("7"));
        assert!(re.is_compiled());
        assert!(!compile("~/(\\w+)/(\\w+)").unwrap().is_compiled());
        assert!(compile("~/\\w{300}").unwrap().is_compiled());
        assert!(matches!(compile("~/\\w{2000}"), Err(RegexRejection::Router(m)) if m.contains("size limit")));
    }

    // the bound is an upper bound: for patterns of every shape the compiled NFA is smaller
    #[test]
    fn size_bound_is_above_the_compiled_size() {
        for p in ["^/b", "^/\\w", "^/\\w{100}", "^/[^/]+", "^/", "^/(?i)[a-z]+/x", "^/\\w{50}", "^/[^/]{1,40}/(\\d+|v[0-9]{3})$", "^/(a|bc|\\pL){20}", "^/.{10,}", "^/\\b\\w+\\b"] {
            let hir = regex_syntax::ParserBuilder::new().build().parse(p).unwrap();
            let nfa = regex_automata::nfa::thompson::NFA::new(p).unwrap();
            assert!(nfa.memory_usage() <= nfa_size_bound(&hir), "{p}: {} > {}", nfa.memory_usage(), nfa_size_bound(&hir));
        }
    }

    #[test]
    fn same_verdicts_and_captures_as_the_regex_crate() {
        for path in ["~/a/(?<x>[^/]+)/b$", "~/(?i)API/.*", "~/v(\\d+)?/x", "~/a{1000}{1000}", "~/\\w{2000}", "~/(?i)[^/]{30000}", "~/(a|b){100}{100}", "~/(?<=a)b", "~/a(b", "~/a|/b(c)", "~/é/(?<n>.)"] {
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
