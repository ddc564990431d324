//! Documents the enum variants typify leaves without docs (plain values and the arms of
//! untagged unions), so the generated API is fully documented.

use syn::{Fields, Item, Meta};

/// Adds a doc comment to every undocumented variant in `file`.
pub(crate) fn document_variants(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Enum(item) = item else { continue };
        for variant in &mut item.variants {
            let documented = variant
                .attrs
                .iter()
                .any(|attribute| attribute.path().is_ident("doc"));
            if documented {
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

fn serde_rename(attributes: &[syn::Attribute]) -> Option<String> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("serde"))
        .find_map(|attribute| {
            let Meta::List(list) = &attribute.meta else {
                return None;
            };
            let pair: syn::MetaNameValue = list.parse_args().ok()?;
            if !pair.path.is_ident("rename") {
                return None;
            }
            match pair.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(rename),
                    ..
                }) => Some(rename.value()),
                _ => None,
            }
        })
}
