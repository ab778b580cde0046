//! libcurl's reader (`lib/netrc.c`), as Debian bookworm's curl 7.88.1 runs it: 7.88.1's line
//! reader and tokenizer with the state machine of the CVE-2024-11053 fix backported (checked
//! against `7.88.1-10+deb12u15`; git and CMake use the same libcurl).
//!
//! curl does not read the file into entries: each lookup reads it afresh for one host name and
//! stops as soon as it has what it wants. The model runs that lookup for every name a `machine`
//! keyword gives it and for a host the file does not name (see [`read`]). It models a lookup
//! for a URL without a user name: given `user@host`, curl looks for that login's entry instead
//! (not modelled), and given a user name apart from the URL (`-u`, `CURLOPT_USERNAME`)
//! it does not read the file at all.
//!
//! Lines come as C's `fgets` gives them, into a buffer of 4,096 bytes:
//!
//! - A line that does not fit (4,096 bytes or more with its `\n`) is skipped whole. A NUL byte
//!   makes its line look unfinished, so that line is skipped and so is the line after it (taken
//!   for the tail of a long one); a NUL at the start of a buffer's worth ends the reading, and a
//!   last line without `\n` ends at a NUL. A last line without `\n` gets one (if it is
//!   4,094 bytes or less).
//! - While in a macro, a line is skipped unless its very first byte is `\n` or `\r`; that line
//!   ends the macro (a line of spaces does not).
//!
//! Each line is cut into tokens: spaces and tabs are skipped; a `#` there ends the line;
//! otherwise a token runs to the next white space byte (`\n`, `\v`, `\f`, `\r` too), and that
//! one byte is passed. So a white space byte other than space or tab where a token would start
//! is an empty token: after a trailing blank, on an empty line, before the `\n` of a CRLF. A
//! token starting with `"` runs to the next unescaped `"` (`\n`, `\r`, `\t` are escapes, `\x` is
//! x) and the byte after the closing quote is dropped; a quote that does not close on its line
//! (or a `\` before the line end) makes the lookup fail ("parser error", exit 26).
//!
//! The tokens of all lines feed one state machine (keywords ignoring ASCII case):
//!
//! - Outside an entry: `machine` resets the credentials found so far and takes the next token
//!   as the name; `default` enters the default entry (also after another entry); `macdef`
//!   starts a macro (the rest of its line is skipped unless it holds an empty token, which ends
//!   the macro at once: `macdef m \n`, or any CRLF `macdef` line); anything else is skipped.
//! - After `machine`: a name equal to the host (ignoring ASCII case) enters that entry, any
//!   other token (also a keyword, `#…`, or an empty token) goes back outside.
//! - In an entry (the host's, or `default`): `login X`, `password X` take the next token as the
//!   value, whatever it is (the last one wins); `machine` leaves (forgetting this entry's login
//!   and password) and reads a name; `default` forgets them and stays in; anything else,
//!   `macdef` included, is skipped.
//! - The lookup ends once it has found both a `login` and a `password` since the last
//!   `machine` (a `default` between them resets the values, not what was found).
//!
//! What the lookup hands out: nothing unless it entered an entry; else the last login and
//! password it kept (a keyword at the end of the file keeps no value). Without a password it
//! hands out an empty one if it read a login since the last `machine` that stood outside an
//! entry, even a login forgotten since: a lookup that read a login in the host's entry and
//! left it at the next `machine` hands out an empty password and no login. curl sends a
//! password without a login with an empty user.
//!
//! The model keeps only names a URL can give curl as its host (no white space, no `:` but in
//! an IPv6 address, no `/#?@…`, only ASCII: curl looks up a non-ASCII host as its punycode). A
//! lookup that fails for a host without an entry, or for any of those names, makes the model
//! reject the file: curl errs for some host it can be asked about (for others it may still
//! send).

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Creds, Lookup, Model, Reads, Rejected};

pub const MODEL: Model = Model { name: "curl", read };

/// The size of curl's line buffer (`netrcbuffer`).
const LINE_BUFFER: usize = 4096;

/// What curl reads from `file`: for each name a `machine` keyword gives it (before the lookup
/// of a host without an entry stops), what the lookup of that name hands out, as an entry with
/// no fields where that is nothing but `default` is something; as `default`, what the lookup of
/// a host the file does not name hands out. Any other host's lookup reads the file just as
/// that last one does, since a lookup only ever compares its host with those names.
///
/// All lookups run side by side, line by line: a name's lookup parts from the other one's
/// where that one reads the name after `machine`, and once the two are in the same state at a
/// line's end they go alike until that one reads the name again. So a file of many machines
/// costs about one reading, not one per name.
pub fn read(file: &[u8]) -> Result<Reads, Rejected> {
    let mut absent = HostLookup::new(None);
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    // Per name (by index): its own lookup, or `None` while it goes as `absent`'s does.
    let mut forks: Vec<Option<HostLookup>> = Vec::new();
    // The names whose lookups still read on their own.
    let mut apart: Vec<usize> = Vec::new();
    for line in lines(file) {
        let (tokens, bad) = tokens(&line);
        for &at in &apart {
            if let Some(fork) = &mut forks[at] {
                fork.read_line(&line, &tokens, bad)?;
            }
        }
        apart.retain(|&at| forks[at].as_ref().is_some_and(|f| !f.done));
        if absent.done || !absent.start_line(&line) {
            continue;
        }
        for (k, token) in tokens.iter().enumerate() {
            if absent.state == State::Name && can_be_host(token) {
                // A name seen before whose lookup has joined `absent`'s parts from it again here.
                let at = *seen.entry(token.to_ascii_lowercase()).or_insert_with(|| {
                    names.push(token.clone());
                    forks.push(None);
                    names.len() - 1
                });
                if forks[at].is_none() {
                    let mut fork = absent.clone();
                    fork.host = Some(names[at].clone());
                    fork.read_tokens(&tokens[k..], bad)?;
                    if !fork.done {
                        apart.push(at);
                    }
                    forks[at] = Some(fork);
                }
            }
            absent.read(token);
            if absent.done {
                break;
            }
        }
        if bad && !absent.done {
            return Err(Rejected);
        }
        if !absent.done {
            apart.retain(|&at| {
                let joined = forks[at].as_ref().is_some_and(|f| f.same_course(&absent));
                if joined {
                    forks[at] = None;
                }
                !joined
            });
        }
    }
    let default = absent.creds();
    let mut machines: Vec<(Vec<u8>, Creds)> = Vec::new();
    for (name, fork) in names.into_iter().zip(forks) {
        match fork.map_or_else(|| default.clone(), HostLookup::creds) {
            Some(creds) => machines.push((name, creds)),
            // The name's lookup hands out nothing where `default` would hand out something:
            // an entry with no fields says so.
            None if default.is_some() => machines.push((name, Creds::default())),
            None => {}
        }
    }
    Ok(Reads {
        machines,
        default,
        lookup: Lookup {
            last_wins: false,
            ignore_case: true,
        },
    })
}

/// Whether a URL can give curl `name` as the host to look up: curl's URL parser refuses a host
/// with white space, controls or any of ``/:#?!@{}[]\$'"^`*<>=;,+&()``, and turns one with
/// other than ASCII into its punycode (`xn--…`) before the lookup; an IPv6 address (from
/// `[…]`) is looked up without brackets, shortened where it can be.
fn can_be_host(name: &[u8]) -> bool {
    if name.contains(&b':') {
        return std::str::from_utf8(name)
            .ok()
            .and_then(|n| n.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|ip| ip.to_string().len() == name.len());
    }
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_graphic() && !b"/#?!@{}[]\\$'\"^`*<>=;,+&()".contains(&b))
}

/// The lines `Curl_get_line` hands out, each ending in `\n`, up to where it stops.
fn lines(file: &[u8]) -> impl Iterator<Item = Cow<'_, [u8]>> {
    let mut stream = Stream {
        file,
        at: 0,
        eof: false,
    };
    let mut ended = false;
    std::iter::from_fn(move || {
        let mut partial = false;
        while !ended && let Some(chunk) = stream.fgets() {
            let len = chunk.iter().position(|&b| b == 0).unwrap_or(chunk.len());
            if len == 0 {
                break;
            }
            if chunk[len - 1] == b'\n' {
                if !std::mem::take(&mut partial) {
                    return Some(Cow::Borrowed(chunk));
                }
            } else if stream.eof {
                ended = true;
                // The last line, without a line end: kept (up to a NUL) if a `\n` still fits.
                if !partial && len + 1 < LINE_BUFFER {
                    return Some(Cow::Owned([&chunk[..len], b"\n"].concat()));
                }
            } else {
                partial = true;
            }
        }
        ended = true;
        None
    })
}

/// The file as `fgets` reads it.
struct Stream<'a> {
    file: &'a [u8],
    at: usize,
    /// Whether a read has run into the end of the file.
    eof: bool,
}

impl<'a> Stream<'a> {
    /// Up to one line, at most a buffer's worth less its terminating NUL; `None` at the end.
    fn fgets(&mut self) -> Option<&'a [u8]> {
        let rest = &self.file[self.at..];
        let room = LINE_BUFFER - 1;
        let len = match rest.iter().take(room).position(|&b| b == b'\n') {
            Some(n) => n + 1,
            None if rest.len() < room => {
                self.eof = true;
                rest.len()
            }
            None => room,
        };
        self.at += len;
        (len > 0).then(|| &rest[..len])
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Outside,
    /// After `machine`: the next token is a name.
    Name,
    /// In the host's entry or in `default`.
    Entry,
    Macro,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyword {
    None,
    Login,
    Password,
}

/// curl's lookup of one host, as far as it has read.
#[derive(Clone)]
struct HostLookup {
    /// `None`: a host the file does not name.
    host: Option<Vec<u8>>,
    state: State,
    keyword: Keyword,
    login: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    found_login: bool,
    found_password: bool,
    /// A login was read since the last `machine` outside an entry.
    our_login: bool,
    entered: bool,
    done: bool,
}

impl HostLookup {
    fn new(host: Option<Vec<u8>>) -> Self {
        HostLookup {
            host,
            state: State::Outside,
            keyword: Keyword::None,
            login: None,
            password: None,
            found_login: false,
            found_password: false,
            our_login: false,
            entered: false,
            done: false,
        }
    }

    /// Whether the lookup reads `line` (whose `tokens` are given, and `bad` if a bad quote
    /// follows them): a macro skips it, else the tokens are read, and a bad quote fails it.
    fn read_line(&mut self, line: &[u8], tokens: &[Vec<u8>], bad: bool) -> Result<(), Rejected> {
        if self.done || !self.start_line(line) {
            return Ok(());
        }
        self.read_tokens(tokens, bad)
    }

    fn read_tokens(&mut self, tokens: &[Vec<u8>], bad: bool) -> Result<(), Rejected> {
        for token in tokens {
            self.read(token);
            if self.done {
                return Ok(());
            }
        }
        if bad { Err(Rejected) } else { Ok(()) }
    }

    /// The macro check at a line's start: whether the line is read at all.
    fn start_line(&mut self, line: &[u8]) -> bool {
        if self.state == State::Macro {
            if !matches!(line[0], b'\n' | b'\r') {
                return false;
            }
            self.state = State::Outside;
        }
        true
    }

    fn read(&mut self, token: &[u8]) {
        let is = |word: &str| token.eq_ignore_ascii_case(word.as_bytes());
        match self.state {
            State::Outside => {
                if is("macdef") {
                    self.state = State::Macro;
                } else if is("machine") {
                    self.state = State::Name;
                    self.keyword = Keyword::None;
                    (self.found_login, self.found_password, self.our_login) = (false, false, false);
                    (self.login, self.password) = (None, None);
                } else if is("default") {
                    self.state = State::Entry;
                    self.entered = true;
                }
            }
            State::Macro => {
                if token.is_empty() {
                    self.state = State::Outside;
                }
            }
            State::Name => {
                if self
                    .host
                    .as_ref()
                    .is_some_and(|h| h.eq_ignore_ascii_case(token))
                {
                    self.state = State::Entry;
                    self.entered = true;
                } else {
                    self.state = State::Outside;
                }
            }
            State::Entry => {
                match self.keyword {
                    Keyword::Login => {
                        self.our_login = true;
                        self.login = Some(token.to_vec());
                        self.found_login = true;
                        self.keyword = Keyword::None;
                    }
                    Keyword::Password => {
                        self.password = Some(token.to_vec());
                        self.found_password = true;
                        self.keyword = Keyword::None;
                    }
                    Keyword::None if is("login") => self.keyword = Keyword::Login,
                    Keyword::None if is("password") => self.keyword = Keyword::Password,
                    Keyword::None if is("machine") => {
                        self.state = State::Name;
                        (self.found_login, self.found_password) = (false, false);
                        (self.login, self.password) = (None, None);
                    }
                    Keyword::None if is("default") => (self.login, self.password) = (None, None),
                    Keyword::None => {}
                }
                self.done = self.found_login && self.found_password && self.our_login;
            }
        }
    }

    /// Whether the rest of the file reads alike for both lookups, and they end alike: the
    /// same state but for the host (and whether one has entered an entry: a lookup that has
    /// not has no values, so its end is nothing, as the other's is with none).
    fn same_course(&self, other: &HostLookup) -> bool {
        self.state == other.state
            && self.keyword == other.keyword
            && self.login == other.login
            && self.password == other.password
            && self.found_login == other.found_login
            && self.found_password == other.found_password
            && self.our_login == other.our_login
            && self.done == other.done
    }

    /// What the lookup hands out, once the file is read.
    fn creds(self) -> Option<Creds> {
        if !self.entered {
            return None;
        }
        let password = match self.password {
            None if self.our_login => Some(Vec::new()),
            password => password,
        };
        (self.login.is_some() || password.is_some()).then_some(Creds {
            login: self.login,
            password,
            account: None,
        })
    }
}

/// A line's tokens up to its end or a `#`, and whether a bad quote follows them.
fn tokens(line: &[u8]) -> (Vec<Vec<u8>>, bool) {
    let mut tokens = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && matches!(line[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= line.len() || line[i] == b'#' {
            return (tokens, false);
        }
        match token(line, i) {
            Ok((token, end)) => {
                tokens.push(token);
                i = end + 1;
            }
            Err(Rejected) => return (tokens, true),
        }
    }
}

/// The token starting at `line[start]` (not a space or tab) and where it ends: the byte that
/// ends an unquoted token, or the one after a closing quote. `line` ends in `\n`.
fn token(line: &[u8], start: usize) -> Result<(Vec<u8>, usize), Rejected> {
    if line[start] != b'"' {
        let end = (start..line.len())
            .find(|&j| is_space(line[j]))
            .unwrap_or(line.len());
        return Ok((line[start..end].to_vec(), end));
    }
    let mut value = Vec::new();
    let mut escape = false;
    for (j, &b) in line.iter().enumerate().skip(start + 1) {
        if escape {
            escape = false;
            value.push(match b {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                other => other,
            });
        } else if b == b'\\' {
            escape = true;
        } else if b == b'"' {
            return Ok((value, j + 1));
        } else {
            value.push(b);
        }
    }
    Err(Rejected)
}

/// curl's `ISSPACE`: space, tab, `\n`, `\v`, `\f`, `\r`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One lookup on its own, from the file's start.
    fn lookup(file: &[u8], host: Option<&[u8]>) -> Result<Option<Creds>, Rejected> {
        let mut lookup = HostLookup::new(host.map(<[u8]>::to_vec));
        for line in lines(file) {
            let (tokens, bad) = tokens(&line);
            lookup.read_line(&line, &tokens, bad)?;
        }
        Ok(lookup.creds())
    }

    type Field = Option<Vec<u8>>;

    fn get(file: &[u8], host: &[u8]) -> Option<(Field, Field)> {
        read(file)
            .unwrap()
            .get(host)
            .map(|c| (c.login.clone(), c.password.clone()))
    }

    fn both(login: &str, password: &str) -> Option<(Field, Field)> {
        Some((
            Some(login.as_bytes().to_vec()),
            Some(password.as_bytes().to_vec()),
        ))
    }

    /// The model keeps one lookup per name the file gives a machine: for every other host curl's
    /// lookup must read as the one for a host the file does not name (an entry with no fields
    /// stands for a name that gets nothing where `default` would give something).
    #[test]
    fn the_lookups_kept_stand_for_every_host() {
        use proptest::prelude::*;
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;

        let words = prop::sample::select(vec![
            &b"machine"[..],
            b"MACHINE",
            b"default",
            b"login",
            b"password",
            b"macdef",
            b"a",
            b"A",
            b"b",
            b"u",
            b"p",
            b"#",
            b"#c",
            b"\"q u\"",
            b"\"\"",
            b"\"x",
            b" ",
            b"\n",
            b"\r\n",
            b"\n\n",
            b"\x0c",
            b"\t",
            b"macdef m\n",
            b"machine c\n",
        ]);
        let text = prop::collection::vec((words, any::<bool>()), 0..40).prop_map(|words| {
            let mut text = Vec::new();
            for (word, glued) in words {
                if !glued {
                    text.push(b' ');
                }
                text.extend_from_slice(word);
            }
            text
        });
        let mut runner = TestRunner::deterministic();
        for _ in 0..20_000 {
            let file = text.new_tree(&mut runner).unwrap().current();
            let mut hosts: Vec<&[u8]> = vec![b"a", b"A", b"b", b"u", b"p", b"login", b"x"];
            hosts.extend(
                file.split(|&b| is_space(b) || b == b'"')
                    .filter(|w| can_be_host(w)),
            );
            let looked: Vec<_> = hosts.iter().map(|h| lookup(&file, Some(h))).collect();
            match read(&file) {
                Err(Rejected) => assert!(
                    lookup(&file, None).is_err() || looked.iter().any(Result::is_err),
                    "{}",
                    file.escape_ascii()
                ),
                Ok(reads) => {
                    for (host, looked) in hosts.iter().zip(looked) {
                        let Ok(looked) = looked else {
                            panic!("{} fails for {host:?}", file.escape_ascii())
                        };
                        let handed = reads
                            .get(host)
                            .filter(|c| c.login.is_some() || c.password.is_some());
                        assert_eq!(
                            handed,
                            looked.as_ref(),
                            "{} for {}",
                            file.escape_ascii(),
                            host.escape_ascii()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_names_a_url_can_hold_are_looked_up() {
        assert!(can_be_host(b"buf.build") && can_be_host(b"::1") && can_be_host(b"a_b%"));
        for name in [
            &b""[..],
            b"a b",
            b"host:8080",
            b"0::1",
            b"caf\xc3\xa9",
            b"a/b",
            b"a\x01",
        ] {
            assert!(!can_be_host(name), "{}", name.escape_ascii());
        }
        // A bad quote that only the lookup of `"x y"` reaches: no URL asks for that host.
        let file = b"machine \"x y\" macdef m\n\"bad\n";
        assert_eq!(read(file).unwrap().machines, []);
        assert_eq!(read(b"machine x macdef m\n\"bad\n"), Err(Rejected));
    }

    /// A lookup per name from the file's start would read a file of many machines once per
    /// name; side by side they read it about once.
    #[test]
    fn many_machines_cost_about_one_reading() {
        let mut file = Vec::new();
        for n in 0..100_000 {
            file.extend_from_slice(format!("machine h{n} login u{n}\nmacdef m\n\n").as_bytes());
        }
        file.extend_from_slice(b"default login d password e\n");
        let started = std::time::Instant::now();
        let reads = read(&file).unwrap();
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
        assert_eq!(reads.machines.len(), 100_000);
        assert_eq!(get(&file, b"h7"), both("d", "e"));
        assert_eq!(get(&file, b"x"), both("d", "e"));
        let last = format!(
            "machine h0 login u password p\n{}",
            "machine h1 login v\n".repeat(50_000)
        );
        let started = std::time::Instant::now();
        assert_eq!(get(last.as_bytes(), b"h0"), both("u", "p"));
        assert_eq!(get(last.as_bytes(), b"h1"), both("v", ""));
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn names_ignore_case_and_the_first_complete_entry_wins() {
        let file = b"machine A login u password p\nmachine a login v password q\n";
        assert_eq!(get(file, b"a"), both("u", "p"));
        assert_eq!(get(b"MACHINE a LOGIN u PASSWORD p\n", b"A"), both("u", "p"));
        assert_eq!(get(file, b"b"), None);
    }

    #[test]
    fn default_counts_where_it_stands() {
        let file = b"default login d password e\nmachine a login u password p\n";
        assert_eq!(get(file, b"a"), both("d", "e"));
        let file = b"machine a login u password p\ndefault login d password e\n";
        assert_eq!(get(file, b"a"), both("u", "p"));
        assert_eq!(get(file, b"x"), both("d", "e"));
        // An entry without values reads on into the default after it.
        assert_eq!(
            get(b"machine a\ndefault login d password e\n", b"a"),
            both("d", "e")
        );
    }

    #[test]
    fn a_missing_password_is_empty_and_a_missing_login_is_none() {
        assert_eq!(get(b"machine a login u\n", b"a"), both("u", ""));
        assert_eq!(
            get(b"machine a password p\n", b"a"),
            Some((None, Some(b"p".to_vec())))
        );
        // The login is forgotten at the next machine, the empty password is still handed out.
        assert_eq!(
            get(b"machine a login u\nmachine b login v password q\n", b"a"),
            Some((None, Some(Vec::new())))
        );
        // `a` reads past the macro that `default`'s lookup skips, to a `machine` that forgets
        // the login found: nothing for `a`, an empty password for every other host.
        let file = b"default login d\nmachine a\nmacdef m\nmachine b\nmachine c\n";
        assert_eq!(get(file, b"a"), Some((None, None)));
        assert_eq!(get(file, b"x"), Some((None, Some(Vec::new()))));
        // A password-only entry is forgotten at the next machine.
        assert_eq!(
            get(b"machine a password p\nmachine b login v\n", b"a"),
            None
        );
        // A default between login and password resets the values, not what was found.
        let file = b"machine a login u\ndefault password q\nlogin z\n";
        assert_eq!(get(file, b"a"), Some((None, Some(b"q".to_vec()))));
        assert_eq!(get(file, b"x"), both("z", "q"));
    }

    #[test]
    fn a_keyword_takes_the_next_token_whatever_it_is() {
        assert_eq!(
            get(b"machine a login password p\n", b"a"),
            both("password", "")
        );
        assert_eq!(
            get(b"machine\na login u password p\n", b"a"),
            both("u", "p")
        );
        // A trailing blank makes an empty token: the name is empty, the login too.
        assert_eq!(get(b"machine \na login u password p\n", b"a"), None);
        assert_eq!(get(b"machine a login \npassword p\n", b"a"), both("", "p"));
    }

    #[test]
    fn a_hash_starting_a_token_ends_the_line() {
        assert_eq!(
            get(b"machine a login u #c password p\n", b"a"),
            both("u", "")
        );
        assert_eq!(
            get(b"machine a login u#c password p\n", b"a"),
            both("u#c", "p")
        );
        assert_eq!(
            get(b"machine #c\nfoo login u password p\n", b"foo"),
            both("u", "p")
        );
    }

    #[test]
    fn quotes_escape_and_drop_the_byte_after_them() {
        let file = b"machine a login \"x\\\" y\\n\\tq\" password p\n";
        assert_eq!(get(file, b"a"), both("x\" y\n\tq", "p"));
        assert_eq!(
            get(b"machine a login \"u\"#password p\n", b"a"),
            both("u", "p")
        );
        assert_eq!(read(b"machine a login u password \"p\n"), Err(Rejected));
        assert_eq!(
            read(b"machine a login u password \"p\\\n\"\n"),
            Err(Rejected)
        );
        // The lookup of `a` stops before the bad quote, the others do not: curl errs for them.
        assert_eq!(
            read(b"machine a login u password p\nmachine b login \"bad\n"),
            Err(Rejected)
        );
    }

    #[test]
    fn a_macro_ends_only_at_a_line_starting_with_a_line_end() {
        let file = b"macdef m\n  \nmachine a login u password p\n\nmachine b login v password q\n";
        assert_eq!(get(file, b"a"), None);
        assert_eq!(get(file, b"b"), both("v", "q"));
        assert_eq!(
            get(b"macdef m \nmachine a login u password p\n", b"a"),
            both("u", "p")
        );
        // Inside an entry `macdef` is no keyword.
        assert_eq!(
            get(b"machine a macdef m\nlogin u password p\n", b"a"),
            both("u", "p")
        );
    }

    #[test]
    fn long_lines_and_nul_bytes_lose_lines() {
        let line = |len: usize| {
            let mut l = b"machine a login u password p".to_vec();
            l.resize(len, b' ');
            l.push(b'\n');
            l
        };
        let after = b"machine b login v password q\n";
        assert_eq!(
            get(&[line(4094), after.to_vec()].concat(), b"a"),
            both("u", "p")
        );
        let long = [line(4095), after.to_vec()].concat();
        assert_eq!(get(&long, b"a"), None);
        assert_eq!(get(&long, b"b"), both("v", "q"));
        let nul = b"machine a login u\0 password p\nmachine b login v password q\nmachine c login w password r\n";
        assert_eq!(get(nul, b"a"), None);
        assert_eq!(get(nul, b"b"), None);
        assert_eq!(get(nul, b"c"), both("w", "r"));
        assert_eq!(
            get(
                b"machine a login u password p\n\0machine b login v password q\n",
                b"b"
            ),
            None
        );
        assert_eq!(
            get(b"machine b login v password q\0x", b"b"),
            both("v", "q")
        );
    }
}
