//! Black-box tests: auth-service and todo-service on port 0, driven through tonic clients,
//! with a local fake standing in for Vonage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth_check;
mod helpers;
mod shutdown;
mod sms;
mod todos;
