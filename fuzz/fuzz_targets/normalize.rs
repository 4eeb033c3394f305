#![no_main]
//! Fuzz target: see `paiban::fuzzing::normalize_bytes`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| paiban::fuzzing::normalize_bytes(data));
