//! Unit tests of the random source.

use super::*;

#[test]
fn the_same_seed_gives_the_same_values() {
    let draw = |mut random: Random| -> Vec<u64> { (0..8).map(|_| random.next_u64()).collect() };
    assert_eq!(draw(Random::new(7)), draw(Random::new(7)));
    assert_ne!(draw(Random::new(7)), draw(Random::new(8)));
    assert_eq!(
        draw(Random::from_parts(1, &[b"ab", b"c"])),
        draw(Random::from_parts(1, &[b"ab", b"c"]))
    );
    assert_ne!(
        draw(Random::from_parts(1, &[b"ab", b"c"])),
        draw(Random::from_parts(1, &[b"a", b"bc"]))
    );
}

#[test]
fn values_stay_in_their_ranges() {
    let mut random = Random::new(3);
    for _ in 0..2000 {
        assert!(random.below(5) < 5);
        assert!((3..=9).contains(&random.between(3, 9)));
        assert!((16..=1024).contains(&random.log_between(16, 1024)));
        let unit = random.unit();
        assert!((0.0..1.0).contains(&unit));
        let logprob = random.logprob();
        assert!(
            logprob > -8.0 && logprob <= 0.0 && !(logprob == 0.0 && logprob.is_sign_negative())
        );
        assert!(random.index(4) < 4);
    }
    assert_eq!(random.below(0), 0);
    assert_eq!(random.between(5, 2), 5);
    assert_eq!(random.index(0), 0);
}

#[test]
fn hex_and_sentences_have_the_asked_length() {
    let mut random = Random::new(1);
    for digits in [0, 1, 8, 16, 17, 32] {
        let hex = random.hex(digits);
        assert_eq!(hex.len(), digits);
        assert!(
            hex.bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase())
        );
    }
    assert_eq!(random.sentence(0), "");
    assert_eq!(random.sentence(5).split(' ').count(), 5);
}
