//! The `stream` target for libFuzzer: [`ai21_fuzz::stream`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::stream(data));
