//! What a sign-off covers. `cutover sign` stores this digest in the evidence
//! file; `check` recomputes it, so a change made after sign-off cannot pass
//! silently. The sign-off fields themselves (status, validated_by,
//! validated_on, validated_digest) are left out, so signing does not change it.

use crate::core::model::{Evidence, FieldValue, Link};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `sha256:<hex>` over the body (line endings normalised, so a checkout on
/// Windows does not break a signature), the item fields, the `documented_in`
/// links and the content of every file the evidence links to.
/// `files` maps a path in the workload folder to the hex digest of its bytes.
pub fn evidence_digest(ev: &Evidence, files: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    h.update(b"cutover-evidence-v1\n");
    let body = ev.body.replace("\r\n", "\n");
    h.update(format!("body {}\n", body.len()).as_bytes());
    h.update(body.as_bytes());
    for (name, value) in &ev.fields {
        h.update(format!("\nfield {name} {}", canonical(value)).as_bytes());
    }
    for link in &ev.documented_in {
        match link {
            Link::Url(u) => h.update(format!("\nlink url {u}").as_bytes()),
            Link::File(f) => h.update(format!("\nlink file {f}").as_bytes()),
        }
    }
    for f in &ev.linked_files {
        let content = files.get(f).map_or("missing", String::as_str);
        h.update(format!("\nfile {f} {content}").as_bytes());
    }
    format!("sha256:{}", hex(&h.finalize()))
}

fn canonical(v: &FieldValue) -> String {
    match v {
        FieldValue::Text(s) => serde_json::to_string(s).unwrap_or_default(),
        FieldValue::Date(d) => d.to_string(),
        FieldValue::Number(n) => format!("{n}"),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::List(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        FieldValue::Record(fields) => {
            format!("{{{}}}", fields.iter().map(|(k, v)| format!("{k}:{}", canonical(v))).collect::<Vec<_>>().join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{ItemId, Status};

    fn ev(body: &str) -> Evidence {
        let mut e = Evidence::unreadable(ItemId::from("stage"), "f.md");
        e.has_errors = false;
        e.body = body.into();
        e
    }

    #[test]
    fn covers_body_fields_and_files_not_signoff() {
        let files: BTreeMap<String, String> = [("a.txt".to_string(), sha256_hex(b"one"))].into_iter().collect();
        let mut a = ev("text\r\n");
        a.linked_files = vec!["a.txt".into()];
        let base = evidence_digest(&a, &files);
        assert_eq!(base, evidence_digest(&ev("text\n").tap(|e| e.linked_files = vec!["a.txt".into()]), &files));
        let mut signed = a.clone();
        signed.status = Status::Validated;
        signed.validated_by = Some("x".into());
        assert_eq!(evidence_digest(&signed, &files), base, "sign-off fields are not covered");
        let mut edited = a.clone();
        edited.body = format!("{}!", &*edited.body).into();
        assert_ne!(evidence_digest(&edited, &files), base);
        let mut field = a.clone();
        field.fields.push(("domain".into(), FieldValue::Text("corp".into())));
        assert_ne!(evidence_digest(&field, &files), base);
        let changed: BTreeMap<String, String> = [("a.txt".to_string(), sha256_hex(b"two"))].into_iter().collect();
        assert_ne!(evidence_digest(&a, &changed), base, "attachment content is covered");
    }

    trait Tap: Sized {
        fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
    }
    impl Tap for Evidence {
        fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
            f(&mut self);
            self
        }
    }
}
