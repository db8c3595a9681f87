//! Candidate lookup: which sub-routes could match a path, without trying them all.
//!
//! Every path condition needs the request path to start with some literal: the prefix
//! itself, or the literal prefixes of a regex (after Kong's `^` anchoring). Entries are
//! indexed by those literals; entries without paths, or regexes without a literal prefix,
//! are always candidates. Candidates come back in priority order, so trying them in turn
//! gives exactly the answer of a linear scan.

use super::{Entry, PathMatcher};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Index {
    always: Vec<usize>,
    by_prefix: HashMap<Vec<u8>, Vec<usize>>,
    /// Distinct key lengths, ascending.
    lengths: Vec<usize>,
}

impl Index {
    pub fn build(entries: &[Entry]) -> Index {
        let mut idx = Index::default();
        for (i, e) in entries.iter().enumerate() {
            if e.paths.is_empty() {
                idx.always.push(i);
                continue;
            }
            let mut keys: Vec<Vec<u8>> = Vec::new();
            let mut always = false;
            for p in &e.paths {
                match p {
                    PathMatcher::Prefix(s) => keys.push(s.as_bytes().to_vec()),
                    PathMatcher::Regex { regex, .. } => match literal_prefixes(regex.as_str()) {
                        Some(lits) => keys.extend(lits),
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
            for k in keys {
                idx.by_prefix.entry(k).or_default().push(i);
            }
        }
        idx.lengths = idx.by_prefix.keys().map(Vec::len).collect();
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
            if let Some(v) = self.by_prefix.get(&bytes[..l]) {
                out.extend_from_slice(v);
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
