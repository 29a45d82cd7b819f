//! Schema changes on a database that already holds data: what each one
//! keeps, forward and back.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement};
use tipline::domain::tip::TipStatus;
use tipline_migrations::{Migrator, MigratorTrait};

use crate::helpers::TestEnv;

/// How many migrations come before `name`, and how many from it on.
fn split_at(name: &str) -> (u32, u32) {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|n| n == name)
        .expect("the migration is listed");
    (at as u32, (names.len() - at) as u32)
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

/// The old table's rows, by state.
async fn old_counts(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT status, count FROM tip_status_counts ORDER BY status",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "status").unwrap(),
                r.try_get::<i64>("", "count").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_state_counts_move_into_slots_and_back_unchanged() {
    let env = TestEnv::new().await;
    let db = tipline::store::connect(&env.settings().database_url(), 1, Duration::from_secs(5))
        .await
        .unwrap();
    let (before, from) = split_at("m20261206_220000_tip_state_count_slots");
    Migrator::up(&db, Some(before)).await.unwrap();
    // Counts as the one-row-per-state table kept them.
    exec(
        &db,
        "UPDATE tip_status_counts SET count = 7 WHERE status = 'submitted'",
    )
    .await;
    exec(
        &db,
        "UPDATE tip_status_counts SET count = 3 WHERE status = 'closed'",
    )
    .await;

    Migrator::up(&db, None).await.unwrap();
    let counts = tipline::store::tips::status_counts(&db).await.unwrap();
    assert_eq!(counts.len(), TipStatus::ALL.len(), "{counts:?}");
    let count = |s: TipStatus| counts.iter().find(|(t, _)| *t == s).unwrap().1;
    assert_eq!(count(TipStatus::Submitted), 7);
    assert_eq!(count(TipStatus::Closed), 3);
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 10);
    // Each state has its rows, in slot 0 what was counted so far.
    let rows = tipline::store::tips::status_count::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        TipStatus::ALL.len() * tipline::store::tips::COUNT_SLOTS as usize
    );
    assert!(
        rows.iter().filter(|r| r.count != 0).all(|r| r.slot == 0),
        "{rows:?}"
    );

    // Moves after the change, then back: the old table holds the sums.
    for _ in 0..20 {
        tipline::store::tips::count_added(
            &db,
            &[(TipStatus::Submitted, -1), (TipStatus::InReview, 1)],
        )
        .await
        .unwrap();
    }
    tipline::store::tips::count_added(&db, &[(TipStatus::Submitted, 20)])
        .await
        .unwrap();
    Migrator::down(&db, Some(from)).await.unwrap();
    let old = old_counts(&db).await;
    let old_count = |s: &str| old.iter().find(|(t, _)| t == s).unwrap().1;
    assert_eq!(old.len(), TipStatus::ALL.len(), "{old:?}");
    assert_eq!(old_count("submitted"), 7);
    assert_eq!(old_count("in_review"), 20);
    assert_eq!(old_count("closed"), 3);
}
