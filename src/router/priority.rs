//! Route priorities: what Kong computes on x86-64 (the "effective" formula, with LuaJIT's
//! 32-bit shifts, Kong/kong#14457) and what Kong's source documents.

/// Which priority formula orders the routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formula {
    /// What Kong 3.x really computes on x86-64.
    Effective,
    /// The bit layout the source comments and Kong's docs describe.
    Documented,
}

impl Formula {
    pub fn other(self) -> Formula {
        match self {
            Formula::Effective => Formula::Documented,
            Formula::Documented => Formula::Effective,
        }
    }
}

/// The route facts the priority depends on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs {
    pub methods: bool,
    pub hosts: bool,
    /// Hosts is a list (possibly empty) with no `*` in any entry.
    pub plain_hosts: bool,
    pub header_count: u64,
    pub snis: bool,
    pub paths: bool,
    pub is_regex: bool,
    pub regex_priority: i64,
    pub prefix_len: u64,
}

impl Inputs {
    /// The facts of route `r` restricted to one group of its paths (a sub-route), as
    /// kong/router/transform.lua `get_priority` reads them.
    pub fn of_route(r: &super::RouteSpec, paths: &[String]) -> Inputs {
        Inputs {
            methods: !r.methods.is_empty(),
            hosts: r.hosts.as_ref().is_some_and(|h| !h.is_empty()),
            plain_hosts: r.hosts.as_ref().is_some_and(|h| h.iter().all(|x| !x.contains('*'))),
            header_count: r.headers.len().min(255) as u64,
            snis: !r.snis.is_empty(),
            paths: !paths.is_empty(),
            is_regex: paths.first().is_some_and(|p| p.starts_with('~')),
            regex_priority: r.regex_priority,
            prefix_len: if paths.first().is_some_and(|p| !p.starts_with('~')) { paths[0].len() as u64 } else { 0 },
        }
    }
}

const PLAIN_HOST_BIT: u64 = 1 << 60;
const REGEX_BIT: u64 = 1 << 51;
const SIGN: u64 = 0x8000_0000_0000_0000;

impl Inputs {
    pub fn weight(&self) -> u64 {
        [self.methods, self.hosts, self.header_count > 0, self.snis, self.paths].iter().filter(|b| **b).count() as u64
    }

    pub fn priority(&self, formula: Formula) -> u64 {
        match formula {
            Formula::Effective => self.effective(),
            Formula::Documented => self.documented(),
        }
    }

    fn documented(&self) -> u64 {
        let rp = if self.is_regex { (self.regex_priority as u64) & 0xFFFF_FFFF } else { 0 };
        (self.weight() << 61)
            | if self.plain_hosts { PLAIN_HOST_BIT } else { 0 }
            | ((self.header_count & 0xFF) << 52)
            | if self.is_regex { REGEX_BIT } else { 0 }
            | (rp << 19)
            | (self.prefix_len & 0x7FFFF)
    }

    /// LuaJIT's `bit.lshift` on a plain number: to int32 (mod 2^32), shift mod 32.
    fn shl32(x: i64, n: u32) -> i32 {
        (x as u32).wrapping_shl(n % 32) as i32
    }

    /// LuaJIT x86-64 number -> uint64: negative numbers become 2^63.
    fn to_u64(x: i32) -> u64 {
        if x >= 0 {
            x as u64
        } else {
            SIGN
        }
    }

    fn effective(&self) -> u64 {
        let a = Self::shl32(self.weight() as i64, 61);
        let b = Self::shl32(self.header_count as i64, 52);
        let c = Self::shl32(if self.is_regex { self.regex_priority } else { 0 }, 19);
        let d = (self.prefix_len & 0x7FFFF) as i32;
        if self.plain_hosts || self.is_regex {
            (if self.plain_hosts { PLAIN_HOST_BIT } else { 0 })
                | (if self.is_regex { REGEX_BIT } else { 0 })
                | Self::to_u64(a)
                | Self::to_u64(b)
                | Self::to_u64(c)
                | d as u64
        } else {
            Self::to_u64(a | b | c | d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_route(headers: u64, rp: i64) -> Inputs {
        Inputs { paths: true, is_regex: true, header_count: headers, regex_priority: rp, ..Default::default() }
    }

    // Kong/kong#14457 as restated in ../shared/reference/kong-router.md §1.4.
    #[test]
    fn issue_14457_header_and_regex_priority_share_bits() {
        let generic = regex_route(1, 1);
        let specific = regex_route(1, 2);
        assert!(generic.priority(Formula::Effective) > specific.priority(Formula::Effective));
        assert!(generic.priority(Formula::Documented) < specific.priority(Formula::Documented));
        let (g, s) = (regex_route(0, 1), regex_route(0, 2));
        assert!(g.priority(Formula::Effective) < s.priority(Formula::Effective));
    }

    #[test]
    fn plain_host_bit_outranks_weight() {
        let host_only = Inputs { hosts: true, plain_hosts: true, ..Default::default() };
        let get_regex = Inputs { methods: true, paths: true, is_regex: true, ..Default::default() };
        assert!(host_only.priority(Formula::Effective) > get_regex.priority(Formula::Effective));
        assert!(host_only.priority(Formula::Documented) < get_regex.priority(Formula::Documented));
    }

    #[test]
    fn four_fields_without_plain_host_collapse_to_the_sign_bit() {
        let mk = |len| Inputs { methods: true, hosts: true, plain_hosts: false, header_count: 1, paths: true, prefix_len: len, ..Default::default() };
        assert_eq!(mk(2).priority(Formula::Effective), SIGN);
        assert_eq!(mk(6).priority(Formula::Effective), SIGN);
        assert!(mk(6).priority(Formula::Documented) > mk(2).priority(Formula::Documented));
    }

    #[test]
    fn large_regex_priorities_wrap() {
        // bit 12 of regex_priority set -> negative int32 -> sign bit (tried first)
        assert!(regex_route(0, 4096).priority(Formula::Effective) > regex_route(0, 4095).priority(Formula::Effective));
        assert_eq!(regex_route(0, 8192).priority(Formula::Effective), regex_route(0, 0).priority(Formula::Effective));
        assert!(regex_route(0, -1).priority(Formula::Effective) >= SIGN);
    }
}
