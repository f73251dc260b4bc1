//! Figures as the rows of a table: the median of the runs with the least
//! and greatest, and the ratio to a baseline of the same run.

use std::path::Path;

use crate::load::Figures;

/// The median, least and greatest of `values`.
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// One row of the table.
pub struct Row {
    what: String,
    concurrency: String,
    pub rates: Vec<f64>,
    p50: Vec<f64>,
    p99: Vec<f64>,
    /// Ratio to the row's baseline, per run.
    ratios: Vec<f64>,
    unit: &'static str,
}

impl Row {
    pub fn new(what: impl Into<String>, concurrency: impl ToString, unit: &'static str) -> Row {
        Row {
            what: what.into(),
            concurrency: concurrency.to_string(),
            rates: vec![],
            p50: vec![],
            p99: vec![],
            ratios: vec![],
            unit,
        }
    }

    pub fn add(&mut self, f: Figures, baseline: Option<f64>) {
        self.rates.push(f.rate);
        self.p50.push(f.p50);
        self.p99.push(f.p99);
        if let Some(b) = baseline {
            self.ratios.push(f.rate / b);
        }
    }

    pub fn print(&self) {
        let (rate, lo, hi) = spread(&self.rates);
        let ratio = if self.ratios.is_empty() {
            "—".to_string()
        } else {
            let (r, lo, hi) = spread(&self.ratios);
            format!("{r:.2}x ({lo:.2}–{hi:.2})")
        };
        println!(
            "| {} | {} | {:.0} {} ({:.0}–{:.0}) | {:.2} | {:.2} | {} |",
            self.what,
            self.concurrency,
            rate,
            self.unit,
            lo,
            hi,
            spread(&self.p50).0,
            spread(&self.p99).0,
            ratio
        );
    }
}

/// A file's size in bytes; 0 when it is not there.
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Bytes in MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
