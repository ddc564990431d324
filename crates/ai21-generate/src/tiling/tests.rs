//! Unit tests of the J2 tokenization.

use super::*;

/// The tokens of `text` as (token, start, end).
fn tokens(text: &str) -> Vec<(String, u64, u64)> {
    tokenize(text)
        .into_iter()
        .map(|token| (token.token, token.start, token.end))
        .collect()
}

fn owned(expected: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    expected
        .iter()
        .map(|(token, start, end)| ((*token).to_owned(), *start, *end))
        .collect()
}

#[test]
fn tokenizes_as_j2_does() {
    assert_eq!(
        tokens("These are"),
        owned(&[("▁These", 0, 5), ("▁are", 5, 9)])
    );
    assert_eq!(
        tokens(" things!\n\nI"),
        owned(&[
            ("▁things!", 0, 8),
            ("<|newline|>", 8, 9),
            ("<|newline|>", 9, 10),
            ("I", 10, 11)
        ])
    );
    assert_eq!(
        tokens("a  b  "),
        owned(&[("▁a", 0, 1), ("▁▁b", 1, 4), ("▁▁", 4, 6)])
    );
    assert_eq!(tokens(""), owned(&[]));
}

#[test]
fn ranges_count_code_points_and_tile_the_text() {
    for text in [
        "Caf\u{e9} \u{1F600} ok\n  end  ",
        "日本語 🙂\n",
        "\n\n",
        "   ",
    ] {
        let mut position = 0;
        for token in tokenize(text) {
            assert_eq!(token.start, position, "{text:?}");
            position = token.end;
        }
        assert_eq!(position, text.chars().count() as u64, "{text:?}");
    }
}

#[test]
fn built_texts_tile_with_zero_width_endings() {
    let mut tiling = Tiling::new();
    let first = tiling.push(" 🙂");
    let comma = tiling.push(",");
    let stop = tiling.push_empty(&spell("# #"));
    assert_eq!(
        (first.token.as_str(), first.start, first.end),
        ("▁🙂", 0, 2)
    );
    assert_eq!((comma.token.as_str(), comma.start, comma.end), (",", 2, 3));
    assert_eq!((stop.token.as_str(), stop.start, stop.end), ("#▁#", 3, 3));
    assert_eq!(tiling.length(), 3);
    assert_eq!(tiling.into_text(), " 🙂,");
}

#[test]
fn unspell_undoes_spell() {
    for piece in [" a b", "\n", "x\ny z", ""] {
        assert_eq!(unspell(&spell(piece)), piece);
    }
}

#[test]
fn token_count_is_the_length_of_the_tokenization() {
    for text in [
        "",
        "a",
        "These are",
        " things!\n\nI",
        "a  b\n",
        "\n\n\n",
        "   ",
        "é 😀 x\ny  ",
    ] {
        assert_eq!(token_count(text), tokenize(text).len() as u64, "{text:?}");
    }
}
