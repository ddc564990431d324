//! Running the external tools that the ecosystem checks install for themselves: a command
//! with a deadline, an exclusive lock on a file, and a folder under the target directory
//! that is prepared once and reused while a stamp records the same inputs. The TypeScript
//! check uses them directly, the Python tests through `python.rs`.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The file in a prepared folder that records the hash of the inputs it was made from.
const STAMP: &str = "ai21-contract-stamp";

/// The target directory's scratch folder (under `CARGO_TARGET_DIR` when it is set).
pub(crate) fn target_tmp() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&path)
        .unwrap_or_else(|error| panic!("creating {}: {error}", path.display()));
    path
}

/// An exclusive lock on a file, held until the file is dropped.
pub(crate) fn lock(path: &Path) -> File {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap_or_else(|error| panic!("opening the lock {}: {error}", path.display()));
    file.lock()
        .unwrap_or_else(|error| panic!("locking {}: {error}", path.display()));
    file
}

/// The folder `name` under the target's scratch folder, made by `prepare` unless its stamp
/// records the same `inputs`. An exclusive lock on `name.lock` beside it keeps parallel
/// tests from preparing it at the same time. The stamp is written after `prepare` returns,
/// so a preparation that failed is started again from an empty folder by the next run.
pub(crate) fn prepared(name: &str, inputs: &[u8], prepare: impl FnOnce(&Path)) -> PathBuf {
    let root = target_tmp();
    let _lock = lock(&root.join(format!("{name}.lock")));
    let folder = root.join(name);
    let stamp = folder.join(STAMP);
    let wanted = format!("inputs-hash {:016x}\n", fnv1a(inputs));
    if std::fs::read_to_string(&stamp).is_ok_and(|found| found == wanted) {
        return folder;
    }
    if folder.exists() {
        std::fs::remove_dir_all(&folder)
            .unwrap_or_else(|error| panic!("removing {}: {error}", folder.display()));
    }
    std::fs::create_dir_all(&folder)
        .unwrap_or_else(|error| panic!("creating {}: {error}", folder.display()));
    prepare(&folder);
    std::fs::write(&stamp, wanted)
        .unwrap_or_else(|error| panic!("writing {}: {error}", stamp.display()));
    folder
}

/// FNV-1a, 64 bits: a stable hash for stamps (std's hasher may change between releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs a command to its end, killing it (and failing the test) past the deadline; a
/// command that cannot start fails the test naming `what`.
pub(crate) fn run(command: &mut Command, deadline: Duration, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{what}: cannot start: {error}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            break Some(status);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        panic!(
            "{what}: still running after {} s, killed\n--- stdout:\n{}--- stderr:\n{}",
            deadline.as_secs(),
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
    };
    Output {
        status,
        stdout,
        stderr,
    }
}

/// Runs a command that must succeed: [`run`], then failing the test with its output when
/// it exits with an error.
pub(crate) fn run_ok(command: &mut Command, deadline: Duration, what: &str) -> Output {
    let output = run(command, deadline, what);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout:\n{}--- stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// How long checking that node and npm exist may take.
const NODE_VERSION_DEADLINE: Duration = Duration::from_secs(60);
/// How long `npm ci` may take (it downloads the packages on a first run).
const NPM_INSTALL_DEADLINE: Duration = Duration::from_secs(600);

/// The folder `name` under the target directory with the packages of `package_dir`
/// (`package.json` and `package-lock.json`) installed by `npm ci`, or reused while its
/// stamp records the same package files, Node.js and npm. `why` says who needs Node.js,
/// for the failure when it is missing.
pub(crate) fn npm_ci(name: &str, package_dir: &Path, why: &str) -> PathBuf {
    let mut inputs = Vec::new();
    for tool in ["node", "npm"] {
        let output = run_ok(
            Command::new(tool).arg("--version"),
            NODE_VERSION_DEADLINE,
            &format!("{tool} --version ({why})"),
        );
        inputs.extend_from_slice(&output.stdout);
    }
    let files = ["package.json", "package-lock.json"];
    for file in files {
        let path = package_dir.join(file);
        inputs.extend(
            std::fs::read(&path)
                .unwrap_or_else(|error| panic!("reading {}: {error}", path.display())),
        );
    }
    prepared(name, &inputs, |folder: &Path| {
        for file in files {
            let from = package_dir.join(file);
            std::fs::copy(&from, folder.join(file))
                .unwrap_or_else(|error| panic!("copying {}: {error}", from.display()));
        }
        run_ok(
            Command::new("npm")
                .args([
                    "ci",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--engine-strict",
                ])
                .env("npm_config_update_notifier", "false")
                .current_dir(folder),
            NPM_INSTALL_DEADLINE,
            &format!("npm ci in {}", folder.display()),
        );
    })
}
