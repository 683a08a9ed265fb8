//! The end user's address, for login throttling: the peer's, or, when the peer is a trusted
//! proxy, the nearest untrusted address in `X-Forwarded-For`.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpAddr>);

impl TrustedProxies {
    /// Parses a comma-separated list of IP addresses.
    ///
    /// # Errors
    /// A message naming the entry that is not an IP address.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse()
                    .map_err(|_| format!("`{entry}` in TRUSTED_PROXIES is not an IP address"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }

    /// The client behind `peer`: walks `X-Forwarded-For` from the right while the hop is
    /// trusted; the first untrusted (or unparseable) hop ends the walk.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(address) => {
                    client = address;
                    if !self.trusts(address) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let proxies = TrustedProxies::parse("10.0.0.1").unwrap();
        let peer: IpAddr = "198.51.100.4".parse().unwrap();
        assert_eq!(proxies.client(peer, &forwarded("203.0.113.5")), peer);
    }

    #[test]
    fn a_trusted_proxy_chain_is_walked_from_the_right() {
        let proxies = TrustedProxies::parse("10.0.0.1, 10.0.0.2").unwrap();
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        let headers = forwarded("1.2.3.4, 203.0.113.5, 10.0.0.2");
        assert_eq!(
            proxies.client(peer, &headers),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxies.client(peer, &HeaderMap::new()), peer);
        assert_eq!(proxies.client(peer, &forwarded("garbage")), peer);
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = TrustedProxies::parse("10.0.0.1, proxy.local").unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
    }
}
