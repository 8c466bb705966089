#![no_main]
//! The study-file parser and its resolution on arbitrary UTF-8: it must return a resolved study or
//! an error naming the file.

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|text: &str| {
    let _ = harness::study(text);
});
