//! Rebuild when the embedded theme changes: `include_dir!` tracks the files
//! it embeds but not files added to `templates/`.
fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=build.rs");
}
