//! `POST /todo` and `/todos`, `GET /todos`, `GET/PATCH/DELETE /todos/{id}`: the caller's
//! todos. Each checks the bearer token before it looks at the body.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use proto::todo::v1::{
    CreateTodoRequest, DeleteTodoRequest, GetTodoRequest, ListTodosRequest, Todo, UpdateTodoRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{authenticated, bearer};
use crate::error::ApiError;
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::openapi::ErrorBody;
use crate::upstream::{Upstream, grpc_request};

#[derive(Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with a title")]
pub struct CreateBody {
    title: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with a title and/or completed")]
pub struct UpdateBody {
    title: Option<String>,
    completed: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[serde(expecting = "page_size and page_token parameters")]
pub struct ListQuery {
    #[serde(default)]
    page_size: i32,
    #[serde(default)]
    page_token: String,
}

/// A todo as JSON.
#[derive(Serialize, ToSchema)]
pub struct TodoBody {
    id: String,
    user_id: String,
    title: String,
    completed: bool,
    created_at: i64,
}

impl From<Todo> for TodoBody {
    fn from(todo: Todo) -> Self {
        Self {
            id: todo.id,
            user_id: todo.user_id,
            title: todo.title,
            completed: todo.completed,
            created_at: todo.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PageBody {
    todos: Vec<TodoBody>,
    next_page_token: String,
}

/// `POST /todo` (also `POST /todos`): 201 with the new todo; its owner gets an SMS.
#[utoipa::path(
    post, path = "/todo", tag = "todos", request_body = CreateBody, security(("bearer" = [])),
    responses(
        (status = 201, description = "created", body = TodoBody),
        (status = 401, description = "missing, expired or revoked token", body = ErrorBody),
        (status = 413, description = "body over 64 KiB", body = ErrorBody),
        (status = 415, description = "not application/json", body = ErrorBody),
        (status = 422, description = "malformed body or bad title", body = ErrorBody),
        (status = 503, description = "a service is down", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    body: Result<JsonBody<CreateBody>, ApiError>,
) -> Result<(StatusCode, Json<TodoBody>), ApiError> {
    let token = bearer(&headers)?;
    let JsonBody(body) = authenticated(&upstream, &headers, token, body).await?;
    let request = grpc_request(
        CreateTodoRequest { title: body.title },
        &headers,
        Some(token),
    );
    let todo = upstream
        .call(upstream.todos.clone().create_todo(request))
        .await?;
    Ok((StatusCode::CREATED, Json(todo.into())))
}

/// `GET /todos?page_size=&page_token=`: a page of the caller's todos, newest first.
#[utoipa::path(
    get, path = "/todos", tag = "todos", params(ListQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "a page", body = PageBody),
        (status = 401, description = "missing, expired or revoked token", body = ErrorBody),
        (status = 422, description = "bad page size or token", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    query: Result<QueryParams<ListQuery>, ApiError>,
) -> Result<Json<PageBody>, ApiError> {
    let token = bearer(&headers)?;
    let QueryParams(query) = authenticated(&upstream, &headers, token, query).await?;
    let message = ListTodosRequest {
        page_size: query.page_size,
        page_token: query.page_token,
    };
    let page = upstream
        .call(
            upstream
                .todos
                .clone()
                .list_todos(grpc_request(message, &headers, Some(token))),
        )
        .await?;
    Ok(Json(PageBody {
        todos: page.todos.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token,
    }))
}

/// `GET /todos/{id}`.
#[utoipa::path(
    get, path = "/todos/{id}", tag = "todos", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the todo", body = TodoBody),
        (status = 401, description = "missing, expired or revoked token", body = ErrorBody),
        (status = 404, description = "no such todo for this user", body = ErrorBody),
        (status = 422, description = "id is not a UUID", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn get(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    id: Result<PathId, ApiError>,
) -> Result<Json<TodoBody>, ApiError> {
    let token = bearer(&headers)?;
    let PathId(id) = authenticated(&upstream, &headers, token, id).await?;
    let request = grpc_request(GetTodoRequest { id }, &headers, Some(token));
    let todo = upstream
        .call(upstream.todos.clone().get_todo(request))
        .await?;
    Ok(Json(todo.into()))
}

/// `PATCH /todos/{id}` with `{"title"}`, `{"completed"}` or both.
#[utoipa::path(
    patch, path = "/todos/{id}", tag = "todos", params(("id" = String, Path)),
    request_body = UpdateBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "the updated todo", body = TodoBody),
        (status = 401, description = "missing, expired or revoked token", body = ErrorBody),
        (status = 404, description = "no such todo for this user", body = ErrorBody),
        (status = 422, description = "bad id, title or empty change", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn update(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    id: Result<PathId, ApiError>,
    body: Result<JsonBody<UpdateBody>, ApiError>,
) -> Result<Json<TodoBody>, ApiError> {
    let token = bearer(&headers)?;
    let (PathId(id), JsonBody(body)) = authenticated(
        &upstream,
        &headers,
        token,
        id.and_then(|id| Ok((id, body?))),
    )
    .await?;
    let message = UpdateTodoRequest {
        id,
        title: body.title,
        completed: body.completed,
    };
    let todo = upstream
        .call(
            upstream
                .todos
                .clone()
                .update_todo(grpc_request(message, &headers, Some(token))),
        )
        .await?;
    Ok(Json(todo.into()))
}

/// `DELETE /todos/{id}`: 204.
#[utoipa::path(
    delete, path = "/todos/{id}", tag = "todos", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "missing, expired or revoked token", body = ErrorBody),
        (status = 404, description = "no such todo for this user", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn delete(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    id: Result<PathId, ApiError>,
) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    let PathId(id) = authenticated(&upstream, &headers, token, id).await?;
    let request = grpc_request(DeleteTodoRequest { id }, &headers, Some(token));
    upstream
        .call(upstream.todos.clone().delete_todo(request))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
