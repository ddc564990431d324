//! The types of a hosting dialect's payloads (Amazon Bedrock, Google Vertex AI, Azure AI),
//! generated from the overlaid schemas the way the canonical types are generated from
//! the canonical ones.
//!
//! A dialect's overlay is one JSON Merge Patch per payload kind it changes. A kind gets
//! types of its own only when the patch changes what the types are: its projection (the
//! schema typify sees, [`crate::project`]) differs from the canonical one's once
//! `description`s and `title`s are set aside, or the constraints the types leave to the
//! validator differ ([`changes_types`]). A patch that only rewords descriptions or adds
//! `$comment`s leaves the kind to the canonical type.
//!
//! Inside a kind that has types of its own, a definition that the patch leaves as it is
//! (its projection the same, save descriptions, and every definition it refers to the same
//! too) is **the canonical Rust type**, re-exported: a Bedrock request's messages are
//! `jamba_chat_request::ChatMessage`s, so a conversation moves between dialects as it is.
//! Only the root and the definitions the patch changes are new types, in the dialect's
//! module for the kind (`bedrock::jamba_chat_stream_chunk::ChunkChoice`). The dialect's
//! module re-exports the root type of every kind it serves (its own or the canonical one)
//! and every type of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ai21_schemas::{Dialect, PayloadKind};
use serde_json::{Map, Value};

use crate::module::module_name;
use crate::projection::collect_references;
use crate::{Error, External, Generated, Options, Result, SetInput, generate_inputs, project};

/// How a dialect's types are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialectOptions {
    /// The command named in the `@generated` header lines.
    pub command: String,
    /// The path, from the dialect's module, of the module that holds the canonical
    /// modules, `shared` and `presence`: `crate` in `ai21-models`, `super` in the
    /// vendored module.
    pub root: String,
}

impl Default for DialectOptions {
    /// The options of `ai21-models`: `cargo xtask codegen`, canonical types at `crate`.
    fn default() -> Self {
        DialectOptions {
            command: "cargo xtask codegen".to_owned(),
            root: "crate".to_owned(),
        }
    }
}

/// A dialect's generated types.
#[derive(Debug, Clone, PartialEq)]
pub struct DialectModels {
    /// The dialect.
    pub dialect: Dialect,
    /// The kinds the dialect changes the types of, each with its module (named
    /// [`module_name`]), in [`PayloadKind::ALL`] order.
    pub modules: Vec<(PayloadKind, Generated)>,
    /// The module `shared` of the definitions the dialect changes in several kinds alike;
    /// `None` when there are none.
    pub shared: Option<Generated>,
    /// The dialect module's documentation (`//!` lines, with the `@generated` header).
    pub docs: String,
    /// The dialect module's items beside its submodules: the re-exports of the root type
    /// of every kind the dialect serves and of every type of its own, and
    /// `CHANGED_KINDS`, formatted.
    pub items: String,
}

pub use ai21_schemas::{overlaid_schema, overlay_patch};

/// Whether `variant` (a dialect's schema of a kind) needs types other than `canonical`'s:
/// their projections differ once descriptions and titles are set aside, or the
/// constraints the types leave to the validator (by pointer and keyword) differ.
///
/// ```
/// use ai21_schemas::{Dialect, PayloadKind};
///
/// let kind = PayloadKind::JambaChatRequest;
/// // Bedrock makes `model` optional: a type of its own.
/// assert!(ai21_codegen::changes_types(kind.schema(), kind.schema_in(Dialect::Bedrock), kind.type_name())?);
/// // Bedrock only rewords the description of a Jamba response's `model`.
/// let kind = PayloadKind::JambaChatResponse;
/// assert!(!ai21_codegen::changes_types(kind.schema(), kind.schema_in(Dialect::Bedrock), kind.type_name())?);
/// # Ok::<(), ai21_codegen::Error>(())
/// ```
pub fn changes_types(canonical: &Value, variant: &Value, root_type_name: &str) -> Result<bool> {
    let canonical = projected(canonical, root_type_name, "the canonical schema")?;
    let variant = projected(variant, root_type_name, "the overlaid schema")?;
    Ok(projections_differ(&canonical, &variant))
}

/// Whether two projections make different types or leave different constraints to the
/// validator.
fn projections_differ(canonical: &crate::Projection, variant: &crate::Projection) -> bool {
    let constraints = |projection: &crate::Projection| -> BTreeSet<(String, String)> {
        projection
            .unenforced
            .iter()
            .map(|item| (item.pointer.clone(), item.keyword.clone()))
            .collect()
    };
    without_annotations(&canonical.schema) != without_annotations(&variant.schema)
        || constraints(canonical) != constraints(variant)
}

/// The types of `dialect`'s payloads: for each kind it serves and changes the types of,
/// a module generated from the canonical schema (`canonical`, every kind's, in
/// [`PayloadKind::ALL`] order) with the overlay's patch applied.
///
/// `overlay_source` names the overlay file in headers and errors, such as
/// `schemas/dialects/bedrock.overlay.json`.
pub fn dialect_models(
    dialect: Dialect,
    canonical: &[(PayloadKind, &Value)],
    overlay: &Value,
    overlay_source: &str,
    options: &DialectOptions,
) -> Result<DialectModels> {
    // The canonical definitions several kinds share are in the canonical `shared` module
    // (the canonical set is generated from the same schemas), open when any copy is.
    let mut canonical_copies: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for (_, schema) in canonical {
        for (name, definition) in crate::shared::definitions(schema) {
            canonical_copies.entry(name).or_default().push(definition);
        }
    }
    let kind_root = kind_module_root(&options.root);
    check_overlay(overlay, overlay_source)?;

    let mut changed: Vec<(PayloadKind, Value, Options, External)> = Vec::new();
    for &(kind, canonical_schema) in canonical {
        if !dialect.serves(kind) {
            continue;
        }
        let Some(schema) = overlaid_schema(canonical_schema, overlay, kind) else {
            continue;
        };
        let source = format!("schemas/{} with {overlay_source}", kind.file_name());
        let unsupported = |(pointer, message): (String, String)| Error::Unsupported {
            schema: source.clone(),
            pointer,
            message,
        };
        let canonical_projection =
            project(canonical_schema, kind.type_name()).map_err(unsupported)?;
        let projection = project(&schema, kind.type_name()).map_err(unsupported)?;
        if !projections_differ(&canonical_projection, &projection) {
            continue;
        }
        let taken = unchanged_definitions(&canonical_projection.schema, &projection.schema);
        let mut external = External::default();
        for name in &taken {
            let copies = canonical_copies.get(name.as_str()).map_or(0, Vec::len);
            let module = if copies > 1 {
                format!("{kind_root}::shared")
            } else {
                format!("{kind_root}::{}", module_name(kind))
            };
            external.modules.insert(name.clone(), module);
            // A closed copy here of a shared type that is open (a request's `ToolCall`)
            // leaves closedness to the validator, as in the canonical module.
            let closed = |definition: &Value| {
                definition.get("additionalProperties") == Some(&Value::Bool(false))
            };
            let here_closed = crate::shared::definitions(&schema)
                .find(|(found, _)| *found == name)
                .is_some_and(|(_, definition)| closed(definition));
            let any_open = canonical_copies
                .get(name.as_str())
                .is_some_and(|copies| copies.iter().any(|copy| !closed(copy)));
            if copies > 1 && here_closed && any_open {
                external.unenforced.push(crate::Unenforced {
                    pointer: format!("/$defs/{name}"),
                    keyword: "additionalProperties".to_owned(),
                    value: Value::Bool(false),
                });
            }
        }
        external.reexports = reachable(&projection.schema)
            .intersection(&taken)
            .cloned()
            .collect();
        let generate_options = Options {
            command: options.command.clone(),
            presence_module: format!("{kind_root}::presence"),
            shared_module: "super::shared".to_owned(),
            ..Options::new(kind.type_name(), source)
        };
        changed.push((kind, schema, generate_options, external));
    }

    let origin = |kind: PayloadKind| {
        format!(
            "`schemas/{}` with the merge patch of `{overlay_source}`",
            kind.file_name()
        )
    };
    let inputs: Vec<SetInput<'_>> = changed
        .iter()
        .map(|(kind, schema, options, external)| SetInput {
            schema,
            options,
            origin: origin(*kind),
            external: external.clone(),
        })
        .collect();
    let mut generated = generate_inputs(&inputs)?;

    // Types that are no definition (typify names an inline union `JambaChatRequestStop`)
    // are the canonical ones too where the module writes them exactly as the canonical
    // module does. The canonical set is generated with the same paths, so the two compare.
    let canonical_options: Vec<Options> = canonical
        .iter()
        .map(|(kind, _)| Options {
            command: options.command.clone(),
            presence_module: format!("{kind_root}::presence"),
            shared_module: format!("{kind_root}::shared"),
            ..Options::new(kind.type_name(), format!("schemas/{}", kind.file_name()))
        })
        .collect();
    let canonical_inputs: Vec<(&Value, &Options)> = canonical
        .iter()
        .zip(&canonical_options)
        .map(|((_, schema), options)| (*schema, options))
        .collect();
    let canonical_set = crate::generate_set(&canonical_inputs)?;
    // Types of the dialect's own shared module are the dialect's, whatever their names.
    let dialect_shared: BTreeSet<String> = match &generated.shared {
        Some(shared) => defined_types(&shared.source)?.into_iter().collect(),
        None => BTreeSet::new(),
    };
    let mut regenerate = false;
    for ((kind, _, _, external), module) in changed.iter_mut().zip(&generated.modules) {
        let Some(index) = canonical.iter().position(|(found, _)| found == kind) else {
            continue;
        };
        let same = same_types(
            &module.source,
            &canonical_set.modules[index].source,
            kind.type_name(),
            &dialect_shared,
        )?;
        for name in same {
            external
                .modules
                .insert(name.clone(), format!("{kind_root}::{}", module_name(*kind)));
            external.reexports.insert(name);
            regenerate = true;
        }
    }
    if regenerate {
        let inputs: Vec<SetInput<'_>> = changed
            .iter()
            .map(|(kind, schema, options, external)| SetInput {
                schema,
                options,
                origin: origin(*kind),
                external: external.clone(),
            })
            .collect();
        generated = generate_inputs(&inputs)?;
    }
    let kinds: Vec<PayloadKind> = changed.iter().map(|(kind, ..)| *kind).collect();
    let modules: Vec<(PayloadKind, Generated)> =
        kinds.iter().copied().zip(generated.modules).collect();
    let docs = docs(dialect, overlay, overlay_source, &kinds, options);
    let items = items(dialect, &modules, generated.shared.as_ref(), options)?;
    Ok(DialectModels {
        dialect,
        modules,
        shared: generated.shared,
        docs,
        items,
    })
}

/// Checks the parts of an overlay this module reads: `kinds`, an object whose entries for
/// payload kinds have an object `patch`. (The schemas crate's build script checks the
/// embedded overlays the same way; an overlay read from disk is checked here.)
fn check_overlay(overlay: &Value, overlay_source: &str) -> Result<()> {
    let problem = |pointer: String, message: &str| Error::Unsupported {
        schema: overlay_source.to_owned(),
        pointer,
        message: message.to_owned(),
    };
    let Some(kinds) = overlay.get("kinds") else {
        return Err(problem(String::new(), "an overlay has a `kinds` object"));
    };
    let kinds = kinds
        .as_object()
        .ok_or_else(|| problem("/kinds".to_owned(), "`kinds` is not an object"))?;
    for (stem, entry) in kinds {
        if !PayloadKind::ALL.iter().any(|kind| kind.stem() == stem) {
            return Err(problem(format!("/kinds/{stem}"), "not a payload kind"));
        }
        if !entry.get("patch").is_some_and(Value::is_object) {
            return Err(problem(
                format!("/kinds/{stem}/patch"),
                "each kind's entry has a merge patch object",
            ));
        }
    }
    Ok(())
}

/// The path of the canonical root from a module of a dialect's kind, one level below
/// the dialect's module.
fn kind_module_root(root: &str) -> String {
    if root == "crate" || root.starts_with("crate::") || root.starts_with("::") {
        root.to_owned()
    } else {
        format!("super::{root}")
    }
}

fn projected(schema: &Value, root_type_name: &str, which: &str) -> Result<crate::Projection> {
    project(schema, root_type_name).map_err(|(pointer, message)| Error::Unsupported {
        schema: which.to_owned(),
        pointer,
        message,
    })
}

/// The projected definitions of `variant` that are the canonical projection's, save
/// descriptions and titles, and refer only to such definitions, transitively.
fn unchanged_definitions(canonical: &Value, variant: &Value) -> BTreeSet<String> {
    let empty = Map::new();
    let definitions = |schema: &'_ Value| -> Map<String, Value> {
        schema
            .get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone()
    };
    let canonical = definitions(canonical);
    let variant = definitions(variant);
    let mut unchanged: BTreeSet<String> = variant
        .iter()
        .filter(|(name, definition)| {
            canonical
                .get(*name)
                .is_some_and(|copy| without_annotations(copy) == without_annotations(definition))
        })
        .map(|(name, _)| name.clone())
        .collect();
    // A definition that refers to a changed one holds the changed type, so it changes too.
    loop {
        let holding_changed: Vec<String> = unchanged
            .iter()
            .filter(|name| {
                let mut references = Vec::new();
                collect_references(&variant[name.as_str()], &mut references);
                references
                    .iter()
                    .any(|reference| !unchanged.contains(reference))
            })
            .cloned()
            .collect();
        if holding_changed.is_empty() {
            return unchanged;
        }
        for name in holding_changed {
            unchanged.remove(&name);
        }
    }
}

/// The definitions of a projected schema that its root refers to, transitively.
fn reachable(schema: &Value) -> BTreeSet<String> {
    let mut root = schema.clone();
    if let Some(root) = root.as_object_mut() {
        root.remove("$defs");
    }
    let mut found = BTreeSet::new();
    let mut queue = vec![root];
    while let Some(current) = queue.pop() {
        let mut references = Vec::new();
        collect_references(&current, &mut references);
        for reference in references {
            if let Some(definition) = schema.get("$defs").and_then(|defs| defs.get(&reference))
                && found.insert(reference)
            {
                queue.push(definition.clone());
            }
        }
    }
    found
}

/// A projected schema without `description`s and `title`s, at any depth: what typify
/// makes types of, save their documentation. Property names are kept (a property may be
/// called `description`).
pub(crate) fn without_annotations(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in object {
        let value = match keyword.as_str() {
            "description" | "title" => continue,
            "properties" | "$defs" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), without_annotations(schema)))
                    .collect(),
            ),
            "items" | "additionalProperties" => without_annotations(value),
            "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(without_annotations)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(keyword.clone(), value);
    }
    Value::Object(out)
}

fn docs(
    dialect: Dialect,
    overlay: &Value,
    overlay_source: &str,
    kinds: &[PayloadKind],
    options: &DialectOptions,
) -> String {
    let mut docs = format!(
        "//! @generated by `{}` from `{overlay_source}` over the canonical schemas; do not edit.\n//!\n",
        options.command
    );
    if let Some(description) = overlay.get("description").and_then(Value::as_str) {
        let first_sentence = description
            .split_inclusive(": ")
            .next()
            .unwrap_or(description)
            .trim_end()
            .trim_end_matches(':');
        writeln!(docs, "//! {}: {first_sentence}.\n//!", dialect.title())
            .expect("writing to a String");
    }
    let own = if kinds.is_empty() {
        "none".to_owned()
    } else {
        kinds
            .iter()
            .map(|kind| format!("[`{}`]", kind.type_name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let served: Vec<String> = PayloadKind::ALL
        .into_iter()
        .filter(|kind| dialect.serves(*kind) && !kinds.contains(kind))
        .map(|kind| format!("`{}`", kind.type_name()))
        .collect();
    writeln!(
        docs,
        "//! Types of their own, generated from the canonical schema with the overlay's merge patch applied,\n\
         //! for the payloads whose types {short} changes: {own}. Definitions a patch leaves as they are\n\
         //! are the canonical types, re-exported, so values move between dialects as they are.\n\
         //! The other payloads {short} serves are the canonical types, re-exported here: {served}.",
        short = dialect.short(),
        served = if served.is_empty() {
            "none".to_owned()
        } else {
            served.join(", ")
        },
    )
    .expect("writing to a String");
    docs
}

/// The re-exports and `CHANGED_KINDS` of the dialect's module.
fn items(
    dialect: Dialect,
    modules: &[(PayloadKind, Generated)],
    shared: Option<&Generated>,
    options: &DialectOptions,
) -> Result<String> {
    let mut file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: Vec::new(),
    };
    let parse_path = |text: &str| -> Result<syn::Path> {
        syn::parse_str(text).map_err(|error| Error::Output {
            schema: format!("the {} module", dialect.name()),
            message: format!("the path {text}: {error}"),
        })
    };
    // Every type the dialect's modules define, by module; a name two modules define is
    // left to its modules' paths.
    let mut defined: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(shared) = shared {
        defined.push(("shared".to_owned(), defined_types(&shared.source)?));
    }
    for (kind, generated) in modules {
        let root = kind.type_name();
        let types = defined_types(&generated.source)?
            .into_iter()
            .filter(|name| name != root)
            .collect();
        defined.push((module_name(*kind), types));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, names) in &defined {
        for name in names {
            *counts.entry(name).or_default() += 1;
        }
    }
    for kind in PayloadKind::ALL {
        if !dialect.serves(kind) {
            continue;
        }
        let name = syn::Ident::new(kind.type_name(), proc_macro2::Span::call_site());
        let item: syn::Item = if modules.iter().any(|(own, _)| *own == kind) {
            let module = parse_path(&module_name(kind))?;
            let doc = format!(" {} as {} has it.", kind.type_name(), dialect.short());
            syn::parse_quote! {
                #[doc = #doc]
                pub use #module::#name;
            }
        } else {
            let module = parse_path(&format!("{}::{}", options.root, module_name(kind)))?;
            let doc = format!(
                " {}: {} does not change its types, so it is the canonical type.",
                kind.type_name(),
                dialect.short()
            );
            syn::parse_quote! {
                #[doc = #doc]
                pub use #module::#name;
            }
        };
        file.items.push(item);
    }
    for (module, names) in &defined {
        let names: Vec<syn::Ident> = names
            .iter()
            .filter(|name| counts[name.as_str()] == 1)
            .map(|name| syn::Ident::new(name, proc_macro2::Span::call_site()))
            .collect();
        if names.is_empty() {
            continue;
        }
        let module = parse_path(module)?;
        file.items.push(syn::parse_quote! {
            /// Types of this dialect's own, beside the root types.
            pub use #module::{#(#names),*};
        });
    }
    let stems = modules.iter().map(|(kind, _)| kind.stem());
    let doc = format!(
        " The payload kinds (by schema stem) whose types {} changes, with types of their own\n in this module; every other kind it serves is the canonical type.",
        dialect.short()
    );
    file.items.push(syn::parse_quote! {
        #[doc = #doc]
        pub const CHANGED_KINDS: &[&str] = &[#(#stems),*];
    });
    Ok(prettyplease::unparse(&file))
}

/// The types `module` defines (its root aside) exactly as `canonical` does, save their
/// documentation, and that hold no type `module` defines otherwise nor any of `own` (the
/// dialect's types defined elsewhere, which may have canonical names).
fn same_types(
    module: &str,
    canonical: &str,
    root: &str,
    own: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let module = types_by_name(module)?;
    let canonical = types_by_name(canonical)?;
    let mut same: BTreeSet<String> = module
        .iter()
        .filter(|(name, text)| {
            name.as_str() != root
                && canonical.get(*name) == Some(*text)
                && !own.iter().any(|other| mentions(text, other))
        })
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let holding_other: Vec<String> = same
            .iter()
            .filter(|name| {
                module
                    .keys()
                    .any(|other| !same.contains(other) && mentions(&module[name.as_str()], other))
            })
            .cloned()
            .collect();
        if holding_other.is_empty() {
            return Ok(same);
        }
        for name in holding_other {
            same.remove(&name);
        }
    }
}

/// Whether the token text `text` has the identifier `name`.
fn mentions(text: &str, name: &str) -> bool {
    text.split(|character: char| !(character.is_alphanumeric() || character == '_'))
        .any(|word| word == name)
}

/// Each struct and enum of a generated module, with the token text of its definition and
/// of every `impl` for it, documentation removed.
fn types_by_name(source: &str) -> Result<BTreeMap<String, String>> {
    use syn::visit_mut::VisitMut;

    struct Undocument;
    impl VisitMut for Undocument {
        fn visit_attributes_mut(&mut self, attributes: &mut Vec<syn::Attribute>) {
            attributes.retain(|attribute| !attribute.path().is_ident("doc"));
        }
    }
    let mut file: syn::File = syn::parse_str(source).map_err(|error| Error::Output {
        schema: "a dialect module".to_owned(),
        message: error.to_string(),
    })?;
    Undocument.visit_file_mut(&mut file);
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for item in &file.items {
        let Some(name) = crate::defined_type(item) else {
            continue;
        };
        let text = quote::quote!(#item).to_string();
        let entry = types.entry(name).or_default();
        entry.push_str(&text);
        entry.push('\n');
    }
    Ok(types)
}

/// The structs and enums a generated module defines (not its re-exports, nor the types
/// of its `error` module).
fn defined_types(source: &str) -> Result<Vec<String>> {
    let file: syn::File = syn::parse_str(source).map_err(|error| Error::Output {
        schema: "a dialect module".to_owned(),
        message: error.to_string(),
    })?;
    Ok(file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item.ident.to_string()),
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests;
