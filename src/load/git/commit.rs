//! What the pipeline needs of one commit: who wrote it, when, and how it is signed.

use super::{GitError, PublicKey};
use crate::core::date::Date;

/// A commit that introduced a sign-off, as shown next to it and checked against the site's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full hex.
    pub id: String,
    /// The author's e-mail, compared with the signer's.
    pub author_email: String,
    /// The author's name, shown beside the e-mail.
    pub author_name: String,
    /// The author date (when the lines were written, kept by a rebase),
    /// as a calendar date in UTC so that it does not depend on where the build runs.
    pub date: Date,
    /// How the commit is signed, checked later against each signer's keys.
    pub signature: Signature,
}

/// A commit's signature, kept undecided so that it can be checked against
/// each signer's own keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// Not signed.
    None,
    /// `armored` is the `gpgsig` header's text; `payload` is what was signed:
    /// the raw commit without that header.
    Ssh {
        /// The `gpgsig` header's text: the SSH signature in its armour.
        armored: String,
        /// What was signed: the raw commit without that header.
        payload: Vec<u8>,
    },
    /// GPG, X.509 or anything else cutover cannot verify.
    Other,
}

/// How far a commit's signature can be trusted for one signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureState {
    /// Signed by one of the signer's keys.
    Verified,
    /// Signed, but not verifiably by one of the signer's keys.
    SignedUnknown,
    /// Not signed at all.
    Unsigned,
}

/// The namespace git signs commits in (`ssh-keygen -Y sign -n git`).
const NAMESPACE: &str = "git";

impl Commit {
    /// The abbreviation a reason or a page shows.
    pub fn short_id(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }

    /// Verified when the SSH signature verifies (namespace "git") with one of `keys`; SignedUnknown for any other signature (GPG, bad, unknown key, unparsable); Unsigned without one.
    pub fn signature_state(&self, keys: &[PublicKey]) -> SignatureState {
        match &self.signature {
            Signature::None => SignatureState::Unsigned,
            Signature::Other => SignatureState::SignedUnknown,
            Signature::Ssh { armored, payload } => {
                let Ok(sig) = ssh_key::SshSig::from_pem(armored.as_bytes()) else {
                    return SignatureState::SignedUnknown;
                };
                if keys.iter().any(|key| key.verify(NAMESPACE, payload, &sig).is_ok()) {
                    SignatureState::Verified
                } else {
                    SignatureState::SignedUnknown
                }
            }
        }
    }

    /// Reads a commit from its raw object bytes.
    pub(super) fn from_raw(id: gix::ObjectId, raw: &[u8]) -> Result<Commit, GitError> {
        let corrupt = |what: &str| GitError::Content(format!("commit {id} is corrupt: {what}"));
        let parsed = gix::objs::CommitRef::from_bytes(raw, id.kind()).map_err(|_| corrupt("it cannot be parsed"))?;
        let author = parsed.author().map_err(|_| corrupt("its author line cannot be parsed"))?.trim();
        let seconds = author.time().map(|t| t.seconds).unwrap_or_else(|_| author.seconds());
        Ok(Commit {
            id: id.to_string(),
            author_email: String::from_utf8_lossy(author.email).into_owned(),
            author_name: String::from_utf8_lossy(author.name).into_owned(),
            date: Date::from_days_since_epoch(seconds.div_euclid(86_400)),
            signature: signature_of(raw),
        })
    }
}

/// Splits a raw commit into its `gpgsig` header's value and the rest, which is
/// what the signer signed (git signs the commit before adding the header).
pub(super) fn signature_of(raw: &[u8]) -> Signature {
    const HEADER: &[u8] = b"gpgsig ";
    let mut armored: Option<Vec<u8>> = None;
    let mut payload = Vec::with_capacity(raw.len());
    let mut in_headers = true;
    let mut in_signature = false;
    let mut rest = raw;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        if in_headers && line == b"\n" {
            in_headers = false;
        }
        if !in_headers {
            payload.extend_from_slice(line);
            continue;
        }
        if in_signature && line.first() == Some(&b' ') {
            // A continuation line: one leading space, then a line of the value.
            if let Some(value) = armored.as_mut() {
                value.push(b'\n');
                value.extend_from_slice(line[1..].strip_suffix(b"\n").unwrap_or(&line[1..]));
            }
            continue;
        }
        in_signature = false;
        if armored.is_none()
            && let Some(value) = line.strip_prefix(HEADER)
        {
            armored = Some(value.strip_suffix(b"\n").unwrap_or(value).to_vec());
            in_signature = true;
            continue;
        }
        payload.extend_from_slice(line);
    }
    let Some(armored) = armored else { return Signature::None };
    match String::from_utf8(armored) {
        Ok(text) if text.starts_with("-----BEGIN SSH SIGNATURE-----") => Signature::Ssh { armored: text, payload },
        _ => Signature::Other,
    }
}

/// Why a line of `keys` is not a public key cutover can verify with, in
/// words for a diagnostic at site.yaml. `shown` is the line, cut at 40 characters.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Nothing but whitespace.
    #[error("an empty key: write an OpenSSH public key line such as `ssh-ed25519 AAAA… name@host`")]
    Empty,
    #[error("`{shown}` is a key file in PEM form; give the public key line instead (the content of the `.pub` file)")]
    /// A private or public key file in PEM form, not a `.pub` line.
    Pem {
        /// The line as shown in the message.
        shown: String,
    },
    /// Looks like a key line (its data starts `AAAA`) but does not decode.
    #[error("`{shown}` is not a valid OpenSSH public key ({source}): copy the whole line of the `.pub` file")]
    Invalid {
        /// The line as shown in the message.
        shown: String,
        /// Why ssh-key cannot decode it.
        #[source]
        source: ssh_key::Error,
    },
    /// Not a key line at all.
    #[error(
        "`{shown}` is not an OpenSSH public key: expected `TYPE BASE64 [comment]`, \
         for example `ssh-ed25519 AAAA… name@host` (the content of the `.pub` file)"
    )]
    NotAKey {
        /// The line as shown in the message.
        shown: String,
        /// What ssh-key said, kept as the cause.
        #[source]
        source: ssh_key::Error,
    },
    /// A key type cutover has no verifier for (DSA, P-521).
    #[error("`{algorithm}` keys cannot be verified by cutover; use an ed25519, RSA or ECDSA (P-256, P-384) key")]
    Unverifiable {
        /// The key's type as written (`ssh-dss`).
        algorithm: String,
    },
}

/// Parses one OpenSSH public key line ("ssh-ed25519 AAAA... comment").
pub fn parse_public_key(line: &str) -> Result<PublicKey, KeyError> {
    let line = line.trim();
    let shown: String =
        if line.chars().count() > 40 { line.chars().take(40).chain("…".chars()).collect() } else { line.to_string() };
    if line.is_empty() {
        return Err(KeyError::Empty);
    }
    if line.starts_with("-----BEGIN") {
        return Err(KeyError::Pem { shown });
    }
    let algorithm = line.split_whitespace().next().unwrap_or_default();
    let key = PublicKey::from_openssh(line).map_err(|source| {
        let looks_like_key = line.split_whitespace().nth(1).is_some_and(|data| data.starts_with("AAAA"));
        if looks_like_key { KeyError::Invalid { shown, source } } else { KeyError::NotAKey { shown, source } }
    })?;
    let verifiable = matches!(
        key.algorithm(),
        ssh_key::Algorithm::Ed25519
            | ssh_key::Algorithm::SkEd25519
            | ssh_key::Algorithm::Rsa { .. }
            | ssh_key::Algorithm::Ecdsa { curve: ssh_key::EcdsaCurve::NistP256 | ssh_key::EcdsaCurve::NistP384 }
            | ssh_key::Algorithm::SkEcdsaSha2NistP256
    );
    if !verifiable {
        return Err(KeyError::Unverifiable { algorithm: algorithm.to_string() });
    }
    Ok(key)
}
