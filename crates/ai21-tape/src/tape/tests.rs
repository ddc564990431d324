//! Unit tests of the tape's scanning primitives.

use super::*;

#[test]
fn nodes_are_16_bytes() {
    assert_eq!(std::mem::size_of::<Node>(), 16);
    assert_eq!(std::mem::size_of::<TapeRef<'_>>(), 16);
}

#[test]
fn scan_finds_the_first_special_byte() {
    for len in 0..40 {
        for at in 0..=len {
            for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
                let mut text = vec![b'a'; len];
                // Bytes that look close to specials but are not.
                for (i, byte) in text.iter_mut().enumerate() {
                    *byte = [b'a', 0x20, 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'][i % 9];
                }
                if at < len {
                    text[at] = special;
                }
                assert_eq!(scan(&text, 0), at, "{len} {at} {special}");
                if at < len {
                    // A later special changes nothing.
                    text.push(b'"');
                    assert_eq!(scan(&text, 0), at);
                }
            }
        }
    }
}

#[test]
fn fingerprints_of_equal_keys_are_equal() {
    let text = b"xx\"abc\"\"abc\"\"abcdefghij\"\"abcdefghij\"";
    assert_eq!(fingerprint(text, 3, 6), fingerprint(text, 8, 11));
    assert_eq!(fingerprint(text, 13, 23), fingerprint(text, 25, 35));
    // At the very end of the text, without 8 bytes to load.
    let end = b"abc";
    assert_eq!(fingerprint(end, 0, 3), fingerprint(text, 3, 6));
    assert_ne!(fingerprint(text, 3, 6), fingerprint(text, 3, 5));
    assert_ne!(fingerprint(b"", 0, 0), fingerprint(b"\0", 0, 1));
}
