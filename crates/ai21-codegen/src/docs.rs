//! Documents the enum variants typify leaves without docs (plain values and the arms of
//! untagged unions), and the fields of properties a schema leaves without a description
//! (the canonical schemas describe every property; an overlay may not), so the generated
//! API is fully documented.

use syn::{Fields, Item, Meta};

/// Adds a doc comment to every undocumented variant and named field in `file`.
pub(crate) fn document_variants(file: &mut syn::File) {
    for item in &mut file.items {
        if let Item::Struct(item) = item
            && let Fields::Named(fields) = &mut item.fields
        {
            for field in &mut fields.named {
                if documented(&field.attrs) {
                    continue;
                }
                let name = serde_rename(&field.attrs).unwrap_or_else(|| {
                    field
                        .ident
                        .as_ref()
                        .map(|ident| ident.to_string().trim_start_matches("r#").to_owned())
                        .unwrap_or_default()
                });
                let doc = format!("The `{name}` property (the schema does not describe it).");
                field.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
            }
        }
        let Item::Enum(item) = item else { continue };
        for variant in &mut item.variants {
            if documented(&variant.attrs) {
                continue;
            }
            let doc = match &variant.fields {
                Fields::Unit => format!(
                    "The value `{}`.",
                    serde_rename(&variant.attrs).unwrap_or_else(|| variant.ident.to_string())
                ),
                _ => format!("The {} form.", variant.ident.to_string().to_lowercase()),
            };
            variant.attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
        }
    }
}

fn documented(attributes: &[syn::Attribute]) -> bool {
    attributes
        .iter()
        .any(|attribute| attribute.path().is_ident("doc"))
}

/// The `rename` of a `#[serde(...)]` attribute, alone or among other arguments.
fn serde_rename(attributes: &[syn::Attribute]) -> Option<String> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("serde"))
        .find_map(|attribute| {
            let Meta::List(list) = &attribute.meta else {
                return None;
            };
            let arguments = list
                .parse_args_with(
                    syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            arguments.into_iter().find_map(|argument| match argument {
                Meta::NameValue(pair) if pair.path.is_ident("rename") => match pair.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(rename),
                        ..
                    }) => Some(rename.value()),
                    _ => None,
                },
                _ => None,
            })
        })
}
