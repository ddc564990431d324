//! Helpers shared by the test modules: reading inputs and summarising the items, one line
//! each, so a test states what reading gives as a list of lines.

use std::io::Write;

use ai21_capture::{Body, Content, Input, Item, ReadOptions};

/// A fake key shaped like an AI21 one; the fixtures use it wherever a credential goes.
pub(crate) const KEY: &str = "Zx9Qv7Lp2Rt5Wm8Kc3Hn6Bd4Fg1Js0Ty";

/// The fixture folder, relative to the crate (where cargo runs the tests), so that
/// locations in the summaries do not depend on the machine.
pub(crate) const FIXTURES: &str = "tests/fixtures";

/// Reads paths (`-` is `stdin`) with the given options.
pub(crate) fn read_with(arguments: &[&str], options: ReadOptions, stdin: &[u8]) -> Vec<Item> {
    let inputs = arguments.iter().map(Input::from_arg);
    ai21_capture::read_from(inputs, options, stdin).collect()
}

/// Reads paths with default options and an empty standard input.
pub(crate) fn read(arguments: &[&str]) -> Vec<Item> {
    read_with(arguments, ReadOptions::default(), b"")
}

/// Reads bytes given on standard input.
pub(crate) fn read_stdin(bytes: &[u8]) -> Vec<Item> {
    read_with(&["-"], ReadOptions::default(), bytes)
}

/// One line per item, such as `x.jsonl:1: POST /studio/v1/j2-mid/complete -> 200, request
/// json, response json`.
pub(crate) fn summary(items: &[Item]) -> Vec<String> {
    items.iter().map(summarise).collect()
}

fn summarise(item: &Item) -> String {
    match item {
        Item::Record(record) => match &record.content {
            Content::Exchange(exchange) => format!(
                "{}: {} {} -> {}, request {}, response {}",
                record.location,
                exchange.method,
                exchange.endpoint().path(),
                exchange.response.status,
                body_kind(&exchange.request.body),
                body_kind(&exchange.response.body),
            ),
            Content::Payload(payload) => {
                format!("{}: payload {}", record.location, payload.kind)
            }
        },
        Item::Unreadable(unreadable) => format!(
            "{}: unreadable: {}",
            unreadable.location, unreadable.message
        ),
        Item::Skipped(skipped) => format!("{}: skipped: {}", skipped.location, skipped.reason),
    }
}

fn body_kind(body: &Body) -> &'static str {
    match body {
        Body::Absent => "absent",
        Body::Json(_) => "json",
        Body::EventStream(_) => "event-stream",
        Body::AwsEventStream(_) => "aws-event-stream",
        Body::Text(_) => "text",
    }
}

/// Checks that reading the arguments summarises to the expected lines.
#[track_caller]
pub(crate) fn check(arguments: &[&str], expected: &[&str]) {
    assert_eq!(summary(&read(arguments)), expected);
}

/// Checks that reading bytes from standard input summarises to the expected lines.
#[track_caller]
pub(crate) fn check_stdin(bytes: &[u8], expected: &[&str]) {
    assert_eq!(summary(&read_stdin(bytes)), expected);
}

/// The gzip compression of some bytes.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A fixture's bytes.
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).expect("the fixture exists")
}

/// The only record of the items, as an exchange.
#[track_caller]
pub(crate) fn exchange(item: &Item) -> &ai21_capture::Exchange {
    match item {
        Item::Record(record) => match &record.content {
            Content::Exchange(exchange) => exchange,
            Content::Payload(_) => panic!("a payload, not an exchange: {item:?}"),
        },
        _ => panic!("not a record: {item:?}"),
    }
}

/// A temporary folder holding the given files.
pub(crate) fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        let path = folder.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating a folder");
        }
        std::fs::write(path, bytes).expect("writing a file");
    }
    folder
}

/// Checks that reading these paths of a folder summarises to the expected lines, with the
/// folder's path written `TMP`.
#[track_caller]
pub(crate) fn check_in(folder: &std::path::Path, names: &[&str], expected: &[&str]) {
    let paths: Vec<String> = names
        .iter()
        .map(|name| folder.join(name).display().to_string())
        .collect();
    let arguments: Vec<&str> = paths.iter().map(String::as_str).collect();
    let prefix = folder.display().to_string();
    let lines: Vec<String> = summary(&read(&arguments))
        .into_iter()
        .map(|line| line.replace(&prefix, "TMP"))
        .collect();
    assert_eq!(lines, expected);
}

/// What a run of the `ai21-contract` binary gave.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The run as one text for a snapshot: exit status, standard output, standard error.
    pub(crate) fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The workspace root, where the binary runs so that paths such as
/// `tests/fixtures/captures/sample.jsonl` read the same on every machine.
pub(crate) fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary in the workspace root with these arguments and standard input, in an
/// environment without the variables that change its output (`CI`, `NO_COLOR`, `TERM`).
pub(crate) fn ai21(arguments: &[&str], stdin: &[u8]) -> Run {
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
        .args(arguments)
        .current_dir(workspace_root())
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("TERM")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("a piped standard input");
    let stdin = stdin.to_vec();
    // Written from another thread: a large input would fill the pipe while the binary
    // waits for its output to be read.
    let writer = std::thread::spawn(move || {
        // The binary may stop reading early (a usage error); that is not a test failure.
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("the binary runs");
    writer.join().expect("writing standard input");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 output"),
    }
}

/// Snapshots a transcript with durations and the given temporary folder replaced by
/// placeholders.
#[track_caller]
pub(crate) fn assert_transcript(name: &str, run: &Run, folder: Option<&std::path::Path>) {
    let mut filters: Vec<(String, String)> = vec![
        (r"in [0-9]+\.[0-9]+s".into(), "in [TIME]".into()),
        (
            r#""elapsed_seconds":[0-9.e-]+"#.into(),
            r#""elapsed_seconds":"[TIME]""#.into(),
        ),
        (
            r#""elapsedSeconds":[0-9.e-]+"#.into(),
            r#""elapsedSeconds":"[TIME]""#.into(),
        ),
        (r#"time="[0-9.]+""#.into(), r#"time="[TIME]""#.into()),
    ];
    if let Some(folder) = folder {
        let escaped: String = folder
            .display()
            .to_string()
            .chars()
            .flat_map(|character| {
                let escape = !character.is_alphanumeric() && character != '/';
                escape.then_some('\\').into_iter().chain([character])
            })
            .collect();
        filters.push((escaped, "[TMP]".into()));
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for (pattern, replacement) in &filters {
        settings.add_filter(pattern, replacement.as_str());
    }
    settings.bind(|| insta::assert_snapshot!(name, run.transcript()));
}

/// The summary object of a `--format json` run.
#[track_caller]
pub(crate) fn json_summary(run: &Run) -> serde_json::Value {
    let last = run.stdout.lines().last().expect("a summary line");
    let summary: serde_json::Value = serde_json::from_str(last).expect("a JSON summary");
    assert_eq!(summary["type"], "summary", "{last}");
    summary
}

/// Checks that a `--format json` run accounts for every record: the buckets add up to the
/// records read, and there is one object per finding and per skipped item.
#[track_caller]
pub(crate) fn assert_accounted(run: &Run) -> serde_json::Value {
    let summary = json_summary(run);
    let count = |name: &str| summary[name].as_u64().expect("a count");
    assert_eq!(
        count("records"),
        count("valid")
            + count("with_errors")
            + count("warnings_only")
            + count("unreadable")
            + count("skipped"),
        "{summary}"
    );
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON Lines"))
        .collect();
    let of_type = |kind: &str| lines.iter().filter(|line| line["type"] == kind).count() as u64;
    assert_eq!(of_type("skipped"), count("skipped"));
    assert_eq!(
        of_type("finding"),
        count("errors") + count("warnings") + count("unreadable")
    );
    summary
}

/// An `ai21-contract serve` process on a free loopback port, killed when dropped (so a
/// failing assertion never leaves it running); [`Server::stop`] stops it as Ctrl-C does.
pub(crate) struct Server {
    child: std::process::Child,
    /// The address it serves on, such as `127.0.0.1:41234`.
    pub(crate) addr: String,
    /// Its banner, the first line of its standard error.
    pub(crate) banner: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// Starts `serve --addr 127.0.0.1:0` with more arguments, and waits for its banner.
    pub(crate) fn start(arguments: &[&str]) -> Server {
        Server::start_with_env(arguments, &[])
    }

    /// Starts `serve --addr 127.0.0.1:0` with more arguments and environment variables
    /// (such as the one `--key-env` names), and waits for its banner.
    pub(crate) fn start_with_env(arguments: &[&str], variables: &[(&str, &str)]) -> Server {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("ai21-contract"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(arguments)
            .envs(variables.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut banner = String::new();
        stderr
            .read_line(&mut banner)
            .expect("standard error is text");
        let mut server = Server {
            child,
            addr: String::new(),
            banner: banner.trim_end().to_owned(),
            stderr: None,
        };
        server.addr = server
            .banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in the banner {:?}", server.banner))
            .to_owned();
        // The rest of standard error is read as it comes, so that the server never blocks
        // on a full pipe.
        server.stderr = Some(std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
            rest
        }));
        server
    }

    /// The base URL, such as `http://127.0.0.1:41234`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server as Ctrl-C does (SIGINT), so that it finishes writing what it
    /// records, and returns what it wrote on standard error after its banner. A server
    /// that has not stopped after ten seconds is killed, and the test fails.
    pub(crate) fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let signalled = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .is_ok_and(|status| status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            match self.child.try_wait().expect("the server's status") {
                Some(status) => break Some(status),
                None if std::time::Instant::now() > deadline => break None,
                None => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self
            .stderr
            .take()
            .map(|reader| reader.join().unwrap_or_default())
            .unwrap_or_default();
        assert!(signalled, "kill -INT {pid} failed");
        let status = status.unwrap_or_else(|| {
            panic!("the server did not stop within 10 s of SIGINT; its log:\n{stderr}")
        });
        assert!(
            status.success(),
            "the server exited with {status}; its log:\n{stderr}"
        );
        stderr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
