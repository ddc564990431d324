//! The `har` target for libFuzzer: [`ai21_fuzz::har`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::har(data));
