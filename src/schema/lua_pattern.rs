//! Lua patterns, as Kong's schema validators `match`, `not_match`, `match_all`, `match_any`
//! and `match_none` use them (`value:match(pattern)` in kong/db/schema/init.lua). Kong runs
//! on LuaJIT, so these are Lua 5.1 patterns: the classes `%a %c %d %l %p %s %u %w %x %z` and
//! their upper-case complements (no `%g`: in 5.1 `%g` is a literal `g`), sets `[...]` with
//! ranges and `^`, `.`, the quantifiers `* + - ?`, anchors `^` (at the start) and `$` (at the
//! end), `%bxy`, `%f[set]`, captures (which only group positions here: only whether the
//! pattern matches is asked). Bytes, C locale: a byte above 127 is in no class.
//!
//! Written from the Lua 5.1 reference manual (section 5.4.1, "Patterns"), not from its C.

/// Whether `pattern` matches somewhere in `s` (at the start if it begins with `^`), as Lua's
/// `string.match` decides; `Err` for a malformed pattern (Kong would raise a Lua error).
pub fn is_match(s: &str, pattern: &str) -> Result<bool, String> {
    let p = pattern.as_bytes();
    let s = s.as_bytes();
    check(p)?;
    let m = Matcher { s, p, depth: 0 };
    if let Some(rest) = p.strip_prefix(b"^") {
        let m = Matcher { p: rest, ..m };
        return Ok(m.at(0, 0)?.is_some());
    }
    for start in 0..=s.len() {
        if m.at(start, 0)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Malformed patterns are refused before matching: a trailing `%`, an unclosed `[`, a
/// back-reference (`%1`..`%9`, which needs captures this matcher does not keep), `%b`
/// without its two characters, `%f` without a set.
fn check(p: &[u8]) -> Result<(), String> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'%' => match p.get(i + 1) {
                None => return Err("malformed pattern (ends with '%')".into()),
                Some(b'0'..=b'9') => return Err("back-references are not supported".into()),
                Some(b'b') if p.len() < i + 4 => return Err("missing arguments to '%b'".into()),
                Some(b'b') => i += 4,
                Some(b'f') if p.get(i + 2) != Some(&b'[') => return Err("missing '[' after '%f' in pattern".into()),
                Some(b'f') => i = class_end(p, i + 2)?,
                Some(_) => i += 2,
            },
            b'[' => i = class_end(p, i)?,
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index just past the single-character class starting at `i`.
fn class_end(p: &[u8], i: usize) -> Result<usize, String> {
    match p[i] {
        b'%' => {
            if i + 1 >= p.len() {
                return Err("malformed pattern (ends with '%')".into());
            }
            Ok(i + 2)
        }
        b'[' => {
            let mut j = i + 1;
            if p.get(j) == Some(&b'^') {
                j += 1;
            }
            // the first character of a set is itself even when it is `]`
            loop {
                let Some(&c) = p.get(j) else { return Err("malformed pattern (missing ']')".into()) };
                j += 1;
                if c == b'%' {
                    if j >= p.len() {
                        return Err("malformed pattern (missing ']')".into());
                    }
                    j += 1;
                }
                if p.get(j) == Some(&b']') {
                    return Ok(j + 1);
                }
            }
        }
        _ => Ok(i + 1),
    }
}

/// Whether byte `c` is in class letter `cl` (`%a`, `%D`, ...); any other letter stands for itself.
fn in_class(c: u8, cl: u8) -> bool {
    let yes = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_uppercase() {
        !yes
    } else {
        yes
    }
}

/// Whether `c` is in the set `p[i..end]`, `p[i] == '['` and `p[end - 1] == ']'`.
fn in_set(c: u8, p: &[u8], i: usize, end: usize) -> bool {
    let close = end - 1;
    let mut j = i + 1;
    let mut wanted = true;
    if p[j] == b'^' {
        wanted = false;
        j += 1;
    }
    while j < close {
        if p[j] == b'%' && j + 1 < close {
            if in_class(c, p[j + 1]) {
                return wanted;
            }
            j += 2;
        } else if p.get(j + 1) == Some(&b'-') && j + 2 < close {
            if p[j] <= c && c <= p[j + 2] {
                return wanted;
            }
            j += 3;
        } else {
            if p[j] == c {
                return wanted;
            }
            j += 1;
        }
    }
    !wanted
}

struct Matcher<'a> {
    s: &'a [u8],
    p: &'a [u8],
    depth: u32,
}

/// Deep enough for any schema pattern; a guard against runaway recursion on long input.
const MAX_DEPTH: u32 = 2000;

impl Matcher<'_> {
    /// Whether the single-character class `p[i..end]` takes `s[si]`.
    fn single(&self, si: usize, i: usize, end: usize) -> bool {
        let Some(&c) = self.s.get(si) else { return false };
        match self.p[i] {
            b'.' => true,
            b'%' => in_class(c, self.p[i + 1]),
            b'[' => in_set(c, self.p, i, end),
            other => other == c,
        }
    }

    /// Where a match of `p[pi..]` starting at `s[si]` ends, if there is one.
    fn at(&self, mut si: usize, mut pi: usize) -> Result<Option<usize>, String> {
        let (s, p) = (self.s, self.p);
        if self.depth > MAX_DEPTH {
            return Err("pattern too complex".into());
        }
        let deeper = Matcher { s, p, depth: self.depth + 1 };
        loop {
            if pi == p.len() {
                return Ok(Some(si));
            }
            match p[pi] {
                // captures only mark positions here
                b'(' | b')' => {
                    pi += 1;
                    continue;
                }
                b'$' if pi + 1 == p.len() => return Ok((si == s.len()).then_some(si)),
                b'%' if p[pi + 1] == b'b' => {
                    let (open, close) = (p[pi + 2], p[pi + 3]);
                    if s.get(si) != Some(&open) {
                        return Ok(None);
                    }
                    let mut level = 1;
                    let mut j = si + 1;
                    loop {
                        let Some(&c) = s.get(j) else { return Ok(None) };
                        if c == close {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        } else if c == open {
                            level += 1;
                        }
                        j += 1;
                    }
                    si = j + 1;
                    pi += 4;
                    continue;
                }
                b'%' if p[pi + 1] == b'f' => {
                    let start = pi + 2;
                    let end = class_end(p, start)?;
                    let prev = if si == 0 { 0 } else { s[si - 1] };
                    let cur = s.get(si).copied().unwrap_or(0);
                    if !in_set(prev, p, start, end) && in_set(cur, p, start, end) {
                        pi = end;
                        continue;
                    }
                    return Ok(None);
                }
                _ => {}
            }
            let end = class_end(p, pi)?;
            let here = self.single(si, pi, end);
            match p.get(end) {
                Some(b'?') => {
                    if here {
                        if let Some(r) = deeper.at(si + 1, end + 1)? {
                            return Ok(Some(r));
                        }
                    }
                    pi = end + 1;
                }
                Some(b'+') => return if here { deeper.longest(si + 1, pi, end) } else { Ok(None) },
                Some(b'*') => return deeper.longest(si, pi, end),
                Some(b'-') => return deeper.shortest(si, pi, end),
                _ => {
                    if !here {
                        return Ok(None);
                    }
                    si += 1;
                    pi = end;
                }
            }
        }
    }

    /// `x*` (and the rest of `x+`): as many as match, giving back one at a time.
    fn longest(&self, si: usize, pi: usize, end: usize) -> Result<Option<usize>, String> {
        let mut n = 0;
        while self.single(si + n, pi, end) {
            n += 1;
        }
        loop {
            if let Some(r) = self.at(si + n, end + 1)? {
                return Ok(Some(r));
            }
            if n == 0 {
                return Ok(None);
            }
            n -= 1;
        }
    }

    /// `x-`: as few as let the rest match.
    fn shortest(&self, mut si: usize, pi: usize, end: usize) -> Result<Option<usize>, String> {
        loop {
            if let Some(r) = self.at(si, end + 1)? {
                return Ok(Some(r));
            }
            if self.single(si, pi, end) {
                si += 1;
            } else {
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_match;

    fn m(s: &str, p: &str) -> bool {
        is_match(s, p).unwrap()
    }

    #[test]
    fn classes_sets_and_anchors() {
        assert!(m("GET", "^%u+$") && !m("Get", "^%u+$") && !m("", "^%u+$"));
        assert!(m("x-y", "%-") && !m("xy", "%-"));
        assert!(m("abc", "b") && !m("abc", "^b") && m("abc", "c$") && !m("abc", "b$"));
        assert!(m("a$b", "a$b"), "a `$` not at the end is literal");
        assert!(m("^", "%^") && m("a^", "a^"), "a `^` not at the start is literal");
        assert!(m("7", "[%d]") && m("7", "[0-9]") && !m("a", "[0-9]") && m("a", "[^0-9]"));
        assert!(m("]", "[]]") && m("-", "[a-]") && m("b", "[a-c]") && !m("d", "[a-c]"));
        assert!(m(" ", "%s") && !m(" ", "%S") && m("_", "%p") && !m("a", "%p") && m("F", "%x") && !m("g", "%x"));
        assert!(m("g", "^%g$") && !m("a", "^%g$"), "Lua 5.1 has no %g class");
        assert!(m("é", "^[^%w]+$"), "bytes above 127 are in no class");
    }

    #[test]
    fn quantifiers() {
        assert!(m("aaa", "^a*$") && m("", "^a*$") && !m("", "^a+$") && m("ab", "^a?b$") && m("b", "^a?b$"));
        assert!(m("<x><y>", "^<.->$") && m("<x><y>", "^<.*>$"));
        assert!(m("key:value", "^[^:]+:.*$") && !m(":value", "^[^:]+:.*$") && !m("novalue", "^[^:]+:.*$"));
        assert!(m("200-299", "^[0-9]+-[0-9]+$") && !m("200", "^[0-9]+-[0-9]+$") && !m("2xx-3", "^[0-9]+-[0-9]+$"));
    }

    #[test]
    fn balance_frontier_captures() {
        assert!(m("f(a(b)c)", "^f%b()$") && !m("f(a(b c", "%b()"));
        assert!(m("THE (quick) fox", "%f[%a]%a+") && !m("123", "%f[%a]"));
        assert!(m("ab", "^(a)(b)$") && m("ab", "^()ab()$"));
    }

    #[test]
    fn kong_schema_patterns() {
        // kong/plugins/file-log/schema.lua: a path without leading/trailing space or * & % \ `
        let file = r"^[^%s*&%%\`][^*&%%\`]*[^%s*&%%\`]$";
        assert!(m("/tmp/file.log", file) && !m("/tmp/f*le.log", file) && !m(" /tmp/x", file) && !m("/tmp/x ", file));
        assert!(!m("/tmp/100%", file) && !m("a", file), "a single character cannot be both first and last");
        // kong/plugins/http-log/schema.lua: `[nn]` in the Content-Length pattern takes only `n`
        let cl = "^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Ll][Ee][nn][Gg][Tt][Hh]$";
        assert!(m("Content-Length", cl) && m("content-length", cl) && !m("Content-LeNgth", cl));
        // kong/plugins/acme/schema.lua account_email: loose, unanchored
        assert!(m("a@b", "%w*%p*@+%w*%.?%w*") && !m("nobody", "%w*%p*@+%w*%.?%w*"));
        // kong/plugins/datadog/schema.lua tags: must not end with ':'
        assert!(m("env:prod", "^.*[^:]$") && !m("env:", "^.*[^:]$"));
    }

    #[test]
    fn malformed_patterns_are_errors() {
        for p in ["%", "[a", "[%", "(%1)", "%b(", "%fx"] {
            assert!(is_match("x", p).is_err(), "{p}");
        }
    }
}
