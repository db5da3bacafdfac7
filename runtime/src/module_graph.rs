//! The layering of the runtime, checked: no two top-level modules import each other.
//!
//! The edges are read from the sources: every `crate::<module>` path in a module's
//! files, comments and test code aside (tests may reach anywhere, like dev-dependencies;
//! `storage/conformance.rs` is test support for backend authors and drives whole
//! studies).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level module -> the top-level modules its non-test code names.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules: BTreeSet<String> = fs::read_dir(&src)
        .expect("the runtime's src folder can be read")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            (name != "lib" && name != "module_graph").then_some(name)
        })
        .collect();
    let mut graph = BTreeMap::new();
    for module in &modules {
        let mut uses = BTreeSet::new();
        for file in rust_files(&src, module) {
            if file.ends_with("storage/conformance.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).expect("a source file can be read");
            for name in crate_paths(&non_test_code(&text)) {
                if name != *module && modules.contains(&name) {
                    uses.insert(name);
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// `src/<module>.rs`, or every `.rs` file under `src/<module>/`.
fn rust_files(src: &Path, module: &str) -> Vec<PathBuf> {
    let single = src.join(format!("{module}.rs"));
    if single.exists() {
        return vec![single];
    }
    let mut files = Vec::new();
    let mut folders = vec![src.join(module)];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("a module folder can be read") {
            let path = entry.expect("a folder entry can be read").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The code of a file without comments and without its `#[cfg(test)]` items (by
/// convention the last thing in a file, so everything after the attribute goes).
fn non_test_code(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if !trimmed.starts_with("//") {
            code.push_str(line);
            code.push('\n');
        }
    }
    code
}

/// The first segment after every `crate::` in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| {
            // `$crate::` (macros) and `some_crate::` are other crates.
            !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map(|(at, pattern)| {
            code[at + pattern.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "too few modules found: {graph:?}");
    let mut mutual = Vec::new();
    for (module, uses) in &graph {
        for other in uses {
            if module < other && graph[other].contains(module) {
                mutual.push(format!("{module} <-> {other}"));
            }
        }
    }
    assert!(
        mutual.is_empty(),
        "modules that import each other: {mutual:?}\nthe graph: {graph:#?}"
    );
}

#[test]
fn nothing_depends_on_the_study_and_the_trial_model_depends_on_the_space_only() {
    let graph = module_graph();
    let on_study: Vec<&String> = graph
        .iter()
        .filter(|(_, uses)| uses.contains("study"))
        .map(|(module, _)| module)
        .collect();
    assert!(on_study.is_empty(), "{on_study:?} depend on `study`");
    let trial: Vec<&String> = graph["trial"].iter().collect();
    assert_eq!(trial, ["space"], "what `trial` depends on");
}

#[test]
fn the_scanner_sees_imports_and_skips_comments_and_tests() {
    let code = non_test_code(
        "use crate::trial::Trial;\n// crate::study\nfn f() { crate::space::join(); $crate::x; }\n\
         #[cfg(test)]\nmod tests { use crate::storage::InMemory; }\n",
    );
    assert_eq!(crate_paths(&code), ["trial", "space"]);
}
