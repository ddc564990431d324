//! The presence pass: rewrites typify's optional fields so a round trip keeps exactly
//! what was sent.
//!
//! typify represents an optional property as `Option<T>` that also accepts `null`, as a
//! `Vec`/map skipped when empty (so `"stopSequences": []` vanishes), or as a defaultable
//! struct that is always written (so an absent `meta` comes back as `{}`). Using the
//! schema's facts, every optional field becomes:
//!
//! - `Option<T>` when the schema forbids `null`: absent is `None`, `null` is an error;
//! - `Option<Option<T>>` when it allows `null`: absent is `None`, `null` is `Some(None)`;
//!
//! always skipped when `None`. Deserialization goes through the helper module named in
//! the options (`present` and `nullable`), because serde's own `Option` handling maps
//! `null` to `None`.
//!
//! The same pass makes every integer field read an integer as JSON Schema does: `30.0`
//! and `3e1` are the integer 30 to the schema, and serde's integer types refuse them. A
//! field whose type is a Rust integer reads through the helper module's `integer`, an
//! optional one through `present_integer` or `nullable_integer` (for fields of structs,
//! of struct variants, and of tuple variants and tuple structs alike); values are still
//! written as integers. An integer anywhere else in a field's type (a list of integers,
//! say) is an error naming the field, as no helper reads it yet.

use std::collections::BTreeMap;

use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, GenericArgument, Item, LitStr, PathArguments, Token, Type};

use crate::projection::{PropertyFacts, PropertyKey};

/// Rewrites every optional field of every struct and enum variant in `file`.
pub(crate) fn rewrite(
    file: &mut syn::File,
    properties: &BTreeMap<PropertyKey, PropertyFacts>,
    presence_module: &str,
) -> Result<(), String> {
    for item in &mut file.items {
        match item {
            Item::Struct(item) => {
                let container = item.ident.to_string();
                integer_tuple_fields(&container, &mut item.fields, presence_module)?;
                rewrite_fields(
                    &container,
                    None,
                    &mut item.fields,
                    properties,
                    presence_module,
                )?;
            }
            Item::Enum(item) => {
                let container = item.ident.to_string();
                for variant in &mut item.variants {
                    let tag = variant_tag(variant)?;
                    let name = format!("{container}::{}", variant.ident);
                    integer_tuple_fields(&name, &mut variant.fields, presence_module)?;
                    rewrite_fields(
                        &container,
                        Some(tag),
                        &mut variant.fields,
                        properties,
                        presence_module,
                    )?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The JSON tag of an enum variant: its serde rename, or its name.
fn variant_tag(variant: &syn::Variant) -> Result<String, String> {
    Ok(SerdeField::read(&variant.attrs)?
        .rename
        .unwrap_or_else(|| variant.ident.to_string()))
}

fn rewrite_fields(
    container: &str,
    variant: Option<String>,
    fields: &mut Fields,
    properties: &BTreeMap<PropertyKey, PropertyFacts>,
    presence_module: &str,
) -> Result<(), String> {
    let Fields::Named(fields) = fields else {
        return Ok(());
    };
    for field in &mut fields.named {
        let serde = SerdeField::read(&field.attrs)?;
        if serde.flatten {
            continue;
        }
        let name = serde.rename.clone().unwrap_or_else(|| {
            field
                .ident
                .as_ref()
                .map(|ident| ident.to_string().trim_start_matches("r#").to_owned())
                .unwrap_or_default()
        });
        let key = PropertyKey {
            container: container.to_owned(),
            variant: variant.clone(),
            property: name.clone(),
        };
        let facts = properties
            .get(&key)
            .ok_or_else(|| format!("{container}.{name}: no schema facts for this field"))?;
        if facts.required {
            required_integer(field, &format!("{container}.{name}"), presence_module)?;
            continue;
        }
        let inner = option_inner(&field.ty)
            .cloned()
            .unwrap_or_else(|| field.ty.clone());
        let integer = is_integer(&inner);
        if !integer {
            no_nested_integer(&inner, &format!("{container}.{name}"))?;
        }
        let (ty, deserializer): (Type, &str) = match (facts.nullable, integer) {
            (true, false) => (
                syn::parse_quote!(::std::option::Option<::std::option::Option<#inner>>),
                "nullable",
            ),
            (true, true) => (
                syn::parse_quote!(::std::option::Option<::std::option::Option<#inner>>),
                "nullable_integer",
            ),
            (false, false) => (syn::parse_quote!(::std::option::Option<#inner>), "present"),
            (false, true) => (
                syn::parse_quote!(::std::option::Option<#inner>),
                "present_integer",
            ),
        };
        field.ty = ty;
        field
            .attrs
            .retain(|attribute| !attribute.path().is_ident("serde"));
        let deserialize_with = format!("{presence_module}::{deserializer}");
        let attribute: Attribute = match &serde.rename {
            Some(rename) => syn::parse_quote! {
                #[serde(rename = #rename, default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = #deserialize_with)]
            },
            None => syn::parse_quote! {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = #deserialize_with)]
            },
        };
        field.attrs.push(attribute);
    }
    Ok(())
}

/// The Rust integer types typify writes for a JSON Schema `integer`.
const INTEGERS: [&str; 10] = [
    "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize",
];

/// Whether `ty` is a Rust integer type (`u64`, `::std::primitive::u64`).
fn is_integer(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    path.qself.is_none()
        && path.path.segments.last().is_some_and(|last| {
            last.arguments.is_empty() && INTEGERS.contains(&last.ident.to_string().as_str())
        })
}

/// An error when an integer type appears inside `ty` (`Vec<u64>`): no helper reads one
/// there the way JSON Schema does.
fn no_nested_integer(ty: &Type, field: &str) -> Result<(), String> {
    use syn::visit::Visit;

    struct Find(bool);
    impl Visit<'_> for Find {
        fn visit_type(&mut self, ty: &Type) {
            if is_integer(ty) {
                self.0 = true;
            }
            syn::visit::visit_type(self, ty);
        }
    }
    let mut find = Find(false);
    find.visit_type(ty);
    if find.0 {
        let shown = quote::quote!(#ty).to_string();
        return Err(format!(
            "{field}: an integer inside `{shown}`: the integer pass reads integer fields and optional integer fields only (an integral float such as 30.0 would be refused there); give the integers a field of their own or extend the pass"
        ));
    }
    Ok(())
}

/// Points a field that is always present (`place` names it) at the `integer` helper when
/// its type is a Rust integer; an error when an integer is nested inside its type.
fn required_integer(
    field: &mut syn::Field,
    place: &str,
    presence_module: &str,
) -> Result<(), String> {
    if is_integer(&field.ty) {
        let deserialize_with = format!("{presence_module}::integer");
        field
            .attrs
            .push(syn::parse_quote!(#[serde(deserialize_with = #deserialize_with)]));
        Ok(())
    } else {
        no_nested_integer(&field.ty, place)
    }
}

/// Points the integer fields of a tuple struct or tuple variant at the `integer` helper.
fn integer_tuple_fields(
    container: &str,
    fields: &mut Fields,
    presence_module: &str,
) -> Result<(), String> {
    let Fields::Unnamed(fields) = fields else {
        return Ok(());
    };
    for (index, field) in fields.unnamed.iter_mut().enumerate() {
        required_integer(field, &format!("{container}.{index}"), presence_module)?;
    }
    Ok(())
}

/// `T` when `ty` is `Option<T>` (under any path to `Option`).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// The parts of the `#[serde(...)]` attributes of a field or variant the pass needs.
#[derive(Debug, Default)]
struct SerdeField {
    rename: Option<String>,
    flatten: bool,
}

impl SerdeField {
    fn read(attributes: &[Attribute]) -> Result<Self, String> {
        let mut serde = SerdeField::default();
        for attribute in attributes
            .iter()
            .filter(|attribute| attribute.path().is_ident("serde"))
        {
            let items = attribute
                .parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
                .map_err(|error| format!("reading a serde attribute: {error}"))?;
            for item in items {
                match item {
                    syn::Meta::NameValue(pair) if pair.path.is_ident("rename") => {
                        let syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(rename),
                            ..
                        }) = &pair.value
                        else {
                            return Err("a serde rename that is not a string".to_owned());
                        };
                        serde.rename = Some(LitStr::value(rename));
                    }
                    syn::Meta::Path(path) if path.is_ident("flatten") => serde.flatten = true,
                    _ => {}
                }
            }
        }
        Ok(serde)
    }
}
