//! A real pseudo-terminal for prompt tests: the child gets the terminal as its controlling
//! terminal and as stdin, stdout and stderr; the test types into the master side and reads
//! everything the terminal shows.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

pub struct Pty {
    master: File,
    child: Child,
    screen: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    pub fn spawn(mut cmd: Command) -> Pty {
        let (mut master_fd, mut slave_fd) = (0, 0);
        // SAFETY: openpty fills in two new descriptors.
        let rc = unsafe {
            libc::openpty(
                &mut master_fd,
                &mut slave_fd,
                std::ptr::null_mut(),
                // `*const` on Linux, `*mut` on macOS: a null `*mut` suits both.
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: openpty just created the descriptor; nothing else owns it.
        let slave = unsafe { OwnedFd::from_raw_fd(slave_fd) };
        // SAFETY: as above, for the other end.
        let master = unsafe { File::from_raw_fd(master_fd) };
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        drop(cmd);
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&screen);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            child,
            screen,
        }
    }

    /// The process id of the program on the terminal (to send it a signal).
    pub fn pid(&self) -> libc::pid_t {
        self.child.id() as libc::pid_t
    }

    /// Everything the terminal has shown so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal shows `text`, then returns the whole screen.
    pub fn expect(&self, text: &str) -> String {
        self.expect_nth(text, 1)
    }

    /// Waits until the terminal has shown `text` `n` times.
    pub fn expect_nth(&self, text: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= n {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types `text` (use `\r` for Enter, `\x03` for Ctrl-C, `\x04` for Ctrl-D).
    pub fn send(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Waits for the process to exit, then gives the terminal a moment to deliver the rest.
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                thread::sleep(Duration::from_millis(50));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "bsr did not exit; screen:\n{}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the terminal echoes input now (it must again once bsr has exited).
    pub fn echo_enabled(&self) -> bool {
        // SAFETY: tcgetattr on the master reads the terminal's settings into a zeroed struct.
        unsafe {
            let mut termios: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(self.master.as_raw_fd(), &mut termios), 0);
            termios.c_lflag & libc::ECHO != 0
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
