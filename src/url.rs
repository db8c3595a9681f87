//! Percent-encoding of URL components (query keys and values, path segments).

/// Encodes everything but unreserved characters (RFC 3986 `A-Z a-z 0-9 - _ . ~`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as in query strings); invalid escapes stay as they are.
pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL split the way Kong reads `url` fields: scheme, host (IPv6 in brackets kept),
/// optional port, path (without query and fragment; empty when absent).
#[derive(Clone, Debug, PartialEq)]
pub struct Parts {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

/// Splits a URL; the errors are Kong's ("missing scheme in url", "missing host in url").
pub fn split(u: &str) -> Result<Parts, &'static str> {
    let (scheme, rest) = u.split_once("://").ok_or("missing scheme in url")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return Err("missing scheme in url");
    }
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (!h.starts_with('[') || h.ends_with(']')) => {
            (h, p.parse().ok())
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return Err("missing host in url");
    }
    Ok(Parts { scheme: scheme.to_string(), host: host.to_string(), port, path: path.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(encode_component("a b/[c]"), "a%20b%2F%5Bc%5D");
        assert_eq!(decode_component("a%20b+c%2F"), "a b c/");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(decode_component("%aé%"), "%aé%", "no panic inside a multi-byte character");
    }

    #[test]
    fn splits_urls_like_kong() {
        let p = split("https://user:pw@api.example.com:8443/v1/x?q=1").unwrap();
        assert_eq!((p.scheme.as_str(), p.host.as_str(), p.port, p.path.as_str()), ("https", "api.example.com", Some(8443), "/v1/x"));
        assert_eq!(split("http://[::1]:80").unwrap().host, "[::1]");
        assert_eq!(split("http://[::1]").unwrap().port, None);
        assert_eq!(split("example.com/path"), Err("missing scheme in url"));
        assert_eq!(split("http:///path"), Err("missing host in url"));
    }
}
