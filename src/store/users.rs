//! Accounts: the `users` table and its queries.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, SqlErr};

use crate::domain::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
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
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A staff account, logged in by username.
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub password_hash: String,
    pub role: Role,
}

pub async fn create_staff(
    db: &impl ConnectionTrait,
    new: NewStaff<'_>,
) -> Result<Model, CreateUserError> {
    let now = Utc::now();
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(Some(new.username.to_owned())),
        phone: Set(None),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_owned()),
        disabled: Set(false),
        token_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    row.insert(db).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            CreateUserError::UsernameTaken(new.username.to_owned())
        }
        _ => CreateUserError::Db(e),
    })
}

pub async fn any_active_with_role(db: &impl ConnectionTrait, role: Role) -> Result<bool, DbErr> {
    let found = Entity::find()
        .filter(Column::Role.eq(role.as_str()))
        .filter(Column::Disabled.eq(false))
        .one(db)
        .await?;
    Ok(found.is_some())
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
