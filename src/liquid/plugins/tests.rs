//! Plugin declarations: loading, rendering with and without constant
//! folding, errors naming the Ruby file, and the devportal's declarations.

use super::*;
use crate::liquid::plugin_registry::RubyKind;
use crate::liquid::tests::{site, Site};
use std::fs;

const DECL: &str = r#"
elementdocs:
  plugins:
    tags:
      icon:
        template: '<i class="fa {{ include.args[0] }}{% if include.args[1] %} {{ include.args[1] }}{% endif %}"></i>'
      say:
        template: '[{{ include.markup | upcase }}]'
      fromfile:
        include: tagfile.html
    blocks:
      box:
        template: '<div class="{{ include.args[0] }}">{{ include.body | strip }}</div>'
    filters:
      column:
        replace:
          - {regex: '(?i)<ul>', with: '<div class="row">'}
          - {literal: '</ul>', with: '</div>$1'}
      folder:
        replace:
          - {regex: '/?[^/]*$', with: ''}
          - {regex: '[/-]', with: '_'}
"#;

/// A site with `files` (beside `_includes/`) and the declarations `decl`.
fn with_decl(files: &[(&str, &str)], decl: &str) -> Result<Site, Vec<Diagnostic>> {
    let mut s = site(files);
    let cfg = s.root().join("plugins.yml");
    fs::write(&cfg, decl).unwrap();
    let map = crate::config::parse_config_yaml(decl, Path::new("plugins.yml")).unwrap();
    let p = Plugins::load(&map, &[cfg], s.root())?;
    s.eng.plugins = Arc::new(p);
    Ok(s)
}

fn both(files: &[(&str, &str)], cases: &[(&str, &str)]) {
    let s = with_decl(files, DECL).unwrap_or_else(|e| panic!("{e:?}"));
    let mut unfolded = with_decl(files, DECL).unwrap();
    unfolded.eng.fold = false;
    for (src, want) in cases {
        assert_eq!(s.ok(src), *want, "for {src:?}");
        assert_eq!(unfolded.ok(src), *want, "unfolded, for {src:?}");
    }
}

#[test]
fn tags_blocks_and_filters_render() {
    both(
        &[("_includes/tagfile.html", "<b>{{ include.args | join: '+' }}</b>")],
        &[
            ("{% icon fa-check %} x", "<i class=\"fa fa-check\"></i> x"),
            ("{% icon fa-camera fa-lg %}", "<i class=\"fa fa-camera fa-lg\"></i>"),
            ("{%- say  hello  there -%}!", "[HELLO  THERE]!"),
            ("{% fromfile a b %}", "<b>a+b</b>"),
            (
                "{% box note %} {{ page.heading }} {% icon fa-x %} {% endbox %}",
                "<div class=\"note\">Box <i class=\"fa fa-x\"></i></div>",
            ),
            (
                "{% for t in page.tags %}{% box {{t}} %}{{ t }}{% endbox %}{% endfor %}",
                "<div class=\"{{t}}\">b</div><div class=\"{{t}}\">a</div><div class=\"{{t}}\">c</div>",
            ),
            ("{{ '<UL><li>a</ul>' | column }}", "<div class=\"row\"><li>a</div>$1"),
            ("{% assign u = '<ul>' %}{{ u | column }}", "<div class=\"row\">"),
            ("{{ 'docs/el-x/box/index.md' | folder }}|{{ 'a.md' | folder }}", "docs_el_x_box|"),
        ],
    );
}

#[test]
fn unknown_plugin_names_the_ruby_file_and_the_declaration() {
    let rb = r#"module Jekyll
  class FontAwesomeTag < Liquid::Tag
  end
  class NoteBlock < Liquid::Block
  end
end
Liquid::Template.register_tag('icon', Jekyll::FontAwesomeTag)
Liquid::Template.register_tag('note', Jekyll::NoteBlock)
"#;
    let filt = "module Jekyll\n  module Column\n    def column(text)\n      text.gsub(%r{<ul>}i, '<div class=\"row\">').gsub(%r{</ul>}i, '</div>')\n    end\n  end\nend\nLiquid::Template.register_filter(Jekyll::Column)\n";
    let mut s = site(&[("_plugins/fa.rb", rb), ("_plugins/Column.rb", filt)]);
    s.eng.plugins = Arc::new(Plugins::load(&Default::default(), &[], s.root()).unwrap());
    insta::assert_snapshot!(
        "unknown_ruby_plugins",
        s.errs("a {% icon fa-check %}\n{% note %}x{% endnote %}\n{{ page.heading | column }}\n")
    );
}

#[test]
fn bad_declarations_are_errors_at_their_line() {
    let decl = "elementdocs:\n  plugins:\n    tags:\n      if: {template: x}\n      none: {}\n    filters:\n      f: {replace: [{regex: '(', with: ''}]}\n    extra: {}\n";
    let errs = match with_decl(&[], decl) {
        Ok(_) => panic!("should fail"),
        Err(e) => e
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    insta::assert_snapshot!("bad_plugin_declarations", errs);
}

#[test]
fn errors_inside_a_template_name_the_declaration() {
    let decl = "elementdocs:\n  plugins:\n    tags:\n      bad:\n        template: '{% if %}'\n      loop:\n        template: '{% loop %}'\n";
    let s = with_decl(&[], decl).unwrap();
    let e = s.errs("{% bad %}\n{% loop %}\n");
    assert!(e.contains("plugins.yml#plugins.tags.bad"), "{e}");
    assert!(e.contains("plugin tag `loop` uses itself"), "{e}");
    let e = s.errs("{% endbad %}");
    assert!(e.contains("unknown tag `endbad`"), "{e}");
}

#[test]
fn unclosed_plugin_block_is_an_error() {
    let s = with_decl(&[], DECL).unwrap();
    let e = s.errs("{% box a %}never closed\n");
    assert!(e.contains("`box` is never closed"), "{e}");
    assert!(e.contains("{% endbox %}"), "{e}");
    let e = s.errs("x {% endbox %}");
    assert!(e.contains("unexpected `endbox`"), "{e}");
}

/// The declarations kept for the devportal cover every tag and filter its
/// Ruby plugins register, and render as those plugins do.
#[test]
fn devportal_declarations_cover_its_plugins() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus/devportal-full");
    let ruby = scan_ruby(&shared);
    let names: Vec<&str> = ruby.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["carousel", "column", "guides", "icon", "inspect", "shard_id"],
        "the corpus' plugins"
    );
    let file = root.join("tests/fixtures/devportal-full.yml");
    let text = fs::read_to_string(&file).unwrap();
    let map = crate::config::parse_config_yaml(&text, &file).unwrap();
    let p = Plugins::load(&map, &[file], &shared).unwrap();
    for (name, def) in &ruby {
        let declared = match def.kind {
            RubyKind::Filter => p.filters.contains_key(name),
            _ => p.tags.contains_key(name),
        };
        assert!(declared, "{name} of {:?} is not declared", def.file);
        if def.kind == RubyKind::Filter && name != "shard_id" {
            let want: Vec<(String, String)> = p.filters[name]
                .iter()
                .map(|r| (r.pattern.as_str().to_string(), r.with.clone()))
                .collect();
            assert_eq!(
                want, def.gsubs,
                "{name}: the same replacements as the Ruby filter"
            );
        }
    }
    let sid = |s: &str| to_s(&p.apply_filter("shard_id", &Value::String(s.into())));
    assert_eq!(sid("docs/elements/box-v2/index.md"), "docs_elements_box_v2");
    assert_eq!(sid("index.md"), "");
}

fn to_s(v: &Value) -> String {
    crate::liquid::filters::to_s(v)
}
