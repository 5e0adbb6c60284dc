//! Calendar dates (`YYYY-MM-DD`), the only kind of time the format knows.

use serde::{Serialize, Serializer};
use std::fmt;

/// A proleptic Gregorian date. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`, rejecting impossible days such as 2026-02-30.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let month = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
        let year = year as i32;
        let day = u8::try_from(day).ok().filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
        Some(Date { year, month, day })
    }

    /// Why `s` is not a date, in words a person can act on ("there is no
    /// month 13", "2026-02 has 28 days"); `None` when it is one.
    pub(crate) fn why_invalid(s: &str) -> Option<String> {
        if Date::parse(s).is_some() {
            return None;
        }
        let parts: Vec<&str> = s.split('-').collect();
        let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
        let digits = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        match numbers {
            Some(n) if digits && n.len() == 3 && parts[0].len() == 4 => {
                let (year, month, day) = (n[0] as i32, n[1], n[2]);
                if !(1..=12).contains(&month) {
                    return Some(format!("there is no month {month}; months go from 01 to 12"));
                }
                let last = u32::from(days_in_month(year, month as u8));
                if day == 0 || day > last {
                    let leap =
                        if month == 2 && last == 28 { format!(" ({year} is not a leap year)") } else { String::new() };
                    return Some(format!("there is no day {day} in {year}-{month:02}: it has {last} days{leap}"));
                }
                Some("write the month and the day with two digits each".into())
            }
            _ if s.contains('/') || s.contains('.') => {
                Some("write it as YYYY-MM-DD (year first, `-` between), not with `/` or `.`".into())
            }
            _ => Some("write it as YYYY-MM-DD".into()),
        }
    }

    /// Days since 1970-01-01 (negative before).
    pub(crate) fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `z` days after 1970-01-01 (before it, when negative).
    pub(crate) fn from_days_since_epoch(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub(crate) fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// The date `days` days later (earlier, when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_dates_say_what_is_impossible() {
        assert_eq!(Date::why_invalid("2026-11-26"), None);
        assert_eq!(Date::why_invalid("2026-13-01").unwrap(), "there is no month 13; months go from 01 to 12");
        assert!(Date::why_invalid("2026-02-29").unwrap().contains("it has 28 days (2026 is not a leap year)"));
        assert!(Date::why_invalid("2026-04-31").unwrap().contains("there is no day 31 in 2026-04: it has 30 days"));
        assert!(Date::why_invalid("2026-4-1").unwrap().contains("two digits"));
        assert!(Date::why_invalid("26/11/2026").unwrap().contains("YYYY-MM-DD"));
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(Date::parse("2026-11-26").unwrap().to_string(), "2026-11-26");
        assert!(Date::parse("2024-02-29").is_some());
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-11-26", "2026/11/26", "2026-11-26T00", "２026-11-26"]
        {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_round_trips() {
        let d = Date::parse("2026-11-26").unwrap();
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Date::parse("2026-03-01").unwrap().add_days(-1).to_string(), "2026-02-28");
        assert_eq!(d.days_until(Date::parse("2027-01-01").unwrap()), 36);
    }
}
