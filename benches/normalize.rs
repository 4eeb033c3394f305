//! Benchmark: normalizing 10 MB of Chinese text — the synthetic damaged corpus repeated
//! (page-break splits, repeats, running heads, ASCII punctuation), and the output of each
//! real converter in the round-trip fixtures repeated (furniture in pieces, hard wraps,
//! wrap spaces). Target: under 0.5 s each in a release build on the project machine. Run
//! with `cargo bench --bench normalize`.

use paiban::normalize::{normalize, NormalizeOptions};
use std::path::Path;
use std::time::Instant;

const TARGET_BYTES: usize = 10 * 1024 * 1024;
const TARGET_SECONDS: f64 = 0.5;

/// Seconds this thread has run on a CPU (Linux `utime + stime`, 10 ms ticks), to read
/// the figure on a machine busy with other work.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name `(…)`: state is field 3, utime 14, stime 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// 10 MB made by repeating the `*.damaged.md` documents of a fixture folder.
fn issue_from(dir: &Path) -> String {
    let mut docs: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".damaged.md"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "no documents in {}", dir.display());
    let mut text = String::with_capacity(TARGET_BYTES + 64 * 1024);
    for d in docs.iter().cycle() {
        if text.len() >= TARGET_BYTES {
            break;
        }
        text.push_str(d);
        text.push_str("\n\n");
    }
    text
}

fn bench(name: &str, text: &str) {
    let opts = NormalizeOptions::default();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut repairs = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let c = cpu_seconds();
        let n = normalize(text, &opts);
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
        repairs = n.repairs.len();
    }
    let mb = text.len() as f64 / (1024.0 * 1024.0);
    let cpu = if best_cpu < f64::MAX {
        format!(", {best_cpu:.2} s CPU")
    } else {
        String::new()
    };
    let verdict = if best < TARGET_SECONDS {
        ""
    } else {
        "  ABOVE THE 0.5 s TARGET"
    };
    println!(
        "normalize {name}: {mb:.1} MB ({} chars), {repairs} repairs: best of 5 {best:.3} s wall{cpu} ({:.1} MB/s){verdict}",
        text.chars().count(),
        mb / best,
    );
}

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    bench("synthetic damage", &issue_from(&fixtures.join("corpus")));
    for converter in ["pymupdf4llm", "markitdown", "pdftotext"] {
        bench(
            converter,
            &issue_from(&fixtures.join("roundtrip").join(converter)),
        );
    }
}
