//! The backends a test runs on: a PostgreSQL database of its own, made
//! from `TEST_DATABASE_URL`, and an S3 bucket of its own on
//! `TEST_S3_ENDPOINT`.

use s3::creds::Credentials;
use s3::{Bucket, BucketConfiguration, Region};
use sea_orm::{ConnectionTrait, Database};

pub struct S3Env {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

pub fn s3_env() -> Option<S3Env> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())?;
    Some(S3Env {
        endpoint,
        access_key: std::env::var("TEST_S3_ACCESS_KEY")
            .expect("TEST_S3_ACCESS_KEY with TEST_S3_ENDPOINT"),
        secret_key: std::env::var("TEST_S3_SECRET_KEY")
            .expect("TEST_S3_SECRET_KEY with TEST_S3_ENDPOINT"),
    })
}

pub async fn create_pg_database(admin_url: &str) -> (String, String) {
    let name = format!("tipline_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    admin.close().await.ok();
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name)
}

/// Drops a test database at once, closing its connections: a database outage.
pub async fn drop_pg_database(name: &str) {
    let admin = Database::connect(pg_admin_url().unwrap()).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the test database");
}

pub fn s3_region(endpoint: &str) -> Region {
    Region::Custom {
        region: "us-east-1".into(),
        endpoint: endpoint.trim_end_matches('/').to_owned(),
    }
}

pub async fn create_bucket(s3: &S3Env) -> String {
    let name = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
    let credentials =
        Credentials::new(Some(&s3.access_key), Some(&s3.secret_key), None, None, None).unwrap();
    let created = Bucket::create_with_path_style(
        &name,
        s3_region(&s3.endpoint),
        credentials,
        BucketConfiguration::default(),
    )
    .await
    .expect("create a test bucket");
    assert!(
        created.success(),
        "creating bucket {name}: HTTP {} {}",
        created.response_code,
        created.response_text
    );
    name
}
