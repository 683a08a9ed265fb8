//! The OpenAPI description of the gateway, built from the route and body types, served at
//! `GET /openapi.json` for API tools and schema-driven fuzzers.

use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::routes::{health, session, todos};

/// Every error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A short, human message.
    pub error: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "todo gateway",
        description = "The tutorial's REST routes over the auth and todo gRPC services."
    ),
    paths(
        session::login,
        session::logout,
        session::refresh,
        todos::create,
        todos::list,
        todos::get,
        todos::update,
        todos::delete,
        health::healthz,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// `GET /openapi.json`.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
