//! A registry that offers browser login: the OAuth device endpoints with scripted answers, an
//! approval page (`/activate`) that approves the device code when a browser (the stub opener)
//! fetches it, and `GetCurrentUser` for the access token it hands out.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::{Registry, Reply, TOKEN};

/// The secrets of the flow besides the access token ([`TOKEN`]): no output may show them.
pub const DEVICE_CODE: &str = "bsr-test-device-code-5f1c9a0e";
pub const CLIENT_SECRET: &str = "bsr-test-client-secret-77ab21c4";
pub const CLIENT_ID: &str = "bsr-test-client";
pub const USER_CODE: &str = "WDJB-MJHT";

/// What the device endpoints answer.
pub struct Script {
    /// `None`: a client with [`CLIENT_ID`] and [`CLIENT_SECRET`].
    pub registration: Option<Reply>,
    /// `None`: [`DEVICE_CODE`], [`USER_CODE`], the `/activate` page as verification URI, and
    /// `interval` and `expires_in` below.
    pub authorization: Option<Reply>,
    pub interval: u64,
    pub expires_in: u64,
    /// The token endpoint's answers in turn; once they run out, the access token if the page
    /// was visited, else `authorization_pending`.
    pub polls: Vec<Reply>,
    /// How long `GetCurrentUser` takes to answer.
    pub user_delay: std::time::Duration,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            registration: None,
            authorization: None,
            interval: 1,
            expires_in: 60,
            polls: Vec::new(),
            user_delay: std::time::Duration::ZERO,
        }
    }
}

pub fn oauth_error(error: &str) -> Reply {
    Reply::json(400, &format!(r#"{{"error":"{error}"}}"#))
}

pub fn access_token() -> Reply {
    Reply::json(
        200,
        &format!(r#"{{"access_token":"{TOKEN}","token_type":"bearer","expires_in":3600}}"#),
    )
}

/// Starts a registry serving `script`.
pub fn device_registry(script: Script) -> Registry {
    let approved = Arc::new(AtomicBool::new(false));
    let polls = Mutex::new(VecDeque::from(script.polls));
    Registry::serve(move |request| {
        let host = request.headers.get("host").cloned().unwrap_or_default();
        let path = request.target.split('?').next().unwrap_or_default();
        match path {
            "/oauth2/device/registration" => script.registration.clone().unwrap_or_else(|| {
                Reply::json(
                    201,
                    &format!(r#"{{"client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}","client_id_issued_at":1}}"#),
                )
            }),
            "/oauth2/device/authorization" => script.authorization.clone().unwrap_or_else(|| {
                Reply::json(
                    200,
                    &format!(
                        r#"{{"device_code":"{DEVICE_CODE}","user_code":"{USER_CODE}","verification_uri":"http://{host}/activate","verification_uri_complete":"http://{host}/activate?user_code={USER_CODE}","expires_in":{},"interval":{}}}"#,
                        script.expires_in, script.interval
                    ),
                )
            }),
            "/oauth2/device/token" => match polls.lock().unwrap().pop_front() {
                Some(reply) => reply,
                None if approved.load(Ordering::SeqCst) => access_token(),
                None => oauth_error("authorization_pending"),
            },
            "/activate" => {
                approved.store(true, Ordering::SeqCst);
                Reply::json(200, "approved")
            }
            _ => match request.headers.get("authorization") {
                Some(bearer) if *bearer == format!("Bearer {TOKEN}") => {
                    Reply::user("alice").delayed(script.user_delay)
                }
                _ => Reply::error(401, "unauthenticated", "invalid token"),
            },
        }
    })
}

/// A browser opener for tests, written into `dir` under `name`: it records its arguments in
/// `<dir>/opened` and, as a user approving in the browser would, fetches the URL (bash's
/// `/dev/tcp`, so it needs nothing but bash). With `exit` non-zero it only records and fails.
pub fn stub_opener(dir: &Path, name: &str, exit: i32) -> PathBuf {
    let record = dir.join("opened");
    let fetch = if exit == 0 {
        r#"url=$1; rest=${url#http://}; hostport=${rest%%/*}; path=/${rest#*/}
exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
cat <&3 >/dev/null"#
    } else {
        ""
    };
    let script = format!(
        "#!/bin/bash\nprintf '%s\\n' \"$@\" >> '{}'\n{fetch}\nexit {exit}\n",
        record.display()
    );
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    super::set_mode(&path, 0o755);
    path
}
