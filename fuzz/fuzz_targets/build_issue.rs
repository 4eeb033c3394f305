#![no_main]
//! Fuzz target: see `paiban::fuzzing::build_bytes`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| paiban::fuzzing::build_bytes(data));
