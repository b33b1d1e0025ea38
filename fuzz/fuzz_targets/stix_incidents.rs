//! Fuzzes `threatscape_badinput::stix_incidents` (what it drives and checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| threatscape_badinput::stix_incidents(data));
