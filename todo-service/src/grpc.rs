//! The gRPC face of the service: proto in, domain call, proto out. No rules live here.

use std::sync::Arc;

use proto::todo::v1::todo_service_server::TodoService;
use proto::todo::v1::{
    CreateTodoRequest, DeleteTodoRequest, DeleteTodoResponse, GetTodoRequest, ListTodosRequest,
    ListTodosResponse, Todo as TodoProto, UpdateTodoRequest,
};
use tonic::{Request, Response, Status};
use tracing::Span;

use crate::actions::Todos;
use crate::auth::Caller;
use crate::todos::Todo;

/// Serves `todo.v1.TodoService`; every call has passed [`crate::auth::RequireAuth`].
#[derive(Clone)]
pub struct TodoRpc {
    todos: Arc<Todos>,
}

impl TodoRpc {
    pub fn new(todos: Arc<Todos>) -> Self {
        Self { todos }
    }
}

impl From<Todo> for TodoProto {
    fn from(todo: Todo) -> Self {
        Self {
            id: todo.id.to_string(),
            user_id: todo.user_id.to_string(),
            title: todo.title,
            completed: todo.completed,
            created_at: todo.created_at,
        }
    }
}

/// The verified caller the auth layer put on the request.
fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    let caller = request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| {
            tracing::error!("request reached a handler without the auth layer");
            Status::unauthenticated("invalid or expired token")
        })?;
    let span = Span::current();
    span.record("user_id", tracing::field::display(caller.user_id));
    span.record("session_id", tracing::field::display(caller.session_id));
    Ok(caller)
}

#[tonic::async_trait]
impl TodoService for TodoRpc {
    #[tracing::instrument(name = "CreateTodo", skip_all, fields(user_id, session_id))]
    async fn create_todo(
        &self,
        request: Request<CreateTodoRequest>,
    ) -> Result<Response<TodoProto>, Status> {
        let caller = caller(&request)?;
        let todo = self.todos.create(&caller, &request.get_ref().title).await?;
        Ok(Response::new(todo.into()))
    }

    #[tracing::instrument(name = "ListTodos", skip_all, fields(user_id, session_id))]
    async fn list_todos(
        &self,
        request: Request<ListTodosRequest>,
    ) -> Result<Response<ListTodosResponse>, Status> {
        let caller = caller(&request)?;
        let ListTodosRequest {
            page_size,
            page_token,
        } = request.get_ref();
        let (page, next) = self.todos.list(&caller, *page_size, page_token).await?;
        Ok(Response::new(ListTodosResponse {
            todos: page.todos.into_iter().map(Into::into).collect(),
            next_page_token: next.unwrap_or_default(),
        }))
    }

    #[tracing::instrument(name = "GetTodo", skip_all, fields(user_id, session_id))]
    async fn get_todo(
        &self,
        request: Request<GetTodoRequest>,
    ) -> Result<Response<TodoProto>, Status> {
        let caller = caller(&request)?;
        let todo = self.todos.get(&caller, &request.get_ref().id).await?;
        Ok(Response::new(todo.into()))
    }

    #[tracing::instrument(name = "UpdateTodo", skip_all, fields(user_id, session_id))]
    async fn update_todo(
        &self,
        request: Request<UpdateTodoRequest>,
    ) -> Result<Response<TodoProto>, Status> {
        let caller = caller(&request)?;
        let UpdateTodoRequest {
            id,
            title,
            completed,
        } = request.get_ref();
        let todo = self
            .todos
            .update(&caller, id, title.as_deref(), *completed)
            .await?;
        Ok(Response::new(todo.into()))
    }

    #[tracing::instrument(name = "DeleteTodo", skip_all, fields(user_id, session_id))]
    async fn delete_todo(
        &self,
        request: Request<DeleteTodoRequest>,
    ) -> Result<Response<DeleteTodoResponse>, Status> {
        let caller = caller(&request)?;
        self.todos.delete(&caller, &request.get_ref().id).await?;
        Ok(Response::new(DeleteTodoResponse {}))
    }
}
