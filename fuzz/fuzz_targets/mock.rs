//! The `mock` target for libFuzzer: [`ai21_fuzz::mock`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::mock(data));
