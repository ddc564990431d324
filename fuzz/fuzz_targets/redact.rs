//! The `redact` target for libFuzzer: [`ai21_fuzz::redact`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::redact(data));
