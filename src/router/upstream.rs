//! The path the upstream receives: strip the matched prefix, join with the service path
//! (path_handling v0, kong/router/utils.lua get_upstream_uri_v0), then Kong's re-escaping.

/// Kong's sanitizing of what remains after the stripped prefix.
fn sanitize_postfix(p: &str) -> &str {
    if p == "." || p == ".." {
        return "";
    }
    if let Some(rest) = p.strip_prefix("./") {
        return rest;
    }
    if let Some(rest) = p.strip_prefix("../") {
        return rest;
    }
    p
}

/// `req` is the normalized request path, `prefix` the matched prefix / regex match (or
/// `None` when the route has no paths), `base` the service path (`/` when unset).
pub fn upstream_path_v0(req: &str, prefix: Option<&str>, base: &str, strip: bool) -> String {
    let strip_len = prefix.unwrap_or("/").len().min(req.len());
    let postfix = sanitize_postfix(req.get(strip_len..).unwrap_or(""));
    if base.ends_with('/') {
        if strip {
            if postfix.is_empty() {
                if base == "/" {
                    return "/".into();
                }
                if req.ends_with('/') {
                    return base.into();
                }
                return base.strip_suffix('/').unwrap_or(base).into();
            }
            if postfix.starts_with('/') {
                return format!("{}{postfix}", base.strip_suffix('/').unwrap_or(base));
            }
            return format!("{base}{postfix}");
        }
        return format!("{base}{}", req.get(1..).unwrap_or(""));
    }
    if strip {
        if postfix.is_empty() {
            if req.len() > 1 && req.ends_with('/') {
                return format!("{base}/");
            }
            return base.into();
        }
        if postfix.starts_with('/') {
            return format!("{base}{postfix}");
        }
        return format!("{base}/{postfix}");
    }
    if req == "/" {
        return base.into();
    }
    format!("{base}{req}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Rows restated from Kong's spec/fixtures/router_path_handling_tests.lua and the
    // examples in ../shared/reference/kong-router.md §5.2.
    #[test]
    fn v0_rows() {
        assert_eq!(upstream_path_v0("/my-route/hello/world", Some("/my-route"), "/", true), "/hello/world");
        assert_eq!(upstream_path_v0("/my-route", Some("/my-route"), "/", true), "/");
        assert_eq!(upstream_path_v0("/my-route/hello/world", Some("/"), "/", true), "/my-route/hello/world");
        assert_eq!(upstream_path_v0("/roureq", Some("/rou"), "/srv", true), "/srv/req");
        assert_eq!(upstream_path_v0("/roureq", Some("/rou"), "/srv", false), "/srv/roureq");
        assert_eq!(upstream_path_v0("/rou", Some("/rou"), "/srv/", true), "/srv");
        assert_eq!(upstream_path_v0("/route", None, "/service/", true), "/service/route");
        assert_eq!(upstream_path_v0("/users/123/profile/hello/world", Some("/users/123/profile"), "/", true), "/hello/world");
        assert_eq!(upstream_path_v0("/route./req", Some("/route"), "/service", true), "/service/req");
        assert_eq!(upstream_path_v0("/rou/", Some("/rou"), "/srv", true), "/srv/");
        assert_eq!(upstream_path_v0("/", Some("/"), "/srv", false), "/srv");
    }
}
