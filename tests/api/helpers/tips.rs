//! What reporters send: photos (real ones with GPS in their EXIF, and a
//! tiny generated one), uploads, the body of a tip, and reading a tip back
//! through its receipt; and the small readers of ids and histories that
//! every area's assertions use.

use serde_json::{Value, json};

use super::TestApp;

/// A real phone's photo, with its GPS position in the EXIF.
pub const PHONE_PHOTO: &[u8] = include_bytes!("../../fixtures/phone-gps.jpg");

/// A camera's photo: EXIF orientation and a GPS position.
pub const CAMERA_PHOTO: &[u8] = include_bytes!("../../fixtures/gps-oriented.jpg");

/// The card's number as `tip_body` writes it, normalised.
pub const CARD_PHONE: &str = "+8613800138000";

/// One form part: field name, file name, declared type, bytes.
pub type Part<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// A multipart body by hand, so tests can send what no client library would.
pub fn form(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "tipline-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /v1/media` with these parts, and an `Idempotency-Key` if given.
pub async fn upload_parts(
    app: &TestApp,
    token: &str,
    parts: &[Part<'_>],
    key: Option<&str>,
) -> reqwest::Response {
    let (content_type, body) = form(parts);
    let mut request = app
        .client
        .post(app.url("/v1/media"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

/// Uploads `bytes` as a photo that must be taken; returns the media.
pub async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> Value {
    let response = upload_parts(
        app,
        token,
        &[("file", "photo.jpg", "image/jpeg", bytes)],
        None,
    )
    .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

pub fn tip_body(media_ids: &[&str]) -> Value {
    json!({
        "category": "illicit_card_ads",
        "description": "Cards on every windscreen in the car park",
        "location": {"lat": 39.9087, "lon": 116.3975, "accuracy_m": 12.0},
        "address": "Car park, Dongcheng",
        "contacts": [
            {"kind": "phone", "value": "138 0013 8000"},
            {"kind": "wechat", "value": "Lily_2024"}
        ],
        "media_ids": media_ids,
    })
}

/// A 2x2 PNG: the smallest photo the pipeline takes.
pub fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 2, 2);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[200; 12]).unwrap();
    writer.finish().unwrap();
    out
}

pub fn id_of(object: &Value) -> String {
    object["id"].as_str().unwrap().to_owned()
}

pub fn ids(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(id_of).collect()
}

/// An anonymous reporter's view of their tip, through the receipt.
pub async fn by_receipt(app: &TestApp, submitted: &Value, what: &str) -> Value {
    let code = submitted["receipt"]["code"].as_str().unwrap();
    let secret = submitted["receipt"]["secret"].as_str().unwrap();
    let response = app
        .client
        .get(app.url(&format!("/v1/receipts/{code}{what}")))
        .header("X-Receipt-Secret", secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// The states a tip went through, oldest first, from its `history`.
pub fn statuses_in_history(tip: &Value) -> Vec<String> {
    tip["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap().to_owned())
        .collect()
}
