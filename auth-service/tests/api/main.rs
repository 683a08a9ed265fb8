//! Black-box tests: the service on port 0, driven through a tonic client as users drive it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod helpers;
mod login;
mod logout;
mod redis_faults;
mod reflection;
mod refresh;
mod throttling;
mod verify;
