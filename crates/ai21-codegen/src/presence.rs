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
            continue;
        }
        let inner = option_inner(&field.ty)
            .cloned()
            .unwrap_or_else(|| field.ty.clone());
        let (ty, deserializer): (Type, &str) = if facts.nullable {
            (
                syn::parse_quote!(::std::option::Option<::std::option::Option<#inner>>),
                "nullable",
            )
        } else {
            (syn::parse_quote!(::std::option::Option<#inner>), "present")
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
