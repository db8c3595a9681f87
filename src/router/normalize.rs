//! Request-path normalization as Kong's `kong.tools.uri.normalize(path, true)` does it.
//!
//! Percent-escapes of unreserved bytes are decoded, escapes of reserved characters stay
//! (with upper-case hex), dot segments are removed and `//` collapses. The result is bytes:
//! decoding can produce invalid UTF-8, which Kong's router then refuses (404).

const RESERVED: &[u8] = b"!*'();:@&=+$,/?%#[]";

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Normalizes a path (no query string). Returns bytes; see the module doc.
pub fn normalize(path: &str) -> Vec<u8> {
    let raw = path.as_bytes();
    let mut decoded = Vec::with_capacity(raw.len());
    if raw.contains(&b'%') {
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'%' && i + 2 < raw.len() {
                if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                    let byte = h * 16 + l;
                    if RESERVED.contains(&byte) {
                        decoded.push(b'%');
                        decoded.push(raw[i + 1].to_ascii_uppercase());
                        decoded.push(raw[i + 2].to_ascii_uppercase());
                    } else {
                        decoded.push(byte);
                    }
                    i += 3;
                    continue;
                }
            }
            decoded.push(raw[i]);
            i += 1;
        }
    } else {
        decoded.extend_from_slice(raw);
    }
    if decoded.contains(&b'.') || decoded.windows(2).any(|w| w == b"//") {
        remove_dot_segments(&decoded)
    } else {
        decoded
    }
}

/// RFC 3986 §5.2.4 dot-segment removal, with empty segments merged.
fn remove_dot_segments(path: &[u8]) -> Vec<u8> {
    let absolute = path.first() == Some(&b'/');
    let trailing = path.ends_with(b"/");
    let segments: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
    let mut out: Vec<&[u8]> = Vec::new();
    let mut ends_dir = trailing;
    for (i, seg) in segments.iter().enumerate() {
        let last = i == segments.len() - 1;
        match *seg {
            b"" => {}
            b"." => {
                if last {
                    ends_dir = true;
                }
            }
            b".." => {
                out.pop();
                if last {
                    ends_dir = true;
                }
            }
            s => {
                out.push(s);
                if last {
                    ends_dir = trailing;
                }
            }
        }
    }
    let mut result = Vec::with_capacity(path.len());
    if absolute {
        result.push(b'/');
    }
    for (i, seg) in out.iter().enumerate() {
        if i > 0 {
            result.push(b'/');
        }
        result.extend_from_slice(seg);
    }
    if ends_dir && !out.is_empty() {
        result.push(b'/');
    }
    result
}

/// Percent-encodes what Kong's `kong.tools.uri.escape` encodes (the upstream path).
pub fn escape(path: &[u8]) -> String {
    const KEEP: &[u8] = b"-_.~!#$&'()*+,/:;=?@[]%";
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || KEEP.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        String::from_utf8_lossy(&normalize(s)).into_owned()
    }

    // Cases restated from Kong's integration spec "URI normalization" and unit spec #7913
    // (spec/02-integration/05-proxy/02-router_spec.lua, spec/01-unit/08-router_spec.lua).
    #[test]
    fn kong_normalization_cases() {
        assert_eq!(n("/foo/a/../bar"), "/foo/bar");
        assert_eq!(n("/foo//bar"), "/foo/bar");
        assert_eq!(n("/foo/./bar"), "/foo/bar");
        assert_eq!(n("/h%65llo"), "/hello");
        assert_eq!(n("/users/%6aohn%20doe/profile"), "/users/john doe/profile");
        assert_eq!(n("/a%2fb"), "/a%2Fb");
        assert_eq!(n("/x%41"), "/xA");
        assert_eq!(n("/route%2E/req"), "/route./req");
        assert_eq!(n("/a/b/.."), "/a/");
        assert_eq!(n("/a/."), "/a/");
        assert_eq!(n("/../a"), "/a");
        assert_eq!(n("/"), "/");
        assert_eq!(n("/route../x"), "/route../x");
    }

    #[test]
    fn escape_reencodes_like_kong() {
        assert_eq!(escape(b"/anything/world/cat and dog"), "/anything/world/cat%20and%20dog");
        assert_eq!(escape(b"/a%2Fb"), "/a%2Fb");
        assert_eq!(escape("/ä".as_bytes()), "/%C3%A4");
    }
}
