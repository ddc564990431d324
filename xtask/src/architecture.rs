//! ARCHITECTURE.md's crate graph is the workspace's: a table of each crate and the
//! workspace crates it depends on, checked against `cargo metadata` by a test.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    /// The table as ARCHITECTURE.md should have it, from `cargo metadata`.
    fn crate_graph() -> String {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let output = Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(&root)
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let packages = metadata["packages"].as_array().expect("packages");
        let names: BTreeSet<&str> = packages
            .iter()
            .filter_map(|package| package["name"].as_str())
            .collect();
        let mut lines: Vec<String> = packages
            .iter()
            .filter_map(|package| {
                let name = package["name"].as_str()?;
                // The contract suite's test crate is not part of the graph users see.
                if name == "ai21-contract-tests" {
                    return None;
                }
                let dependencies: BTreeSet<&str> = package["dependencies"]
                    .as_array()?
                    .iter()
                    .filter(|dependency| dependency["kind"].is_null())
                    .filter_map(|dependency| dependency["name"].as_str())
                    .filter(|dependency| names.contains(dependency))
                    .collect();
                let listed = if dependencies.is_empty() {
                    "-".to_owned()
                } else {
                    dependencies.into_iter().collect::<Vec<_>>().join(", ")
                };
                Some(format!("{name:<16} {listed}"))
            })
            .collect();
        lines.sort();
        lines.join("\n")
    }

    #[test]
    fn architecture_shows_the_crate_graph_as_it_is() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md");
        let page = std::fs::read_to_string(&path).expect("ARCHITECTURE.md is readable");
        let shown = page
            .split_once("<!-- crate-graph:start -->\n```text\n")
            .and_then(|(_, rest)| rest.split_once("\n```\n<!-- crate-graph:end -->"))
            .map(|(table, _)| table)
            .expect("ARCHITECTURE.md has the crate-graph block");
        let actual = crate_graph();
        assert_eq!(
            shown, actual,
            "ARCHITECTURE.md's crate graph is stale; the graph is:\n{actual}"
        );
    }
}
