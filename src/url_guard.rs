//! Which network addresses a URL the bot fetches for a user (an ICS feed, a preset's picture) may
//! live at.
//!
//! Anyone can hand the bot a URL, and the bot fetches it from inside the operator's network, so by
//! default it must be on a public address: loopback, private (RFC 1918, unique-local), link-local
//! (cloud metadata at 169.254.169.254), shared (CGNAT), multicast and unspecified addresses are
//! refused. The check runs on every address a name resolves to, at connect time inside the HTTP
//! client (so a name that re-resolves to an internal address between check and fetch is caught too),
//! and on every redirect. Operators whose feeds or pictures live on an intranet opt in with
//! `LOTTO_ALLOW_PRIVATE_URLS=true` (older name: `LOTTO_ICS_ALLOW_PRIVATE`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether URLs on internal addresses may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressPolicy {
    #[default]
    PublicOnly,
    /// `LOTTO_ALLOW_PRIVATE_URLS=true`.
    AllowPrivate,
}

impl AddressPolicy {
    pub fn from_allow_private(allow: bool) -> Self {
        if allow {
            Self::AllowPrivate
        } else {
            Self::PublicOnly
        }
    }

    pub fn allows(self, ip: IpAddr) -> bool {
        self == Self::AllowPrivate || is_public(ip)
    }
}

/// Why an address was refused, as the end of a sentence.
pub const REFUSED_REASON: &str = "it points to a private or internal network address, which the bot \
    does not fetch (a bot admin can allow it with LOTTO_ALLOW_PRIVATE_URLS=true)";

/// An address anyone on the internet could reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared_cgnat = a == 100 && (64..128).contains(&b);
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || shared_cgnat
        || a == 0)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local())
}

/// Checks a URL whose host is an address literal (which skips name resolution) or `localhost`.
/// Names are checked by [`GuardedResolver`] when the client connects.
pub fn check_literal_host(url: &Url, policy: AddressPolicy) -> Result<(), &'static str> {
    if policy == AddressPolicy::AllowPrivate {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    let refused = match literal_ip(host) {
        Some(ip) => !policy.allows(ip),
        None => name == "localhost" || name.ends_with(".localhost"),
    };
    if refused { Err(REFUSED_REASON) } else { Ok(()) }
}

/// The address of a literal host (`127.0.0.1`, `[::1]`), or `None` for a name.
fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Resolves names with the system resolver and drops the addresses the policy refuses; a name left
/// with none fails to connect.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub policy: AddressPolicy,
}

#[derive(Debug, thiserror::Error)]
#[error("`{host}`: {REFUSED_REASON}")]
struct Refused {
    host: String,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.allows(a.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(Box::new(Refused { host }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Resolves `url`'s host now and refuses it if every address is internal, so a connect command can
/// say so at once instead of failing later with a connection error.
pub async fn check_resolved(url: &Url, policy: AddressPolicy) -> Result<(), &'static str> {
    check_literal_host(url, policy)?;
    if policy == AddressPolicy::AllowPrivate {
        return Ok(());
    }
    let Some(name) = url.host_str().filter(|h| literal_ip(h).is_none()) else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    match tokio::net::lookup_host((name, port)).await {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if !addrs.is_empty() && addrs.iter().all(|a| !policy.allows(a.ip())) {
                Err(REFUSED_REASON)
            } else {
                Ok(())
            }
        }
        // An unknown name fails the fetch itself, with the resolver's own words.
        Err(_) => Ok(()),
    }
}

/// An HTTP client for URLs a user gave: `timeout` bounds each whole request; with
/// [`AddressPolicy::PublicOnly`] names resolve through [`GuardedResolver`] (and not through a proxy,
/// which would resolve them itself) and redirects are checked too.
pub fn client_builder(
    timeout: std::time::Duration,
    policy: AddressPolicy,
) -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(std::time::Duration::from_secs(10)))
        .redirect(redirect_policy(policy));
    if policy == AddressPolicy::PublicOnly {
        builder = builder
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(GuardedResolver { policy }));
    }
    builder
}

/// At most five redirects, none to an address literal the policy refuses (names are checked by the
/// resolver when the redirected request connects).
fn redirect_policy(policy: AddressPolicy) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("the link redirected more than 5 times")
        } else if let Err(reason) = check_literal_host(attempt.url(), policy) {
            attempt.error(format!("a redirect was refused: {reason}"))
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip(internal)), "{internal}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "100.128.0.1"] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn literal_hosts_are_checked_unless_private_feeds_are_allowed() {
        let url = |s: &str| Url::parse(s).unwrap();
        let strict = AddressPolicy::PublicOnly;
        assert!(check_literal_host(&url("http://127.0.0.1:8080/a.ics"), strict).is_err());
        assert!(check_literal_host(&url("http://[::1]/a.ics"), strict).is_err());
        assert!(check_literal_host(&url("http://localhost/a.ics"), strict).is_err());
        assert!(check_literal_host(&url("https://cal.example.com/a.ics"), strict).is_ok());
        assert!(check_literal_host(&url("https://1.1.1.1/a.ics"), strict).is_ok());
        assert!(
            check_literal_host(&url("http://127.0.0.1/a.ics"), AddressPolicy::AllowPrivate).is_ok()
        );
    }

    #[tokio::test]
    async fn the_resolver_drops_internal_addresses() {
        let name = |s: &str| s.parse::<Name>().unwrap();
        let strict = GuardedResolver {
            policy: AddressPolicy::PublicOnly,
        };
        let refused = strict.resolve(name("localhost")).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("LOTTO_ALLOW_PRIVATE_URLS")),
            "localhost must be refused"
        );
        let open = GuardedResolver {
            policy: AddressPolicy::AllowPrivate,
        };
        let addrs: Vec<SocketAddr> = open.resolve(name("localhost")).await.unwrap().collect();
        assert!(addrs.iter().any(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
