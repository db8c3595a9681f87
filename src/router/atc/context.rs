//! The values a request gives each ATC field, as Kong fills atc-router's context.
//!
//! Restates `kong/router/fields.lua` (the field accessors and `fill_atc_context`) and the
//! parts of `kong/router/atc.lua` (`matching`: the Host header split by
//! `transform.split_host_port`) that decide what the router sees, Kong 3.10.0. Only the
//! fields some route uses are filled, as Kong does (`inst:get_fields()`).

use super::schema::Field;
use crate::router::{query_of, Request};
use atc_router::ast::Value;
use atc_router::context::Context;
use std::net::IpAddr;

/// Connection facts a [`Request`] does not carry (`net.src.*`, `net.dst.ip`); absent
/// ones leave their field empty, so conditions on them do not hold.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub src_ip: Option<IpAddr>,
    pub src_port: Option<u16>,
    pub dst_ip: Option<IpAddr>,
}

/// At most this many query arguments are read (`lua_max_uri_args`' default, see the
/// "truncated" warning in fields.lua `get_http_params`).
const MAX_URI_ARGS: usize = 100;

/// The Host header split as `transform.split_host_port` does ([`Request::host_and_port`]),
/// the port as the `net.dst.port` integer (Host header port, else `ngx.ctx.host_port` /
/// `server_port`, i.e. the listener port).
pub fn host_and_port(req: &Request) -> (Option<&str>, i64) {
    let (host, port) = req.host_and_port();
    (host, i64::try_from(port).unwrap_or(i64::MAX))
}

/// Path segments as fields.lua `get_http_segments` cuts them: the path without its first
/// byte split at every `/`, trailing empty segments dropped.
pub fn segments(path: &str) -> Vec<&str> {
    let mut segs: Vec<&str> = path.get(1..).unwrap_or("").split('/').collect();
    while segs.last() == Some(&"") {
        segs.pop();
    }
    segs
}

/// Query arguments as `ngx.req.get_uri_args` returns them: `&`-separated, split at the
/// first `=`, `+` and `%XX` decoded, an argument without `=` has the value "" (Kong turns
/// its `true` into ""), empty names are dropped. Decoded bytes may be non-UTF-8.
pub fn query_args(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|a| !a.is_empty())
        .filter_map(|a| {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            let k = unescape(k);
            (!k.is_empty()).then(|| (k, unescape(v)))
        })
        .take(MAX_URI_ARGS)
        .collect()
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The values of one field for this request (several for repeated headers and query
/// arguments, none when the request lacks it). `Err` when a value is not UTF-8: Kong's
/// context refuses it and the router answers nothing (404).
pub fn values_of(field: &Field, req: &Request, path: &str, conn: &Connection) -> Result<Vec<Value>, String> {
    let s = |v: &str| Value::String(v.to_string());
    Ok(match field {
        Field::Protocol => vec![s(if req.https { "https" } else { "http" })],
        // ngx.ssl server_name(): only a TLS connection has an SNI
        Field::Sni => req.sni.as_deref().filter(|_| req.https).map(s).into_iter().collect(),
        Field::Method => vec![s(&req.method)],
        Field::Host => host_and_port(req).0.map(s).into_iter().collect(),
        Field::Path => vec![s(path)],
        Field::Segments { from, to } => {
            let segs = segments(path);
            let last = segs.len().saturating_sub(1);
            match to {
                None => segs.get(*from).map(|v| s(v)).into_iter().collect(),
                Some(to) if from < to && *to <= last && !segs.is_empty() => vec![s(&segs[*from..=*to].join("/"))],
                Some(_) => Vec::new(),
            }
        }
        Field::NoSegment => Vec::new(),
        Field::SegmentsLen => vec![Value::Int(segments(path).len() as i64)],
        Field::Header(name) => req.header_values(name).map(s).collect(),
        Field::Query(name) => {
            let mut out = Vec::new();
            for (k, v) in query_args(query_of(&req.target).unwrap_or("")) {
                if k == name.as_bytes() {
                    let v = String::from_utf8(v).map_err(|_| format!("value of http.queries.{name} is not valid UTF-8"))?;
                    out.push(Value::String(v));
                }
            }
            out
        }
        Field::SrcIp => conn.src_ip.map(Value::IpAddr).into_iter().collect(),
        Field::SrcPort => conn.src_port.map(|p| Value::Int(i64::from(p))).into_iter().collect(),
        Field::DstIp => conn.dst_ip.map(Value::IpAddr).into_iter().collect(),
        Field::DstPort => vec![Value::Int(host_and_port(req).1)],
    })
}

/// Fills `ctx` with the values of `fields` (names the router's expressions use).
pub fn fill<'a>(ctx: &mut Context<'_>, fields: impl IntoIterator<Item = &'a str>, req: &Request, path: &str, conn: &Connection) -> Result<(), String> {
    for name in fields {
        let Some(field) = Field::parse(name) else { continue };
        for v in values_of(&field, req, path, conn)? {
            ctx.add_value(name, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(target: &str) -> Request {
        Request { method: "GET".into(), target: target.into(), listener_port: 8000, ..Request::default() }
    }

    // fields.lua get_http_segments: "/a/b/c" => a, b, c; trailing empty segments removed
    #[test]
    fn segments_like_kong() {
        assert_eq!(segments("/a/b/c"), vec!["a", "b", "c"]);
        assert_eq!(segments("/a//b/"), vec!["a", "", "b"]);
        assert_eq!(segments("/"), Vec::<&str>::new());
        let r = req("/a/b/c");
        let conn = Connection::default();
        let v = |f: &str| values_of(&Field::parse(f).unwrap(), &r, "/a/b/c", &conn).unwrap();
        assert!(matches!(&v("http.path.segments.0")[..], [Value::String(x)] if x == "a"));
        assert!(matches!(&v("http.path.segments.1_2")[..], [Value::String(x)] if x == "b/c"));
        assert!(v("http.path.segments.1_3").is_empty());
        assert!(v("http.path.segments.3").is_empty());
        assert!(matches!(&v("http.path.segments.len")[..], [Value::Int(3)]));
    }

    #[test]
    fn queries_like_get_uri_args() {
        assert_eq!(
            query_args("a=1&a=2&b&=x&c=%41+b&d=%zz"),
            vec![(b"a".to_vec(), b"1".to_vec()), (b"a".to_vec(), b"2".to_vec()), (b"b".to_vec(), b"".to_vec()), (b"c".to_vec(), b"A b".to_vec()), (b"d".to_vec(), b"%zz".to_vec())]
        );
        let r = req("/p?x=%FF");
        assert!(values_of(&Field::Query("x".into()), &r, "/p", &Connection::default()).is_err());
    }

    #[test]
    fn host_port_split_like_transform_split_host_port() {
        let mut r = req("/");
        r.host = Some("example.com:99999".into());
        assert_eq!(host_and_port(&r), (Some("example.com"), 99999));
        r.host = Some("example.com".into());
        assert_eq!(host_and_port(&r), (Some("example.com"), 8000));
        r.host = Some("[::1]:80".into());
        assert_eq!(host_and_port(&r), (Some("[::1]:80"), 8000));
    }

    #[test]
    fn headers_any_case_and_underscore() {
        let mut r = req("/");
        r.headers = vec![("X-Env".into(), "a".into()), ("x-env".into(), "B".into())];
        let got = values_of(&Field::Header("x_env".into()), &r, "/", &Connection::default()).unwrap();
        assert_eq!(got.len(), 2);
    }
}
