//! What `check` and `build` show while they work: a progress bar on a
//! terminal once a run has lasted more than a moment, nothing when stderr is
//! a pipe or a file (CI logs stay clean) or under `--quiet`, and each stage's
//! time under `--verbose`.

use cutover::core::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Runs shorter than this never show a bar: it would only flicker.
const GRACE: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(80);

/// Watches a run's [`Progress`] from a thread of its own.
pub struct Watch {
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
    verbose: bool,
    /// `--quiet`: errors only, so the write stage's warnings are not printed.
    quiet: bool,
}

impl Watch {
    pub fn start(quiet: bool, verbose: bool) -> Watch {
        let progress = Arc::new(Progress::new());
        let stop = Arc::new(AtomicBool::new(false));
        let show = !quiet && std::io::stderr().is_terminal();
        let ticker = show.then(|| {
            let (p, s) = (Arc::clone(&progress), Arc::clone(&stop));
            std::thread::spawn(move || draw(&p, &s))
        });
        Watch { progress, stop, ticker, verbose, quiet }
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Removes the bar, then prints the stage times if asked to.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        for w in self.progress.warnings().into_iter().filter(|_| !self.quiet) {
            eprintln!("warning: {}", cutover::core::text::printable(&w));
        }
        if self.verbose {
            let timings = self.progress.timings();
            let total: Duration = timings.iter().map(|(_, d)| *d).sum();
            for (stage, d) in timings {
                eprintln!("{:<9} {:>8.1} ms", stage.as_str(), d.as_secs_f64() * 1000.0);
            }
            eprintln!("{:<9} {:>8.1} ms", "total", total.as_secs_f64() * 1000.0);
        }
    }
}

fn draw(p: &Progress, stop: &AtomicBool) {
    let started = std::time::Instant::now();
    while started.elapsed() < GRACE {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK / 2);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let spinner = ProgressStyle::with_template("{spinner} {prefix:>8} {msg} [{elapsed}]")
        .unwrap_or(ProgressStyle::default_spinner());
    let counted = ProgressStyle::with_template("{spinner} {prefix:>8} [{bar:30}] {pos}/{len} files [{elapsed}]")
        .unwrap_or(ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(spinner.clone());
    while !stop.load(Ordering::Relaxed) {
        let files = Progress::count(&p.files_read);
        match p.stage() {
            Some(Stage::Write) => {
                bar.set_style(counted.clone());
                // Pages are written while they render; this stage only swaps the folder in.
                let total = Progress::count(&p.pages_total).max(Progress::count(&p.pages_written));
                bar.set_length(total as u64);
                bar.set_position(Progress::count(&p.pages_written) as u64);
            }
            Some(stage) => {
                bar.set_message(match stage {
                    Stage::Load => "reading content/".to_string(),
                    Stage::Render => {
                        format!("{files} files read; {} written", Progress::count(&p.pages_written))
                    }
                    _ => format!("{files} files read"),
                });
            }
            None => {}
        }
        bar.set_prefix(p.stage().map_or("", Stage::as_str));
        bar.tick();
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
