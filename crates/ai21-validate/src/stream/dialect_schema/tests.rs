//! Unit tests of the dialects' compiled schemas.

use serde_json::json;

use super::*;

#[test]
fn every_patched_schema_compiles() {
    let mut patched = 0;
    for dialect in Dialect::ALL {
        for kind in PayloadKind::ALL {
            if compiled(dialect, kind).is_some() {
                patched += 1;
            }
        }
    }
    // Bedrock patches all six kinds; Vertex and Azure patch some: at least Bedrock's.
    assert!(patched >= 6, "{patched} patched schemas");
    assert!(compiled(Dialect::Studio, PayloadKind::JambaChatStreamChunk).is_none());
}

#[test]
fn a_bedrock_chunk_is_checked_against_the_bedrock_schema() {
    let validator = Validator::shared();
    let kind = PayloadKind::JambaChatStreamChunk;
    let chunk = json!({
        "id": "chatcmpl-1",
        "choices": [{"index": 0, "delta": {"content": "."}, "finish_reason": "stop", "stop_reason": "<|eom|>"}],
        "meta": {"requestDurationMillis": 120},
        "amazon-bedrock-invocationMetrics": {"inputTokenCount": 1}
    });
    let rules = |dialect: Dialect| {
        let mut full = Vec::new();
        check(validator, dialect, kind, &chunk, &mut full);
        let mut fast = Vec::new();
        let fast = check_fast(validator, dialect, kind, &chunk, &mut fast).map(|()| fast);
        let full: Vec<(&str, String)> = full
            .into_iter()
            .map(|finding| (finding.rule, finding.pointer))
            .collect();
        (full, fast.is_ok())
    };
    assert_eq!(rules(Dialect::Bedrock), (vec![], true));
    let (studio, fast) = rules(Dialect::Studio);
    assert!(!fast, "the fast check defers on drift");
    assert_eq!(
        studio,
        [
            (
                "drift/unknown-field",
                "/amazon-bedrock-invocationMetrics".to_owned()
            ),
            ("drift/unknown-field", "/choices/0/stop_reason".to_owned()),
            ("drift/unknown-field", "/meta".to_owned()),
        ]
    );

    let mut broken = chunk.clone();
    broken["amazon-bedrock-invocationMetrics"]["inputTokenCount"] = json!(-1);
    let mut findings = Vec::new();
    check(validator, Dialect::Bedrock, kind, &broken, &mut findings);
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|finding| (finding.rule, finding.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "schema/minimum",
            "/amazon-bedrock-invocationMetrics/inputTokenCount"
        )]
    );
    let mut fast = Vec::new();
    assert!(check_fast(validator, Dialect::Bedrock, kind, &broken, &mut fast).is_err());
    assert!(fast.is_empty());
}
