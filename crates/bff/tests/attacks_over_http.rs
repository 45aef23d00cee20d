//! The sign-in attacks again, over real HTTP against the real binary: `gatehouse serve` in SSO
//! mode, its trusted proxy played by a client socket bound to 127.0.0.2 and an outsider by one
//! on 127.0.0.1. Also the server's own limits: a slowloris connection, an idle keep-alive
//! connection and a bound on connections.

mod common;
#[path = "common/process.rs"]
mod process;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use process::{Killed, spawn_logged, wait_for_line};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const KEY: &str = "test-admin-key-over-http-0123456789abcdef";
const PROXY_IP: &str = "127.0.0.2";
const OUTSIDER_IP: &str = "127.0.0.1";

/// A sandbox and `gatehouse serve` in front of it, with `extra` flags.
struct Portal {
    _sandbox: Killed,
    _portal: Killed,
    addr: SocketAddr,
}

fn start(extra: &[&str]) -> Portal {
    let dir = common::tempdir();
    let (sandbox, sandbox_log) = spawn_logged(
        &dir,
        "sandbox",
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--admin-key",
            KEY,
            "--audit-events",
            "20",
        ],
        &[],
    );
    let upstream = wait_for_line(&sandbox_log, "Sandbox listening on ");
    let static_dir = dir.join("dist");
    std::fs::create_dir_all(&static_dir).expect("dist");
    std::fs::write(
        static_dir.join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .expect("index");
    let role_map = dir.join("roles.json");
    std::fs::write(
        &role_map,
        r#"{"owner": ["alice@acme.example"], "auditor": ["@acme.example"]}"#,
    )
    .expect("role map");
    let data = dir.join("data");
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["user", "add", "bob", "--role", "owner", "--data-dir"])
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("user add");
    std::io::Write::write_all(
        &mut add.stdin.take().expect("stdin"),
        b"bob-password-long\n",
    )
    .expect("password");
    assert!(add.wait().expect("wait").success());

    let static_arg = static_dir.to_string_lossy().into_owned();
    let data_arg = data.to_string_lossy().into_owned();
    let role_arg = role_map.to_string_lossy().into_owned();
    let mut args = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--static-dir",
        &static_arg,
        "--data-dir",
        &data_arg,
        "--archive",
        "off",
        "--auth-header",
        "X-Forwarded-Email",
        "--trusted-proxy",
        "127.0.0.2/32",
        "--role-map",
        &role_arg,
    ];
    args.extend_from_slice(extra);
    let (portal, portal_log) = spawn_logged(&dir, "portal", &args, &[("OPENAI_ADMIN_KEY", KEY)]);
    let url = wait_for_line(&portal_log, "Gatehouse is listening on ");
    let addr = url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    Portal {
        _sandbox: sandbox,
        _portal: portal,
        addr,
    }
}

/// A TCP connection to `portal` from the loopback address `from`.
async fn connect_from(from: &str, portal: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(from.parse().expect("ip"), 0))
        .expect("bind the client's address");
    socket.connect(portal).await.expect("connect")
}

/// One answer: status, headers and the body as JSON (or null).
struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    json: Value,
}

/// One HTTP request from `from` over its own connection.
async fn request(
    from: &str,
    portal: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let stream = connect_from(from, portal).await;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    tokio::spawn(connection);
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", portal.to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let request = builder
        .body(http_body_util::Full::new(axum::body::Bytes::from(
            body.unwrap_or_default().to_owned(),
        )))
        .expect("request");
    let response = sender.send_request(request).await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

#[tokio::test]
async fn sign_in_attacks_fail_against_the_real_server() {
    let portal = start(&[]);
    let at = portal.addr;
    let alice = [("x-forwarded-email", "alice@acme.example")];

    // The proxy vouches for Alice.
    let session = request(PROXY_IP, at, "GET", "/api/session", &alice, None).await;
    assert_eq!(session.status, 200, "{}", session.json);
    let csrf = session.json["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();

    // 1: an outsider's forged cookie names no session, for reads or writes.
    let forged = [
        (
            "cookie",
            "gatehouse_session=header:owner:alice@acme.example",
        ),
        ("x-csrf-token", csrf.as_str()),
    ];
    let read = request(OUTSIDER_IP, at, "GET", "/api/session", &forged, None).await;
    assert_eq!(read.status, 401, "{}", read.json);
    let write = request(
        OUTSIDER_IP,
        at,
        "POST",
        "/api/v1/organization/admin_api_keys",
        &forged,
        Some(r#"{"name":"backdoor"}"#),
    )
    .await;
    assert_eq!(write.status, 401, "{}", write.json);
    assert!(write.json["error"]["message"].is_string());
    // The identity header itself is ignored from outside the proxy's range.
    let outsider_claims = request(OUTSIDER_IP, at, "GET", "/api/session", &alice, None).await;
    assert_eq!(outsider_claims.status, 401);

    // 12: the identity header twice is refused, not resolved to either value.
    let doubled = request(
        PROXY_IP,
        at,
        "GET",
        "/api/session",
        &[
            ("x-forwarded-email", "bob@acme.example"),
            ("x-forwarded-email", "alice@acme.example"),
        ],
        None,
    )
    .await;
    assert_eq!(doubled.status, 401, "{}", doubled.json);

    // 4 and 7: a write through the proxy is journaled under the client the proxy names and the
    // request id it set.
    let users = request(
        PROXY_IP,
        at,
        "GET",
        "/api/v1/organization/users?limit=5",
        &alice,
        None,
    )
    .await;
    let user_id = users.json["data"][3]["id"]
        .as_str()
        .expect("a user")
        .to_owned();
    let path = format!("/api/v1/organization/users/{user_id}");
    let proxied = request(
        PROXY_IP,
        at,
        "POST",
        &path,
        &[
            alice[0],
            ("x-csrf-token", csrf.as_str()),
            ("x-forwarded-for", "198.51.100.7"),
            ("x-request-id", "edge-proxied-1"),
        ],
        Some(r#"{"role":"owner"}"#),
    )
    .await;
    assert_eq!(proxied.status, 200, "{}", proxied.json);

    // 4 and 7: an outsider with a real password session spoofs both headers; neither is believed.
    let signed_in = request(
        OUTSIDER_IP,
        at,
        "POST",
        "/api/session",
        &[("x-forwarded-for", "203.0.113.1")],
        Some(r#"{"username":"bob","password":"bob-password-long"}"#),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.json);
    let cookie = signed_in.headers["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let bob_csrf = signed_in.json["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let spoofed = request(
        OUTSIDER_IP,
        at,
        "POST",
        &path,
        &[
            ("cookie", cookie.as_str()),
            ("x-csrf-token", bob_csrf.as_str()),
            ("x-forwarded-for", "203.0.113.1"),
            ("x-request-id", "dup"),
        ],
        Some(r#"{"role":"reader"}"#),
    )
    .await;
    assert_eq!(spoofed.status, 200, "{}", spoofed.json);
    assert_ne!(spoofed.headers["x-request-id"], "dup");

    let journal = request(PROXY_IP, at, "GET", "/api/journal?limit=4", &alice, None).await;
    let rows = journal.json["data"].as_array().expect("rows").clone();
    assert_eq!(rows.len(), 4, "{}", journal.json);
    let (bobs, alices) = rows.split_at(2);
    for row in alices {
        assert_eq!(row["username"], "alice@acme.example", "{row}");
        assert_eq!(row["client"], "198.51.100.7", "{row}");
        assert_eq!(row["request_id"], "edge-proxied-1", "{row}");
    }
    for row in bobs {
        assert_eq!(row["username"], "bob", "{row}");
        assert_eq!(row["client"], OUTSIDER_IP, "{row}");
        assert_ne!(row["request_id"], "dup", "{row}");
    }
}

/// Waits until the server closes `stream` (it reads end-of-file or an error), or `limit`
/// passes, while `drip` writes one byte every 2 s when it is set; returns how long it took.
async fn closed_within(mut stream: TcpStream, drip: Option<&[u8]>, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut sent = 0;
    let mut buffer = [0_u8; 1024];
    loop {
        assert!(
            started.elapsed() < limit,
            "the connection is still open after {limit:?}"
        );
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return started.elapsed(),
            // Whatever the server says first (a 408, say), the connection must then end.
            Ok(Ok(_)) => {}
            Err(_) => {
                if let Some(bytes) = drip {
                    let byte = bytes[sent % bytes.len()];
                    if stream.write_all(&[byte]).await.is_err() {
                        return started.elapsed();
                    }
                    sent += 1;
                }
            }
        }
    }
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let portal = start(&[]);
    // Slowloris: a header trickling in one byte every 2 s.
    let slow = connect_from(OUTSIDER_IP, portal.addr).await;
    let took = closed_within(
        slow,
        Some(b"GET /healthz HTTP/1.1\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        Duration::from_secs(15),
    )
    .await;
    println!("a slowloris connection was closed after {took:?}");

    // A keep-alive connection left idle after one request.
    let mut idle = connect_from(OUTSIDER_IP, portal.addr).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("request");
    let mut buffer = [0_u8; 1024];
    let n = idle.read(&mut buffer).await.expect("answer");
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
    let took = closed_within(idle, None, Duration::from_secs(15)).await;
    println!("an idle keep-alive connection was closed after {took:?}");
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_for_a_free_one() {
    let portal = start(&["--max-connections", "2"]);
    let first = connect_from(OUTSIDER_IP, portal.addr).await;
    let _second = connect_from(OUTSIDER_IP, portal.addr).await;
    // Give the server a moment to take both.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut third = connect_from(OUTSIDER_IP, portal.addr).await;
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("request");
    let mut buffer = [0_u8; 1024];
    let waited = tokio::time::timeout(Duration::from_secs(1), third.read(&mut buffer)).await;
    assert!(waited.is_err(), "a third connection was served at once");
    drop(first);
    let n = tokio::time::timeout(Duration::from_secs(5), third.read(&mut buffer))
        .await
        .expect("served once a connection is free")
        .expect("read");
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_trickling_body_is_cut_off() {
    let portal = start(&["--body-timeout", "2s"]);
    let mut slow = connect_from(OUTSIDER_IP, portal.addr).await;
    slow.write_all(
        b"POST /api/session HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{",
    )
    .await
    .expect("headers");
    let took = closed_within(slow, Some(b"a"), Duration::from_secs(8)).await;
    println!("a trickling body was cut off after {took:?}");
}

/// A body dripping faster than the body timeout, one byte a second: each byte would restart an
/// idle timeout, so only a deadline for the whole body ends it.
#[tokio::test]
async fn a_body_dripping_faster_than_the_timeout_is_cut_off_at_the_deadline() {
    let portal = start(&["--body-timeout", "2s"]);
    let mut slow = connect_from(OUTSIDER_IP, portal.addr).await;
    slow.write_all(
        b"POST /api/session HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{",
    )
    .await
    .expect("headers");
    let started = Instant::now();
    let mut buffer = [0_u8; 1024];
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "a body dripping a byte a second is still open after 6 s (its deadline is 2 s)"
        );
        match tokio::time::timeout(Duration::from_secs(1), slow.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(_)) => {}
            Err(_) => {
                if slow.write_all(b" ").await.is_err() {
                    break;
                }
            }
        }
    }
    println!(
        "a body dripping a byte a second was cut off after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let portal = start(&["--max-connections-per-client", "2"]);
    let _first = connect_from(OUTSIDER_IP, portal.addr).await;
    let _second = connect_from(OUTSIDER_IP, portal.addr).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A third from the same address is closed at once.
    let third = connect_from(OUTSIDER_IP, portal.addr).await;
    closed_within(third, None, Duration::from_secs(3)).await;
    // The trusted proxy carries everyone, so it is not held to the per-address bound.
    let mut proxied = Vec::new();
    for _ in 0..3 {
        proxied.push(connect_from(PROXY_IP, portal.addr).await);
    }
    let answer = request(PROXY_IP, portal.addr, "GET", "/healthz", &[], None).await;
    assert_eq!(answer.status, 200);
}
