//! The workspace's contract suite. Its tests live in `contract/`; this library is empty.
//!
//! The suite proves that what is derived from `schemas/` agrees with it: the schemas with
//! the seed documentation and its errata, and in later layers the generated models, the
//! mock server and live endpoints with the schemas.
