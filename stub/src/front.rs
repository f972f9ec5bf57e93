//! A thin HTTP front before the dropshot server, for what dropshot's public
//! API cannot say.
//!
//! dropshot serialises a custom error type's body but gives it no way to set
//! headers, and its router answers unknown routes and methods in its own body
//! shape. FastAPI, and RFC 9110, want more: `WWW-Authenticate: Bearer` on a
//! 401, `Allow` on a 405, and `{"detail": "Not Found"}` /
//! `{"detail": "Method Not Allowed"}` bodies. The front listens on the
//! stub's public address, forwards every request unchanged to dropshot on a
//! private loopback port (each client connection gets one keep-alive
//! connection to dropshot, opened when the client connects and again if
//! dropshot closed it; bodies are streamed), and only touches 401, 404 and 405
//! answers. Everything else passes through as dropshot wrote it.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, watch};

use humm_config_api::allowed_methods;

type Body = BoxBody<Bytes, hyper::Error>;

/// The running front; dropping the sender stops it.
pub struct Front {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Front {
    /// Stops accepting, and waits for the accept loop to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Serves `listener`, forwarding to dropshot at `backend`.
pub fn serve(listener: TcpListener, backend: SocketAddr) -> std::io::Result<Front> {
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let (socket, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    // e.g. too many open files: keep serving the others,
                    // and give them a moment to close some
                    Err(_) => {
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                },
                _ = stopped.changed() => break,
            };
            let _ = socket.set_nodelay(true);
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                // The connection to dropshot is driven by this same task, so
                // that a request wakes one task on the way in and one on the
                // way out (a task of its own cost a fifth of the throughput).
                // HTTP/1 serves one request of a connection at a time, so the
                // lock is never contended.
                let (sender, upstream_connection) = match open(backend).await {
                    Some((sender, connection)) => (Some(sender), Some(connection)),
                    None => (None, None),
                };
                let upstream: Arc<Mutex<Option<SendRequest<Incoming>>>> = Arc::new(Mutex::new(sender));
                let service = hyper::service::service_fn(move |request| forward(upstream.clone(), backend, request));
                let connection = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(socket), service);
                // when dropshot closes it, `forward` opens another, on a task
                // of its own
                let upstream_connection = async move {
                    if let Some(connection) = upstream_connection {
                        let _ = connection.await;
                    }
                    std::future::pending::<()>().await;
                };
                tokio::pin!(connection, upstream_connection);
                tokio::select! {
                    _ = connection.as_mut() => {}
                    _ = upstream_connection.as_mut() => {}
                    _ = stopped.changed() => {
                        connection.as_mut().graceful_shutdown();
                        tokio::select! {
                            _ = connection.as_mut() => {}
                            _ = upstream_connection.as_mut() => {}
                        }
                    }
                }
            });
        }
    });
    Ok(Front { addr, stop, task })
}

async fn forward(
    upstream: Arc<Mutex<Option<SendRequest<Incoming>>>>,
    backend: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_string();
    let mut upstream = upstream.lock().await;
    // the previous answer's body is sent before the next request is read,
    // so a live connection is ready at once; a closed one is replaced
    let ready = match upstream.as_mut() {
        Some(sender) => sender.ready().await.is_ok(),
        None => false,
    };
    if !ready {
        *upstream = connect(backend).await;
    }
    let Some(sender) = upstream.as_mut() else {
        return Ok(fastapi_error(StatusCode::BAD_GATEWAY, "Bad Gateway"));
    };
    let Ok(response) = sender.send_request(request).await else {
        *upstream = None;
        return Ok(fastapi_error(StatusCode::BAD_GATEWAY, "Bad Gateway"));
    };
    drop(upstream);
    Ok(match response.status() {
        StatusCode::UNAUTHORIZED => {
            let mut response = response.map(|b| b.boxed());
            response
                .headers_mut()
                .insert(hyper::header::WWW_AUTHENTICATE, hyper::header::HeaderValue::from_static("Bearer"));
            response
        }
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => rewrite_routing_error(response, &path).await,
        _ => response.map(|b| b.boxed()),
    })
}

/// A keep-alive HTTP/1 connection to dropshot, driven by its own task.
async fn connect(backend: SocketAddr) -> Option<SendRequest<Incoming>> {
    let (sender, connection) = open(backend).await?;
    tokio::spawn(connection);
    Some(sender)
}

/// A keep-alive HTTP/1 connection to dropshot, and the future that drives it.
async fn open(
    backend: SocketAddr,
) -> Option<(SendRequest<Incoming>, hyper::client::conn::http1::Connection<TokioIo<TcpStream>, Incoming>)> {
    let stream = TcpStream::connect(backend).await.ok()?;
    let _ = stream.set_nodelay(true);
    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()
}

/// dropshot's router answers 404/405 in its own shape; a handler's 404 is
/// already FastAPI's and passes unchanged.
async fn rewrite_routing_error(response: Response<Incoming>, path: &str) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let is_fastapi = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| v.get("detail").is_some());
    let allowed = allowed_methods(path);
    let status = match (parts.status, allowed) {
        // dropshot's router found no route, but the spec has the path: the
        // method is what is wrong
        (StatusCode::NOT_FOUND, Some(_)) if !is_fastapi => StatusCode::METHOD_NOT_ALLOWED,
        (status, _) => status,
    };
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = allowed
        && let Ok(value) = methods.join(", ").parse()
    {
        parts.headers.insert(hyper::header::ALLOW, value);
    }
    if is_fastapi && status == parts.status {
        return Response::from_parts(parts, Full::new(bytes).map_err(|never| match never {}).boxed());
    }
    let detail = if status == StatusCode::METHOD_NOT_ALLOWED { "Method Not Allowed" } else { "Not Found" };
    let mut response = fastapi_error(status, detail);
    for (name, value) in
        parts.headers.iter().filter(|(n, _)| *n == hyper::header::ALLOW || n.as_str() == "x-request-id")
    {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response
}

fn fastapi_error(status: StatusCode, detail: &str) -> Response<Body> {
    let body = serde_json::json!({ "detail": detail }).to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)).map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}
