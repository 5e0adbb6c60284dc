//! The I/O floor of a build: read every byte under the input folder, then write
//! the files a build wrote (same paths, same sizes), and nothing else.
//!
//! ```text
//! cargo run --release --example floor -- INPUT MANIFEST OUT
//! ```
//!
//! `INPUT` is the folder to read (a portfolio's `content/`); `MANIFEST` lists the
//! files to write, one `SIZE<TAB>RELATIVE/PATH` a line, as
//! `find SITE -type f -printf '%s\t%P\n'` prints them for a built site; `OUT` is
//! created and must not exist. Both halves use every core, as `cutover build`
//! may, so the floor is what the machine cannot beat without reading less or
//! writing less. `scripts/bench.sh` times it as a whole process, like the build.

use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, manifest, out] = args.as_slice() else {
        eprintln!("usage: floor INPUT MANIFEST OUT");
        std::process::exit(2);
    };
    let out = Path::new(out);
    if out.exists() {
        eprintln!("{} exists; the floor writes into a new folder", out.display());
        std::process::exit(2);
    }

    // Read: walk the input and read every file whole.
    let files: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    let read: u64 = files.par_iter().map(|p| fs::read(p).map_or(0, |b| b.len() as u64)).sum();

    // Write: the same files and sizes as the build's output.
    let list = fs::read_to_string(manifest).unwrap_or_else(|e| {
        eprintln!("cannot read {manifest}: {e}");
        std::process::exit(2)
    });
    let entries: Vec<(usize, &str)> = list
        .lines()
        .filter_map(|l| {
            let (size, path) = l.split_once('\t')?;
            Some((size.parse().ok()?, path))
        })
        .collect();
    let mut dirs: Vec<PathBuf> =
        entries.iter().filter_map(|(_, p)| Path::new(p).parent().map(|d| out.join(d))).collect();
    dirs.sort();
    dirs.dedup();
    fs::create_dir_all(out).expect("create the output folder");
    for d in &dirs {
        fs::create_dir_all(d).expect("create a folder");
    }
    let largest = entries.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let filler = vec![b'x'; largest];
    let written: u64 = entries
        .par_iter()
        .map(|(size, p)| {
            fs::write(out.join(p), &filler[..*size]).expect("write a file");
            *size as u64
        })
        .sum();
    eprintln!("floor: read {} files ({read} bytes), wrote {} files ({written} bytes)", files.len(), entries.len());
}
