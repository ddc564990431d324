//! How the validator reads a canonical schema beside an instance, for code that walks the
//! two the same way.
//!
//! The validator's error explanations and drift walk follow `$ref`s into `$defs`, choose
//! the `oneOf`/`anyOf` branch an instance was meant for (by a `const` discriminator such
//! as `role`, otherwise by JSON type) and name places with JSON Pointers (RFC 6901). The
//! mutations of `ai21-generate` walk schemas with these same functions, so the finding a
//! mutation expects is at the branch and the pointer the validator reports.
//!
//! ```
//! use ai21_validate::PayloadKind;
//! use ai21_validate::walk::{join_index, join_key, resolve, selected_branch, union_branches};
//! use serde_json::json;
//!
//! let schema = PayloadKind::JambaChatRequest.schema();
//! let message = json!({"role": "tool", "tool_call_id": "call_1", "content": "{}"});
//! let items = resolve(schema, &schema["properties"]["messages"]["items"]);
//! let (keyword, branches) = union_branches(items).expect("messages are a union of roles");
//! let meant = selected_branch(schema, branches, &message).expect("told apart by role");
//! assert_eq!(keyword, "oneOf");
//! assert!(meant["required"].as_array().is_some_and(|names| names.contains(&json!("tool_call_id"))));
//! assert_eq!(join_key(&join_index("/messages", 2), "tool_call_id"), "/messages/2/tool_call_id");
//! ```

pub use crate::describe::type_of;
pub use crate::pointer::{join_index, join_key, parent, segments};
pub use crate::schema::{
    accepted_types, ref_target, resolve, selected_branch, type_accepts, union_branches,
};
