//! Unit tests of the capture generator; the command line's `tests/it/synthetic.rs` checks
//! that validating a generated capture finds exactly the planted violations.

use super::*;

fn generate_bytes(options: Options) -> (Vec<u8>, Generated) {
    let mut bytes = Vec::new();
    let generated = write(&mut bytes, options).expect("writing to memory");
    (bytes, generated)
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let options = Options {
        size: 200_000,
        seed: 7,
        invalid_per_mille: 100,
    };
    let (first, generated) = generate_bytes(options);
    let (second, _) = generate_bytes(options);
    assert_eq!(first, second);
    let (other, _) = generate_bytes(Options { seed: 8, ..options });
    assert_ne!(first, other);
    assert_eq!(generated.bytes, first.len() as u64);
    assert!(generated.bytes >= 200_000);
    assert_eq!(
        generated.records,
        first.iter().filter(|&&byte| byte == b'\n').count() as u64
    );
}

#[test]
fn plants_are_listed_in_line_order() {
    let (_, generated) = generate_bytes(Options {
        size: 300_000,
        seed: 3,
        invalid_per_mille: 200,
    });
    assert!(!generated.planted.is_empty());
    assert!(
        generated
            .planted
            .windows(2)
            .all(|pair| pair[0].0 < pair[1].0)
    );
    let (_, clean) = generate_bytes(Options {
        size: 100_000,
        seed: 3,
        invalid_per_mille: 0,
    });
    assert!(clean.planted.is_empty());
}

#[test]
fn sizes_are_read_as_people_write_them() {
    for (text, expected) in [
        ("1048576", Ok(1_048_576)),
        ("50MB", Ok(50 << 20)),
        ("1.5kb", Ok(1536)),
        ("2 GiB", Ok(2 << 30)),
        ("512K", Ok(512 << 10)),
    ] {
        assert_eq!(parse_size(text), expected, "{text}");
    }
    assert!(parse_size("ten").is_err());
    assert!(parse_size("5TB").is_err());
}

#[test]
fn j2_ranges_count_code_points_and_cut_lines_stay_utf8() {
    // Every word now and then is not ASCII: ranges are in code points, and a line cut for
    // a `MalformedJson` plant is cut at a character boundary.
    let (bytes, generated) = generate_bytes(Options {
        size: 400_000,
        seed: 2,
        invalid_per_mille: 500,
    });
    let text = std::str::from_utf8(&bytes).expect("the capture is UTF-8");
    assert!(!text.is_ascii());
    assert!(
        generated
            .planted
            .iter()
            .any(|(_, plant)| *plant == Plant::MalformedJson)
    );
    let mut checked = 0;
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(completions) = record
            .pointer("/response/body/completions")
            .and_then(Value::as_array)
        else {
            continue;
        };
        for data in completions.iter().map(|completion| &completion["data"]) {
            let length = data["text"].as_str().map_or(0, |text| text.chars().count());
            let last = data["tokens"].as_array().and_then(|tokens| tokens.last());
            if let Some(end) = last.and_then(|token| token.pointer("/textRange/end")) {
                // The plant moves a start, never the last end.
                assert_eq!(end.as_u64(), Some(length as u64), "{line}");
                checked += 1;
            }
        }
    }
    assert!(checked > 10);
}
