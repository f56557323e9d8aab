//! Dev helper: print pulldown-cmark events of stdin.
use std::io::Read;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    for (e, r) in
        pulldown_cmark::Parser::new_ext(&s, pulldown_cmark::Options::all()).into_offset_iter()
    {
        println!("{r:?} {e:?}");
    }
}
