//! Unit tests of schema navigation, on the canonical schemas.

use ai21_schemas::PayloadKind;
use serde_json::json;

use super::*;

fn chat_message_branches() -> (&'static Value, &'static Vec<Value>) {
    let root = PayloadKind::JambaChatRequest.schema();
    let node = root
        .pointer("/$defs/ChatMessage")
        .expect("ChatMessage is defined");
    let (_, branches) = union_branches(node).expect("ChatMessage is a oneOf");
    (root, branches)
}

#[test]
fn finds_the_discriminator_of_chat_messages_and_finish_reasons() {
    let (root, branches) = chat_message_branches();
    assert_eq!(discriminator(root, branches), Some("role"));
    let root = PayloadKind::J2CompleteResponse.schema();
    let (_, branches) = union_branches(&root["$defs"]["FinishReason"]).expect("a oneOf");
    assert_eq!(discriminator(root, branches), Some("reason"));
    let (_, branches) = union_branches(&root["$defs"]["CompletionId"]).expect("an anyOf");
    assert_eq!(discriminator(root, branches), None);
}

#[test]
fn selects_branches_by_discriminator_then_by_type() {
    let (root, branches) = chat_message_branches();
    assert_eq!(
        select(root, branches, &json!({"role": "tool"})),
        Selection::Discriminated {
            property: "role",
            index: 3
        }
    );
    assert_eq!(
        select(root, branches, &json!({"role": "human"})),
        Selection::UnknownDiscriminator { property: "role" }
    );
    assert_eq!(
        select(root, branches, &json!({"content": "hi"})),
        Selection::MissingDiscriminator { property: "role" }
    );
    assert_eq!(select(root, branches, &json!("hi")), Selection::NoType);
    let stop = &PayloadKind::JambaChatRequest.schema()["properties"]["stop"]["anyOf"];
    let stop = stop.as_array().expect("a list");
    assert_eq!(
        select(root, stop, &json!(["##"])),
        Selection::ByType { index: 1 }
    );
    assert_eq!(select(root, stop, &json!(3)), Selection::NoType);
}

#[test]
fn describes_schemas_in_words() {
    let request = PayloadKind::JambaChatRequest.schema();
    assert_eq!(
        describe(request, &request["properties"]["stop"]),
        "a string, a list of strings or null"
    );
    let response = PayloadKind::J2CompleteResponse.schema();
    assert_eq!(
        describe(
            response,
            &response["$defs"]["TokenData"]["properties"]["topTokens"]
        ),
        "a list of TopToken objects or null"
    );
    assert_eq!(
        describe(response, &json!({"$ref": "#/$defs/TextRange"})),
        "a TextRange object"
    );
    assert_eq!(describe(response, &json!({"const": "stop"})), "\"stop\"");
    assert_eq!(describe(response, &json!({})), "any value");
}

#[test]
fn integers_are_numbers() {
    assert!(type_accepts(&["number"], "integer"));
    assert!(!type_accepts(&["integer"], "number"));
    assert!(type_accepts(&["string", "null"], "null"));
}
