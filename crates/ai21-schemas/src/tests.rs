//! Unit tests of the embedded schemas, the example table and the repairs.

use super::*;

#[test]
fn every_kind_serves_its_own_schema() {
    for kind in PayloadKind::ALL {
        let schema = kind.schema();
        assert_eq!(schema["$id"], kind.id(), "{kind}");
        assert_eq!(schema["title"], kind.type_name(), "{kind}");
        assert!(
            kind.id().ends_with(kind.file_name()),
            "{kind}: $id {} does not end with the file name",
            kind.id()
        );
        assert_eq!(format!("{}.schema.json", kind.stem()), kind.file_name());
        assert!(std::ptr::eq(schema, kind.schema()), "{kind}: parsed twice");
    }
}

#[test]
fn kinds_are_found_by_stem_and_file_name() {
    for kind in PayloadKind::ALL {
        assert_eq!(kind.stem().parse::<PayloadKind>(), Ok(kind));
        assert_eq!(PayloadKind::from_name(kind.file_name()), Some(kind));
        assert_eq!(kind.to_string(), kind.stem());
    }
    let error = "j2.request".parse::<PayloadKind>().expect_err("not a kind");
    assert_eq!(
        error.to_string(),
        "unknown payload kind \"j2.request\", expected one of: j2-complete.request j2-complete.response \
         jamba-chat.request jamba-chat.response jamba-chat.stream-chunk error.response"
    );
}

#[test]
fn every_kind_has_valid_and_invalid_examples() {
    for kind in PayloadKind::ALL {
        let (valid, invalid): (Vec<_>, Vec<_>) =
            kind.examples().partition(|example| example.is_valid());
        // The stream chunk and the error envelope have no documented example (the seeds
        // show neither), only invalid ones.
        let documented_kinds = [
            PayloadKind::J2CompleteRequest,
            PayloadKind::J2CompleteResponse,
            PayloadKind::JambaChatRequest,
            PayloadKind::JambaChatResponse,
        ];
        assert_eq!(
            !valid.is_empty(),
            documented_kinds.contains(&kind),
            "{kind}: valid examples"
        );
        assert!(
            invalid.len() >= 3,
            "{kind}: only {} invalid examples",
            invalid.len()
        );
        for example in kind.examples() {
            assert_eq!(example.kind(), kind);
            assert!(
                example
                    .file()
                    .trim_start_matches("invalid/")
                    .starts_with(kind.stem()),
                "{}",
                example.file()
            );
            assert!(example.payload().is_object(), "{}", example.file());
        }
    }
    assert!(examples().filter(|example| !example.is_valid()).count() >= 30);
}

#[test]
fn documented_examples_come_from_the_seeds() {
    let valid: Vec<_> = examples().filter(|example| example.is_valid()).collect();
    // Seed 001 has two J2 requests and two responses, 003 one of each, 002 one Jamba
    // request and one response.
    assert_eq!(valid.len(), 8);
    for example in valid {
        let Expectation::Valid(facts) = example.expectation() else {
            unreachable!("filtered to valid")
        };
        let documented = facts
            .documented()
            .expect("every valid example is documented");
        assert!(documented.file().ends_with(".documented.txt"));
        assert!(
            example.source().starts_with("seed 00"),
            "{}",
            example.source()
        );
    }
}

fn check_repair(repair: Repair, input: &str, expected: &str, count: usize) {
    let repaired = repair.apply(input);
    assert_eq!(
        repaired,
        Repaired {
            text: expected.to_owned(),
            count
        },
        "{}",
        repair.name()
    );
}

#[test]
fn extract_fetch_body_keeps_the_stringified_object() {
    check_repair(
        Repair::ExtractFetchBody,
        "fetch(\"u\", {\n  body: JSON.stringify({\"a\": \"}\", \"b\": {\"c\": 1}}),\n  method: \"POST\"\n});",
        "{\"a\": \"}\", \"b\": {\"c\": 1}}",
        1,
    );
    check_repair(Repair::ExtractFetchBody, "{\"a\": 1}", "{\"a\": 1}", 0);
}

#[test]
fn strip_python_preamble_counts_dropped_lines() {
    check_repair(
        Repair::StripPythonPreamble,
        "import requests\n\nurl = \"x\"\n\n{\n \"a\": 1\n}",
        "{\n \"a\": 1\n}",
        2,
    );
    check_repair(
        Repair::StripPythonPreamble,
        "no brace at all",
        "no brace at all",
        0,
    );
}

#[test]
fn python_none_becomes_null_outside_strings_only() {
    check_repair(
        Repair::PythonNoneToNull,
        "{\"stop\": None, \"text\": \"None\", \"NoneX\": Nones}",
        "{\"stop\": null, \"text\": \"None\", \"NoneX\": Nones}",
        1,
    );
}

#[test]
fn trailing_commas_are_removed_outside_strings_only() {
    check_repair(
        Repair::RemoveTrailingCommas,
        "{\"a\": [1, 2,], \"b\": \",}\",\n }",
        "{\"a\": [1, 2], \"b\": \",}\"\n }",
        2,
    );
    check_repair(
        Repair::RemoveTrailingCommas,
        "{\"a\": \"\\\",]\"}",
        "{\"a\": \"\\\",]\"}",
        0,
    );
}

#[test]
fn contracts_are_today_s_then_the_historical_folders() {
    let names: Vec<&str> = Contract::ALL
        .iter()
        .map(|contract| contract.name())
        .collect();
    assert_eq!(names, ["current", "j2-older", "jamba-preview"]);
    assert_eq!(Contract::ALL[0], Contract::CURRENT);
    assert_eq!(Contract::default(), Contract::CURRENT);
    assert!(!Contract::CURRENT.is_historical());
    for contract in Contract::ALL {
        assert_eq!(Contract::by_name(contract.name()), Ok(contract));
        assert_eq!(contract.name().parse::<Contract>(), Ok(contract));
        assert_eq!(contract.to_string(), contract.name());
        assert_eq!(contract.is_historical(), contract != Contract::CURRENT);
    }
    assert_eq!(
        Contract::by_name("Jamba-Preview").map(Contract::name),
        Ok("jamba-preview")
    );
}

#[test]
fn an_unknown_contract_lists_the_known_names() {
    let error = Contract::by_name("jamba-1999").expect_err("no such contract");
    assert_eq!(error, UnknownContract("jamba-1999".to_owned()));
    assert_eq!(
        error.to_string(),
        "unknown contract \"jamba-1999\", expected one of: current, j2-older, jamba-preview"
    );
    assert!("".parse::<Contract>().is_err());
}

#[test]
fn today_s_contract_is_the_canonical_schemas() {
    let current = Contract::CURRENT;
    assert_eq!(current.kinds().collect::<Vec<_>>(), PayloadKind::ALL);
    for kind in PayloadKind::ALL {
        assert!(std::ptr::eq(
            current.schema(kind).expect("today's has every kind"),
            kind.schema()
        ));
        assert!(std::ptr::eq(current.schema_or_today(kind), kind.schema()));
        assert_eq!(current.schema_text(kind), Some(kind.schema_text()));
        assert_eq!(current.id(kind), Some(kind.id()));
        assert_eq!(current.file(kind), Some(kind.file_name().to_owned()));
    }
}

#[test]
fn historical_contracts_freeze_the_kinds_their_folders_hold() {
    let kinds = |name: &str| {
        Contract::by_name(name)
            .expect("a known contract")
            .kinds()
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds("j2-older"), [PayloadKind::J2CompleteRequest]);
    assert_eq!(
        kinds("jamba-preview"),
        [
            PayloadKind::JambaChatRequest,
            PayloadKind::JambaChatResponse
        ]
    );
    for contract in Contract::ALL.into_iter().filter(|c| c.is_historical()) {
        for kind in PayloadKind::ALL {
            let frozen = contract.kinds().any(|frozen| frozen == kind);
            let Some(schema) = contract.schema(kind) else {
                assert!(!frozen, "{contract} {kind}");
                assert_eq!(contract.schema_text(kind), None);
                assert_eq!(contract.id(kind), None);
                assert_eq!(contract.file(kind), None);
                assert!(std::ptr::eq(contract.schema_or_today(kind), kind.schema()));
                continue;
            };
            assert!(frozen, "{contract} {kind}");
            assert!(std::ptr::eq(schema, contract.schema_or_today(kind)));
            assert!(
                std::ptr::eq(schema, contract.schema(kind).expect("frozen")),
                "{contract} {kind}: parsed twice"
            );
            assert!(!std::ptr::eq(schema, kind.schema()), "{contract} {kind}");
            assert_ne!(schema, kind.schema(), "{contract} {kind}");
            let text = contract.schema_text(kind).expect("frozen");
            assert_eq!(&serde_json::from_str::<Value>(text).expect("JSON"), schema);
            let file = format!("history/{contract}/{}", kind.file_name());
            assert_eq!(contract.file(kind).as_deref(), Some(file.as_str()));
            let id = format!("https://ai21-contract.dev/schemas/{file}");
            assert_eq!(contract.id(kind), Some(id.as_str()));
            assert_eq!(schema["$id"], id);
            assert_eq!(schema["deprecated"], true, "{contract} {kind}");
        }
    }
}
