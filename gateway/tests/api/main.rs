//! The gateway through its HTTP door: routes against in-process services, and the tutorial's
//! whole flow against the real binaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod end_to_end;
mod errors;
mod helpers;
mod limits;
mod logging;
mod routes;
