//! Link step only. The binary is linked as a position-dependent executable: as a PIE the
//! dynamic loader spends about 2 ms of each run (an eighth of building the sample PDF)
//! applying some 65,000 relocations to the crates' static tables before `main` (README
//! "Print quality": against Typst). The cost is ASLR for the executable's own image.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
