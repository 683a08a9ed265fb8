//! todo-service: each user's todos, behind an auth check that asks auth-service about every
//! call, and an SMS to the owner of each new todo, queued in a durable outbox.

pub mod actions;
pub mod auth;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod error;
pub mod grpc;
pub mod keys;
pub mod outbox;
pub mod sms;
pub mod startup;
pub mod todos;

#[cfg(test)]
mod test_support;
