//! Cross-provider conformance checks of the kassa clients: the fault matrix and the secret
//! scan over every fixture. Everything lives in this crate's `tests/`; see
//! `docs/reliability.md`.
