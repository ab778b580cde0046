//! `bsr completion <shell>`: each script loads in its real shell and completes
//! `bsr registry lo` to `login` and `logout`, and `bsr registry st` to `status`. PowerShell is not in Debian's packages, so its
//! script is only checked for its registration call.

use std::fs;
use std::process::Command;

use crate::support::{TestEnv, need};

fn script(shell: &str) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let out = env.run(&["completion", shell], "");
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{shell}");
    let path = env.home().join(format!("bsr.{shell}"));
    fs::write(&path, &out.stdout).unwrap();
    (env, path)
}

/// Runs the shell `program` (found on PATH, else `None`: a skip) with `args`.
fn shell(program: &str, args: &[&str]) -> Option<String> {
    let path = need::tool(program, program)?;
    let out = Command::new(path).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn bash_completes_registry_subcommands() {
    let (_env, path) = script("bash");
    // `words` typed so far, completing the last one, as bash calls `_bsr <cmd> <cur> <prev>`.
    let complete = |words: &[&str]| {
        let [.., prev, cur] = words else {
            unreachable!()
        };
        let code = format!(
            r#"source '{}'
COMP_WORDS=({}); COMP_CWORD={}
_bsr bsr {cur} {prev}
printf '%s\n' "${{COMPREPLY[@]}}""#,
            path.display(),
            words.join(" "),
            words.len() - 1,
        );
        shell("bash", &["--norc", "--noprofile", "-c", &code])
    };
    let Some(out) = complete(&["bsr", "registry", "lo"]) else {
        return;
    };
    assert_eq!(out, "login\nlogout\n");
    assert_eq!(complete(&["bsr", "registry", "st"]).unwrap(), "status\n");
    assert_eq!(
        complete(&["bsr", "registry", "status", "--of"]).unwrap(),
        "--offline\n"
    );
}

#[test]
fn fish_completes_registry_subcommands() {
    let (_env, path) = script("fish");
    let code = format!("source '{}'; complete -C 'bsr registry lo'", path.display());
    let Some(out) = shell("fish", &["--no-config", "-c", &code]) else {
        return;
    };
    assert_eq!(
        out,
        "login\tLog in to the Buf Schema Registry\nlogout\tLog out of the Buf Schema Registry\n"
    );
    let code = format!("source '{}'; complete -C 'bsr registry st'", path.display());
    assert_eq!(
        shell("fish", &["--no-config", "-c", &code]).unwrap(),
        "status\tShow which credential is in effect for each domain, and whether it is good\n"
    );
}

#[test]
fn zsh_loads_the_completion_function() {
    let (_env, path) = script("zsh");
    let code = format!(
        "autoload -U compinit && compinit -u -D && source '{}' && whence -w _bsr",
        path.display()
    );
    let Some(out) = shell("zsh", &["-f", "-c", &code]) else {
        return;
    };
    assert_eq!(out, "_bsr: function\n");
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("'login:Log in to the Buf Schema Registry'"),
        "{text}"
    );
    assert!(
        text.contains("'logout:Log out of the Buf Schema Registry'"),
        "{text}"
    );
    assert!(
        text.contains(
            "'status:Show which credential is in effect for each domain, and whether it is good'"
        ),
        "{text}"
    );
}

#[test]
fn elvish_completes_registry_subcommands() {
    // The editor API exists only in an interactive elvish; two stubs stand in for it, the
    // generated completer itself runs unchanged.
    let (env, path) = script("elvish");
    let generated = fs::read_to_string(&path).unwrap();
    let test = format!(
        "var completers = [&]\nfn complex-candidate {{|text &display=''| put $text }}\n{}\n$completers[bsr] bsr registry lo\n",
        generated
            .replace("edit:completion:arg-completer", "completers")
            .replace("edit:complex-candidate", "complex-candidate")
    );
    let test_path = env.home().join("test.elv");
    fs::write(&test_path, test).unwrap();
    let Some(out) = shell("elvish", &["-norc", test_path.to_str().unwrap()]) else {
        return;
    };
    let candidates: Vec<&str> = out.lines().map(|l| l.trim_start_matches("▶ ")).collect();
    // Elvish's editor filters candidates by the typed prefix; the completer offers them all.
    let subcommands: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with("lo") || c.starts_with("st"))
        .collect();
    assert_eq!(subcommands, ["login", "logout", "status"]);
}

#[test]
fn powershell_script_registers_a_completer() {
    let (_env, path) = script("powershell");
    let text = fs::read_to_string(path).unwrap();
    assert!(
        text.contains("Register-ArgumentCompleter -Native -CommandName 'bsr'"),
        "{text}"
    );
    assert!(text.contains("'login'") && text.contains("'logout'") && text.contains("'status'"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let env = TestEnv::new();
    let out = env.run(&["completion", "tcsh"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("Failure: invalid value 'tcsh'"),
        "{}",
        out.stderr
    );
}
