#![no_main]
//! Fuzz target: see `paiban::fuzzing::image_bytes`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| paiban::fuzzing::image_bytes(data));
