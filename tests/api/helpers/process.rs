//! Processes a test starts and stops: the `tipline` binary itself (its
//! commands, and `serve` with its log read line by line), an s3s-fs server
//! and a PostgreSQL server of a test's own, and HTTP written by hand where
//! no client library would send it.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::S3Env;

/// Sends `body` with `Transfer-Encoding: chunked`, so no length is declared,
/// byte for byte as a slow phone might, and returns the raw response.
pub async fn chunked_post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        // The server may stop reading once past its cap.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    response
}

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An s3s-fs server of a test's own, which the test may stop and start.
pub struct S3Server {
    binary: PathBuf,
    root: PathBuf,
    pub port: u16,
    pub access_key: String,
    pub secret_key: String,
    child: Option<Child>,
}

impl S3Server {
    /// The s3s-fs binary: `TEST_S3S_FS`, else on `PATH`.
    pub fn binary() -> Option<PathBuf> {
        if let Ok(path) = std::env::var("TEST_S3S_FS") {
            return Some(PathBuf::from(path));
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("s3s-fs"))
                .find(|p| p.is_file())
        })
    }

    pub fn start(binary: PathBuf, root: &Path) -> Self {
        std::fs::create_dir_all(root).unwrap();
        let mut server = Self {
            binary,
            root: root.to_path_buf(),
            port: free_port(),
            access_key: "test-access".into(),
            secret_key: "test-secret-key-for-s3s".into(),
            child: None,
        };
        server.resume();
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn env(&self) -> S3Env {
        S3Env {
            endpoint: self.endpoint(),
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
        }
    }

    /// (Re)starts the server on the same port and directory.
    pub fn resume(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--access-key",
                &self.access_key,
                "--secret-key",
                &self.secret_key,
            ])
            .arg(&self.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A PostgreSQL server of a test's own: a cluster made with `initdb` in a
/// temporary directory, on a free port, which the test may stop (as a crash
/// would) and start again. Restarting the shared server would disturb every
/// other test.
pub struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    running: bool,
}

impl PgServer {
    /// The directory of `initdb` and `pg_ctl`: `TEST_PG_BIN`, else the
    /// newest `/usr/lib/postgresql/*/bin` (Debian's layout).
    pub fn binaries() -> Option<PathBuf> {
        if let Ok(dir) = std::env::var("TEST_PG_BIN") {
            return Some(PathBuf::from(dir));
        }
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .collect();
        found.sort();
        found.pop().map(|(_, bin)| bin)
    }

    /// A new cluster (trust authentication, user `postgres`), started.
    pub fn start(bin: PathBuf) -> Self {
        let dir = tempfile::tempdir().unwrap();
        if as_root() {
            // PostgreSQL refuses to run as root: its files belong to postgres.
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown the cluster's directory");
        }
        let data = dir.path().join("data");
        let out = Self::command(&bin, "initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--no-sync"])
            .args(["-E", "UTF8", "--locale=C"])
            .stdin(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut server = Self {
            bin,
            dir,
            port: free_port(),
            running: false,
        };
        server.resume();
        server
    }

    /// A command of the server's, run as `postgres` when the test is root.
    fn command(bin: &Path, program: &str) -> Command {
        if as_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(bin.join(program));
            cmd
        } else {
            Command::new(bin.join(program))
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::Output {
        Self::command(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run pg_ctl")
    }

    /// The server's log so far, for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// (Re)starts the server on the same port and data, and waits until it
    /// takes connections (after crash recovery, when it was stopped as a
    /// crash would stop it).
    pub fn resume(&mut self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        let out = self.pg_ctl(&["-l", &log, "-w", "-t", "300", "-o", &options, "start"]);
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        self.running = true;
    }

    /// Stops the server at once, without a checkpoint, as a crash would:
    /// every client loses its connections.
    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        let out = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        assert!(
            out.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.running = false;
    }

    /// A URL allowed to create databases.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.running {
            let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        }
    }
}

fn as_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
    })
}

/// The `tipline` binary with only the given environment.
pub fn tipline(env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tipline"));
    // Only what the test gives: a developer's own TIPLINE_* must not leak in.
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.envs(env.iter().cloned());
    cmd
}

/// A running `tipline serve`, its stderr collected line by line.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Running {
    pub fn start(env: &[(String, String)]) -> Self {
        let mut child = tipline(env)
            .args(["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads stderr until a line satisfies `find`, for at most `limit`.
    pub fn wait_for(&mut self, limit: Duration, find: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = std::time::Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if find(&line) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// The address from the JSON "ready to serve" log line.
    pub fn address(&mut self) -> String {
        let line = self
            .wait_for(Duration::from_secs(60), |l| {
                l.contains("tipline ready to serve")
            })
            .unwrap_or_else(|| panic!("never ready; stderr so far: {:?}", self.seen));
        let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
        event["fields"]["addr"].as_str().unwrap().to_owned()
    }

    /// Whether the process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// `kill -9`: the process ends at once, mid-whatever it was doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit, at most `limit`, and returns the rest of stderr.
    pub fn exit_status(&mut self, limit: Duration) -> (Option<i32>, Vec<String>) {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.seen.extend(self.lines.try_iter());
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return (status.code(), self.seen.clone());
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not exit within {limit:?}; stderr: {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
