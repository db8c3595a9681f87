//! The ATC field schema of Kong's HTTP router: which fields an expression may name and
//! their types.
//!
//! Restates `kong/router/fields.lua` (`HTTP_FIELDS`) and the schema built from it in
//! `kong/router/atc.lua` (`generate_schema`), Kong 3.10.0 (`Kong/kong` @ 22246ef2), plus the
//! `http.path.segments.*` name check of `kong/db/schema/entities/routes.lua`
//! (`validate_route`). The stream subsystem's fields are not here: stream routes never
//! reach the HTTP router.

use atc_router::ast::Type;
use atc_router::schema::Schema;

/// Field names and their types, as `HTTP_FIELDS` declares them. A name ending in `.*`
/// stands for every field one dot below it (atc-router `src/schema.rs`, `type_of`).
pub const HTTP_FIELDS: &[(&str, FieldType)] = &[
    ("net.protocol", FieldType::String),
    ("tls.sni", FieldType::String),
    ("http.method", FieldType::String),
    ("http.host", FieldType::String),
    ("http.path", FieldType::String),
    ("http.path.segments.*", FieldType::String),
    ("http.headers.*", FieldType::String),
    ("http.queries.*", FieldType::String),
    ("net.src.port", FieldType::Int),
    ("net.dst.port", FieldType::Int),
    ("http.path.segments.len", FieldType::Int),
    ("net.src.ip", FieldType::IpAddr),
    ("net.dst.ip", FieldType::IpAddr),
];

/// The value types Kong's HTTP fields use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Int,
    IpAddr,
}

impl FieldType {
    fn atc(self) -> Type {
        match self {
            FieldType::String => Type::String,
            FieldType::Int => Type::Int,
            FieldType::IpAddr => Type::IpAddr,
        }
    }
}

/// atc-router's schema for Kong's HTTP router.
pub fn http_schema() -> Schema {
    let mut s = Schema::default();
    for (name, ty) in HTTP_FIELDS {
        s.add_field(name, ty.atc());
    }
    s
}

/// A field of the HTTP schema, resolved to what the request must supply for it
/// (`kong/router/fields.lua`, `FIELDS_FUNCS` and `get_field_accessor`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Protocol,
    Sni,
    Method,
    Host,
    Path,
    /// `http.path.segments.N` (`to == None`) or `http.path.segments.N_M`.
    Segments { from: usize, to: Option<usize> },
    /// `http.path.segments.<something else>`: Kong's accessor finds nothing.
    NoSegment,
    SegmentsLen,
    /// `http.headers.<name>`, name as written after the prefix.
    Header(String),
    /// `http.queries.<name>`, name as written after the prefix.
    Query(String),
    SrcIp,
    SrcPort,
    DstIp,
    DstPort,
}

impl Field {
    /// Resolves a field name; `None` for names the schema does not know.
    pub fn parse(name: &str) -> Option<Field> {
        Some(match name {
            "net.protocol" => Field::Protocol,
            "tls.sni" => Field::Sni,
            "http.method" => Field::Method,
            "http.host" => Field::Host,
            "http.path" => Field::Path,
            "http.path.segments.len" => Field::SegmentsLen,
            "net.src.ip" => Field::SrcIp,
            "net.src.port" => Field::SrcPort,
            "net.dst.ip" => Field::DstIp,
            "net.dst.port" => Field::DstPort,
            _ => {
                let (prefix, last) = name.rsplit_once('.')?;
                match prefix {
                    "http.headers" => Field::Header(last.to_string()),
                    "http.queries" => Field::Query(last.to_string()),
                    "http.path.segments" => segment_range(last).map_or(Field::NoSegment, |(from, to)| Field::Segments { from, to }),
                    _ => return None,
                }
            }
        })
    }
}

/// `N` or `N_M` with `N < M`, decimal without leading zeros: the only segment suffixes
/// Kong's route schema accepts (`validate_route`, `^(0|[1-9]\d*)(_([1-9]\d*))?$`).
fn segment_range(suffix: &str) -> Option<(usize, Option<usize>)> {
    let num = |s: &str| -> Option<usize> {
        let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
        ok.then(|| s.parse().ok()).flatten()
    };
    match suffix.split_once('_') {
        None => Some((num(suffix)?, None)),
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            (b > 0 && a < b).then_some((a, Some(b)))
        }
    }
}

/// Kong's extra check on the fields an expression uses: "illformed http.path.segments.*
/// field" when a segments field is neither `len` nor a valid `N` / `N_M` suffix.
pub fn check_segment_fields<'a>(fields: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for f in fields {
        if let Some(suffix) = f.strip_prefix("http.path.segments.") {
            if suffix != "len" && segment_range(suffix).is_none() {
                return Err("illformed http.path.segments.* field".to_string());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_resolve_like_atc_router() {
        let s = http_schema();
        assert_eq!(s.type_of("http.headers.x_foo"), Some(&Type::String));
        assert_eq!(s.type_of("http.path.segments.len"), Some(&Type::Int));
        assert_eq!(s.type_of("http.path.segments.1_2"), Some(&Type::String));
        assert_eq!(s.type_of("net.dst.port"), Some(&Type::Int));
        assert_eq!(s.type_of("net.src.ip"), Some(&Type::IpAddr));
        assert_eq!(s.type_of("net.port"), None);
        assert_eq!(s.type_of("http.headers.a.b"), None);
    }

    #[test]
    fn fields_resolve_like_kong_accessors() {
        assert_eq!(Field::parse("http.headers.x_foo"), Some(Field::Header("x_foo".into())));
        assert_eq!(Field::parse("http.queries.a"), Some(Field::Query("a".into())));
        assert_eq!(Field::parse("http.path.segments.0"), Some(Field::Segments { from: 0, to: None }));
        assert_eq!(Field::parse("http.path.segments.1_3"), Some(Field::Segments { from: 1, to: Some(3) }));
        assert_eq!(Field::parse("http.path.segments.len"), Some(Field::SegmentsLen));
        assert_eq!(Field::parse("tls.sni"), Some(Field::Sni));
        assert_eq!(Field::parse("http.cookies.a"), None);
    }

    // kong/db/schema/entities/routes.lua validate_route: HTTP_PATH_SEGMENTS_SUFFIX_REG and N < M
    #[test]
    fn segment_suffixes_kong_accepts() {
        assert!(check_segment_fields(["http.path.segments.0", "http.path.segments.10", "http.path.segments.0_1", "http.path.segments.len"]).is_ok());
        for bad in ["http.path.segments.01", "http.path.segments.2_1", "http.path.segments.1_1", "http.path.segments.x", "http.path.segments.0_0"] {
            assert_eq!(check_segment_fields([bad]), Err("illformed http.path.segments.* field".to_string()), "{bad}");
        }
    }
}
