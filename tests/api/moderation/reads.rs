//! What the moderator reads: the tip in full, its internal notes (never
//! shown to the reporter), similar photos in other tips, and the protected
//! reads (originals, the reporter's number), each audited.

use serde_json::{Value, json};
use sha2::Digest;
use tipline::domain::Role;
use uuid::Uuid;

use crate::helpers::{
    CAMERA_PHOTO, CARD_PHONE, Desk, PHONE_PHOTO, by_receipt, error_code, id_of, ids, tiny_png,
    upload,
};

#[tokio::test]
async fn internal_notes_are_for_moderators_only() {
    let desk = Desk::open().await;
    let citizen = desk.citizen("13900139005").await;
    let theirs = desk.submit_as(&citizen, &tiny_png(), |_| {}).await;
    let theirs = id_of(&theirs["tip"]);
    let anon = desk.submit_as(&desk.reporter, &tiny_png(), |_| {}).await;
    let anon_id = id_of(&anon["tip"]);

    let secret = "Same printer as case 2024-117; suspect Wang";
    for id in [&theirs, &anon_id] {
        let r = desk
            .app
            .post_as(
                &format!("/v1/moderation/tips/{id}/notes"),
                &desk.moderator,
                json!({"body": secret}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let note: Value = r.json().await.unwrap();
        assert_eq!(note["author_id"], desk.moderator_id.to_string());
        // And a question, so the reporters' conversations are not empty.
        let version = desk.claim(id).await;
        desk.decide(
            id,
            "request-info",
            json!({"version": version, "question": "Any other numbers?"}),
        )
        .await;
    }
    let empty = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{theirs}/notes"),
            &desk.moderator,
            json!({"body": "   "}),
        )
        .await;
    assert_eq!(error_code(empty, 400).await, "request.invalid");
    let nowhere = desk
        .app
        .post_as(
            &format!("/v1/moderation/tips/{}/notes", Uuid::now_v7()),
            &desk.moderator,
            json!({"body": secret}),
        )
        .await;
    assert_eq!(error_code(nowhere, 404).await, "tip.not_found");

    let detail = desk.detail(&theirs).await;
    let notes = detail["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], secret);
    assert_eq!(notes[0]["author_id"], desk.moderator_id.to_string());

    // Whatever the reporter can read, the note is in none of it.
    let views = [
        desk.get(&citizen, &format!("/v1/tips/{theirs}")).await,
        desk.get(&citizen, &format!("/v1/tips/{theirs}/messages"))
            .await,
        desk.get(&citizen, "/v1/tips").await,
        by_receipt(&desk.app, &anon, "").await,
        by_receipt(&desk.app, &anon, "/messages").await,
    ];
    for view in &views {
        let text = view.to_string();
        assert!(!text.contains("2024-117"), "{text}");
        assert!(!text.contains("suspect"), "{text}");
    }
    assert_eq!(views[1][0]["body"], "Any other numbers?");
}

#[tokio::test]
async fn the_moderator_sees_the_tip_in_full_and_the_protected_reads_are_audited() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let phone_only = |b: &mut Value| {
        b["contacts"] = json!([{"kind": "phone", "value": "138 0013 8000"}]);
    };
    // An anonymous tip with the same number, already in a lead.
    let earlier = desk.tip(phone_only).await;
    let lead = desk.verify(&earlier).await;
    // Another one, still waiting.
    desk.tip(phone_only).await;
    // The citizen's tip under review, with a real photo.
    let citizen = desk.citizen("13900139006").await;
    let submitted = desk.submit_as(&citizen, CAMERA_PHOTO, phone_only).await;
    let id = id_of(&submitted["tip"]);

    let detail = desk.detail(&id).await;
    assert_eq!(detail["reporter"], json!({"anonymous": false}));
    assert_eq!(detail["status"], "submitted");
    assert_eq!(detail["category"], "illicit_card_ads");
    let photo = &detail["photos"][0];
    assert_eq!(
        photo["sha256"],
        hex::encode(sha2::Sha256::digest(CAMERA_PHOTO))
    );
    // One photo schema for every audience: the original's type as a media
    // type, as its uploader got it.
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(photo["byte_size"], CAMERA_PHOTO.len());
    for field in ["display_url", "thumbnail_url"] {
        let response = reqwest::get(photo[field].as_str().unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "{field}");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8], "{field} is a JPEG");
    }
    assert_eq!(
        detail["contacts"],
        json!([{"kind": "phone", "value": CARD_PHONE, "other_tips": 2, "leads": 1}])
    );
    assert_eq!(ids(&detail["suggested_leads"]), [lead.as_str()]);
    assert_eq!(detail["suggested_leads"][0]["status"], "open");
    let actions: Vec<&str> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tip.submit"]);
    assert_eq!(detail["audit"][0]["actor_kind"], "reporter");
    // Nothing in the detail names the citizen's account: that would link
    // their tips together without the audited call.
    let me = desk.get(&citizen, "/v1/me").await;
    let account = me["id"].as_str().unwrap();
    assert!(
        !detail.to_string().contains(account),
        "the reporter's account id is in the moderator's view"
    );
    assert_eq!(desk.detail(&earlier).await["reporter"]["anonymous"], true);

    // The original: a link whose bytes are the evidence, and an audit
    // event naming who looked.
    let media_id = photo["id"].as_str().unwrap();
    let link = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/media/{media_id}/original"),
        )
        .await;
    let bytes = reqwest::get(link["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), link["sha256"]);
    assert_eq!(link["sha256"], photo["sha256"]);
    let reads = desk
        .audit(
            &admin,
            &[
                ("object_kind", "media"),
                ("object_id", media_id),
                ("action", "media.read_original"),
            ],
        )
        .await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["actor_id"], desk.moderator_id.to_string());
    assert_eq!(reads[0]["actor_kind"], "user");
    // An upload no tip has taken is its uploader's alone.
    let loose = upload(&desk.app, &citizen, &tiny_png()).await;
    let r = desk
        .app
        .get_as(
            &format!(
                "/v1/moderation/media/{}/original",
                loose["id"].as_str().unwrap()
            ),
            &desk.moderator,
        )
        .await;
    assert_eq!(error_code(r, 404).await, "media.not_found");

    // The reporter's number: E.164, and audited.
    let contact = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/tips/{id}/reporter"),
        )
        .await;
    assert_eq!(
        contact,
        json!({"anonymous": false, "phone": "+8613900139006"})
    );
    let reads = desk
        .audit(
            &admin,
            &[("object_id", &id), ("action", "tip.read_reporter_contact")],
        )
        .await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["actor_id"], desk.moderator_id.to_string());
    let contact = desk
        .get(
            &desk.moderator,
            &format!("/v1/moderation/tips/{earlier}/reporter"),
        )
        .await;
    assert_eq!(contact, json!({"anonymous": true}));
    let reads = desk
        .audit(
            &admin,
            &[
                ("object_id", &earlier),
                ("action", "tip.read_reporter_contact"),
            ],
        )
        .await;
    assert_eq!(reads.len(), 1, "anonymous or not, the read is recorded");

    // The tip's own trail now shows the read.
    let detail = desk.detail(&id).await;
    let actions: Vec<&str> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tip.submit", "tip.read_reporter_contact"]);
}

/// `jpeg` decoded, shrunk to `percent` of its size and encoded again at a
/// lower quality: the same picture in other bytes, as a re-post would be.
fn shrunk_copy(jpeg: &[u8], percent: u32) -> Vec<u8> {
    use fast_image_resize as fr;
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let (new_width, new_height) = (width * percent / 100, height * percent / 100);
    let source =
        fr::images::Image::from_vec_u8(width, height, pixels, fr::PixelType::U8x3).unwrap();
    let mut target = fr::images::Image::new(new_width, new_height, fr::PixelType::U8x3);
    fr::Resizer::new()
        .resize(&source, &mut target, &fr::ResizeOptions::new())
        .unwrap();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 70)
        .encode(
            target.buffer(),
            new_width as u16,
            new_height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

#[tokio::test]
async fn the_same_picture_in_other_tips_is_pointed_out() {
    let desk = Desk::open().await;
    let copy = shrunk_copy(PHONE_PHOTO, 60);
    assert_ne!(copy, PHONE_PHOTO);

    let original = desk.submit_as(&desk.reporter, PHONE_PHOTO, |_| {}).await;
    let original = id_of(&original["tip"]);
    let resized = desk.submit_as(&desk.reporter, &copy, |_| {}).await;
    let resized = id_of(&resized["tip"]);
    let same_file = desk.submit_as(&desk.reporter, PHONE_PHOTO, |_| {}).await;
    let same_file = id_of(&same_file["tip"]);
    let unrelated = desk.submit_as(&desk.reporter, CAMERA_PHOTO, |_| {}).await;
    let unrelated = id_of(&unrelated["tip"]);

    let similar_of = |detail: &Value, other: &str| -> Option<Value> {
        detail["similar_photos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["other_tip_id"] == other)
            .cloned()
    };

    let detail = desk.detail(&resized).await;
    let found = similar_of(&detail, &original).expect("the resized copy names the original");
    assert_eq!(found["exact"], false);
    assert!(found["distance"].as_u64().unwrap() <= 10, "{found}");
    assert_eq!(found["media_id"], detail["photos"][0]["id"]);
    assert!(
        found["other_tip_reference"]
            .as_str()
            .unwrap()
            .starts_with("TL-")
    );
    let thumbnail = reqwest::get(found["other_thumbnail_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), 200);

    let detail = desk.detail(&same_file).await;
    let found = similar_of(&detail, &original).expect("the same file names the original");
    assert_eq!(found["exact"], true);
    assert_eq!(found["distance"], 0);

    let detail = desk.detail(&original).await;
    assert_eq!(similar_of(&detail, &same_file).unwrap()["exact"], true);
    assert_eq!(similar_of(&detail, &resized).unwrap()["exact"], false);
    assert!(similar_of(&detail, &original).is_none(), "not itself");

    let detail = desk.detail(&unrelated).await;
    assert_eq!(
        detail["similar_photos"],
        json!([]),
        "another picture looks like none of them"
    );
}

#[tokio::test]
async fn audited_reads_at_once_each_leave_one_event_in_an_unbroken_chain() {
    let desk = Desk::open().await;
    let (_, admin) = desk.staff("admin.one", Role::Admin).await;
    let (_, other) = desk.staff("mod.two", Role::Moderator).await;
    let citizen = desk.citizen("13900139007").await;
    let submitted = desk.submit_as(&citizen, PHONE_PHOTO, |_| {}).await;
    let id = id_of(&submitted["tip"]);
    let media = submitted["tip"]["photos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Two moderators, each reading the original and the reporter's number
    // twice, all at once: every read is answered and recorded.
    let original = format!("/v1/moderation/media/{media}/original");
    let reporter = format!("/v1/moderation/tips/{id}/reporter");
    let mut reads = Vec::new();
    for token in [&desk.moderator, &other] {
        for path in [&original, &reporter, &original, &reporter] {
            let request = desk.app.client.get(desk.app.url(path)).bearer_auth(token);
            reads.push(tokio::spawn(async move { request.send().await.unwrap() }));
        }
    }
    for read in reads {
        let response = read.await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
    let originals = desk
        .audit(&admin, &[("action", "media.read_original")])
        .await;
    assert_eq!(originals.len(), 4);
    let contacts = desk
        .audit(&admin, &[("action", "tip.read_reporter_contact")])
        .await;
    assert_eq!(contacts.len(), 4);
    let intact = tipline::store::audit::verify(&desk.app.state.db)
        .await
        .unwrap();
    assert!(intact.is_ok(), "the chain broke: {intact:?}");
}
