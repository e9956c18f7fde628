//! Helpers shared by the sandbox's test files.

pub mod mserver;
