//! decK's `${{ ... }}` templates, rendered over a file's text before YAML parsing.
//!
//! decK (go-database-reconciler `pkg/file/readfile.go` `readContent` and
//! `pkg/file/template.go` `renderTemplate`) runs every state file through Go's
//! `text/template` with `${{`/`}}` delimiters and the functions `env`, `toBool`, `toInt`,
//! `toFloat` and `indent`, then parses the result as YAML. So `retries: ${{ env "DECK_N" }}`
//! is an integer, a value can sit inside a longer string, and a multi-line value lands in
//! the text as it is. Lines whose first non-blank character is `#` are left alone.
//!
//! This module does the same over the text but keeps a [`TextMap`] from the rendered text
//! back to the user's text: the YAML reader reports positions through it (a value that adds
//! lines does not shift later lines) and marks every scalar that holds a substituted value
//! with its variable, so output masks it.

use crate::env::{Env, EnvMode};

/// A problem found while rendering, at a char offset of the original text.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub at: usize,
    pub kind: IssueKind,
    pub message: String,
}

impl Issue {
    /// The finding this issue is (its place is the caller's to set).
    pub fn diagnostic(self) -> crate::diagnostic::Diagnostic {
        use crate::diagnostic::{Diagnostic, Severity};
        use crate::rules;
        match self.kind {
            IssueKind::NotPrefixed => Diagnostic::new(&rules::ENV_NOT_DECK_PREFIXED, self.message),
            IssueKind::Unset { warning } => {
                let name = self.message.split('\'').nth(1).unwrap_or("DECK_X").to_string();
                let d = Diagnostic::new(&rules::UNSET_ENV_VARIABLE, self.message).hint(format!("export {name}=... before running, or use --placeholders with render"));
                if warning {
                    d.severity(Severity::Warning)
                } else {
                    d
                }
            }
            IssueKind::Template => Diagnostic::new(&rules::ENV_TEMPLATE, self.message),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// `env` of a name without the `DECK_` prefix.
    NotPrefixed,
    /// `env` of an unset variable (an error, or a warning in mock mode).
    Unset { warning: bool },
    /// Anything else Go's template engine refuses (a bad conversion, an unknown function).
    Template,
}

/// One run of the rendered text: copied from the original, or the output of one action.
#[derive(Debug, Clone)]
struct Seg {
    out: usize,
    orig: usize,
    len: usize,
    /// The variable whose value this run is (for substituted runs).
    var: Option<String>,
}

/// Rendered text positions (in chars) back to the original's lines and columns.
#[derive(Debug, Clone, Default)]
pub struct TextMap {
    segs: Vec<Seg>,
    /// Char offsets where the original's lines start.
    line_starts: Vec<usize>,
}

impl TextMap {
    /// The original char offset a rendered char offset comes from (a substituted run maps
    /// to the start of its `${{`).
    pub fn original(&self, out: usize) -> usize {
        let i = self.segs.partition_point(|s| s.out <= out).saturating_sub(1);
        match self.segs.get(i) {
            None => out,
            Some(s) if s.var.is_some() => s.orig,
            Some(s) => s.orig + (out - s.out),
        }
    }

    /// 1-based line and 0-based column (chars) in the original of a rendered char offset.
    pub fn position(&self, out: usize) -> (usize, usize) {
        let orig = self.original(out);
        let line = self.line_starts.partition_point(|&s| s <= orig).max(1);
        (line, orig - self.line_starts[line - 1])
    }

    /// The first variable substituted into the rendered range `start..end`.
    pub fn var_in(&self, start: usize, end: usize) -> Option<&str> {
        let i = self.segs.partition_point(|s| s.out + s.len <= start);
        self.segs[i..].iter().take_while(|s| s.out < end.max(start + 1)).find_map(|s| s.var.as_deref().filter(|v| !v.is_empty()))
    }
}

/// 1-based line and 0-based column of a char offset of `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 0;
    for c in text.chars().take(at) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    (line, col)
}

pub struct Rendered {
    pub text: String,
    pub map: TextMap,
}

/// Renders `text` as decK does. `None` when the text holds no template (nothing to map).
/// In [`EnvMode::Placeholders`] nothing is rendered (decK's `EnvVarsSkip`).
pub fn render(text: &str, env: &Env, mode: EnvMode) -> (Option<Rendered>, Vec<Issue>) {
    if mode == EnvMode::Placeholders || !text.contains("${{") {
        return (None, Vec::new());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut line_starts = vec![0];
    line_starts.extend(chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i + 1));
    let mut r =
        Renderer { chars: &chars, env, mode, out: String::new(), out_len: 0, segs: Vec::new(), issues: Vec::new() };
    let mut i = 0;
    let mut copied_from = 0;
    let mut line_start = 0;
    let mut comment_line = is_comment(&chars[0..]);
    while i < chars.len() {
        if chars[i] == '\n' {
            line_start = i + 1;
            comment_line = is_comment(&chars[line_start..]);
            i += 1;
            continue;
        }
        if comment_line || !starts_with(&chars[i..], "${{") {
            i += 1;
            continue;
        }
        let _ = line_start;
        r.copy(copied_from, i);
        let end = r.action(i);
        copied_from = end;
        i = end;
    }
    r.copy(copied_from, chars.len());
    let Renderer { out, segs, issues, .. } = r;
    (Some(Rendered { text: out, map: TextMap { segs, line_starts } }), issues)
}

fn is_comment(line: &[char]) -> bool {
    line.iter().take_while(|c| **c != '\n').find(|c| !c.is_whitespace()) == Some(&'#')
}

fn starts_with(chars: &[char], s: &str) -> bool {
    let mut it = chars.iter();
    s.chars().all(|c| it.next() == Some(&c))
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Val {
    fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "string",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Float(_) => "float64",
        }
    }

    /// How Go's template engine prints the value (`fmt.Sprint`).
    fn print(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => go_float(*f),
        }
    }
}

/// `fmt.Sprint` of a float64 (strconv's shortest `%g`): exponent form when the exponent is
/// < -4 or >= 6.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let exp = f.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        let e = format!("{f:e}");
        let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
        let x: i32 = x.parse().unwrap_or(0);
        format!("{m}e{}{:02}", if x < 0 { '-' } else { '+' }, x.abs())
    } else {
        format!("{f}")
    }
}

/// A value and whether it is a mock (an unset variable in mock mode: conversions of it give
/// decK's mock results instead of failing).
struct Out {
    val: Val,
    var: Option<String>,
    mocked: bool,
}

struct Renderer<'a> {
    chars: &'a [char],
    env: &'a Env,
    mode: EnvMode,
    out: String,
    out_len: usize,
    segs: Vec<Seg>,
    issues: Vec<Issue>,
}

struct Fail(String, IssueKind);

impl Renderer<'_> {
    fn copy(&mut self, from: usize, to: usize) {
        if to <= from {
            return;
        }
        self.segs.push(Seg { out: self.out_len, orig: from, len: to - from, var: None });
        self.out.extend(&self.chars[from..to]);
        self.out_len += to - from;
    }

    /// Renders the action starting at `start` (`${{`); returns the offset after its `}}`.
    fn action(&mut self, start: usize) -> usize {
        let body_start = start + 3;
        let Some(end) = self.action_end(body_start) else {
            self.issues.push(Issue {
                at: start,
                kind: IssueKind::Template,
                message: "template: unclosed action".into(),
            });
            self.copy(start, self.chars.len());
            return self.chars.len();
        };
        let body: String = self.chars[body_start..end].iter().collect();
        let after = end + 2;
        let result = tokenize(&body).and_then(|toks| {
            let mut p = Parser { toks: &toks, pos: 0 };
            let pipe = p.pipeline()?;
            if p.pos != toks.len() {
                return Err(Fail(format!("template: unexpected {:?} in command", toks[p.pos]), IssueKind::Template));
            }
            self.eval(&pipe, start)
        });
        match result {
            Ok(Out { val, var, .. }) => {
                let s = val.print();
                let len = s.chars().count();
                // an empty result is still a run, so the variable of `key: ${{ env "X" }}` is known
                self.segs.push(Seg { out: self.out_len, orig: start, len, var: Some(var.unwrap_or_default()) });
                self.out.push_str(&s);
                self.out_len += len;
            }
            Err(Fail(message, kind)) => {
                self.issues.push(Issue { at: start, kind, message });
                self.copy(start, after);
            }
        }
        after
    }

    /// Finds the `}}` closing an action, skipping string literals.
    fn action_end(&self, mut i: usize) -> Option<usize> {
        let c = self.chars;
        while i + 1 < c.len() {
            match c[i] {
                '"' => {
                    i += 1;
                    while i < c.len() && c[i] != '"' && c[i] != '\n' {
                        i += if c[i] == '\\' { 2 } else { 1 };
                    }
                }
                '`' => {
                    i += 1;
                    while i < c.len() && c[i] != '`' {
                        i += 1;
                    }
                }
                '}' if c[i + 1] == '}' => return Some(i),
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn eval(&mut self, pipe: &[Cmd], at: usize) -> Result<Out, Fail> {
        let mut prev: Option<Out> = None;
        for cmd in pipe {
            let mut args = Vec::new();
            for a in &cmd.args {
                args.push(match a {
                    Arg::Lit(v) => Out { val: v.clone(), var: None, mocked: false },
                    Arg::Pipe(p) => self.eval(p, at)?,
                });
            }
            if let Some(p) = prev.take() {
                args.push(p);
            }
            prev = Some(match &cmd.func {
                None => {
                    if args.len() != 1 {
                        return Err(Fail("template: can't give argument to non-function".into(), IssueKind::Template));
                    }
                    args.pop().expect("one")
                }
                Some(f) => self.call(f, args, at)?,
            });
        }
        prev.ok_or_else(|| Fail("template: missing value for command".into(), IssueKind::Template))
    }

    fn call(&mut self, f: &str, mut args: Vec<Out>, at: usize) -> Result<Out, Fail> {
        let want = if f == "indent" { 2 } else { 1 };
        if args.len() != want {
            return Err(Fail(
                format!("template: wrong number of args for {f}: want {want} got {}", args.len()),
                IssueKind::Template,
            ));
        }
        let last = args.pop().expect("checked");
        let Val::Str(s) = &last.val else {
            return Err(Fail(
                format!("template: wrong type for value; expected string; got {}", last.val.type_name()),
                IssueKind::Template,
            ));
        };
        let calling = |m: String| Fail(format!("error calling {f}: {m}"), IssueKind::Template);
        let (var, mocked) = (last.var.clone(), last.mocked);
        let val = match f {
            "env" => {
                // go-database-reconciler pkg/file/template.go getPrefixedEnvVar(Mocked)
                if !s.starts_with("DECK_") {
                    return Err(Fail(
                        format!("environment variables in the state file must be prefixed with 'DECK_', found: '{s}'"),
                        IssueKind::NotPrefixed,
                    ));
                }
                return match self.env.get(s.as_str()) {
                    Some(v) => Ok(Out { val: Val::Str(v.clone()), var: Some(s.clone()), mocked: false }),
                    None if self.mode == EnvMode::Mock => {
                        self.issues.push(Issue {
                            at,
                            kind: IssueKind::Unset { warning: true },
                            message: format!("environment variable '{s}' present in state file but not set"),
                        });
                        Ok(Out { val: Val::Str(s.clone()), var: Some(s.clone()), mocked: true })
                    }
                    None => Err(Fail(
                        format!("environment variable '{s}' present in state file but not set"),
                        IssueKind::Unset { warning: false },
                    )),
                };
            }
            // decK's mock conversions: false, 42, 42
            "toBool" if mocked => Val::Bool(false),
            "toInt" if mocked => Val::Int(42),
            "toFloat" if mocked => Val::Float(42.0),
            "toBool" => Val::Bool(
                parse_bool(s).ok_or_else(|| calling(format!("strconv.ParseBool: parsing {s:?}: invalid syntax")))?,
            ),
            "toInt" => Val::Int(parse_int(s).map_err(|why| calling(format!("strconv.Atoi: parsing {s:?}: {why}")))?),
            "toFloat" => Val::Float(
                parse_float(s).ok_or_else(|| calling(format!("strconv.ParseFloat: parsing {s:?}: invalid syntax")))?,
            ),
            "indent" => {
                let Val::Int(n) = args[0].val else {
                    return Err(Fail(
                        format!("template: wrong type for value; expected int; got {}", args[0].val.type_name()),
                        IssueKind::Template,
                    ));
                };
                Val::Str(s.replace('\n', &format!("\n{}", " ".repeat(n.max(0) as usize))))
            }
            other => return Err(Fail(format!("template: function {other:?} not defined"), IssueKind::Template)),
        };
        Ok(Out { val, var, mocked })
    }
}

/// `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `strconv.Atoi`: an optional sign and decimal digits.
fn parse_int(s: &str) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    s.parse::<i64>().map_err(|_| "value out of range")
}

/// `strconv.ParseFloat` (decimal and special forms).
fn parse_float(s: &str) -> Option<f64> {
    let lower = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E' | b'_')) {
        return None;
    }
    s.parse::<f64>().ok()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Val),
    Pipe,
    Open,
    Close,
}

fn tokenize(body: &str) -> Result<Vec<Tok>, Fail> {
    let bad = |m: String| Fail(format!("template: {m}"), IssueKind::Template);
    let c: Vec<char> = body.chars().collect();
    if c.first() == Some(&'-') || (c.len() > 1 && c[c.len() - 1] == '-' && c[c.len() - 2].is_whitespace()) {
        return Err(bad("trim markers (`${{-`, `-}}`) are not supported here".into()));
    }
    let mut toks = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            _ if ch.is_whitespace() => i += 1,
            '|' => {
                toks.push(Tok::Pipe);
                i += 1;
            }
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err(bad("unterminated quoted string".into())),
                        Some('"') => break,
                        Some('\\') => {
                            let e = c.get(i + 1).copied().ok_or_else(|| bad("unterminated quoted string".into()))?;
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '\\' => '\\',
                                '"' => '"',
                                other => return Err(bad(format!("invalid syntax: unknown escape \\{other}"))),
                            });
                            i += 2;
                            continue;
                        }
                        Some(x) => s.push(*x),
                    }
                    i += 1;
                }
                i += 1;
                toks.push(Tok::Lit(Val::Str(s)));
            }
            '`' => {
                let close = c[i + 1..]
                    .iter()
                    .position(|x| *x == '`')
                    .ok_or_else(|| bad("unterminated raw quoted string".into()))?;
                toks.push(Tok::Lit(Val::Str(c[i + 1..i + 1 + close].iter().collect())));
                i += close + 2;
            }
            _ if ch.is_ascii_digit() || ch == '-' || ch == '+' || ch == '.' => {
                let start = i;
                while i < c.len() && (c[i].is_ascii_alphanumeric() || matches!(c[i], '.' | '+' | '-' | '_')) {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let val = match word.parse::<i64>() {
                    Ok(n) => Val::Int(n),
                    Err(_) => Val::Float(word.parse::<f64>().map_err(|_| bad(format!("bad number syntax: {word:?}")))?),
                };
                toks.push(Tok::Lit(val));
            }
            _ if ch.is_alphabetic() || ch == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                toks.push(match word.as_str() {
                    "true" => Tok::Lit(Val::Bool(true)),
                    "false" => Tok::Lit(Val::Bool(false)),
                    _ => Tok::Ident(word),
                });
            }
            other => return Err(bad(format!("unexpected {other:?} in command"))),
        }
    }
    Ok(toks)
}

enum Arg {
    Lit(Val),
    Pipe(Vec<Cmd>),
}

struct Cmd {
    func: Option<String>,
    args: Vec<Arg>,
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
}

impl Parser<'_> {
    fn pipeline(&mut self) -> Result<Vec<Cmd>, Fail> {
        let mut cmds = vec![self.command()?];
        while self.toks.get(self.pos) == Some(&Tok::Pipe) {
            self.pos += 1;
            cmds.push(self.command()?);
        }
        Ok(cmds)
    }

    fn command(&mut self) -> Result<Cmd, Fail> {
        let mut cmd = Cmd { func: None, args: Vec::new() };
        if let Some(Tok::Ident(f)) = self.toks.get(self.pos) {
            cmd.func = Some(f.clone());
            self.pos += 1;
        }
        loop {
            match self.toks.get(self.pos) {
                Some(Tok::Lit(v)) => {
                    cmd.args.push(Arg::Lit(v.clone()));
                    self.pos += 1;
                }
                Some(Tok::Open) => {
                    self.pos += 1;
                    let p = self.pipeline()?;
                    if self.toks.get(self.pos) != Some(&Tok::Close) {
                        return Err(Fail("template: unclosed left paren".into(), IssueKind::Template));
                    }
                    self.pos += 1;
                    cmd.args.push(Arg::Pipe(p));
                }
                Some(Tok::Ident(f)) => {
                    return Err(Fail(
                        format!("template: function {f:?} used as an argument; wrap it in parentheses"),
                        IssueKind::Template,
                    ))
                }
                _ => break,
            }
        }
        if cmd.func.is_none() && cmd.args.is_empty() {
            return Err(Fail("template: missing value for command".into(), IssueKind::Template));
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn run(text: &str, e: &Env) -> (String, Vec<Issue>) {
        let (r, issues) = render(text, e, EnvMode::Resolve);
        (r.map(|r| r.text).unwrap_or_else(|| text.to_string()), issues)
    }

    #[test]
    fn values_go_into_the_text() {
        let e = env(&[("DECK_RETRIES", "7"), ("DECK_API_KEY", "k1"), ("DECK_F", "1.50")]);
        let (t, i) = run("retries: ${{ env \"DECK_RETRIES\" }}\nh: \"X-API-Key:${{ env \"DECK_API_KEY\" }}\"\nf: ${{ env \"DECK_F\" | toFloat }}\n", &e);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(t, "retries: 7\nh: \"X-API-Key:k1\"\nf: 1.5\n");
    }

    #[test]
    fn conversions_fail_like_go() {
        let e = env(&[("DECK_X", "abc")]);
        for (f, msg) in [
            ("toInt", "error calling toInt: strconv.Atoi: parsing \"abc\": invalid syntax"),
            ("toBool", "error calling toBool: strconv.ParseBool: parsing \"abc\": invalid syntax"),
            ("toFloat", "error calling toFloat: strconv.ParseFloat: parsing \"abc\": invalid syntax"),
        ] {
            let (t, i) = run(&format!("a: ${{{{ env \"DECK_X\" | {f} }}}}\n"), &e);
            assert_eq!(i.len(), 1);
            assert_eq!(i[0].message, msg);
            assert_eq!(i[0].at, 3);
            assert!(t.contains("${{"), "the action stays as written: {t}");
        }
        let (t, i) = run("a: ${{ env \"DECK_X\" | toBool }}\n", &env(&[("DECK_X", "T")]));
        assert!(i.is_empty());
        assert_eq!(t, "a: true\n");
        let (_, i) = run("a: ${{ toInt (env \"DECK_X\") }}\n", &env(&[("DECK_X", "99999999999999999999")]));
        assert_eq!(
            i[0].message,
            "error calling toInt: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn comment_lines_are_not_rendered_and_names_need_the_prefix() {
        let (t, i) = run("# ${{ env \"DECK_NOPE\" }}\na: ${{ env \"HOME\" }}\n", &Env::new());
        assert_eq!(t, "# ${{ env \"DECK_NOPE\" }}\na: ${{ env \"HOME\" }}\n");
        assert_eq!(i.len(), 1);
        assert_eq!(i[0].kind, IssueKind::NotPrefixed);
    }

    #[test]
    fn mock_mode_gives_names_and_decks_mock_conversions() {
        let (r, i) = render(
            "a: ${{ env \"DECK_A\" }}\nb: ${{ env \"DECK_B\" | toInt }}\nc: ${{ env \"DECK_C\" | toBool }}\n",
            &Env::new(),
            EnvMode::Mock,
        );
        assert_eq!(i.len(), 3);
        assert!(i.iter().all(|i| i.kind == IssueKind::Unset { warning: true }));
        assert_eq!(r.unwrap().text, "a: DECK_A\nb: 42\nc: false\n");
    }

    #[test]
    fn multi_line_values_keep_later_positions() {
        let e = env(&[("DECK_PEM", "-----BEGIN-----\nAAAA\n-----END-----")]);
        let text = "k: \"${{ env \"DECK_PEM\" }}\"\nnext: 1\n";
        let (r, _) = render(text, &e, EnvMode::Resolve);
        let r = r.unwrap();
        let next = r.text.chars().collect::<String>().find("next").unwrap();
        let next = r.text[..next].chars().count();
        assert_eq!(r.map.position(next), (2, 0));
        // inside the value: the line of the template
        let inside = r.text.find("AAAA").unwrap();
        assert_eq!(r.map.position(inside).0, 1);
        assert_eq!(r.map.var_in(4, 10), Some("DECK_PEM"));
        assert_eq!(r.map.var_in(next, next + 4), None);
    }

    #[test]
    fn go_float_printing() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(3.0), "3");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1234567.0), "1.234567e+06");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(123456.0), "123456");
    }

    #[test]
    fn indent_and_unknown_functions() {
        let (t, i) = run("a: ${{ env \"DECK_A\" | indent 2 }}\n", &env(&[("DECK_A", "x\ny")]));
        assert!(i.is_empty());
        assert_eq!(t, "a: x\n  y\n");
        let (_, i) = run("a: ${{ upper \"x\" }}\n", &Env::new());
        assert_eq!(i[0].message, "template: function \"upper\" not defined");
    }
}
