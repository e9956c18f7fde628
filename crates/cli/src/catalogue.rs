//! The operations the CLI can call: the provider catalogue's rows for the providers kassa
//! ships, inbound rows excepted.

/// One operation of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Provider name (`anor-bm`).
    pub provider: &'static str,
    /// Operation name (`unregistered-check`).
    pub operation: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// How it authenticates.
    pub auth: &'static str,
    /// Effect: read, auth, keyed, once (what the client really uses, not only what the
    /// provider's document suggests).
    pub effect: &'static str,
    /// The status call that tells the outcome of a lost answer (`status by billId`), or `-`.
    pub reconcile: &'static str,
}

impl Entry {
    /// The reconcile step, when the operation has one.
    pub fn reconcile_text(&self) -> Option<&'static str> {
        (self.reconcile != "-" && !self.reconcile.is_empty()).then_some(self.reconcile)
    }
}

const TABLE: &str = include_str!("catalogue.tsv");

/// Every callable operation, in catalogue order.
pub fn entries() -> Vec<Entry> {
    TABLE
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let e = Entry {
                provider: f.next()?,
                operation: f.next()?,
                method: f.next()?,
                path: f.next()?,
                auth: f.next()?,
                effect: f.next()?,
                reconcile: f.next().unwrap_or("-"),
            };
            (e.effect != "inbound").then_some(e)
        })
        .collect()
}

/// The providers, in catalogue order.
pub fn providers() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in entries() {
        if !out.contains(&e.provider) {
            out.push(e.provider);
        }
    }
    out
}

/// Looks one operation up.
pub fn find(provider: &str, operation: &str) -> Option<Entry> {
    entries()
        .into_iter()
        .find(|e| e.provider == provider && e.operation == operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_providers_are_complete() {
        let count = |p: &str| entries().iter().filter(|e| e.provider == p).count();
        assert_eq!(count("anor-bm"), 15);
        assert_eq!(count("requisite-uz"), 6);
        assert_eq!(count("mobilnik"), 6);
        assert_eq!(count("mserver"), 52);
        assert_eq!(count("exchanger"), 16);
        assert_eq!(entries().len(), 95);
        assert_eq!(
            providers(),
            vec![
                "mobilnik",
                "requisite-uz",
                "anor-bm",
                "mserver",
                "exchanger"
            ]
        );
        assert_eq!(find("anor-bm", "status").map(|e| e.effect), Some("read"));
        // money-moving calls the bank does not answer idempotently are sent once
        for (p, o, reconcile) in [
            ("requisite-uz", "payment", "payment-status by orderId"),
            (
                "requisite-uz",
                "payment-budget",
                "payment-status by orderId",
            ),
            ("anor-bm", "ext-pay", "status by agentTranId"),
        ] {
            let e = find(p, o).expect("listed");
            assert_eq!((e.effect, e.reconcile_text()), ("once", Some(reconcile)));
        }
    }

    /// The catalogue keeps the operation specification's columns 1 to 6 (provider,
    /// operation, method, path, auth, effect) for every provider it ships. The specification
    /// lives beside the repository in the project's shared folder, not in a clone: where it
    /// is absent the comparison has nothing to compare and says so.
    #[test]
    fn the_catalogue_equals_the_operation_specification_where_it_is_present() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/spec/operations.tsv");
        let Ok(text) = std::fs::read_to_string(&spec) else {
            eprintln!(
                "no operation specification at {}: nothing to compare",
                spec.display()
            );
            return;
        };
        let shipped = providers();
        let mut want: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split('\t').take(6).collect::<Vec<_>>())
            .filter(|f| f.len() == 6 && shipped.contains(&f[0]) && f[5] != "inbound")
            .collect();
        let mut got: Vec<Vec<&str>> = entries()
            .iter()
            .map(|e| vec![e.provider, e.operation, e.method, e.path, e.auth, e.effect])
            .collect();
        want.sort();
        got.sort();
        assert_eq!(
            got,
            want,
            "crates/cli/src/catalogue.tsv differs from {}",
            spec.display()
        );
    }
}
