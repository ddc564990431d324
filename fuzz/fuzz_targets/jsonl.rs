//! The `jsonl` target for libFuzzer: [`ai21_fuzz::jsonl`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::jsonl(data));
