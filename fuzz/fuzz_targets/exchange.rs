//! The `exchange` target for libFuzzer: [`ai21_fuzz::exchange`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ai21_fuzz::exchange(data));
