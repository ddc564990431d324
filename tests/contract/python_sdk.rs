//! The official AI21 Python SDK, unchanged, against the mock: a J2 completion, a chat
//! completion and a streamed chat completion (`tests/sdk/ai21_sdk_check.py`).
//!
//! `.ci/run` installs python3's `ai21==2.15.2` (the last 2.x release, which still has J2
//! completion). Without it this test fails under `CI=true`; elsewhere it says clearly that
//! it did not run.

use std::path::Path;
use std::process::Command;

/// Why the SDK check cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|output| output.status.success()) {
        return Some("python3 is not installed".to_owned());
    }
    let sdk = Command::new("python3")
        .args(["-c", "import ai21; print(ai21.__version__)"])
        .output();
    match sdk {
        Ok(output) if output.status.success() => {
            let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            (!version.starts_with("2.")).then(|| {
                format!(
                    "python3 has ai21 {version}, not a 2.x release (the line with J2 completion)"
                )
            })
        }
        _ => Some("python3 cannot import the ai21 SDK (pip install 'ai21==2.15.2')".to_owned()),
    }
}

#[test]
fn the_official_python_sdk_works_against_the_mock() {
    if let Some(reason) = missing_prerequisite() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Python SDK check cannot run in CI: {reason}"
        );
        #[allow(clippy::print_stderr, reason = "a check that did not run must say so")]
        {
            eprintln!("NOT RUN: the_official_python_sdk_works_against_the_mock: {reason}");
        }
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let mock = runtime
        .block_on(ai21_mock::RunningMock::start(
            "127.0.0.1:0".parse().expect("an address"),
            ai21_mock::Config::default(),
        ))
        .expect("the mock binds loopback");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/ai21_sdk_check.py");
    let output = Command::new("python3")
        .arg(&script)
        .env("AI21_MOCK_URL", mock.base_url())
        .env("AI21_API_KEY", "sdk-test-key")
        .output()
        .expect("python3 runs");
    runtime.block_on(mock.stop()).expect("the mock stops");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the SDK check failed:\n{stdout}\n{stderr}"
    );
    for check in [
        "j2 completion: 2 completions",
        "chat completion:",
        "streamed chat completion:",
    ] {
        assert!(stdout.contains(check), "{check:?} missing from:\n{stdout}");
    }
}
