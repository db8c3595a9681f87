//! Candidate lookup: which sub-routes could match a path, without trying them all.
//!
//! Every path condition needs the request path to start with some literal: the prefix
//! itself, or the literal prefixes of a regex (after Kong's `^` anchoring). Entries are
//! indexed by those literals; entries without paths, or regexes without a literal prefix,
//! are always candidates. When many regexes share a literal, one `RegexSet` pass finds the
//! ones that match. Candidates come back in priority order, so trying them in turn gives
//! exactly the answer of a linear scan.

use super::{Entry, PathMatcher};
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::HashMap;

/// Regex entries sharing a literal beyond this many are filtered with a `RegexSet`.
const SET_THRESHOLD: usize = 16;

#[derive(Debug, Default)]
struct Bucket {
    /// Entries whose path condition may hold whenever the key matches.
    plain: Vec<usize>,
    /// A set over many regexes of this key, and the entry of each pattern.
    set: Option<(RegexSet, Vec<usize>)>,
}

#[derive(Debug, Default)]
pub struct Index {
    always: Vec<usize>,
    buckets: HashMap<Vec<u8>, Bucket>,
    /// Distinct key lengths, ascending.
    lengths: Vec<usize>,
}

impl Index {
    pub fn build(entries: &[Entry]) -> Index {
        let mut idx = Index::default();
        // key -> (entry, regex pattern if the key came from a regex)
        let mut keyed: HashMap<Vec<u8>, Vec<(usize, Option<String>)>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.paths.is_empty() {
                idx.always.push(i);
                continue;
            }
            let mut keys: Vec<(Vec<u8>, Option<String>)> = Vec::new();
            let mut always = false;
            for p in &e.paths {
                match p {
                    PathMatcher::Prefix(s) => keys.push((s.as_bytes().to_vec(), None)),
                    PathMatcher::Regex(regex) => match literal_prefixes(regex.as_str()) {
                        Some(lits) => keys.extend(lits.into_iter().map(|l| (l, Some(regex.as_str().to_string())))),
                        None => always = true,
                    },
                }
            }
            if always {
                idx.always.push(i);
                continue;
            }
            keys.sort();
            keys.dedup();
            for (k, pattern) in keys {
                keyed.entry(k).or_default().push((i, pattern));
            }
        }
        for (key, items) in keyed {
            let regexes: Vec<&(usize, Option<String>)> = items.iter().filter(|(_, p)| p.is_some()).collect();
            let mut bucket = Bucket::default();
            if regexes.len() > SET_THRESHOLD {
                let patterns: Vec<&str> = regexes.iter().filter_map(|(_, p)| p.as_deref()).collect();
                if let Ok(set) = RegexSetBuilder::new(&patterns).size_limit(256 << 20).dfa_size_limit(64 << 20).build() {
                    bucket.set = Some((set, regexes.iter().map(|(e, _)| *e).collect()));
                }
            }
            for (e, p) in &items {
                if p.is_none() || bucket.set.is_none() {
                    bucket.plain.push(*e);
                }
            }
            idx.buckets.insert(key, bucket);
        }
        idx.lengths = idx.buckets.keys().map(Vec::len).collect();
        idx.lengths.sort_unstable();
        idx.lengths.dedup();
        idx
    }

    /// Entry indices (ascending = priority order) whose path condition may hold for `path`.
    pub fn candidates(&self, path: &str) -> Vec<usize> {
        let bytes = path.as_bytes();
        let mut out = self.always.clone();
        for &l in &self.lengths {
            if l > bytes.len() {
                break;
            }
            if let Some(b) = self.buckets.get(&bytes[..l]) {
                out.extend_from_slice(&b.plain);
                if let Some((set, owners)) = &b.set {
                    out.extend(set.matches(path).into_iter().map(|i| owners[i]));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Literals one of which every match must start with; `None` when there is no such finite set.
fn literal_prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new().build().parse(pattern).ok()?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_literal_prefixes() {
        let lits = literal_prefixes("^/openai/deployments/(?P<d>[^/]+)/chat/completions$").unwrap();
        assert_eq!(lits, vec![b"/openai/deployments/".to_vec()]);
        assert!(literal_prefixes("^.*").is_none() || literal_prefixes("^.*").unwrap().iter().any(Vec::is_empty));
        let alt = literal_prefixes("^/a|/b").unwrap();
        assert!(alt.iter().any(|l| l.starts_with(b"/a")) && alt.iter().any(|l| l.starts_with(b"/b")));
    }
}
