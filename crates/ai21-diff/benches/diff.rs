//! How long `diff` takes, beside the keyword-only comparison it is built over:
//! `cargo bench -p ai21-diff --bench diff`.
//!
//! Three pairs of versions, each compared both ways in the same run: the Jamba preview
//! (seed 002) against today's request and response, the older J2 request (seed 003)
//! against today's, and today's Jamba request against itself with `temperature` narrowed
//! to at most 1. `documents` is the whole comparison at the command's default (256
//! random documents from each version of each kind, the boundary probes, the minimal
//! examples); `keywords` is the keyword-level summary alone, the baseline a keyword-only
//! tool computes. Run as a test (`cargo test --bench diff`, as CI does) each measurement
//! runs once, and the run checks that each pair finds what the docs say it finds.

use std::path::Path;

use ai21_diff::{Options, SchemaSet, diff, keyword};
use ai21_schemas::PayloadKind;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn folder(path: &str) -> SchemaSet {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    SchemaSet::from_folder(&root.join(path)).expect("the repository's schemas read")
}

fn today(kinds: &[PayloadKind]) -> SchemaSet {
    SchemaSet::from_values(
        "today",
        kinds.iter().map(|kind| (*kind, kind.schema().clone())),
    )
}

fn bench(criterion: &mut Criterion) {
    let jamba = [
        PayloadKind::JambaChatRequest,
        PayloadKind::JambaChatResponse,
    ];
    let mut narrowed = PayloadKind::JambaChatRequest.schema().clone();
    narrowed["properties"]["temperature"]["maximum"] = json!(1);
    let pairs = [
        (
            "jamba-preview",
            folder("schemas/history/jamba-preview"),
            today(&jamba),
            true,
        ),
        (
            "j2-older",
            folder("schemas/history/j2-older"),
            today(&[PayloadKind::J2CompleteRequest]),
            false,
        ),
        (
            "temperature-narrowed",
            today(&[PayloadKind::JambaChatRequest]),
            SchemaSet::from_values("narrowed", [(PayloadKind::JambaChatRequest, narrowed)]),
            true,
        ),
    ];
    let options = Options::default();
    let mut group = criterion.benchmark_group("diff");
    group.sample_size(10);
    for (name, old, new, breaks) in &pairs {
        let found = diff(old, new, &options).expect("the pair compares");
        assert_eq!(
            found.breaks(),
            *breaks,
            "{name}: {}",
            ai21_diff::render::verdict(&found)
        );
        group.bench_function(format!("{name}/documents"), |bencher| {
            bencher.iter(|| diff(old, new, &options).expect("the pair compares"));
        });
        group.bench_function(format!("{name}/keywords"), |bencher| {
            bencher.iter(|| {
                PayloadKind::ALL
                    .into_iter()
                    .filter_map(|kind| Some(keyword::compare(old.schema(kind)?, new.schema(kind)?)))
                    .map(|changes| changes.len())
                    .sum::<usize>()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
