//! `Tls` end to end: a loopback server that speaks TLS with a certificate of a private CA
//! and requires a client certificate of the same CA (mutual TLS). The material is in
//! `tests/tls/` (test-only; see its README).

use std::net::SocketAddr;
use std::sync::Arc;

use kassa_core::{Effect, Engine, Error, Method, Operation, Request, RetryPolicy, Sent, Tls};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

const CA: &[u8] = include_bytes!("tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("tls/server.key");
const CLIENT_CERT: &[u8] = include_bytes!("tls/client.pem");
const CLIENT_KEY: &[u8] = include_bytes!("tls/client.key");
const CLIENT_KEY_SEC1: &[u8] = include_bytes!("tls/client-sec1.key");

const READ: Operation = Operation::new("test", "status", Effect::Read);
const PAY: Operation = Operation::new("test", "pay", Effect::Once);
const BODY: &str = r#"{"status":"ok","balance":"100.00"}"#;

/// What the server saw of one connection: the request head and the client's certificate,
/// or why the handshake failed.
#[derive(Debug)]
enum Seen {
    Request { head: String, client_cert: Vec<u8> },
    HandshakeFailed(String),
}

/// A loopback TLS server on 127.0.0.1 answering every request with `body` (HTTP/1.1, 200,
/// JSON, connection closed after it). Each connection is reported on `seen`.
struct Server {
    addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Server {
    async fn start(body: Vec<u8>) -> Server {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(CA) {
            roots.add(cert.expect("CA PEM")).expect("CA certificate");
        }
        // Requires a client certificate signed by the CA (no anonymous clients).
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .expect("client verifier");
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(SERVER_CERT)
            .collect::<Result<_, _>>()
            .expect("server certificate PEM");
        let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).expect("server key PEM");
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, seen) = mpsc::unbounded_channel();
        let body: Arc<[u8]> = body.into();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, tx, body) = (acceptor.clone(), tx.clone(), body.clone());
                tokio::spawn(async move {
                    let _ = tx.send(serve(acceptor, tcp, &body).await);
                });
            }
        });
        Server { addr, seen }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// What the server saw of the next connection.
    async fn next(&mut self) -> Seen {
        self.seen
            .recv()
            .await
            .expect("the server reports every connection")
    }
}

async fn serve(acceptor: TlsAcceptor, tcp: tokio::net::TcpStream, body: &[u8]) -> Seen {
    let mut tls = match acceptor.accept(tcp).await {
        Ok(tls) => tls,
        Err(e) => return Seen::HandshakeFailed(e.to_string()),
    };
    let client_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match tls.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(answer.as_bytes()).await;
    let _ = tls.write_all(body).await;
    let _ = tls.shutdown().await;
    Seen::Request {
        head: String::from_utf8_lossy(&head).into_owned(),
        client_cert,
    }
}

fn der_of(pem: &[u8]) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem)
        .expect("certificate PEM")
        .to_vec()
}

fn engine(base: &str, tls: Tls) -> Engine {
    Engine::builder("test", base)
        .tls(tls)
        .retry(RetryPolicy::none())
        .build()
        .expect("engine")
}

fn identity(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[tokio::test]
async fn private_root_and_client_certificate_succeed() {
    let mut server = Server::start(BODY.as_bytes().to_vec()).await;
    // The identity in both orders and both key forms the docs promise.
    let identities = [
        (
            "certificate then PKCS#8 key",
            identity(&[CLIENT_CERT, CLIENT_KEY]),
        ),
        (
            "SEC1 key then certificate",
            identity(&[CLIENT_KEY_SEC1, CLIENT_CERT]),
        ),
    ];
    for (what, pem) in identities {
        let tls = Tls::new()
            .add_root_pem(CA)
            .identity_pem(pem)
            .only_added_roots();
        let resp = engine(&server.url(), tls)
            .execute(&Request::new(READ, Method::Get, "/balance"))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(resp.status, 200, "{what}");
        assert_eq!(resp.body, BODY.as_bytes(), "{what}");
        match server.next().await {
            Seen::Request { head, client_cert } => {
                assert!(
                    head.starts_with("GET /balance HTTP/1.1\r\n"),
                    "{what}: {head}"
                );
                assert_eq!(client_cert, der_of(CLIENT_CERT), "{what}: our certificate");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn without_the_private_root_the_server_is_not_trusted() {
    let mut server = Server::start(BODY.as_bytes().to_vec()).await;
    let tls = Tls::new().identity_pem(identity(&[CLIENT_CERT, CLIENT_KEY]));
    let err = engine(&server.url(), tls)
        .execute(&Request::new(READ, Method::Get, "/balance"))
        .await
        .expect_err("the server's CA is not trusted");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.was_sent(), Sent::No, "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "TLS handshake with 127.0.0.1:{} failed",
            server.addr.port()
        )),
        "{text}"
    );
    assert!(text.contains("certificate"), "{text}");
    assert!(text.contains("nothing was sent"), "{text}");
    match server.next().await {
        Seen::HandshakeFailed(_) => {}
        other => panic!("the server got a request: {other:?}"),
    }
}

#[tokio::test]
async fn without_a_client_certificate_the_server_refuses() {
    let mut server = Server::start(BODY.as_bytes().to_vec()).await;
    let tls = Tls::new().add_root_pem(CA).only_added_roots();
    // A read, and a payment sent once: the refusal is a failed handshake, not an outcome
    // to reconcile, though TLS 1.3 reports it only after the request was written.
    for op in [READ, PAY] {
        let name = op.name;
        let err = engine(&server.url(), tls.clone())
            .execute(&Request::new(op, Method::Post, "/pay"))
            .await
            .expect_err("the server wants a client certificate");
        assert!(matches!(err, Error::Transport { .. }), "{}: {err:?}", name);
        assert_eq!(err.was_sent(), Sent::No, "{err}");
        assert!(!err.may_have_taken_effect(), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "TLS handshake with 127.0.0.1:{} failed: the server refused our client certificate",
                server.addr.port()
            )),
            "{text}"
        );
        assert!(text.contains("nothing was sent"), "{text}");
        match server.next().await {
            Seen::HandshakeFailed(why) => {
                assert!(why.contains("no certificates"), "{why}")
            }
            other => panic!("the server took a request: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_provider_client_builder_takes_the_same_tls() {
    let fixture = kassa_testkit::Fixture::load("requisite-uz", "services", "ok");
    let mut server = Server::start(fixture.response_body()).await;
    let client = requisite_uz::Client::builder(server.url())
        .credentials("test-user", "test-password")
        .retry(RetryPolicy::none())
        .tls(
            Tls::new()
                .add_root_pem(CA)
                .identity_pem(identity(&[CLIENT_CERT, CLIENT_KEY]))
                .only_added_roots(),
        )
        .build()
        .expect("client");
    let services = client.services().await.expect("services over mutual TLS");
    let ids: Vec<u64> = services.iter().map(|s| s.id.0).collect();
    assert_eq!(ids, [34, 35, 33]);
    match server.next().await {
        Seen::Request { head, client_cert } => {
            assert!(
                head.starts_with("GET /api/v2/services HTTP/1.1\r\n"),
                "{head}"
            );
            assert!(
                head.to_ascii_lowercase()
                    .contains("authorization: basic dgvzdc11c2vyonrlc3qtcgfzc3dvcmq="),
                "{head}"
            );
            assert_eq!(client_cert, der_of(CLIENT_CERT));
        }
        other => panic!("{other:?}"),
    }
}
