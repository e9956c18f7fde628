//! The repository's prose stands alone in a clone: every relative link in the README, the
//! docs and the fixture notes points at a file that exists, and nothing points outside the
//! repository (provider documents are named by title, never by a path of some machine).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn markdown_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![root.join("README.md"), root.join("CHANGELOG.md")];
    let mut dirs = vec![root.join("docs"), root.join("fixtures")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).expect("a folder of the repository");
        for entry in entries {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The targets of `[text](target)` links, without `#anchors`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            let target = rest[..end].split('#').next().unwrap_or("").trim();
            if !target.is_empty() {
                out.push(target.to_owned());
            }
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_resolves_inside_the_repository() {
    let root = root().canonicalize().expect("the repository root");
    let mut broken = Vec::new();
    let files = markdown_files();
    assert!(files.len() > 8, "found only {files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a readable markdown file");
        for target in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let base = file.parent().expect("a file has a folder");
            match base.join(&target).canonicalize() {
                Ok(p) if p.starts_with(&root) => {}
                Ok(p) => broken.push(format!(
                    "{}: {target} leaves the repository ({})",
                    file.display(),
                    p.display()
                )),
                Err(_) => broken.push(format!("{}: {target} does not exist", file.display())),
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn no_prose_names_a_path_outside_the_repository() {
    let mut found = Vec::new();
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("a readable markdown file");
        for (n, line) in text.lines().enumerate() {
            for bad in [
                "../shared",
                "shared/seeds",
                "shared/spec",
                "/work/",
                "seeds/",
            ] {
                if line.contains(bad) {
                    found.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths outside the repository:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_link_reader_finds_links() {
    assert_eq!(
        links("see [a](docs/a.md#x) and [b](https://x.invalid) [c]()"),
        vec!["docs/a.md".to_owned(), "https://x.invalid".to_owned()]
    );
}
