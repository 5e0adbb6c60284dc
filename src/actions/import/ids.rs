//! Workload ids made from names: `Paie & Congés (EU)` becomes `paie-conges-eu`.
//!
//! Letters are transliterated to ASCII with `deunicode`, which folds more
//! than accents (`ß` to `ss`, `ø` to `o`, `Ł` to `L`, Greek and Cyrillic to
//! Latin letters): stripping combining marks after Unicode decomposition
//! would leave `ß`, `ø` and `ł` out of the id altogether.

use crate::core::model::is_valid_id;

/// Ids are at most this long (`^[a-z0-9][a-z0-9-]{0,62}$`); a made id
/// leaves room for a `-NN` suffix within it.
const MAX_MADE: usize = 56;

/// The id a name gives: ASCII letters and digits, lower-case, every other
/// run of characters one `-`, none at either end; `None` when nothing is left.
pub fn slug(name: &str) -> Option<String> {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.len() > MAX_MADE {
        out.truncate(MAX_MADE);
    }
    let out = out.trim_end_matches('-').to_string();
    is_valid_id(&out).then_some(out)
}

/// `base`, or `base-2`, `base-3`... : the first that `taken` does not hold.
pub fn unique(base: &str, taken: &dyn Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id)).unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_ids() {
        for (name, id) in [
            ("Payroll", "payroll"),
            ("  Paie & Congés (EU) ", "paie-conges-eu"),
            ("Straße-Ø_Łódź", "strasse-o-lodz"),
            ("HR  --  Directory!", "hr-directory"),
            ("CRM 2.0", "crm-2-0"),
            ("Ἀθῆναι", "athenai"),
        ] {
            assert_eq!(slug(name).as_deref(), Some(id), "{name}");
        }
        assert_eq!(slug("!!!"), None);
        assert_eq!(slug(""), None);
        let long = slug(&"a".repeat(100)).unwrap();
        assert_eq!(long.len(), MAX_MADE);
        let cut = slug(&format!("{} b", "a".repeat(MAX_MADE - 1))).unwrap();
        assert!(!cut.ends_with('-'), "{cut}");
    }

    #[test]
    fn unique_suffixes_count_from_two() {
        let taken = ["crm", "crm-2"];
        assert_eq!(unique("crm", &|s| taken.contains(&s)), "crm-3");
        assert_eq!(unique("erp", &|s| taken.contains(&s)), "erp");
    }
}
