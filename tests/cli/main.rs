//! Integration tests: the real `gateway` binary and the library's load + validate path.
//!
//! - `fixtures`: every `testdata/deck/{valid,invalid}` file, with `# expect: CODE` markers
//! - `validate`, `render`: whole CLI output snapshots (insta)
//! - `simulate`: simulate and route tests
//! - `readme`: the README's sample outputs are real
//! - `bad_input`: malformed, missing, huge and hostile inputs
//! - `failures`: every failure under `--output json`/`junit` is one document with errors; `-` is stdin
//! - `conformance`: every Kong docs page in ../shared/corpus/docs
//! - `completions`: checked-in completion scripts are current
//! - `conventions`: `--output FORMAT` / `-o FILE`, "Kong would refuse" only when Kong would, warnings exit 0
//! - `schemas`: bundled plugin schemas match their generator
//! - `flavor`: `--router-flavor`, a test table's flavor, `simulate --explain`
//! - `decksem`: decK file semantics: `${{ env }}` over the text, directories as inputs
//! - `deck_conformance`: decK's own test files through render and validate, as verdicts.tsv says

#[path = "../common/mod.rs"]
#[allow(dead_code)]
mod common;

mod bad_input;
mod completions;
mod conventions;
mod conformance;
mod deck_conformance;
mod decksem;
mod failures;
mod fixtures;
mod flavor;
mod readme;
mod render;
mod schemas;
mod simulate;
mod support;
mod validate;
