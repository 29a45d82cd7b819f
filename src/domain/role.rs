use std::fmt;
use std::str::FromStr;

/// Who an account is. What each may do is in DESIGN.md (Roles); anonymous
/// reporters have no account and so no role. Stored as its name
/// (`users.role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum Role {
    Citizen,
    Moderator,
    UnitOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Citizen,
        Role::Moderator,
        Role::UnitOfficer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Moderator => "moderator",
            Role::UnitOfficer => "unit_officer",
            Role::Admin => "admin",
        }
    }

    /// Staff log in with a username; citizens with their phone number.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Citizen)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (expected citizen, moderator, unit_officer or admin)")]
pub struct UnknownRole(String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
