//! Findings as data: rule ids, severities and located messages. Nothing here prints.
//!
//! A finding is either a `kong` finding (Kong itself would reject the config, worded the
//! way Kong words it) or a `lint` finding (Kong would accept the config, but it cannot work
//! as intended). Renderers live in `output/`.

use crate::rules::Rule;
use crate::source::Loc;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// Who would object to the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Kong (or decK) rejects the config.
    Kong,
    /// Kong accepts the config, but it cannot work as intended.
    Lint,
    /// The input cannot be read or parsed (missing, unreadable, not YAML or JSON): there is
    /// no config for Kong to judge yet.
    Input,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub loc: Option<Loc>,
    /// `routes/azure-chat-route`, `plugins/ai-proxy-advanced (route azure-chat-route)`.
    pub entity: Option<String>,
    /// Field path inside the entity: `paths[0]`, `config.targets[0].model.name`.
    pub field: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            loc: None,
            entity: None,
            field: None,
            hint: None,
        }
    }

    pub fn at(mut self, loc: Loc) -> Self {
        self.loc = Some(loc);
        self
    }

    pub fn at_opt(mut self, loc: Option<Loc>) -> Self {
        self.loc = loc.or(self.loc);
        self
    }

    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        let f = field.into();
        self.field = if f.is_empty() { None } else { Some(f) };
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Kong (or decK) would refuse the config because of this finding.
    pub fn refused_by_kong(&self) -> bool {
        self.is_error() && self.rule.origin == Origin::Kong
    }

    /// The input could not be read or parsed because of this finding.
    pub fn unreadable_input(&self) -> bool {
        self.is_error() && self.rule.origin == Origin::Input
    }

    /// Nothing can be done with the config: Kong would refuse it, or it could not be read.
    pub fn blocks(&self) -> bool {
        self.refused_by_kong() || self.unreadable_input()
    }
}

/// Sorts findings by file, line, column and rule so every renderer is deterministic.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.loc, a.rule.code, &a.message).cmp(&(b.loc, b.rule.code, &b.message))
    });
}

/// "Did you mean" for a misspelt name: the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        let limit = (name.len().max(c.len()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance counting an adjacent transposition as one edit (`prot` -> `port`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("zure_instance", ["azure_instance", "azure_api_version"]), Some("azure_instance"));
        assert_eq!(did_you_mean("pathz", ["paths", "hosts"]), Some("paths"));
        assert_eq!(did_you_mean("prot", ["port", "protocol"]), Some("port"));
        assert_eq!(did_you_mean("completely", ["paths", "hosts"]), None);
    }
}
