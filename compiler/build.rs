//! Generates the LALR parser of `src/grammar.lalrpop` (used by `parse::lalr`).
fn main() {
    lalrpop::Configuration::new()
        .emit_rerun_directives(true)
        .process_current_dir()
        .expect("grammar.lalrpop must generate");
}
