//! After promotion the on-premises assets are retired, once a hold period has
//! passed. This module says where each asset stands on the as-of date.

use crate::core::date::Date;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::model::{Asset, Workload};
use serde::Serialize;

/// How long a due asset may wait before it is called overdue.
pub const OVERDUE_AFTER_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetStage {
    /// The workload is not promoted yet; the asset still serves production.
    InService,
    /// Promoted, within the hold period.
    InHold,
    /// The hold period is over; retire it.
    Due,
    /// Due for more than [`OVERDUE_AFTER_DAYS`] days.
    Overdue,
    Retired,
}

impl AssetStage {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetStage::InService => "in service",
            AssetStage::InHold => "in hold",
            AssetStage::Due => "due",
            AssetStage::Overdue => "overdue",
            AssetStage::Retired => "retired",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssetState {
    pub name: String,
    pub kind: Option<String>,
    pub stage: AssetStage,
    /// The day the hold ends (promotion date plus the hold), once promoted.
    pub hold_ends: Option<Date>,
    /// Days left in hold (in hold), or days since due (due, overdue).
    pub days: i64,
    pub decommissioned_on: Option<Date>,
}

/// The stage of every asset of `w`, and warnings for retirements that came
/// too early. `promoted` is the promotion day the evidence records, even
/// when it is still to come (a planned retirement is checked against a
/// planned promotion); an asset is retired, and its workload's hold runs,
/// only from days on or before the as-of date.
pub fn assess(
    w: &Workload,
    promoted: Option<Date>,
    hold_days: u32,
    as_of: Date,
    diags: &mut Vec<Diagnostic>,
) -> Vec<AssetState> {
    let file = format!("{}/workload.yaml", w.dir);
    w.assets
        .iter()
        .map(|a| {
            let hold_ends = promoted.map(|p| p.add_days(i64::from(hold_days)));
            if let Some(on) = a.decommissioned_on {
                warn_early(a, on, hold_ends, &w.name, &file, diags);
            }
            let retired = a.decommissioned_on.is_some_and(|on| on <= as_of);
            let running = hold_ends.filter(|_| promoted.is_some_and(|p| p <= as_of));
            let (stage, days) = match (retired, running) {
                (true, _) => (AssetStage::Retired, 0),
                (false, None) => (AssetStage::InService, 0),
                (false, Some(end)) if as_of < end => (AssetStage::InHold, as_of.days_until(end)),
                (false, Some(end)) if end.days_until(as_of) > OVERDUE_AFTER_DAYS => {
                    (AssetStage::Overdue, end.days_until(as_of))
                }
                (false, Some(end)) => (AssetStage::Due, end.days_until(as_of)),
            };
            AssetState {
                name: a.name.clone(),
                kind: a.kind.clone(),
                stage,
                hold_ends,
                days,
                decommissioned_on: a.decommissioned_on,
            }
        })
        .collect()
}

fn warn_early(a: &Asset, on: Date, hold_ends: Option<Date>, workload: &str, file: &str, diags: &mut Vec<Diagnostic>) {
    let (line, column) = a.decommissioned_at;
    match hold_ends {
        None => diags.push(
            Diagnostic::new(Code::W0005, file, line, column, format!("`{}` is retired on {on}, but {workload} is not promoted", a.name))
                .with_help("an on-premises asset serves production until its workload is promoted; check the date, or record the promotion"),
        ),
        Some(end) if on < end => diags.push(
            Diagnostic::new(Code::W0006, file, line, column, format!("`{}` is retired on {on}, before its hold ends on {end}", a.name))
                .with_help("the hold (decommission_hold_days in site.yaml) keeps a way back after promotion; retire assets after it"),
        ),
        Some(_) => {}
    }
}
