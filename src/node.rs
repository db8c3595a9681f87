//! The loaded document tree: YAML/JSON values that remember where they were written.
//!
//! Nodes are what every later stage works on: loading fills them, rendering substitutes
//! environment values into them (marking those nodes as secret-bearing), validation walks
//! them, and the model reads typed values out of them.

use crate::source::Loc;
use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub value: Node,
}

/// A value plus the place it was written. `env` names the environment variable a value
/// (or part of it) came from; such values are secrets for output purposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
    pub env: Option<String>,
    /// Write as a YAML literal block (docs variables marked `literal_block`).
    pub block: bool,
}

impl Node {
    pub fn new(value: Value, loc: Loc) -> Node {
        Node { value, loc, env: None, block: false }
    }

    pub fn str(s: impl Into<String>, loc: Loc) -> Node {
        Node::new(Value::Str(s.into()), loc)
    }

    pub fn map(loc: Loc) -> Node {
        Node::new(Value::Map(Vec::new()), loc)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries().iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// `get` that treats an explicit `null` like a missing key.
    pub fn get_set(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(m) => m.iter_mut().find(|e| e.key == key).map(|e| &mut e.value),
            _ => None,
        }
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// Sets `key` (replacing an existing value in place, else appending).
    pub fn set(&mut self, key: &str, value: Node) {
        if let Value::Map(m) = &mut self.value {
            if let Some(e) = m.iter_mut().find(|e| e.key == key) {
                e.value = value;
            } else {
                let key_loc = value.loc;
                m.push(Entry { key: key.to_string(), key_loc, value });
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        if let Value::Map(m) = &mut self.value {
            if let Some(i) = m.iter().position(|e| e.key == key) {
                return Some(m.remove(i).value);
            }
        }
        None
    }

    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Converts to JSON. With `mask`, values that came from the environment become `[masked]`.
    pub fn to_json(&self, mask: bool) -> Json {
        if mask && self.env.is_some() {
            return Json::String("[masked]".into());
        }
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(|n| n.to_json(mask)).collect()),
            Value::Map(m) => {
                Json::Object(m.iter().map(|e| (e.key.clone(), e.value.to_json(mask))).collect())
            }
        }
    }

    /// Builds a node tree from JSON, every node located at `loc` (used for defaults).
    pub fn from_json(v: &Json, loc: Loc) -> Node {
        let value = match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(a) => Value::Seq(a.iter().map(|x| Node::from_json(x, loc)).collect()),
            Json::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, x)| Entry { key: k.clone(), key_loc: loc, value: Node::from_json(x, loc) })
                    .collect(),
            ),
        };
        Node::new(value, loc)
    }

    /// Visits every string leaf mutably, depth first.
    pub fn walk_strings_mut(&mut self, f: &mut dyn FnMut(&mut Node)) {
        match &mut self.value {
            Value::Str(_) => f(self),
            Value::Seq(items) => items.iter_mut().for_each(|n| n.walk_strings_mut(f)),
            Value::Map(m) => m.iter_mut().for_each(|e| e.value.walk_strings_mut(f)),
            _ => {}
        }
    }

    /// Visits every string leaf with its field path below this node (`a.b[0].c`).
    pub fn walk_strings<'a>(&'a self, path: &str, f: &mut dyn FnMut(&str, &'a Node)) {
        match &self.value {
            Value::Str(_) => f(path, self),
            Value::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    n.walk_strings(&format!("{path}[{i}]"), f);
                }
            }
            Value::Map(m) => {
                for e in m {
                    e.value.walk_strings(&join_field(path, &e.key), f);
                }
            }
            _ => {}
        }
    }
}

/// Joins a field path and a key: `join_field("config", "model")` is `config.model`.
pub fn join_field(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
