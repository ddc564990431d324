//! Python for the tests that run Python tools (the client suite, the Python ecosystem
//! checks): a virtual environment per pinned requirements file.
//!
//! The environment is made under the target directory with `python3 -m venv`, then `pip
//! install --no-deps -r` from the requirements file, which is the complete dependency set
//! (a `pip freeze` of a clean environment), then `pip check`. It is reused while its stamp
//! records the same requirements and the same `python3`, and a lock file keeps parallel
//! tests from making it twice ([`tools::prepared`]). A step that cannot run (no python3, pip
//! failed) fails the test with the reason: it is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::tools;

/// How long each step of making a virtual environment (venv, pip install, pip check) may
/// take.
const INSTALL_DEADLINE: Duration = Duration::from_secs(600);

/// The Python of the virtual environment `name`, holding exactly the pinned requirements
/// of the file `requirements`: made under the target directory, or reused.
pub(crate) fn virtual_environment(name: &str, requirements: &Path) -> PathBuf {
    let pinned = std::fs::read(requirements)
        .unwrap_or_else(|error| panic!("reading {}: {error}", requirements.display()));
    let system_python = tools::run(
        Command::new("python3").arg("--version"),
        Duration::from_secs(30),
        "python3 --version (the Python tests need python3 with venv and pip)",
    );
    assert!(
        system_python.status.success(),
        "python3 --version failed: {}",
        String::from_utf8_lossy(&system_python.stderr)
    );
    let mut inputs = pinned;
    inputs.extend_from_slice(&system_python.stdout);
    inputs.extend_from_slice(&system_python.stderr);
    let venv = tools::prepared(&format!("python-venv-{name}"), &inputs, |venv| {
        let python = venv.join("bin/python");
        let steps: [(&str, Command); 3] = [
            ("python3 -m venv", {
                let mut command = Command::new("python3");
                command.arg("-m").arg("venv").arg(venv);
                command
            }),
            ("pip install --no-deps -r", {
                let mut command = Command::new(&python);
                command
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--no-input",
                        "--no-deps",
                        "-r",
                    ])
                    .arg(requirements);
                command
            }),
            ("pip check", {
                let mut command = Command::new(&python);
                command.args(["-m", "pip", "check", "--disable-pip-version-check"]);
                command
            }),
        ];
        for (what, mut command) in steps {
            tools::run_ok(
                &mut command,
                INSTALL_DEADLINE,
                &format!("{what} for {name}"),
            );
        }
    });
    venv.join("bin/python")
}

/// A program the virtual environment of `python` installed, such as `schemathesis`.
pub(crate) fn script(python: &Path, name: &str) -> PathBuf {
    python.with_file_name(name)
}
