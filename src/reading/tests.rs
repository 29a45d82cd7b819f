//! The reader on the fixture cards of tests/fixtures/cards/ (made by
//! `scripts/make-cards --fixtures`; truth.json says what each carries).

use std::path::PathBuf;

use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cards")
}

/// A contact printed on a fixture card: kind, value, whether a QR code holds it.
type Printed = (String, String, bool);

/// Each fixture's file and contacts.
fn truth() -> Vec<(String, Vec<Printed>)> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("truth.json")).unwrap()).unwrap();
    json["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|photo| {
            let contacts = photo["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["kind"].as_str().unwrap().to_owned(),
                        c["value"].as_str().unwrap().to_owned(),
                        c["in_qr"].as_bool().unwrap(),
                    )
                })
                .collect();
            (photo["file"].as_str().unwrap().to_owned(), contacts)
        })
        .collect()
}

fn read(reader: &CardReader, file: &str) -> Vec<Found> {
    reader
        .read(&std::fs::read(fixtures().join(file)).unwrap())
        .unwrap()
}

fn key(f: &Found) -> (String, String) {
    (
        f.contact.kind().as_str().to_owned(),
        f.contact.value().to_owned(),
    )
}

#[test]
fn qr_codes_on_the_fixture_cards_are_read() {
    let reader = CardReader::new(None).unwrap();
    assert!(!reader.ocr_enabled());
    let truth = truth();
    assert!(truth.len() >= 5, "fixtures went missing");
    for (file, contacts) in truth {
        let found = read(&reader, &file);
        let from_qr: Vec<_> = found
            .iter()
            .filter(|f| f.source == Source::Qr)
            .map(key)
            .collect();
        let expected: Vec<_> = contacts
            .iter()
            .filter(|c| c.2)
            .map(|c| (c.0.clone(), c.1.clone()))
            .collect();
        assert_eq!(from_qr, expected, "{file}");
        for f in &found {
            assert!(f.confidence > 0.5 && f.confidence <= 1.0, "{file}: {f:?}");
            let r = f.region;
            assert!(r.x >= 0.0 && r.y >= 0.0 && r.x + r.width <= 1.0 && r.y + r.height <= 1.0);
            // A code on a card in the photo: a small part of it.
            assert!(r.width > 0.02 && r.width < 0.5 && r.height > 0.02 && r.height < 0.5);
        }
    }
}

#[test]
fn regions_are_of_the_upright_photo() {
    // 5-exif-rotated.jpg is 1-easy-qr.jpg stored on its side with EXIF
    // orientation 6: the code is found at the same place of the picture.
    let reader = CardReader::new(None).unwrap();
    let upright = read(&reader, "1-easy-qr.jpg");
    let rotated = read(&reader, "5-exif-rotated.jpg");
    assert_eq!(upright.len(), 1);
    assert_eq!(rotated.len(), 1);
    let (a, b) = (upright[0].region, rotated[0].region);
    let near = |x: f32, y: f32| (x - y).abs() < 0.03;
    assert!(
        near(a.x, b.x) && near(a.y, b.y) && near(a.width, b.width) && near(a.height, b.height),
        "{a:?} vs {b:?}"
    );
    // The code sits in the card's lower right corner, right of centre.
    assert!(a.x > 0.5 && a.y > 0.4, "{a:?}");
}

#[test]
fn what_is_not_a_photo_is_refused() {
    let reader = CardReader::new(None).unwrap();
    for bytes in [&b""[..], b"<html>", b"\xFF\xD8\xFF\xE0 truncated"] {
        assert!(matches!(reader.read(bytes), Err(ReadError::Image(_))));
    }
}

/// With `--features ocr` and the files of scripts/install-ocr in
/// target/ocr/: `scripts/install-ocr && cargo test --features ocr --lib reading`.
#[cfg(feature = "ocr")]
#[test]
fn printed_contacts_on_the_fixture_cards_are_read() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ocr");
    let reader = CardReader::new(Some(OcrFiles::in_dir(&dir)))
        .unwrap_or_else(|e| panic!("{e}: run scripts/install-ocr first"));
    assert!(reader.ocr_enabled());
    for (file, contacts) in truth() {
        let found = read(&reader, &file);
        let mut got: Vec<_> = found.iter().map(key).collect();
        got.sort();
        let mut expected: Vec<_> = contacts
            .iter()
            .map(|c| (c.0.clone(), c.1.clone()))
            .collect();
        expected.sort();
        assert_eq!(got, expected, "{file}");
        for f in found.iter().filter(|f| f.source == Source::Text) {
            // Text boxes lie on the card, which fills the middle of the photo.
            let r = f.region;
            assert!(
                r.x > 0.05 && r.x + r.width < 0.95 && r.y > 0.05 && r.y + r.height < 0.95,
                "{file}: {r:?}"
            );
        }
    }
}

#[cfg(feature = "ocr")]
#[test]
fn missing_ocr_files_are_an_error() {
    let Err(ReadError::Ocr(message)) =
        CardReader::new(Some(OcrFiles::in_dir(std::path::Path::new("/nonexistent"))))
    else {
        panic!("loaded OCR from nowhere");
    };
    assert!(message.contains("scripts/install-ocr"), "{message}");
}
