//! The `payload` target for libFuzzer: [`ai21_fuzz::payload`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::payload(data));
