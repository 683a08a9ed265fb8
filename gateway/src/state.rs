//! What every route shares: the upstream clients and the trusted proxies.

use axum::extract::FromRef;

use crate::client_addr::TrustedProxies;
use crate::upstream::Upstream;

/// The router's state; routes take the part they need.
#[derive(Clone)]
pub struct AppState {
    pub upstream: Upstream,
    pub proxies: TrustedProxies,
}

impl AppState {
    pub fn new(upstream: Upstream, proxies: TrustedProxies) -> Self {
        Self { upstream, proxies }
    }
}

impl FromRef<AppState> for Upstream {
    fn from_ref(state: &AppState) -> Self {
        state.upstream.clone()
    }
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.proxies.clone()
    }
}
