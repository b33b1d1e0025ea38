//! Fuzzes `threatscape_badinput::veris` (what it drives and checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| threatscape_badinput::veris(data));
