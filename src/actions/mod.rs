//! The commands beyond `check` and `build`, each over the pipeline's stages:
//! gating CI, signing items, serving a live preview, importing a tracker's
//! export, comparing with an earlier commit, explaining a code, writing the
//! schema and scaffolding a site.

pub mod diff;
pub mod explain;
pub mod gate;
pub mod import;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod sign;
