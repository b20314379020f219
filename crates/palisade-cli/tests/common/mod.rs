//! Running the `palisade` binary from the CLI tests: each test file includes this
//! module and uses what it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Runs `palisade ARGS` from the repository root.
pub fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("the palisade binary runs")
}

/// Runs `palisade ARGS` with `stdin` on its standard input.
pub fn palisade_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the palisade binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the manifest");
    child
        .wait_with_output()
        .expect("the palisade binary finishes")
}

/// A fresh, empty directory under the system temp dir for one test.
pub fn tempdir(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Standard output as JSON, or a failure that shows both streams.
pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A child process killed (and reaped) when the test ends, pass or fail.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `palisade serve` started for a test: TLS material made with `palisade
/// certs --local` in a fresh directory, the server on a free loopback port
/// with JSON logs, its address read from the start-up log line.
#[cfg(unix)]
pub struct Served {
    pub child: KillOnDrop,
    pub addr: std::net::SocketAddr,
    /// The CA that signed the server's certificate (PEM).
    pub ca: String,
    /// The server's log lines after the start-up line.
    pub logs: std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
    pub dir: PathBuf,
}

/// Starts `palisade serve --listen 127.0.0.1:0 --tls-cert … --tls-key …
/// --drain-seconds 0 --log-format json EXTRA...` from the repository root.
#[cfg(unix)]
pub fn serve(name: &str, extra: &[&str]) -> Served {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("palisade-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().expect("a UTF-8 temp dir").to_owned();
    let certs = palisade(&["certs", "--out-dir", &out, "--local"]);
    assert_eq!(certs.status.code(), Some(0), "palisade certs");
    let (cert, key) = (format!("{out}/tls.crt"), format!("{out}/tls.key"));
    let mut args = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--drain-seconds",
        "0",
        "--log-format",
        "json",
    ];
    args.extend_from_slice(extra);
    let child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(&args)
        .current_dir(repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("palisade serve starts");
    let mut child = KillOnDrop(child);
    let stderr = child.0.stderr.take().expect("stderr is piped");
    let mut logs = std::io::BufReader::new(stderr).lines();
    let addr = loop {
        let line = logs
            .next()
            .expect("a start-up log line")
            .expect("a log line");
        let entry: Value = serde_json::from_str(&line).expect("JSON log lines");
        if let Some(listen) = entry["fields"]["listen"].as_str() {
            break listen.parse().expect("a socket address");
        }
    };
    let ca = std::fs::read_to_string(dir.join("ca.crt")).expect("the CA certificate");
    Served {
        child,
        addr,
        ca,
        logs,
        dir,
    }
}

/// POSTs `body` to `/validate` of a served webhook and returns the status and JSON.
#[cfg(unix)]
pub fn validate(served: &Served, body: Vec<u8>) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut client = palisade_webhook::client::Client::connect(served.addr, &served.ca, None)
            .await
            .expect("a TLS connection");
        let reply = client.post("/validate", body).await.expect("a reply");
        (reply.status.as_u16(), reply.json())
    })
}
