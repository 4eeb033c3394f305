//! How long the sample issue's EPUB takes to build, and how big it is.
//! Run: `cargo bench --bench epub` (target: well under 100 ms per issue).
//!
//! Times the engine setup once (style sheet, fonts read), then for each of 30 runs the whole
//! issue (read, normalize, parse, render, package) and the render alone, with and without
//! `--embed-font`.

use paiban::epub::{EpubEngine, EpubOptions};
use paiban::{prepare_path, PrepareOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(v[0]),
        ms(v[v.len() / 2]),
        ms(v[v.len() - 1])
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content/wujin-2023-12-29.md");
    for embed_font in [false, true] {
        let opts = EpubOptions {
            embed_font,
            ..Default::default()
        };
        let t = Instant::now();
        let engine = EpubEngine::new(&opts)?;
        let setup = t.elapsed();
        let (mut whole, mut render) = (Vec::new(), Vec::new());
        let mut size = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let prepared = prepare_path(&sample, &PrepareOptions::default())?;
            let t_render = Instant::now();
            let r = engine.render(&prepared.document)?;
            render.push(t_render.elapsed());
            whole.push(t.elapsed());
            size = r.bytes.len();
        }
        println!(
            "sample EPUB{}: {size} bytes\n  engine setup (once): {:.1} ms\n  whole issue: {}\n  render only: {}",
            if embed_font { " with --embed-font" } else { "" },
            setup.as_secs_f64() * 1000.0,
            stats(whole),
            stats(render)
        );
    }
    Ok(())
}
