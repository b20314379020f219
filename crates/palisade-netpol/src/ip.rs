//! Addresses outside the pod network: CIDRs, ipBlocks with `except`, and the
//! partition of the address space into pieces that every block either fully
//! contains or fully misses.
//!
//! Both families are kept in one `u128` range type so that an IPv4 block can
//! never match IPv6 traffic by accident: ranges of different families never
//! overlap because the family is part of the value.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }

    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    pub family: Family,
    pub lo: u128,
    pub hi: u128,
}

impl IpRange {
    /// The whole space of one family.
    pub fn everything(family: Family) -> IpRange {
        IpRange {
            family,
            lo: 0,
            hi: family.max(),
        }
    }

    pub fn contains(&self, other: &IpRange) -> bool {
        self.family == other.family && self.lo <= other.lo && other.hi <= self.hi
    }

    pub fn overlaps(&self, other: &IpRange) -> bool {
        self.family == other.family && self.lo <= other.hi && other.lo <= self.hi
    }

    /// Parses `a.b.c.d/n`, an IPv6 CIDR, or a single address (a /32 or /128).
    /// `host_bits` tells whether the address had bits set below the prefix
    /// (accepted, as older API servers did, but worth a lint).
    pub fn parse_cidr(text: &str) -> Result<(IpRange, bool), String> {
        let text = text.trim();
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (text, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or CIDR"))?;
        let (family, value) = match ip {
            IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (Family::V6, u128::from(v6)),
        };
        let bits = family.bits();
        let len = match len {
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|&n| n <= bits)
                .ok_or_else(|| format!("{text:?} has an invalid prefix length"))?,
            None => bits,
        };
        let host = bits - len;
        let mask: u128 = if host == 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        let lo = value & !mask;
        Ok((
            IpRange {
                family,
                lo,
                hi: lo | mask,
            },
            value & mask != 0,
        ))
    }

    fn render_addr(family: Family, v: u128) -> String {
        match family {
            Family::V4 => Ipv4Addr::from(v as u32).to_string(),
            Family::V6 => Ipv6Addr::from(v).to_string(),
        }
    }
}

/// np-guard's form: `first-last`, dotted even for a single address or a CIDR.
impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            IpRange::render_addr(self.family, self.lo),
            IpRange::render_addr(self.family, self.hi)
        )
    }
}

/// `ipBlock: {cidr, except}`: the addresses in `cidr` and in none of `except`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: IpRange,
    pub except: Vec<IpRange>,
    /// The cidr as the policy writes it, when its address has bits set below the
    /// prefix (`10.0.0.1/24`): accepted, and read as the whole network.
    pub cidr_with_host_bits: Option<String>,
}

impl IpBlock {
    /// True when every address of `range` belongs to the block. On a partition
    /// piece this is the same as "some address belongs", since pieces are cut
    /// at every block boundary.
    pub fn contains_range(&self, range: &IpRange) -> bool {
        self.cidr.contains(range) && !self.except.iter().any(|e| e.overlaps(range))
    }

    /// The ranges whose ends cut the address space.
    pub fn boundaries(&self) -> impl Iterator<Item = &IpRange> {
        std::iter::once(&self.cidr).chain(&self.except)
    }
}

/// Cuts the whole space of `family` at every start and end of `ranges`.
/// With no range of that family the result is the whole space, one piece.
pub fn partition<'a>(
    family: Family,
    ranges: impl IntoIterator<Item = &'a IpRange>,
) -> Vec<IpRange> {
    let mut cuts: Vec<u128> = vec![0];
    for r in ranges.into_iter().filter(|r| r.family == family) {
        cuts.push(r.lo);
        if r.hi < family.max() {
            cuts.push(r.hi + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.iter()
        .enumerate()
        .map(|(i, &lo)| IpRange {
            family,
            lo,
            hi: cuts.get(i + 1).map_or(family.max(), |next| next - 1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> IpRange {
        IpRange::parse_cidr(s)
            .map(|(r, _)| r)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_cidrs_and_single_addresses() {
        assert_eq!(cidr("10.0.0.0/8").to_string(), "10.0.0.0-10.255.255.255");
        assert_eq!(cidr("1.2.3.4").to_string(), "1.2.3.4-1.2.3.4");
        assert_eq!(cidr("0.0.0.0/0").to_string(), "0.0.0.0-255.255.255.255");
        assert_eq!(IpRange::parse_cidr("10.0.0.1/8").map(|(_, h)| h), Ok(true));
        assert!(IpRange::parse_cidr("10.0.0.0/33").is_err());
        assert_eq!(cidr("2001:db8::/32").family, Family::V6);
    }

    #[test]
    fn except_removes_addresses_and_families_never_mix() {
        let block = IpBlock {
            cidr: cidr("10.0.0.0/8"),
            except: vec![cidr("10.1.0.0/16")],
            cidr_with_host_bits: None,
        };
        assert!(block.contains_range(&cidr("10.2.0.0/16")));
        assert!(!block.contains_range(&cidr("10.1.2.0/24")));
        assert!(!block.contains_range(&cidr("::/0")));
    }

    #[test]
    fn partition_cuts_at_every_boundary() {
        let pieces = partition(Family::V4, &[cidr("10.0.0.0/8"), cidr("10.1.0.0/16")]);
        let shown: Vec<String> = pieces.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0-10.0.255.255",
                "10.1.0.0-10.1.255.255",
                "10.2.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert_eq!(partition(Family::V4, &[]).len(), 1);
    }
}
