//! The `eventstream` target for libFuzzer: [`ai21_fuzz::eventstream`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::eventstream(data));
