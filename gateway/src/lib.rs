//! gateway: the tutorial's REST routes over HTTP/JSON, each translated to gRPC calls on
//! auth-service and todo-service; and the embedded mode that runs all three in one process.

pub mod cli;
pub mod client_addr;
pub mod config;
pub mod embedded;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod request_id;
pub mod routes;
pub mod startup;
pub mod state;
pub mod upstream;
