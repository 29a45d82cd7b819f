//! Accounts and sessions over HTTP: register, log in, refresh, sign out,
//! change passwords, staff management, and the tokens that are refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tipline::domain::Role;

use crate::helpers::{
    JWT_KID, JWT_SECRET, TestApp, TestEnv, access_token, anonymous, error_code, tiny_png, tip_body,
    upload,
};

fn refresh_token(pair: &Value) -> String {
    pair["refresh_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn register_login_me_refresh_logout() {
    let app = TestApp::spawn().await;
    let registered = app
        .register("+86 138 0013 8000", "correct horse battery")
        .await;
    assert_eq!(registered["token_type"], "Bearer");
    assert_eq!(registered["expires_in"], 900);
    assert_eq!(registered["user"]["role"], "citizen");
    assert_eq!(registered["user"]["phone"], "+8613800138000");

    // Every usual spelling of the number is the same account.
    let mut ids = Vec::new();
    for spelling in [
        "13800138000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086-138-0013-8000",
    ] {
        let pair = app.login(spelling, "correct horse battery").await;
        ids.push(pair["user"]["id"].clone());
    }
    assert!(
        ids.iter().all(|id| *id == registered["user"]["id"]),
        "{ids:?}"
    );

    let pair = app.login("13800138000", "correct horse battery").await;
    let me = app.get_as("/v1/me", &access_token(&pair)).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], registered["user"]["id"]);
    assert_eq!(me["role"], "citizen");

    let refreshed = app
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&pair)}),
        )
        .await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: Value = refreshed.json().await.unwrap();
    assert_ne!(refresh_token(&refreshed), refresh_token(&pair));
    assert_eq!(
        app.get_as("/v1/me", &access_token(&refreshed))
            .await
            .status(),
        200
    );

    let out = app
        .post(
            "/v1/auth/logout",
            json!({"refresh_token": refresh_token(&refreshed)}),
        )
        .await;
    assert_eq!(out.status(), 204);
    let after = app
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&refreshed)}),
        )
        .await;
    assert_eq!(error_code(after, 401).await, "auth.refresh_invalid");

    // The stored hash is argon2id.
    let user = tipline::store::users::find_by_phone(
        &app.state.db,
        &tipline::domain::MobileNumber::parse("13800138000").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        user.password_hash.starts_with("$argon2id$"),
        "{}",
        user.password_hash
    );
}

#[tokio::test]
async fn registration_is_checked() {
    let app = TestApp::spawn().await;
    app.register("13900139000", "a fine password").await;
    let again = app
        .post(
            "/v1/auth/register",
            json!({"phone": "+86 139 0013 9000", "password": "another one!"}),
        )
        .await;
    assert_eq!(error_code(again, 409).await, "user.phone_taken");

    // What the schema states (the number's form, the password's length) is
    // a 400; what it cannot (the password is the number) a 422.
    for (phone, password, status, code) in [
        ("12345", "a fine password", 400, "request.invalid"),
        ("+1 415 555 0100", "a fine password", 400, "request.invalid"),
        ("13700137000", "short", 400, "request.invalid"),
        ("13700137000", "13700137000", 422, "user.weak_password"),
        ("13700137000", "137-0013-7000", 422, "user.weak_password"),
    ] {
        let response = app
            .post(
                "/v1/auth/register",
                json!({"phone": phone, "password": password}),
            )
            .await;
        assert_eq!(
            error_code(response, status).await,
            code,
            "{phone} / {password}"
        );
    }
}

#[tokio::test]
async fn unknown_user_and_wrong_password_answer_byte_identically() {
    let app = TestApp::spawn().await;
    app.register("13600136000", "the right password").await;
    let attempt = |login: &'static str| {
        app.client
            .post(app.url("/v1/auth/login"))
            .header("X-Request-Id", "same-request-id")
            .json(&json!({"login": login, "password": "the wrong password"}))
            .send()
    };
    let wrong_password = attempt("13600136000").await.unwrap();
    let unknown_user = attempt("13500135000").await.unwrap();
    let unknown_staff = attempt("nobody.here").await.unwrap();
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_user.status(), 401);
    assert_eq!(unknown_staff.status(), 401);
    let a = wrong_password.bytes().await.unwrap();
    let b = unknown_user.bytes().await.unwrap();
    let c = unknown_staff.bytes().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(String::from_utf8_lossy(&a).contains("auth.invalid_credentials"));
}

#[tokio::test]
async fn a_replayed_refresh_token_revokes_its_family() {
    let app = TestApp::spawn().await;
    let first = app.register("13300133000", "a fine password").await;
    let old = refresh_token(&first);
    let rotated: Value = app
        .post("/v1/auth/refresh", json!({"refresh_token": old}))
        .await
        .json()
        .await
        .unwrap();
    let new = refresh_token(&rotated);

    // Past the moment a lost answer could explain it, the old token again
    // is a replay.
    app.state
        .clock
        .advance(tipline::accounts::REFRESH_RETRY_GRACE + chrono::Duration::seconds(1));
    let replay = app
        .post("/v1/auth/refresh", json!({"refresh_token": old}))
        .await;
    assert_eq!(error_code(replay, 401).await, "auth.refresh_invalid");
    // The thief's replay cost the owner's newer token too.
    let owner = app
        .post("/v1/auth/refresh", json!({"refresh_token": new}))
        .await;
    assert_eq!(error_code(owner, 401).await, "auth.refresh_invalid");
    // A separate sign-in (another family) is untouched.
    let other = app.login("13300133000", "a fine password").await;
    let fine = app
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": refresh_token(&other)}),
        )
        .await;
    assert_eq!(fine.status(), 200);
}

/// A page that went away while its refresh was in flight never got the
/// new token; presenting the old one again at once is a retry, not a theft.
#[tokio::test]
async fn a_refresh_whose_answer_was_lost_may_be_retried_at_once() {
    let app = TestApp::spawn().await;
    let first = app.register("13300133001", "a fine password").await;
    let old = refresh_token(&first);
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post("/v1/auth/refresh", json!({"refresh_token": token}))
                .await
        }
    };
    let lost = refresh(old.clone()).await;
    assert_eq!(lost.status(), 200);
    let lost = refresh_token(&lost.json::<Value>().await.unwrap());
    let retried = refresh(old.clone()).await;
    assert_eq!(retried.status(), 200);
    let kept = refresh_token(&retried.json::<Value>().await.unwrap());
    // The answer that never arrived is worth nothing now; the retry's is.
    let stale = refresh(lost).await;
    assert_eq!(error_code(stale, 401).await, "auth.refresh_invalid");
    let next = refresh(kept).await;
    assert_eq!(next.status(), 200);
    // Once the newer token was used, the old one again is a replay: the
    // whole family ends.
    let replay = refresh(old).await;
    assert_eq!(error_code(replay, 401).await, "auth.refresh_invalid");
    let after = refresh(refresh_token(&next.json::<Value>().await.unwrap())).await;
    assert_eq!(error_code(after, 401).await, "auth.refresh_invalid");
}

#[tokio::test]
async fn logout_everywhere_and_password_change_end_every_session() {
    let app = TestApp::spawn().await;
    let phone_a = app.register("13200132000", "first password").await;
    let phone_b = app.login("13200132000", "first password").await;

    let out = app
        .post_as("/v1/auth/logout-all", &access_token(&phone_a), json!({}))
        .await;
    assert_eq!(out.status(), 204);
    for pair in [&phone_a, &phone_b] {
        assert_eq!(
            error_code(app.get_as("/v1/me", &access_token(pair)).await, 401).await,
            "auth.unauthorized"
        );
        let refresh = app
            .post(
                "/v1/auth/refresh",
                json!({"refresh_token": refresh_token(pair)}),
            )
            .await;
        assert_eq!(refresh.status(), 401);
    }

    let a = app.login("13200132000", "first password").await;
    let b = app.login("13200132000", "first password").await;
    let wrong = app
        .post_as(
            "/v1/me/password",
            &access_token(&a),
            json!({"current_password": "nope nope", "new_password": "second password"}),
        )
        .await;
    assert_eq!(error_code(wrong, 422).await, "user.wrong_password");
    let changed = app
        .post_as(
            "/v1/me/password",
            &access_token(&a),
            json!({"current_password": "first password", "new_password": "second password"}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let fresh: Value = changed.json().await.unwrap();
    assert_eq!(
        app.get_as("/v1/me", &access_token(&fresh)).await.status(),
        200
    );
    for pair in [&a, &b] {
        assert_eq!(
            app.get_as("/v1/me", &access_token(pair)).await.status(),
            401
        );
        let refresh = app
            .post(
                "/v1/auth/refresh",
                json!({"refresh_token": refresh_token(pair)}),
            )
            .await;
        assert_eq!(refresh.status(), 401);
    }
    let old = app
        .post(
            "/v1/auth/login",
            json!({"login": "13200132000", "password": "first password"}),
        )
        .await;
    assert_eq!(old.status(), 401);
    app.login("13200132000", "second password").await;
}

fn forge(header: &Header, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn header(kid: &str) -> Header {
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(kid.to_owned());
    h
}

#[tokio::test]
async fn forged_expired_and_revoked_tokens_are_401() {
    let app = TestApp::spawn().await;
    let (moderator_id, moderator) = app.staff("mod.zhang", Role::Moderator, None).await;
    let (_, admin) = app.staff("admin.li", Role::Admin, None).await;
    let now = chrono::Utc::now().timestamp();
    let good = json!({
        "iss": "tipline", "aud": "tipline", "sub": moderator_id.to_string(),
        "iat": now, "exp": now + 600, "role": "moderator", "tv": 0
    });
    let with = |key: &str, value: Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let without = |key: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(key);
        claims
    };

    // The forger holds the real key: so every refusal below is for the
    // reason named, not for the signature.
    let control = forge(&header(JWT_KID), &good, JWT_SECRET);
    assert_eq!(
        app.get_as("/v1/me", &control).await.status(),
        200,
        "the control token"
    );

    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"test-k1"}"#);
    let cases = [
        ("alg none", format!("{none_header}.{payload}.")),
        (
            "HS256 with a wrong key",
            forge(
                &header(JWT_KID),
                &good,
                "a-wrong-key-0123456789abcdef-0123456",
            ),
        ),
        (
            "no aud",
            forge(&header(JWT_KID), &without("aud"), JWT_SECRET),
        ),
        (
            "another aud",
            forge(
                &header(JWT_KID),
                &with("aud", json!("someone-else")),
                JWT_SECRET,
            ),
        ),
        (
            "wrong iss",
            forge(&header(JWT_KID), &with("iss", json!("evil")), JWT_SECRET),
        ),
        (
            "no sub",
            forge(&header(JWT_KID), &without("sub"), JWT_SECRET),
        ),
        (
            "expired beyond leeway",
            forge(&header(JWT_KID), &with("exp", json!(now - 120)), JWT_SECRET),
        ),
        (
            "exp as a string",
            forge(
                &header(JWT_KID),
                &with("exp", json!((now + 600).to_string())),
                JWT_SECRET,
            ),
        ),
        (
            "no exp",
            forge(&header(JWT_KID), &without("exp"), JWT_SECRET),
        ),
        (
            "unknown kid",
            forge(&header("other-kid"), &good, JWT_SECRET),
        ),
        (
            "no kid",
            forge(&Header::new(Algorithm::HS256), &good, JWT_SECRET),
        ),
        (
            "stale token version",
            forge(&header(JWT_KID), &with("tv", json!(-1)), JWT_SECRET),
        ),
        (
            "role not the account's",
            forge(&header(JWT_KID), &with("role", json!("admin")), JWT_SECRET),
        ),
        ("not a JWT", "not.a.jwt".to_owned()),
    ];
    for (why, token) in cases {
        let response = app.get_as("/v1/me", &token).await;
        assert_eq!(
            error_code(response, 401).await,
            "auth.unauthorized",
            "{why}"
        );
    }

    // An anonymous reporter's token is no credential on a staff endpoint.
    let anonymous = anonymous(&app).await;
    let response = app.get_as("/v1/admin/users", &anonymous).await;
    assert_eq!(error_code(response, 401).await, "auth.unauthorized");
    // A well-formed anonymous token (its audience, its role) is refused by
    // the extractor itself on an operation that takes only accounts.
    let mut anon_claims = good.clone();
    anon_claims["aud"] = json!("tipline-anonymous");
    anon_claims["role"] = json!("anonymous");
    anon_claims.as_object_mut().unwrap().remove("tv");
    let response = app
        .get_as("/v1/me", &forge(&header(JWT_KID), &anon_claims, JWT_SECRET))
        .await;
    assert_eq!(error_code(response, 401).await, "auth.unauthorized");

    // Demoted: the moderator's unexpired token stops working at once.
    assert_eq!(app.get_as("/v1/me", &moderator).await.status(), 200);
    let demote = app
        .patch_as(
            &format!("/v1/admin/users/{moderator_id}"),
            &admin,
            json!({"role": "unit_officer", "unit_id": app.unit().await}),
        )
        .await;
    assert_eq!(demote.status(), 200, "{}", demote.text().await.unwrap());
    assert_eq!(
        error_code(app.get_as("/v1/me", &moderator).await, 401).await,
        "auth.unauthorized"
    );

    // Disabled: the same.
    let (officer_id, officer) = app
        .staff("officer.wang", Role::UnitOfficer, Some(app.unit().await))
        .await;
    assert_eq!(app.get_as("/v1/me", &officer).await.status(), 200);
    let disable = app
        .patch_as(
            &format!("/v1/admin/users/{officer_id}"),
            &admin,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(disable.status(), 200);
    assert_eq!(
        error_code(app.get_as("/v1/me", &officer).await, 401).await,
        "auth.unauthorized"
    );
    let login = app
        .post(
            "/v1/auth/login",
            json!({"login": "officer.wang", "password": "staff password 123"}),
        )
        .await;
    assert_eq!(error_code(login, 401).await, "auth.invalid_credentials");
}

#[tokio::test]
async fn admins_manage_staff_accounts() {
    let app = TestApp::spawn().await;
    let (admin_id, admin) = app.staff("root.admin", Role::Admin, None).await;
    let unit = app.unit().await;
    let create = |body: Value| app.post_as("/v1/admin/users", &admin, body);

    let created =
        create(json!({"username": "Mod.Chen", "password": "moderator pass", "role": "moderator"}))
            .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["username"], "mod.chen",
        "usernames are case-insensitive"
    );
    app.login("MOD.CHEN", "moderator pass").await;

    let taken =
        create(json!({"username": "mod.chen", "password": "moderator pass", "role": "admin"}))
            .await;
    assert_eq!(error_code(taken, 409).await, "user.username_taken");
    let no_unit =
        create(json!({"username": "off.a", "password": "officer pass", "role": "unit_officer"}))
            .await;
    assert_eq!(error_code(no_unit, 422).await, "user.invalid_unit");
    let citizen =
        create(json!({"username": "cit.a", "password": "citizen pass", "role": "citizen"})).await;
    assert_eq!(error_code(citizen, 400).await, "request.invalid");
    let bad_name =
        create(json!({"username": "13800138000", "password": "a password", "role": "moderator"}))
            .await;
    assert_eq!(error_code(bad_name, 400).await, "request.invalid");
    let officer = create(json!({"username": "off.b", "password": "officer pass", "role": "unit_officer", "unit_id": unit})).await;
    assert_eq!(officer.status(), 201);

    // Keyset pages, filters.
    app.register("13100131000", "citizen password").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/admin/users?limit=2&cursor={c}"),
            None => "/v1/admin/users?limit=2".to_owned(),
        };
        let page: Value = app.get_as(&path, &admin).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
            if item["role"] == "citizen" {
                assert_eq!(item["phone_masked"], "+86*******1000");
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    // admin (first start) + root.admin + mod.chen + off.b + the citizen.
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "no duplicates across pages");
    let officers: Value = app
        .get_as(
            &format!("/v1/admin/users?role=unit_officer&unit_id={unit}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(officers["items"].as_array().unwrap().len(), 1);
    let bad_cursor = app.get_as("/v1/admin/users?cursor=nonsense!", &admin).await;
    assert_eq!(error_code(bad_cursor, 422).await, "request.invalid_cursor");
    let too_many = app.get_as("/v1/admin/users?limit=1000", &admin).await;
    assert_eq!(error_code(too_many, 400).await, "request.invalid");

    // The other admins (the first-start one among them) can be disabled,
    // but not the last one standing.
    let all: Value = app
        .get_as("/v1/admin/users?role=admin", &admin)
        .await
        .json()
        .await
        .unwrap();
    for item in all["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        if id != admin_id.to_string() {
            let r = app
                .patch_as(
                    &format!("/v1/admin/users/{id}"),
                    &admin,
                    json!({"disabled": true}),
                )
                .await;
            assert_eq!(r.status(), 200);
        }
    }
    let last = app
        .patch_as(
            &format!("/v1/admin/users/{admin_id}"),
            &admin,
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(error_code(last, 409).await, "user.last_admin");
    let missing = app
        .patch_as(
            &format!("/v1/admin/users/{}", uuid::Uuid::now_v7()),
            &admin,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(error_code(missing, 404).await, "user.not_found");
}

#[tokio::test]
async fn an_old_hash_is_upgraded_at_login() {
    let app = TestApp::spawn().await;
    let pair = app.register("13000130000", "an old password").await;
    let id: uuid::Uuid = pair["user"]["id"].as_str().unwrap().parse().unwrap();
    // As an older release with cheaper parameters would have stored it.
    use argon2::password_hash::{PasswordHasher, SaltString};
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(
        b"an old password",
        &SaltString::generate(&mut argon2::password_hash::rand_core::OsRng),
    )
    .unwrap()
    .to_string();
    let user = tipline::store::users::find(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    tipline::store::users::set_password_hash(
        &app.state.db,
        user.id,
        weak.clone(),
        app.state.clock.now(),
    )
    .await
    .unwrap();

    app.login("13000130000", "an old password").await;
    let user = tipline::store::users::find(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(user.password_hash, weak);
    assert!(
        user.password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        user.password_hash
    );
}

#[tokio::test]
async fn an_expired_anonymous_token_renews_into_the_same_session() {
    let mut env = TestEnv::new().await;
    env.set("TIPLINE_ANONYMOUS_TOKEN_TTL_SECS", "1");
    env.set("TIPLINE_JWT_LEEWAY_SECS", "0");
    let app = TestApp::spawn_in(env).await;
    let old = anonymous(&app).await;
    let photo = upload(&app, &old, &tiny_png()).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = app
        .post_as("/v1/tips", &old, tip_body(&[photo["id"].as_str().unwrap()]))
        .await;
    assert_eq!(error_code(expired, 401).await, "auth.unauthorized");

    let renewed = app
        .post("/v1/auth/anonymous/renew", json!({"token": old}))
        .await;
    assert_eq!(renewed.status(), 201);
    let renewed: Value = renewed.json().await.unwrap();
    let new = renewed["access_token"].as_str().unwrap();
    // The same session: the photo it uploaded is still its own.
    let tip = app
        .post_as("/v1/tips", new, tip_body(&[photo["id"].as_str().unwrap()]))
        .await;
    assert_eq!(tip.status(), 201, "{}", tip.text().await.unwrap());

    // An account's token, or a forged one, renews nothing.
    let pair = app.register("13500135000", "a good password").await;
    for token in [pair["access_token"].as_str().unwrap(), "not.a.token"] {
        let refused = app
            .post("/v1/auth/anonymous/renew", json!({"token": token}))
            .await;
        assert_eq!(error_code(refused, 401).await, "auth.unauthorized");
    }
}

#[tokio::test]
async fn an_admin_resets_a_staff_password_and_its_sessions_end() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("admin.reset", Role::Admin, None).await;
    let (moderator_id, moderator) = app.staff("mod.forgot", Role::Moderator, None).await;
    let reset = app
        .post_as(
            &format!("/v1/admin/users/{moderator_id}/password"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let password = reset.json::<Value>().await.unwrap()["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(password.len() >= 16, "{password}");
    // The old session ends; the old password no longer works, the new one does.
    assert_eq!(
        error_code(app.get_as("/v1/me", &moderator).await, 401).await,
        "auth.unauthorized"
    );
    let old = app
        .post(
            "/v1/auth/login",
            json!({"login": "mod.forgot", "password": "staff password 123"}),
        )
        .await;
    assert_eq!(error_code(old, 401).await, "auth.invalid_credentials");
    app.login("mod.forgot", &password).await;
    // A citizen's password is theirs alone; the reset is audited.
    let citizen = app.register("13300133000", "a good password").await;
    let citizen_id = citizen["user"]["id"].as_str().unwrap();
    let refused = app
        .post_as(
            &format!("/v1/admin/users/{citizen_id}/password"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(error_code(refused, 422).await, "user.invalid_role");
    let audit: Value = app
        .get_as("/v1/admin/audit?action=user.password_reset", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert!(!audit.to_string().contains(&password));
}
