//! Connection sets: which (protocol, destination port) combinations are allowed.
//!
//! Every verdict is carried as a set rather than a boolean because admin tiers
//! decide per port (an ANP can deny TCP/80, pass TCP/443 and leave the rest to
//! NetworkPolicy), and because the output grammar lists port ranges.

use std::fmt;

/// The protocols NetworkPolicy models. The order is np-guard's print order
/// (alphabetical), so deriving `Ord` sorts output correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Sctp,
    Tcp,
    Udp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Sctp => "SCTP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }

    /// Parses the API spelling (`TCP`, `UDP`, `SCTP`). The API server rejects
    /// other spellings, so lower case is accepted only for user queries via
    /// [`Protocol::parse_loose`].
    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Case-insensitive parse, for command-line queries.
    pub fn parse_loose(s: &str) -> Option<Protocol> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

/// A set of ports as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSet {
    ranges: Vec<(u16, u16)>,
}

impl PortSet {
    pub fn all() -> PortSet {
        PortSet {
            ranges: vec![(MIN_PORT, MAX_PORT)],
        }
    }

    /// The inclusive range `lo..=hi`, clamped to 1..=65535; empty when `lo > hi`.
    pub fn range(lo: u16, hi: u16) -> PortSet {
        let lo = lo.max(MIN_PORT);
        if lo > hi {
            return PortSet::default();
        }
        PortSet {
            ranges: vec![(lo, hi)],
        }
    }

    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_all(&self) -> bool {
        self.ranges == [(MIN_PORT, MAX_PORT)]
    }

    pub fn contains(&self, port: u16) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }

    pub fn union(&self, other: &PortSet) -> PortSet {
        if other.ranges.is_empty() {
            return self.clone();
        }
        if self.ranges.is_empty() {
            return other.clone();
        }
        let mut all: Vec<(u16, u16)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                // Adjacent ranges merge too: 1-5 and 6-9 are 1-9.
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        PortSet { ranges: out }
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[i];
            let (b_lo, b_hi) = other.ranges[j];
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortSet { ranges: out }
    }

    pub fn subtract(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        for &(lo, hi) in &self.ranges {
            let mut start = u32::from(lo);
            let end = u32::from(hi);
            for &(b_lo, b_hi) in &other.ranges {
                let (b_lo, b_hi) = (u32::from(b_lo), u32::from(b_hi));
                if b_hi < start || b_lo > end {
                    continue;
                }
                if b_lo > start {
                    out.push((start as u16, (b_lo - 1) as u16));
                }
                start = b_hi + 1;
                if start > end {
                    break;
                }
            }
            if start <= end {
                out.push((start as u16, end as u16));
            }
        }
        PortSet { ranges: out }
    }

    pub fn is_subset(&self, other: &PortSet) -> bool {
        self.subtract(other).is_empty()
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// Ports per protocol. The empty set is "No Connections".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnSet {
    ports: [PortSet; 3],
}

impl ConnSet {
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    pub fn all() -> ConnSet {
        ConnSet {
            ports: [PortSet::all(), PortSet::all(), PortSet::all()],
        }
    }

    pub fn from_ports(protocol: Protocol, ports: PortSet) -> ConnSet {
        let mut set = ConnSet::none();
        set.ports[protocol.index()] = ports;
        set
    }

    pub fn single(protocol: Protocol, port: u16) -> ConnSet {
        ConnSet::from_ports(protocol, PortSet::range(port, port))
    }

    pub fn ports(&self, protocol: Protocol) -> &PortSet {
        &self.ports[protocol.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.ports.iter().all(PortSet::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.ports.iter().all(PortSet::is_all)
    }

    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.ports[protocol.index()].contains(port)
    }

    fn zip(&self, other: &ConnSet, op: impl Fn(&PortSet, &PortSet) -> PortSet) -> ConnSet {
        ConnSet {
            ports: [
                op(&self.ports[0], &other.ports[0]),
                op(&self.ports[1], &other.ports[1]),
                op(&self.ports[2], &other.ports[2]),
            ],
        }
    }

    pub fn union(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, PortSet::union)
    }

    pub fn intersect(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, PortSet::intersect)
    }

    pub fn subtract(&self, other: &ConnSet) -> ConnSet {
        self.zip(other, PortSet::subtract)
    }

    pub fn is_subset(&self, other: &ConnSet) -> bool {
        self.subtract(other).is_empty()
    }

    /// Adds `other` in place (the common accumulation step).
    pub fn add(&mut self, other: &ConnSet) {
        if !other.is_empty() {
            *self = self.union(other);
        }
    }
}

/// np-guard's grammar: `All Connections`, `No Connections`, or
/// `SCTP 1-65535,TCP 80,8080-8090,UDP 53` (protocols alphabetical, ports merged).
impl fmt::Display for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        for protocol in Protocol::ALL {
            let ports = self.ports(protocol);
            if ports.is_empty() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{protocol} {ports}")?;
        }
        Ok(())
    }
}

/// Serializes as the np-guard text (`TCP 80,UDP 53`).
impl serde::Serialize for ConnSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ranges: &[(u16, u16)]) -> PortSet {
        ranges.iter().fold(PortSet::default(), |acc, &(lo, hi)| {
            acc.union(&PortSet::range(lo, hi))
        })
    }

    #[test]
    fn union_merges_overlapping_and_adjacent_ranges() {
        assert_eq!(
            set(&[(1, 5), (6, 9), (20, 30), (25, 40)]).ranges(),
            [(1, 9), (20, 40)]
        );
    }

    #[test]
    fn subtract_cuts_holes_and_edges() {
        let s = PortSet::all().subtract(&set(&[(1, 10), (53, 53), (65535, 65535)]));
        assert_eq!(s.ranges(), [(11, 52), (54, 65534)]);
        assert!(set(&[(5, 6)]).subtract(&set(&[(1, 100)])).is_empty());
    }

    #[test]
    fn intersect_of_interleaved_ranges() {
        let a = set(&[(1, 10), (20, 30)]);
        let b = set(&[(5, 25)]);
        assert_eq!(a.intersect(&b).ranges(), [(5, 10), (20, 25)]);
    }

    #[test]
    fn renders_in_npguard_grammar() {
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        assert_eq!(ConnSet::none().to_string(), "No Connections");
        let c = ConnSet::single(Protocol::Udp, 53)
            .union(&ConnSet::from_ports(
                Protocol::Tcp,
                set(&[(8000, 8090), (80, 80)]),
            ))
            .union(&ConnSet::from_ports(Protocol::Sctp, PortSet::all()));
        assert_eq!(c.to_string(), "SCTP 1-65535,TCP 80,8000-8090,UDP 53");
    }
}
