//! YAML and JSON text to a located [`Node`] tree.
//!
//! Built on yaml-rust2's event parser so every node keeps its line and column. Scalars are
//! typed the way decK's YAML reader (YAML 1.1 rules) types them: `yes`/`on` are booleans,
//! `0x1F` is an integer. Limits on nesting depth and node count keep hostile input (alias
//! bombs, `[[[[...`) from exhausting memory or time.

use crate::load::template::TextMap;
use crate::node::{Entry, Node, Value};
use crate::source::{FileId, Loc};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;
/// Most nodes (after alias expansion) accepted in one document.
pub const MAX_NODES: usize = 5_000_000;

/// Where a YAML text sits inside its file: line and column offsets for embedded blocks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin {
    pub file: FileId,
    /// Added to every line (0 for a whole file).
    pub line_offset: u32,
    /// Added to every column (the indentation stripped from an embedded block).
    pub column_offset: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub loc: Loc,
    pub message: String,
}

/// Parses one YAML (or JSON) document. An empty document gives `Ok(None)`. Warnings (a
/// duplicate key) are dropped; [`parse_mapped`] returns them.
pub fn parse(text: &str, origin: Origin) -> Result<Option<Node>, YamlError> {
    parse_mapped(text, origin, None).map(|p| p.node)
}

/// A parsed document and what the reader warns about.
#[derive(Debug)]
pub struct Parsed {
    pub node: Option<Node>,
    /// Duplicate mapping keys: decK's YAML reader (sigs.k8s.io/yaml over go-yaml v2, used by
    /// go-database-reconciler `pkg/file/readfile.go`) keeps the last value silently.
    pub warnings: Vec<YamlError>,
}

/// Parses text that decK's template step rendered: `map` takes positions back to the user's
/// text and marks the scalars holding substituted values with their variable (`Node::env`).
pub fn parse_mapped(text: &str, origin: Origin, map: Option<&TextMap>) -> Result<Parsed, YamlError> {
    let mut builder = Builder::new(origin, map);
    let loaded = Parser::new_from_str(text).load(&mut builder, true);
    let node = finish(&mut builder, loaded)?;
    Ok(Parsed { node, warnings: std::mem::take(&mut builder.warnings) })
}

/// After the parser ran: its error or the builder's, one document at most, the root node.
fn finish(builder: &mut Builder, loaded: Result<(), yaml_rust2::ScanError>) -> Result<Option<Node>, YamlError> {
    if let Err(e) = loaded {
        return Err(YamlError { loc: builder.loc(e.marker()), message: e.info().to_string() });
    }
    builder.flush(usize::MAX);
    if let Some(err) = builder.error.take() {
        return Err(err);
    }
    if builder.docs.len() > 1 {
        let loc = builder.docs[1].loc;
        return Err(YamlError { loc, message: "more than one YAML document in one file is not supported".into() });
    }
    Ok(builder.docs.pop().filter(|n| !n.is_null()))
}

/// Parses one YAML (or JSON) document from a character stream, handing the items of the
/// root mapping's `key:` sequence to `drain` as each is complete instead of keeping them
/// (the returned tree has that sequence empty), so memory does not grow with the items.
/// `drain` gets which occurrence of `key` the item is under (a later one replaces an
/// earlier one, as [`parse`] keeps the last value of a repeated key), its index and the item.
/// Anchors stay available to later items.
pub fn parse_draining(
    chars: impl Iterator<Item = char>,
    origin: Origin,
    key: &str,
    drain: &mut dyn FnMut(usize, usize, Node),
) -> Result<Option<Node>, YamlError> {
    let mut builder = Builder::new(origin, None);
    builder.drain = Some((key, drain, 0, 0));
    let loaded = Parser::new(chars).load(&mut builder, true);
    finish(&mut builder, loaded)
}

/// The characters of a UTF-8 byte stream, read as they are needed. Invalid UTF-8 or a read
/// error ends the stream and is kept in `error`.
pub struct Utf8Chars<R: std::io::Read> {
    bytes: std::io::Bytes<std::io::BufReader<R>>,
    pub error: Option<CharsError>,
}

/// Why a [`Utf8Chars`] stream ended early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CharsError {
    InvalidUtf8,
    /// The read error's message.
    Read(String),
}

impl<R: std::io::Read> Utf8Chars<R> {
    pub fn new(reader: R) -> Self {
        use std::io::Read;
        Utf8Chars { bytes: std::io::BufReader::with_capacity(1 << 16, reader).bytes(), error: None }
    }
}

impl<R: std::io::Read> Iterator for Utf8Chars<R> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        if self.error.is_some() {
            return None;
        }
        let mut buf = [0u8; 4];
        let first = match self.bytes.next()? {
            Ok(b) => b,
            Err(e) => {
                self.error = Some(CharsError::Read(e.to_string()));
                return None;
            }
        };
        buf[0] = first;
        let len = match first {
            0x00..=0x7f => return Some(char::from(first)),
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        for slot in buf.iter_mut().take(len).skip(1) {
            match self.bytes.next() {
                Some(Ok(b)) => *slot = b,
                Some(Err(e)) => {
                    self.error = Some(CharsError::Read(e.to_string()));
                    return None;
                }
                None => break,
            }
        }
        match std::str::from_utf8(&buf[..len.max(1)]).ok().and_then(|s| s.chars().next()) {
            Some(c) if len > 0 => Some(c),
            _ => {
                self.error = Some(CharsError::InvalidUtf8);
                None
            }
        }
    }
}

enum Frame {
    Seq { node: Node, anchor: usize },
    Map { node: Node, anchor: usize, key: Option<(String, Loc)> },
}

/// Receives the items of the root mapping's `key:` sequence one at a time instead of the
/// tree keeping them: (which occurrence of the key, 0-based; the item's index; the item).
type Drain<'d> = &'d mut dyn FnMut(usize, usize, Node);

struct Builder<'m> {
    origin: Origin,
    /// The root key whose sequence items go to `drain`, the drain, the occurrences of the
    /// key seen so far, and the next item's index.
    drain: Option<(&'m str, Drain<'m>, usize, usize)>,
    /// The node count when the drained sequence started: what it returns to after each item.
    nodes_before_drained: usize,
    map: Option<&'m TextMap>,
    /// The last scalar, held back until the next event shows where it ends: (node, its
    /// start offset, whether it can be a key, anchor).
    pending: Option<(Node, usize, usize)>,
    warnings: Vec<YamlError>,
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    error: Option<YamlError>,
}

impl<'m> Builder<'m> {
    fn new(origin: Origin, map: Option<&'m TextMap>) -> Builder<'m> {
        Builder {
            origin,
            drain: None,
            nodes_before_drained: 0,
            map,
            pending: None,
            warnings: Vec::new(),
            stack: Vec::new(),
            docs: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            error: None,
        }
    }

    fn loc(&self, m: &Marker) -> Loc {
        let (line, col) = match self.map {
            Some(map) => map.position(m.index()),
            None => (m.line(), m.col()),
        };
        Loc::new(self.origin.file, line as u32 + self.origin.line_offset, col as u32 + 1 + self.origin.column_offset)
    }

    /// Pushes the held-back scalar, which ends before `end`: it holds a substituted value when
    /// a template's output lies in its text.
    fn flush(&mut self, end: usize) {
        let Some((mut node, start, anchor)) = self.pending.take() else {
            return;
        };
        if let Some(var) = self.map.and_then(|m| m.var_in(start, end)) {
            node.env = Some(var.to_string());
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push_value(node, true);
    }

    fn fail(&mut self, loc: Loc, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError { loc, message: message.into() });
        }
    }

    fn count(&mut self, n: usize, loc: Loc) -> bool {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            self.fail(loc, format!("document is too large: more than {MAX_NODES} values (alias expansion?)"));
            return false;
        }
        true
    }

    /// Whether the innermost frame is the sequence under the root mapping's drained key.
    fn in_drained_seq(&self) -> bool {
        let Some((key, ..)) = &self.drain else { return false };
        self.stack.len() == 2
            && matches!(&self.stack[0], Frame::Map { key: Some((k, _)), .. } if k == key)
            && matches!(self.stack[1], Frame::Seq { .. })
    }

    fn push_value(&mut self, node: Node, key_ok: bool) {
        if self.in_drained_seq() {
            // the item leaves the tree: it (keys included) no longer counts against the
            // document's size; one item alone still cannot pass the limit
            self.nodes = self.nodes_before_drained;
            if let Some((_, drain, occurrence, index)) = &mut self.drain {
                drain(occurrence.saturating_sub(1), *index, node);
                *index += 1;
            }
            return;
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { node: seq, .. }) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map { node: map, key, .. }) => match key.take() {
                None => {
                    let loc = node.loc;
                    // block mappings are reported at their first `:`; point at the first key instead
                    if map.entries().is_empty() && loc < map.loc {
                        map.loc = loc;
                    }
                    match node.value {
                        Value::Str(s) if key_ok => *key = Some((s, loc)),
                        Value::Null if key_ok => *key = Some((String::new(), loc)),
                        Value::Bool(b) if key_ok => *key = Some((b.to_string(), loc)),
                        Value::Int(i) if key_ok => *key = Some((i.to_string(), loc)),
                        Value::Float(f) if key_ok => *key = Some((f.to_string(), loc)),
                        _ => {
                            self.fail(loc, "mapping keys must be plain scalars");
                        }
                    }
                }
                Some((k, key_loc)) => {
                    let Value::Map(entries) = &mut map.value else {
                        return;
                    };
                    if k == "<<" {
                        // merge key: copy entries of the merged map(s) that are not set yet
                        let sources: Vec<Node> = match node.value {
                            Value::Map(_) => vec![node],
                            Value::Seq(items) => items,
                            _ => Vec::new(),
                        };
                        for src in sources {
                            if let Value::Map(src_entries) = src.value {
                                for e in src_entries {
                                    if !entries.iter().any(|x| x.key == e.key) {
                                        entries.push(e);
                                    }
                                }
                            }
                        }
                        return;
                    }
                    if let Some(e) = entries.iter_mut().find(|e| e.key == k) {
                        // decK's reader keeps the last value; say so
                        let first = e.key_loc;
                        e.value = node;
                        self.warnings.push(YamlError {
                            loc: key_loc,
                            message: format!(
                                "mapping key \"{k}\" already defined at line {}: this later value wins (as in decK)",
                                first.line
                            ),
                        });
                        return;
                    }
                    entries.push(Entry { key: k, key_loc, value: node });
                }
            },
        }
    }
}

/// The value a plain (unquoted) scalar stands for, by the YAML 1.1 rules decK reads with.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let neg = s.starts_with('-');
    if let Some(hex) = body.strip_prefix("0x") {
        if let Ok(v) = i64::from_str_radix(&hex.replace('_', ""), 16) {
            return Value::Int(if neg { -v } else { v });
        }
    }
    if let Some(oct) = body.strip_prefix("0o") {
        if let Ok(v) = i64::from_str_radix(&oct.replace('_', ""), 8) {
            return Value::Int(if neg { -v } else { v });
        }
    }
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'_') && body.as_bytes()[0] != b'_' {
        if let Ok(v) = s.replace('_', "").parse::<i64>() {
            return Value::Int(v);
        }
    }
    if looks_like_float(body) {
        if let Ok(v) = s.replace('_', "").parse::<f64>() {
            return Value::Float(v);
        }
    }
    Value::Str(s.to_string())
}

fn looks_like_float(s: &str) -> bool {
    let mut digits = false;
    let mut dot = false;
    let mut exp = false;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits = true,
            b'_' if digits => {}
            b'.' if !dot && !exp => dot = true,
            b'e' | b'E' if digits && !exp => {
                exp = true;
                if i + 1 < b.len() && (b[i + 1] == b'+' || b[i + 1] == b'-') {
                    i += 1;
                }
                if i + 1 >= b.len() {
                    return false;
                }
            }
            _ => return false,
        }
        i += 1;
    }
    digits && (dot || exp)
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        self.flush(mark.index());
        let loc = self.loc(&mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                if !self.count(1, loc) {
                    return;
                }
                let value = match (&style, tag.as_ref()) {
                    (_, Some(Tag { suffix, .. })) if suffix == "str" => Value::Str(text),
                    (TScalarStyle::Plain, _) => resolve_plain(&text),
                    _ => Value::Str(text),
                };
                self.pending = Some((Node::new(value, loc), mark.index(), anchor));
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(loc, format!("document is nested too deeply (more than {MAX_DEPTH} levels)"));
                    return;
                }
                if !self.count(1, loc) {
                    return;
                }
                let is_seq = matches!(ev, Event::SequenceStart(..));
                if is_seq && self.stack.len() == 1 {
                    if let (Some((key, _, occurrence, index)), Some(Frame::Map { key: Some((k, _)), .. })) = (&mut self.drain, self.stack.first()) {
                        if k == key {
                            *occurrence += 1;
                            *index = 0;
                            // the sequence itself is counted below and stays in the tree
                            self.nodes_before_drained = self.nodes + 1;
                        }
                    }
                }
                self.stack.push(if is_seq {
                    Frame::Seq { node: Node::new(Value::Seq(Vec::new()), loc), anchor }
                } else {
                    Frame::Map { node: Node::new(Value::Map(Vec::new()), loc), anchor, key: None }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { node, anchor }) | Some(Frame::Map { node, anchor, .. }) => (node, anchor),
                    None => return,
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node, false);
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(node_count) else {
                    self.fail(loc, "unknown anchor");
                    return;
                };
                if !self.count(size, loc) {
                    return;
                }
                let mut node = self.anchors[&id].clone();
                node.loc = loc;
                let key_ok = !matches!(node.value, Value::Seq(_) | Value::Map(_));
                self.push_value(node, key_ok);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
}

fn node_count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Map(m) => 1 + m.iter().map(|e| node_count(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Node {
        parse(s, Origin::default()).unwrap().unwrap()
    }

    #[test]
    fn locations_are_one_based() {
        let n = p("a:\n  b: [1, two]\n");
        let b = n.get("a").unwrap().get("b").unwrap();
        assert_eq!((b.loc.line, b.loc.column), (2, 6));
        let two = &b.as_seq().unwrap()[1];
        assert_eq!((two.loc.line, two.loc.column), (2, 10));
        assert_eq!(n.entry("a").unwrap().key_loc.line, 1);
    }

    #[test]
    fn scalars_follow_yaml_1_1_like_deck() {
        let n = p("a: yes\nb: 'yes'\nc: 0x10\nd: 1.5\ne: ~\nf: 8000\ng: \"8000\"\nh: 1e3\ni: v1.2\n");
        assert_eq!(n.get("a").unwrap().value, Value::Bool(true));
        assert_eq!(n.get("b").unwrap().value, Value::Str("yes".into()));
        assert_eq!(n.get("c").unwrap().value, Value::Int(16));
        assert_eq!(n.get("d").unwrap().value, Value::Float(1.5));
        assert_eq!(n.get("e").unwrap().value, Value::Null);
        assert_eq!(n.get("f").unwrap().value, Value::Int(8000));
        assert_eq!(n.get("g").unwrap().value, Value::Str("8000".into()));
        assert_eq!(n.get("h").unwrap().value, Value::Float(1000.0));
        assert_eq!(n.get("i").unwrap().value, Value::Str("v1.2".into()));
    }

    #[test]
    fn json_parses_with_locations() {
        let n = p("{\"services\": [{\"name\": \"s\"}]}");
        let s = &n.get("services").unwrap().as_seq().unwrap()[0];
        assert_eq!(s.get_str("name"), Some("s"));
    }

    #[test]
    fn offsets_apply_to_embedded_blocks() {
        let o = Origin { file: FileId(0), line_offset: 10, column_offset: 2 };
        let n = parse("x: 1\n", o).unwrap().unwrap();
        assert_eq!((n.get("x").unwrap().loc.line, n.get("x").unwrap().loc.column), (11, 6));
    }

    #[test]
    fn errors_have_locations() {
        let e = parse("a: [1, 2\nb: 3\n", Origin::default()).unwrap_err();
        assert!(e.loc.line >= 1, "{e:?}");
        let p = parse_mapped("a: 1\nb: 0\na: 2\n", Origin::default(), None).unwrap();
        assert_eq!(p.node.unwrap().get("a").unwrap().value, Value::Int(2), "the last value wins, as in decK");
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].loc.line, 3);
        assert!(p.warnings[0].message.contains("already defined at line 1"));
    }

    #[test]
    fn deep_nesting_is_rejected_not_crashed() {
        let text = "[".repeat(100_000);
        let e = parse(&text, Origin::default()).unwrap_err();
        assert!(e.message.contains("nested too deeply") || !e.message.is_empty());
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            s.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        let e = parse(&s, Origin::default()).unwrap_err();
        assert!(e.message.contains("too large"), "{e:?}");
    }

    #[test]
    fn empty_documents_are_none() {
        assert!(parse("", Origin::default()).unwrap().is_none());
        assert!(parse("# only a comment\n", Origin::default()).unwrap().is_none());
    }

    #[test]
    fn drained_items_leave_the_tree_with_their_locations() {
        let text = "defaults: &d {method: GET}\ntests:\n  - {name: a, <<: *d}\n  - name: b\ntests:\n  - name: c\nafter: 1\n";
        let mut items = Vec::new();
        let root = parse_draining(Utf8Chars::new(text.as_bytes()), Origin::default(), "tests", &mut |occ, i, n| items.push((occ, i, n))).unwrap().unwrap();
        let got: Vec<(usize, usize, Option<&str>, u32)> = items.iter().map(|(o, i, n)| (*o, *i, n.get_str("name"), n.loc.line)).collect();
        assert_eq!(got, vec![(0, 0, Some("a"), 3), (0, 1, Some("b"), 4), (1, 0, Some("c"), 6)]);
        assert_eq!(items[0].2.get_str("method"), Some("GET"), "anchors reach the items");
        assert_eq!(root.get("tests").and_then(Node::as_seq).map(<[Node]>::len), Some(0));
        assert_eq!(root.get("after").unwrap().value, Value::Int(1));
        // the whole-tree parse of the same text sees the same items where they were
        let whole = p(text);
        assert_eq!(whole.get("tests").unwrap().as_seq().unwrap()[0].loc, items[2].2.loc);
    }

    // a drained item no longer counts against MAX_NODES, but one item alone still does
    #[test]
    fn drained_items_do_not_add_up_to_the_size_limit() {
        let mut text = String::from("tests:\n");
        for k in 0..MAX_NODES / 4 + 10 {
            text.push_str(&format!("  - {{a: {k}, b: {k}}}\n")); // 5 values an item
        }
        let mut count = 0;
        assert!(parse_draining(text.chars(), Origin::default(), "tests", &mut |_, _, _| count += 1).is_ok());
        assert_eq!(count, MAX_NODES / 4 + 10);
        assert!(parse(&text, Origin::default()).is_err_and(|e| e.message.contains("too large")));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\ntests:\n  - [");
        for i in 1..8 {
            bomb.push_str(&format!("&a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}], ", p = i - 1));
        }
        bomb.push_str("x]\n");
        let e = parse_draining(bomb.chars(), Origin::default(), "tests", &mut |_, _, _| {}).unwrap_err();
        assert!(e.message.contains("too large"), "{e:?}");
    }

    #[test]
    fn utf8_chars_decode_and_stop_at_invalid_bytes() {
        let mut ok = Utf8Chars::new("aé€😀".as_bytes());
        assert_eq!(ok.by_ref().collect::<String>(), "aé€😀");
        assert!(ok.error.is_none());
        for bad in [&b"a\xff"[..], b"a\xc3", b"\xed\xa0\x80", b"\xc0\xaf"] {
            let mut chars = Utf8Chars::new(bad);
            let _ = chars.by_ref().count();
            assert_eq!(chars.error, Some(CharsError::InvalidUtf8), "{bad:?}");
        }
    }

    #[test]
    fn merge_keys() {
        let n = p("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n");
        let c = n.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().value, Value::Int(1));
    }
}
