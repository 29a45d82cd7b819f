//! The blob store contract, run against the store the test run configured
//! (local files, or S3), and the signed URLs clients fetch photos by.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::Bytes;
use tipline::blob::{BlobError, BlobKey, BlobMeta};

use crate::helpers::{TestApp, error_code};

fn key(s: &str) -> BlobKey {
    BlobKey::parse(s).unwrap()
}

#[tokio::test]
async fn put_get_head_delete_behave_the_same_on_every_store() {
    let app = TestApp::spawn().await;
    let store = &app.state.blobs;
    let k = key("media/0192f0c2/original.jpg");

    assert_eq!(store.head(&k).await.unwrap(), None);
    assert!(matches!(store.get(&k).await, Err(BlobError::NotFound)));

    store
        .put(&k, Bytes::from_static(b"\xff\xd8first"), "image/jpeg")
        .await
        .unwrap();
    assert_eq!(
        store.head(&k).await.unwrap(),
        Some(BlobMeta {
            size: 7,
            content_type: "image/jpeg".into()
        })
    );
    let (bytes, meta) = store.get(&k).await.unwrap();
    assert_eq!(&bytes[..], b"\xff\xd8first");
    assert_eq!(meta.content_type, "image/jpeg");

    // A put replaces, type and all.
    store
        .put(&k, Bytes::from_static(b"\x89PNG second"), "image/png")
        .await
        .unwrap();
    let (bytes, meta) = store.get(&k).await.unwrap();
    assert_eq!(&bytes[..], b"\x89PNG second");
    assert_eq!(meta.content_type, "image/png");

    // Keys are independent.
    let other = key("media/0192f0c2/thumb.jpg");
    assert_eq!(store.head(&other).await.unwrap(), None);

    store.delete(&k).await.unwrap();
    assert_eq!(store.head(&k).await.unwrap(), None);
    assert!(matches!(store.get(&k).await, Err(BlobError::NotFound)));
    store
        .delete(&k)
        .await
        .expect("deleting a missing object is fine");
}

#[tokio::test]
async fn a_signed_url_returns_the_bytes_by_plain_http() {
    let app = TestApp::spawn().await;
    let k = key("media/abc/display.jpg");
    let photo: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    app.state
        .blobs
        .put(&k, Bytes::from(photo.clone()), "image/jpeg")
        .await
        .unwrap();

    let url = app
        .state
        .blobs
        .signed_url(&k, Duration::from_secs(300))
        .await
        .unwrap();
    if app.env.uses_s3() {
        assert!(
            url.contains("X-Amz-Signature="),
            "a presigned S3 URL: {url}"
        );
    } else {
        assert!(
            url.starts_with(&app.url("/v1/blobs/media/abc/display.jpg?")),
            "{url}"
        );
    }
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(response.bytes().await.unwrap().to_vec(), photo);
}

/// Changes the last hex digit of the signature in a URL.
fn tamper(url: &str) -> String {
    let (at, _) = url
        .char_indices()
        .rfind(|(_, c)| c.is_ascii_hexdigit())
        .unwrap();
    let mut out = url.to_owned();
    let flipped = if &url[at..=at] == "0" { "1" } else { "0" };
    out.replace_range(at..=at, flipped);
    out
}

#[tokio::test]
async fn tampered_expired_and_moved_urls_are_refused() {
    let app = TestApp::spawn().await;
    let secret = key("media/one/original.jpg");
    let public = key("media/two/display.jpg");
    for k in [&secret, &public] {
        app.state
            .blobs
            .put(k, Bytes::from_static(b"evidence"), "image/jpeg")
            .await
            .unwrap();
    }
    let fs = !app.env.uses_s3();

    // Tampered.
    let url = app
        .state
        .blobs
        .signed_url(&public, Duration::from_secs(300))
        .await
        .unwrap();
    assert!(url.ends_with(|c: char| c.is_ascii_hexdigit()), "{url}");
    let response = reqwest::get(tamper(&url)).await.unwrap();
    if fs {
        assert_eq!(error_code(response, 403).await, "blob.signature_invalid");
    } else {
        assert_eq!(response.status(), 403);
    }

    // A signature moved to another object's address.
    let moved = url.replace("media/two/display.jpg", "media/one/original.jpg");
    assert_ne!(moved, url);
    let response = reqwest::get(&moved).await.unwrap();
    if fs {
        assert_eq!(error_code(response, 403).await, "blob.signature_invalid");
    } else {
        assert_eq!(response.status(), 403);
    }

    // No signature at all.
    let bare = url.split('?').next().unwrap();
    let response = reqwest::get(bare).await.unwrap();
    assert!(
        response.status() == 403 || response.status() == 400,
        "{}",
        response.status()
    );
    assert_ne!(response.bytes().await.unwrap().as_ref(), b"evidence");

    // Expired: valid for a second, asked for after two.
    let short = app
        .state
        .blobs
        .signed_url(&public, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = reqwest::get(&short).await.unwrap();
    if fs {
        assert_eq!(error_code(response, 403).await, "blob.url_expired");
    } else {
        assert_eq!(response.status(), 403);
    }
}

/// Sends a request line as given, byte for byte (HTTP clients would resolve
/// `..` before sending it).
fn raw_get(addr: std::net::SocketAddr, target: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[tokio::test]
async fn dot_dot_in_a_key_is_refused() {
    let app = TestApp::spawn().await;
    if app.env.uses_s3() {
        eprintln!("the local-file store's route only; this run uses S3");
        return;
    }
    // A real signature for the secret's name would be the strongest attempt;
    // the key's rules refuse the path before any signature is looked at.
    let addr = app.addr;
    for target in [
        "/v1/blobs/../signing.key?expires=9999999999&signature=00",
        "/v1/blobs/media/../../signing.key?expires=9999999999&signature=00",
        "/v1/blobs/%2e%2e/signing.key?expires=9999999999&signature=00",
        "/v1/blobs/media%2F..%2F..%2Fsigning.key?expires=9999999999&signature=00",
        "/v1/blobs/.meta/x?expires=9999999999&signature=00",
    ] {
        let response = tokio::task::spawn_blocking(move || raw_get(addr, target))
            .await
            .unwrap();
        let status_line = response.lines().next().unwrap_or_default();
        assert!(
            status_line.starts_with("HTTP/1.1 400 "),
            "{target}: {status_line}"
        );
        assert!(
            response.contains("\"code\":\"blob.invalid_key\""),
            "{response}"
        );
    }
}
