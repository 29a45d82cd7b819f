//! Accounts: the `users` table and its queries.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, SqlErr};

use crate::domain::{MobileNumber, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub disabled: bool,
    /// Part of every access token; bumping it invalidates them all at once.
    pub token_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),
    #[error("the phone number is already registered")]
    PhoneTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A staff account, logged in by username.
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
}

fn new_row(now: DateTime<Utc>, password_hash: String, role: Role) -> ActiveModel {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(None),
        phone: Set(None),
        password_hash: Set(password_hash),
        role: Set(role),
        unit_id: Set(None),
        disabled: Set(false),
        token_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

pub async fn create_staff(
    db: &impl ConnectionTrait,
    new: NewStaff<'_>,
    now: DateTime<Utc>,
) -> Result<Model, CreateUserError> {
    let mut row = new_row(now, new.password_hash, new.role);
    row.username = Set(Some(new.username.to_owned()));
    row.unit_id = Set(new.unit_id);
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            CreateUserError::UsernameTaken(new.username.to_owned())
        }
        _ => CreateUserError::Db(e),
    })
}

pub async fn create_citizen(
    db: &impl ConnectionTrait,
    phone: &MobileNumber,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Model, CreateUserError> {
    let mut row = new_row(now, password_hash, Role::Citizen);
    row.phone = Set(Some(phone.e164().to_owned()));
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => CreateUserError::PhoneTaken,
        _ => CreateUserError::Db(e),
    })
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Username.eq(username))
        .one(db)
        .await
}

pub async fn find_by_phone(
    db: &impl ConnectionTrait,
    phone: &MobileNumber,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Phone.eq(phone.e164()))
        .one(db)
        .await
}

pub async fn any_active_with_role(db: &impl ConnectionTrait, role: Role) -> Result<bool, DbErr> {
    Ok(count_active_with_role(db, role).await? > 0)
}

pub async fn count_active_with_role(db: &impl ConnectionTrait, role: Role) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::Role.eq(role))
        .filter(Column::Disabled.eq(false))
        .count(db)
        .await
}

/// A new password: stores its hash and invalidates every token issued so
/// far, in one statement (the version is incremented by the database, so
/// concurrent sign-outs never collapse into one bump).
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    id: Uuid,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(password_hash))
        .col_expr(Column::TokenVersion, Expr::col(Column::TokenVersion).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    find(db, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("user {id}")))
}

/// A stronger hash of the same password (a rehash at login), written only
/// over the hash that was verified: a password change meanwhile wins.
pub async fn replace_password_hash(
    db: &impl ConnectionTrait,
    user: &Model,
    password_hash: String,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(password_hash))
        .filter(Column::Id.eq(user.id))
        .filter(Column::PasswordHash.eq(user.password_hash.as_str()))
        .exec(db)
        .await
        .map(drop)
}

/// Invalidates every access token of the user.
pub async fn bump_token_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::TokenVersion, Expr::col(Column::TokenVersion).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

/// The account row, locked for the rest of the transaction (PostgreSQL;
/// SQLite serialises writers anyway). Every change to an account's sessions
/// takes this lock first.
pub async fn find_for_update(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    // SQLite has no row locks and fails a transaction that read and then
    // writes after another commit (the audit sealer commits shortly after
    // most writes): take its write lock first, with a write that changes
    // nothing, so the transaction waits its turn instead.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        Entity::update_many()
            .col_expr(Column::Id, sea_orm::sea_query::Expr::col(Column::Id))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// Locks the active admins' rows and counts them.
pub async fn lock_active_admins(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    Ok(Entity::find()
        .filter(Column::Role.eq(Role::Admin))
        .filter(Column::Disabled.eq(false))
        .lock_exclusive()
        .all(db)
        .await?
        .len())
}

/// What an admin may change on an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct StaffChanges {
    pub role: Option<Role>,
    /// `Some(None)` removes the unit.
    pub unit_id: Option<Option<Uuid>>,
    pub disabled: Option<bool>,
}

/// Applies the changes; any change of role, unit or status signs the user
/// out everywhere, so it takes effect at once.
pub async fn update_staff(
    db: &impl ConnectionTrait,
    user: &Model,
    changes: StaffChanges,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = user.clone().into();
    if let Some(role) = changes.role {
        row.role = Set(role);
    }
    if let Some(unit_id) = changes.unit_id {
        row.unit_id = Set(unit_id);
    }
    if let Some(disabled) = changes.disabled {
        row.disabled = Set(disabled);
    }
    if !row.is_changed() {
        return Ok(user.clone());
    }
    row.updated_at = Set(now);
    row.update(db).await?;
    bump_token_version(db, user.id, now).await?;
    find(db, user.id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("user {}", user.id)))
}

#[derive(Debug, Default)]
pub struct ListFilter {
    pub role: Option<Role>,
    pub unit_id: Option<Uuid>,
}

/// One page in creation order (ids are UUID v7), after the id `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find().order_by_asc(Column::Id).limit(limit);
    if let Some(role) = filter.role {
        query = query.filter(Column::Role.eq(role));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(Column::UnitId.eq(unit_id));
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query.all(db).await
}

/// The active officers of a unit (a unit has a handful).
pub async fn officers_of(db: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::UnitId.eq(unit_id))
        .filter(Column::Role.eq(Role::UnitOfficer))
        .filter(Column::Disabled.eq(false))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
