//! Unit tests of the pattern language.

use super::*;

#[test]
fn parses_the_hex_uuid_pattern() {
    let atoms = parse("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        .expect("the J2 id pattern is supported");
    let counts: Vec<(usize, usize)> = atoms.iter().map(|atom| (atom.min, atom.max)).collect();
    assert_eq!(
        counts,
        [
            (8, 8),
            (1, 1),
            (4, 4),
            (1, 1),
            (4, 4),
            (1, 1),
            (4, 4),
            (1, 1),
            (12, 12)
        ]
    );
    assert_eq!(atoms[0].characters.len(), 16);
    assert_eq!(atoms[1].characters, ['-']);
}

#[test]
fn parses_ranges_and_open_counts() {
    let atoms = parse("ab[x-z_]{1,3}").expect("supported");
    assert_eq!(atoms.len(), 3);
    assert_eq!(atoms[2].characters, ['x', 'y', 'z', '_']);
    assert_eq!((atoms[2].min, atoms[2].max), (1, 3));
}

#[test]
fn refuses_everything_else_with_a_reason() {
    for pattern in [
        "a|b", "(ab)", "a*", "a+", "a?", ".", "\\d", "[^a]", "[a", "{3}", "a{2}{3}", "a{3,1}",
    ] {
        let reason = parse(pattern).expect_err(pattern);
        assert!(
            reason.contains(pattern) || reason.contains("count"),
            "{pattern}: {reason}"
        );
    }
}
