//! HTML building blocks of the report: text, number formats, sortable tables and the page
//! shell with its inline style and script (no network: the page must open from a USB stick).
//!
//! Every piece of the page is built with `maud`, which escapes whatever it splices in: markup
//! can only come from a template or from another `Markup`, never from a string by mistake.

use maud::{html, Markup, PreEscaped, Render, DOCTYPE};

use crate::output::i18n::{pieces, Piece, Texts};
use crate::output::table::format_number;

/// Text spliced into the page, escaped as the report always has: maud's escaping plus the
/// apostrophe (`&#39;`), so that a name with an apostrophe reads the same in every report
/// kindscape ever wrote. A plain `(string)` in a template is escaped too, only without that.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a>(pub &'a str);

impl Render for Text<'_> {
    fn render_to(&self, out: &mut String) {
        for c in self.0.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
    }
}

/// A drawing coordinate with one decimal, as the maps and charts write them.
pub fn d1(v: f64) -> String {
    format!("{v:.1}")
}

/// A catalogue text with markup in some of its `{slots}` (a `<code>` or `<strong>`): the text
/// around them is escaped like any other.
pub fn with_markup(texts: &Texts, key: &str, slots: &[(&str, Markup)]) -> Markup {
    html! {
        @for piece in pieces(texts.get(key)) {
            @match piece {
                // Catalogue text is the program's own: maud's escaping, as a literal gets.
                Piece::Text(t) => { (t) }
                Piece::Slot(name) => {
                    @match slots.iter().find(|(n, _)| *n == name) {
                        Some((_, m)) => { (m) }
                        None => { "{" (Text(name)) "}" }
                    }
                }
            }
        }
    }
}

/// An SVG element without content, written `<tag a="v"/>` as SVG is usually written (maud
/// writes `<tag></tag>` instead): the tag and attribute names are literals, the values escaped.
#[derive(Debug, Clone)]
pub struct Empty {
    tag: &'static str,
    attrs: Vec<(&'static str, String)>,
}

/// Starts an [`Empty`] element.
pub fn empty(tag: &'static str) -> Empty {
    Empty {
        tag,
        attrs: Vec::new(),
    }
}

impl Empty {
    /// Adds an attribute; `value` is written as its `Display` and escaped.
    pub fn attr(mut self, name: &'static str, value: impl std::fmt::Display) -> Empty {
        self.attrs.push((name, value.to_string()));
        self
    }
}

impl Render for Empty {
    fn render_to(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.tag);
        for (name, value) in &self.attrs {
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            Text(value).render_to(out);
            out.push('"');
        }
        out.push_str("/>");
    }
}

/// One table cell: its shown HTML and, for numbers, the value the sort script compares.
#[derive(Debug, Clone)]
pub struct Td {
    pub html: Markup,
    pub sort: Option<f64>,
    pub numeric: bool,
}

impl Td {
    /// Text, escaped.
    pub fn text(s: &str) -> Td {
        Td::html(html! { (Text(s)) })
    }

    /// Text in bold, escaped.
    pub fn strong(s: &str) -> Td {
        Td::html(html! { strong { (Text(s)) } })
    }

    /// Markup from a template.
    pub fn html(html: Markup) -> Td {
        Td {
            html,
            sort: None,
            numeric: false,
        }
    }

    /// A number shown as `shown`, sorted by `v` (missing values sort last).
    pub fn num(v: Option<f64>, shown: String) -> Td {
        Td {
            html: html! { (Text(&shown)) },
            sort: v.filter(|v| v.is_finite()),
            numeric: true,
        }
    }
}

/// A table row, optionally tied to a neighbourhood (`data-id`) so that hovering a map highlights it.
#[derive(Debug, Clone)]
pub struct Tr {
    pub id: Option<String>,
    /// A CSS class, e.g. `group` for the first row of a group.
    pub class: Option<&'static str>,
    pub cells: Vec<Td>,
}

impl Tr {
    pub fn new(cells: Vec<Td>) -> Tr {
        Tr {
            id: None,
            class: None,
            cells,
        }
    }
}

/// A table; `sort_hint` (the headers' tooltip) makes it sortable by the page script.
pub fn table(headers: &[String], rows: &[Tr], sort_hint: Option<&str>) -> Markup {
    let sortable = sort_hint.is_some();
    html! {
        div class="table-wrap" {
            table class=[sortable.then_some("sortable")] {
                thead { tr {
                    @for h in headers {
                        th title=[sort_hint.map(Text)] { (Text(h)) }
                    }
                } }
                tbody {
                    @for r in rows {
                        tr data-id=[r.id.as_deref().map(Text)] class=[r.class] {
                            @for c in &r.cells {
                                td class=[c.numeric.then_some("n")] data-v=[c.sort.map(sort_key)] {
                                    (c.html)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A sort key precise enough to order any figure of the report.
fn sort_key(v: f64) -> String {
    format_number(Some(v), 6)
}

/// A figure with its heading, drawing and caption; `wide` spans the map grid.
pub fn figure(title: &str, drawing: Markup, caption: &str, wide: bool) -> Markup {
    html! {
        figure class=[wide.then_some("wide")] {
            h3 { (Text(title)) } (drawing) figcaption { (Text(caption)) }
        }
    }
}

/// The inline style, system fonts only. In print (and `report.pdf`) it sets A4 pages: each
/// section from a new page, each map on a page of its own, no navigation bar, and tables that
/// always fit the width (headers and text wrap, even inside a long word; numbers stay whole;
/// 13 columns or more get a smaller type), so no column is cut off at the page's edge.
const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--accent:#1d4e89;--warn:#b44d12}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:var(--accent);color:#fff;padding:28px 40px 18px}
header.top h1{margin:0 0 4px;font-size:30px;font-weight:650;letter-spacing:-.01em}
header.top p{margin:0;opacity:.88}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:8px 40px;display:flex;flex-wrap:wrap;gap:4px 18px}
nav a{color:var(--accent);text-decoration:none;font-weight:600;font-size:14px}
nav a:hover{text-decoration:underline}
main{max-width:1240px;margin:0 auto;padding:8px 40px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:20px 26px;margin:22px 0}
h2{margin:0 0 12px;font-size:22px;color:var(--accent);border-bottom:2px solid var(--line);padding-bottom:6px}
h3{margin:18px 0 8px;font-size:17px}
p.note,.note{color:var(--muted);font-size:13.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:6px 0 16px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--bg)}
.card .v{font-size:26px;font-weight:700;color:var(--accent)}
.card .l{font-size:13px;color:var(--muted)}
ul.gaps li{margin:3px 0}
.table-wrap{overflow-x:auto;margin:8px 0 14px}
table{border-collapse:collapse;font-size:13.5px;min-width:50%}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:650;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" \2195";color:#9aa5b1;font-weight:400}
table.sortable th[data-dir=asc]:after{content:" \2191";color:var(--ink)}
table.sortable th[data-dir=desc]:after{content:" \2193";color:var(--ink)}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
tr.hl td{background:#fff3c4}
tr.group td{border-top:2px solid #bcccdc}
figure.chart-box{max-width:820px;margin:12px 0}
.maps{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:18px}
.maps figure.wide{grid-column:1/-1}
.hists{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px}
.hists svg,svg.chart{width:100%;height:auto;display:block}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fff}
figure h3{margin:2px 0 6px}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:12.5px;color:var(--muted);margin-top:4px}
svg text{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
svg path.nb{stroke:#fff;stroke-width:1;transition:opacity .1s}
svg path.nb:hover,svg path.nb.hl{stroke:#111;stroke-width:2.5}
.warn{color:var(--warn)}
ul.warnings li{margin:2px 0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
footer{color:var(--muted);font-size:12.5px;text-align:center;padding:10px 0 30px}
@page{size:A4;margin:12mm 11mm 14mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:10pt}
nav{display:none}
header.top{background:#fff;color:var(--accent);padding:0 0 4mm;border-bottom:2px solid var(--accent)}
header.top p{color:var(--muted)}
main{max-width:none;padding:0}
section{border:none;border-radius:0;padding:0;margin:5mm 0 0}
section+section{break-before:page;margin-top:0}
h2,h3{break-after:avoid}
p,li{orphans:3;widows:3}
.card,figure,ul.gaps{break-inside:avoid}
.table-wrap{overflow:visible}
table{width:100%;min-width:0;font-size:8pt}
table:has(th:nth-child(13)){font-size:7pt}
th,td{padding:2px 4px;overflow-wrap:anywhere}
th{white-space:normal}
thead{display:table-header-group}
tr{break-inside:avoid}
table.sortable th:after{content:none}
tr.hl td{background:none}
.maps{display:block}
.maps figure{border:none;padding:0}
.maps figure+figure{break-before:page}
.maps figure svg{max-height:230mm}
.hists{grid-template-columns:1fr 1fr}
footer{padding:4mm 0 0}
}
"#;

/// The inline script: click a header to sort its table, hover a neighbourhood to highlight it on
/// every map and in every table. Plain ES5 so old council laptops run it too. Its last act marks
/// `<html data-ready="true">`, which the browser test reads to know it ran to the end.
const SCRIPT: &str = r#"
(function(){
  function key(td){var v=td.getAttribute('data-v');return v===null?null:parseFloat(v);}
  var heads=document.querySelectorAll('table.sortable th');
  for(var i=0;i<heads.length;i++){(function(th){
    th.addEventListener('click',function(){
      var table=th.parentNode.parentNode.parentNode,body=table.tBodies[0];
      var col=Array.prototype.indexOf.call(th.parentNode.children,th);
      var asc=th.getAttribute('data-dir')!=='asc';
      var all=th.parentNode.children;
      for(var j=0;j<all.length;j++){all[j].removeAttribute('data-dir');}
      th.setAttribute('data-dir',asc?'asc':'desc');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var ca=a.cells[col],cb=b.cells[col];if(!ca||!cb){return 0;}
        var ka=key(ca),kb=key(cb);
        if(ca.className==='n'||cb.className==='n'){
          if(ka===null&&kb===null){return 0;}if(ka===null){return 1;}if(kb===null){return -1;}
          return asc?ka-kb:kb-ka;}
        var ta=ca.textContent,tb=cb.textContent;
        return asc?ta.localeCompare(tb):tb.localeCompare(ta);});
      for(var r=0;r<rows.length;r++){body.appendChild(rows[r]);}
    });})(heads[i]);}
  var tagged=document.querySelectorAll('[data-id]');
  function mark(id,on){
    for(var k=0;k<tagged.length;k++){
      var e=tagged[k];if(e.getAttribute('data-id')!==id){continue;}
      var c=e.getAttribute('class')||'';
      if(on&&!/(^| )hl( |$)/.test(c)){e.setAttribute('class',(c+' hl').trim());}
      if(!on){e.setAttribute('class',c.replace(/(^| )hl( |$)/,' ').trim());}
    }
  }
  for(var t=0;t<tagged.length;t++){(function(e){
    e.addEventListener('mouseenter',function(){mark(e.getAttribute('data-id'),true);});
    e.addEventListener('mouseleave',function(){mark(e.getAttribute('data-id'),false);});
  })(tagged[t]);}
  document.documentElement.setAttribute('data-ready','true');
})();
"#;

/// The whole page around the sections' HTML.
pub fn page(
    texts: &Texts,
    title: &str,
    subtitle: &str,
    nav: &[(&str, &str)],
    body: Markup,
) -> String {
    let page = html! {
        (DOCTYPE) "\n"
        html lang=(texts.language.code()) {
            "\n"
            head {
                "\n" meta charset="utf-8";
                "\n" meta name="viewport" content="width=device-width, initial-scale=1";
                "\n" title { (Text(title)) }
                "\n" style { (PreEscaped(STYLE)) } "\n"
            }
            "\n"
            body {
                "\n"
                header class="top" { h1 { (Text(title)) } p { (Text(subtitle)) } } "\n"
                nav { @for (anchor, label) in nav { a href={ "#" (Text(anchor)) } { (Text(label)) } } } "\n"
                main { "\n" (body) } "\n"
                footer {
                    (Text(&texts.fmt("page.made_with", &[("version", &env!("CARGO_PKG_VERSION"))])))
                    " " (PreEscaped("&middot;")) " " (Text(texts.get("page.traced")))
                } "\n"
                script { (PreEscaped(SCRIPT)) } "\n"
            }
            "\n"
        }
        "\n"
    };
    page.into_string()
}

/// A section with its anchor and heading.
pub fn section(anchor: &str, heading: &str, inner: Markup) -> Markup {
    html! {
        section id=(Text(anchor)) { "\n" h2 { (Text(heading)) } "\n" (inner) "\n" } "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            html! { (Text("a<b & \"c\"'")) }.into_string(),
            "a&lt;b &amp; &quot;c&quot;&#39;"
        );
    }

    #[test]
    fn empty_elements_close_themselves_and_escape_values() {
        let e = empty("rect").attr("x", 1.5).attr("fill", "a\"&'b");
        assert_eq!(
            html! { (e) }.into_string(),
            "<rect x=\"1.5\" fill=\"a&quot;&amp;&#39;b\"/>"
        );
    }

    #[test]
    fn sections_and_figures_escape_their_text() {
        let s = section("a<b", "R&D", html! { p { "x" } }).into_string();
        assert_eq!(
            s,
            "<section id=\"a&lt;b\">\n<h2>R&amp;D</h2>\n<p>x</p>\n</section>\n"
        );
        let f = figure("<i>", html! {}, "c & d", true).into_string();
        assert_eq!(
            f,
            "<figure class=\"wide\"><h3>&lt;i&gt;</h3><figcaption>c &amp; d</figcaption></figure>"
        );
    }

    #[test]
    fn sortable_table_carries_keys_and_ids() {
        let rows = vec![Tr {
            id: Some("BU1".into()),
            class: None,
            cells: vec![Td::text("A&B"), Td::num(Some(0.5), "50%".into())],
        }];
        let t = table(
            &["name".into(), "share".into()],
            &rows,
            Some("Click to sort"),
        )
        .into_string();
        assert!(t.contains("<tr data-id=\"BU1\">"));
        assert!(t.contains("<td>A&amp;B</td>"));
        assert!(t.contains("<td class=\"n\" data-v=\"0.5\">50%</td>"));
        assert!(t.contains("class=\"sortable\""));
    }
}
