//! The user calls: the alpha `AuthnService/GetCurrentUser` that login verifies a token with,
//! and `owner.v1.UserService/GetCurrentUser` that whoami asks as Buf 1.75 does, with its
//! fallback to the alpha call.

use serde::Deserialize;

use super::{Body, MAX_TOKEN_BYTES, Registry, RegistryError};
use crate::console::Console;
use crate::credentials::Username;
use crate::secret::Token;
use crate::text::shown;

const ALPHA_PATH: &str = "/buf.alpha.registry.v1alpha1.AuthnService/GetCurrentUser";
const V1_PATH: &str = "/buf.registry.owner.v1.UserService/GetCurrentUser";

/// What `GetCurrentUser` says about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrentUser {
    /// The token belongs to this user (checked: safe to store and to print).
    User(Username),
    /// The registry accepted the call but named no user.
    NoUser,
}

/// The user as whoami shows it: Buf 1.75's fields from the v1 call, or what the alpha call
/// carries (no type or state). Every text but the username is registry text made fit to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub username: Username,
    pub id: String,
    pub create_time: String,
    /// `type` and `state` (`USER_TYPE_STANDARD`, `USER_STATE_ACTIVE`); `None` from the alpha call.
    pub type_and_state: Option<(String, String)>,
}

#[derive(Deserialize)]
struct GetCurrentUserResponse {
    user: Option<User>,
}

/// Both APIs' `User`, as the Connect JSON codec writes it (unknown fields ignored; absent
/// fields are proto3 defaults).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    /// alpha: the username.
    #[serde(default)]
    username: String,
    /// v1: the username.
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    create_time: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

impl Registry {
    /// Asks the registry who owns `token` with the alpha `AuthnService/GetCurrentUser`, as
    /// login verifies a token.
    pub fn current_user(
        &self,
        token: &Token,
        console: &Console,
    ) -> Result<CurrentUser, RegistryError> {
        let user = self.get_current_user(ALPHA_PATH, token, console)?;
        Ok(match user {
            Some(user) => CurrentUser::User(self.username(user.username)?),
            None => CurrentUser::NoUser,
        })
    }

    /// Who owns `token`, as whoami shows it: `owner.v1.UserService/GetCurrentUser` as Buf 1.75
    /// asks, falling back to the alpha call where the registry does not know the v1 one
    /// (`unimplemented`, or a 404 without a Connect body). `None`: 200 without a user.
    pub fn user_info(
        &self,
        token: &Token,
        console: &Console,
    ) -> Result<Option<UserInfo>, RegistryError> {
        let (user, v1) = match self.get_current_user(V1_PATH, token, console) {
            Err(RegistryError::Server { code, .. }) if code == "unimplemented" => {
                (self.get_current_user(ALPHA_PATH, token, console)?, false)
            }
            other => (other?, true),
        };
        let Some(user) = user else { return Ok(None) };
        let username = self.username(if v1 { user.name } else { user.username })?;
        let type_and_state = v1.then(|| {
            (
                shown(user.kind.as_deref().unwrap_or("USER_TYPE_UNSPECIFIED")),
                shown(user.state.as_deref().unwrap_or("USER_STATE_UNSPECIFIED")),
            )
        });
        Ok(Some(UserInfo {
            username,
            id: shown(&user.id),
            create_time: shown(&go_time(&user.create_time)),
            type_and_state,
        }))
    }

    /// One `GetCurrentUser` call at `path`: the user, or `None` for a 200 without one.
    fn get_current_user(
        &self,
        path: &str,
        token: &Token,
        console: &Console,
    ) -> Result<Option<User>, RegistryError> {
        if token.expose().len() > MAX_TOKEN_BYTES {
            return Err(RegistryError::TokenTooLong {
                length: token.expose().len(),
            });
        }
        let progress = format!("Checking the token with {}…", self.domain);
        let answer = self.post(path, Body::Connect(b"{}"), Some(token), console, &progress)?;
        if answer.status != 200 {
            return Err(self.connect_error(answer.status, &answer.body));
        }
        let parsed: GetCurrentUserResponse = serde_json::from_slice(&answer.body).map_err(|e| {
            self.bad_response(format!("the response is not the expected JSON ({e})"))
        })?;
        Ok(parsed
            .user
            .filter(|user| !user.username.is_empty() || !user.name.is_empty()))
    }

    /// Buf 1.75 writes whatever the registry sends; a hostile one could answer
    /// `alice\nmachine evil.example` and plant an entry that hands the token to another host,
    /// or send escape sequences to the terminal. Checked once, here.
    fn username(&self, text: String) -> Result<Username, RegistryError> {
        if text.is_empty() {
            return Err(self.bad_response("the user has no username".to_owned()));
        }
        Username::parse(text).map_err(|problem| RegistryError::UnsafeUsername {
            domain: self.domain.to_string(),
            problem,
        })
    }
}

/// A protobuf JSON timestamp (`2024-01-02T03:04:05.120Z`) as Go prints a `time.Time`, as Buf
/// 1.75 shows it: trailing zeros of the fraction dropped; absent, Go's zero time.
fn go_time(text: &str) -> String {
    if text.is_empty() {
        return "0001-01-01T00:00:00Z".to_owned();
    }
    match text.strip_suffix('Z').and_then(|t| t.split_once('.')) {
        Some((seconds, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                format!("{seconds}Z")
            } else {
                format!("{seconds}.{fraction}Z")
            }
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_go_prints_them() {
        assert_eq!(go_time("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(
            go_time("2024-01-02T03:04:05.120Z"),
            "2024-01-02T03:04:05.12Z"
        );
        assert_eq!(go_time("2024-01-02T03:04:05.000Z"), "2024-01-02T03:04:05Z");
        assert_eq!(go_time(""), "0001-01-01T00:00:00Z");
    }
}
