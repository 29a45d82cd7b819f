//! Photo rows: one per upload, pointing at its three objects. A row is
//! `pending` while its objects are written and `stored` once they all are;
//! the reaper removes what a failure or an abandoned upload leaves behind.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_user_id: Option<Uuid>,
    pub owner_session_id: Option<Uuid>,
    pub tip_id: Option<Uuid>,
    pub status: Status,
    pub kind: String,
    pub sha256: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub original_key: String,
    pub display_key: String,
    pub display_width: i32,
    pub display_height: i32,
    pub thumb_key: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub created_at: DateTime<Utc>,
    /// The perceptual hash's bits; null for photos stored before hashing.
    pub phash: Option<i64>,
    pub phash_band0: Option<i32>,
    pub phash_band1: Option<i32>,
    pub phash_band2: Option<i32>,
    pub phash_band3: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::domain::closed_set! {
    /// Where a photo row is: its objects being written, all written, or
    /// being removed.
    pub enum Status ("media status") {
        Pending = "pending",
        Stored = "stored",
        /// Claimed by the reaper: no tip may take it any more.
        Reaping = "reaping",
    }
}

pub async fn insert(db: &impl ConnectionTrait, row: Model) -> Result<Model, DbErr> {
    ActiveModel::from(row).insert(db).await
}

pub async fn mark_stored(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Stored))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await.map(drop)
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

pub async fn of_tip(db: &impl ConnectionTrait, tip_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::TipId.eq(tip_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// A photo of another tip that looks like one of ours.
#[derive(Clone, Debug)]
pub struct Lookalike {
    /// Our photo.
    pub media_id: Uuid,
    /// Theirs.
    pub other: Model,
    /// Bits the perceptual hashes differ by; 0 for byte-identical files.
    pub distance: u32,
    /// The same bytes (SHA-256), not only the same picture.
    pub exact: bool,
}

/// Photos of other tips that are the same file (SHA-256) or the same
/// picture (perceptual hash within
/// [`NEAR_DUPLICATE_MAX_DISTANCE`](crate::media::phash::NEAR_DUPLICATE_MAX_DISTANCE)),
/// closest first, at most `limit`.
///
/// Same files are looked up by their hash. Same pictures come from the band
/// indexes: a band equal to one of ours or one bit off it. Two hashes within
/// distance 7 always share such a band (four bands, so one differs by at
/// most one bit); farther near duplicates are found when their differences
/// bunch up, as they tend to. Of the band candidates only the narrow
/// columns are read, the newest [`MAX_CANDIDATES`] (about a thousand per
/// photo at a million photos with evenly spread hashes), and the distance
/// is measured here.
pub async fn lookalikes(
    db: &impl ConnectionTrait,
    tip_id: Uuid,
    ours: &[Model],
    limit: usize,
) -> Result<Vec<Lookalike>, DbErr> {
    use crate::media::phash;
    use sea_orm::sea_query::Condition;
    let mut found: Vec<(Uuid, Uuid, u32, bool)> = Vec::new();
    let same_files = Entity::find()
        .select_only()
        .columns([Column::Id, Column::Sha256])
        .filter(Column::Sha256.is_in(ours.iter().map(|m| m.sha256.clone())))
        .filter(Column::TipId.is_not_null())
        .filter(Column::TipId.ne(tip_id))
        .order_by_desc(Column::Id)
        .limit(limit as u64)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?;
    for (other, sha256) in same_files {
        if let Some(mine) = ours.iter().find(|m| m.sha256 == sha256) {
            found.push((mine.id, other, 0, true));
        }
    }

    // Blank pictures all hash alike (0 or 1): they say nothing.
    let hashed: Vec<(Uuid, u64)> = ours
        .iter()
        .filter_map(|m| m.phash.map(|h| (m.id, h as u64)))
        .filter(|(_, h)| *h > 1)
        .collect();
    if !hashed.is_empty() {
        let band_columns = [
            Column::PhashBand0,
            Column::PhashBand1,
            Column::PhashBand2,
            Column::PhashBand3,
        ];
        let mut near = Condition::any();
        for (band, column) in band_columns.into_iter().enumerate() {
            let mut values: Vec<i32> = Vec::new();
            for (_, hash) in &hashed {
                let value = phash::bands(*hash)[band];
                values.push(i32::from(value));
                values.extend((0..16).map(|bit| i32::from(value ^ (1 << bit))));
            }
            near = near.add(column.is_in(values));
        }
        let candidates = Entity::find()
            .select_only()
            .columns([Column::Id, Column::Phash])
            .filter(Column::TipId.is_not_null())
            .filter(Column::TipId.ne(tip_id))
            .filter(near)
            .order_by_desc(Column::Id)
            .limit(MAX_CANDIDATES)
            .into_tuple::<(Uuid, Option<i64>)>()
            .all(db)
            .await?;
        for (other, hash) in candidates {
            let Some(hash) = hash.map(|h| h as u64) else {
                continue;
            };
            let closest = hashed
                .iter()
                .map(|(mine, ours)| (*mine, phash::distance(*ours, hash)))
                .min_by_key(|(_, d)| *d);
            if let Some((mine, distance)) = closest
                && distance <= phash::NEAR_DUPLICATE_MAX_DISTANCE
                && !found.iter().any(|f| f.1 == other)
            {
                found.push((mine, other, distance, false));
            }
        }
    }
    found.sort_by_key(|&(_, other, distance, exact)| (distance, !exact, std::cmp::Reverse(other)));
    found.truncate(limit);
    let ids: Vec<Uuid> = found.iter().map(|f| f.1).collect();
    let others = find_many(db, &ids).await?;
    Ok(found
        .into_iter()
        .filter_map(|(media_id, other, distance, exact)| {
            let other = others.iter().find(|m| m.id == other)?.clone();
            Some(Lookalike {
                media_id,
                other,
                distance,
                exact,
            })
        })
        .collect())
}

/// How many band candidates [`lookalikes`] measures at most.
const MAX_CANDIDATES: u64 = 20_000;

/// The photos of several tips at once (a page of the queue).
pub async fn of_tips(db: &impl ConnectionTrait, tip_ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if tip_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::TipId.is_in(tip_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Attaches the media to a tip, each only if still unattached and stored
/// (not being reaped); answers how many were attached (the caller checks it
/// is all of them). The uploading session is forgotten: an anonymous
/// reporter's tips cannot be linked to one another through their photos.
pub async fn attach(db: &impl ConnectionTrait, ids: &[Uuid], tip_id: Uuid) -> Result<u64, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::TipId, Expr::value(tip_id))
        .col_expr(Column::OwnerSessionId, Expr::value(Option::<Uuid>::None))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::TipId.is_null())
        .filter(Column::Status.eq(Status::Stored))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Claims an unattached photo for removal; `false` if a tip has it.
pub async fn claim_for_reaping(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Reaping))
        .filter(Column::Id.eq(id))
        .filter(Column::TipId.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Unattached media due for removal: stored before `stored_before`, or
/// still pending since before `pending_before`. Oldest first, after the
/// `(created_at, id)` position `after`.
pub async fn reapable(
    db: &impl ConnectionTrait,
    stored_before: DateTime<Utc>,
    pending_before: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::Condition;
    let due = Condition::any()
        .add(Column::CreatedAt.lt(stored_before))
        .add(
            Condition::all()
                .add(Column::Status.ne(Status::Stored))
                .add(Column::CreatedAt.lt(pending_before)),
        );
    let mut query = Entity::find()
        .filter(Column::TipId.is_null())
        .filter(due)
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(limit);
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any().add(Column::CreatedAt.gt(at)).add(
                Condition::all()
                    .add(Column::CreatedAt.eq(at))
                    .add(Column::Id.gt(id)),
            ),
        );
    }
    query.all(db).await
}
