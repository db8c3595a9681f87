//! Candidate lookup: which sub-routes could match a request, without trying them all.
//!
//! Every path condition needs the request path to start with some literal: the prefix
//! itself, or the literal prefixes of a regex (after Kong's `^` anchoring). Entries are
//! indexed by those literals. When many regexes share a literal, those anchored at the end
//! (`$`) are indexed again by the literals every match ends with, looked up on the path's
//! tail; one `RegexSet` pass finds which of the others match. Entries without paths, or regexes without a literal prefix, are
//! indexed by host instead: those whose hosts are all plain under each host name, those with
//! a wildcard host in a list tried for every request with a Host, and those without hosts are
//! always candidates. Candidates come back in priority order, so trying them in turn gives
//! exactly the answer of a linear scan.

use super::{Entry, HostMatcher, PathMatcher};
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, Look};
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The FxHash word mix (as in rustc): much cheaper than SipHash on the short keys looked up
/// for every request. The tables hold only keys from the config; a request's path or host
/// is only looked up, so chosen inputs cannot degrade them.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<Fx>>;

/// Regex entries sharing a literal beyond this many are filtered with a `RegexSet`.
const SET_THRESHOLD: usize = 16;

#[derive(Debug, Default)]
struct Bucket {
    /// Entries whose path condition may hold whenever the key matches.
    plain: Vec<usize>,
    /// A set over many regexes of this key, and the entry of each pattern.
    set: Option<(RegexSet, Vec<usize>)>,
    /// Regexes of this key anchored at the end, by the literals their matches end with.
    suffixes: Option<Literals>,
}

/// Entries by literal, and the distinct literal lengths (ascending).
#[derive(Debug, Default)]
struct Literals {
    entries: HashMap<Vec<u8>, Vec<usize>>,
    lengths: Vec<usize>,
}

impl Literals {
    fn add(&mut self, literal: Vec<u8>, entry: usize) {
        if !self.lengths.contains(&literal.len()) {
            self.lengths.push(literal.len());
            self.lengths.sort_unstable();
        }
        self.entries.entry(literal).or_default().push(entry);
    }

    /// The entries whose literal ends `path`.
    fn ending(&self, path: &[u8], out: &mut Vec<usize>) {
        for &l in &self.lengths {
            if l > path.len() {
                break;
            }
            if let Some(v) = self.entries.get(&path[path.len() - l..]) {
                out.extend_from_slice(v);
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Index {
    /// Entries not indexed by path and without a host condition.
    always: Vec<usize>,
    /// Entries not indexed by path whose hosts are all plain, under each host name.
    by_host: HashMap<String, Vec<usize>>,
    /// Entries not indexed by path with a wildcard host (tried whenever the request has a Host).
    wildcard_hosts: Vec<usize>,
    buckets: HashMap<Vec<u8>, Bucket>,
    /// Distinct key lengths, ascending.
    lengths: Vec<usize>,
    /// Each entry's place in the other priority formula's order (for `--priority` comparisons).
    other_rank: Vec<u32>,
}

impl Index {
    pub fn build(entries: &[Entry]) -> Index {
        let mut idx = Index::default();
        // key -> (entry, regex pattern if the key came from a regex)
        let mut keyed: HashMap<Vec<u8>, Vec<(usize, Option<String>)>> = HashMap::default();
        // the suffix literals of each regex, from the same parse as its prefix literals
        let mut suffixes_by_pattern: HashMap<String, Lits> = HashMap::default();
        for (i, e) in entries.iter().enumerate() {
            if e.paths.is_empty() {
                idx.by_host_or_always(i, e);
                continue;
            }
            let mut keys: Vec<(Vec<u8>, Option<String>)> = Vec::new();
            let mut always = false;
            for p in &e.paths {
                match p {
                    PathMatcher::Prefix(s) => keys.push((s.as_bytes().to_vec(), None)),
                    PathMatcher::Regex(regex) => match regex.literal_prefixes() {
                        Some(lits) => {
                            suffixes_by_pattern.insert(regex.as_str().to_string(), regex.literal_suffixes().cloned());
                            keys.extend(lits.iter().map(|l| (l.clone(), Some(regex.as_str().to_string()))));
                        }
                        None => always = true,
                    },
                }
            }
            if always {
                idx.by_host_or_always(i, e);
                continue;
            }
            keys.sort();
            keys.dedup();
            for (k, pattern) in keys {
                keyed.entry(k).or_default().push((i, pattern));
            }
        }
        for (key, items) in keyed {
            let mut regexes: Vec<&(usize, Option<String>)> = items.iter().filter(|(_, p)| p.is_some()).collect();
            let mut bucket = Bucket::default();
            if regexes.len() > SET_THRESHOLD {
                let mut suffixes = Literals::default();
                regexes.retain(|(e, p)| match p.as_ref().and_then(|p| suffixes_by_pattern.get(p)).cloned().flatten() {
                    Some(lits) => {
                        lits.into_iter().for_each(|l| suffixes.add(l, *e));
                        false
                    }
                    None => true,
                });
                if !suffixes.entries.is_empty() {
                    bucket.suffixes = Some(suffixes);
                }
            }
            if regexes.len() > SET_THRESHOLD {
                let patterns: Vec<&str> = regexes.iter().filter_map(|(_, p)| p.as_deref()).collect();
                if let Ok(set) = RegexSetBuilder::new(&patterns).size_limit(256 << 20).dfa_size_limit(64 << 20).build() {
                    bucket.set = Some((set, regexes.iter().map(|(e, _)| *e).collect()));
                }
            }
            for (e, _) in &regexes {
                if bucket.set.is_none() {
                    bucket.plain.push(*e);
                }
            }
            bucket.plain.extend(items.iter().filter(|(_, p)| p.is_none()).map(|(e, _)| *e));
            idx.buckets.insert(key, bucket);
        }
        // a stable sort: ties keep the priority order, as re-sorting candidates would
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            let (ea, eb) = (&entries[a], &entries[b]);
            eb.other_priority.cmp(&ea.other_priority).then(eb.uuid.cmp(&ea.uuid))
        });
        idx.other_rank = vec![0; entries.len()];
        for (rank, &i) in order.iter().enumerate() {
            idx.other_rank[i] = rank as u32;
        }
        idx.lengths = idx.buckets.keys().map(Vec::len).collect();
        idx.lengths.sort_unstable();
        idx.lengths.dedup();
        idx
    }

    /// Files an entry the path literals cannot index: by its plain hosts, among the wildcard
    /// hosts, or always (no host condition).
    fn by_host_or_always(&mut self, i: usize, e: &Entry) {
        if e.hosts.is_empty() {
            self.always.push(i);
        } else if e.hosts.iter().all(|h| matches!(h, HostMatcher::Exact(..))) {
            let mut names: Vec<&str> = e.hosts.iter().filter_map(|h| if let HostMatcher::Exact(name, _) = h { Some(name.as_str()) } else { None }).collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                self.by_host.entry(name.to_string()).or_default().push(i);
            }
        } else {
            self.wildcard_hosts.push(i);
        }
    }

    /// Entry indices (ascending = priority order) whose path and host conditions may hold for
    /// `path` and `host` (the Host header without its port; `None` when absent).
    pub fn candidates(&self, path: &str, host: Option<&str>) -> Vec<usize> {
        let bytes = path.as_bytes();
        let mut out = self.always.clone();
        if let Some(host) = host {
            if let Some(v) = self.by_host.get(host) {
                out.extend_from_slice(v);
            }
            out.extend_from_slice(&self.wildcard_hosts);
        }
        for &l in &self.lengths {
            if l > bytes.len() {
                break;
            }
            if let Some(b) = self.buckets.get(&bytes[..l]) {
                out.extend_from_slice(&b.plain);
                if let Some((set, owners)) = &b.set {
                    out.extend(set.matches(path).into_iter().map(|i| owners[i]));
                }
                if let Some(suffixes) = &b.suffixes {
                    suffixes.ending(bytes, &mut out);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Index {
    /// Where entry `i` comes in the other priority formula's order (lower is tried first).
    pub fn other_rank(&self, i: usize) -> u32 {
        self.other_rank[i]
    }
}

/// A finite set of literals (`None`: no such set).
type Lits = Option<Vec<Vec<u8>>>;

/// Literals one of which every match must start with, and (see [`suffixes_of`]) end with,
/// from one parse of the pattern.
#[cfg(test)]
fn literal_prefixes_and_suffixes(pattern: &str) -> (Lits, Lits) {
    match regex_syntax::ParserBuilder::new().build().parse(pattern) {
        Ok(hir) => literals_of(&hir),
        Err(_) => (None, None),
    }
}

/// [`prefixes_of`] and [`suffixes_of`] a parsed path regex (`path_regex::compile` keeps them).
pub(super) fn literals_of(hir: &Hir) -> (Lits, Lits) {
    (prefixes_of(hir), suffixes_of(hir))
}

/// Literals one of which every match must start with; `None` when there is no such finite set.
#[cfg(test)]
fn literal_prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    literal_prefixes_and_suffixes(pattern).0
}

#[cfg(test)]
fn literal_suffixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    literal_prefixes_and_suffixes(pattern).1
}

fn prefixes_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// For a regex whose every match ends at the end of the path (`$`), literals one of which
/// every match ends with; `None` otherwise, or when there is no such finite set.
fn suffixes_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    if !hir.properties().look_set_suffix().contains(Look::End) {
        return None;
    }
    let seq = Extractor::new().kind(ExtractKind::Suffix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
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

    #[test]
    fn regex_literal_suffixes_only_when_anchored_at_the_end() {
        let lits = literal_suffixes("^/openai/deployments/(?P<d>[^/]+)/r17/chat/completions$").unwrap();
        assert_eq!(lits, vec![b"/r17/chat/completions".to_vec()]);
        assert_eq!(literal_suffixes("^/openai/deployments/(?P<d>[^/]+)/r17/chat"), None);
        assert_eq!(literal_suffixes("^/a$|^/b"), None);
        assert_eq!(literal_suffixes("^/a/.*$"), None);
        let alt = literal_suffixes("^/x/(a|bc)$").unwrap();
        assert!(alt.iter().any(|l| l.ends_with(b"/a")) && alt.iter().any(|l| l.ends_with(b"/bc")), "{alt:?}");
    }
}
