//! Charts as inline SVG: grouped bars (coverage per kind by quintile of chances) and histograms
//! (children by distance to the nearest amenity, one per age band, with the norm marked).

use maud::{html, Markup};

use super::html::{d1, empty, Text};
use crate::measures::gaps::DistanceHistogram;
use crate::output::i18n::Texts;

/// Colours of the within-norm and beyond-norm bars: a blue/orange pair that stays distinct
/// under every common colour-vision deficiency (ColorBrewer PuOr/RdBu ends).
const WITHIN: &str = "#2c7bb6";
const BEYOND: &str = "#e66101";
const INK: &str = "#1f2933";
const GRID: &str = "#d9e2ec";

/// Colours for `n` series: viridis sampled short of its pale yellow end, so every bar stands out
/// on white and the order reads dark to light.
pub fn series_colours(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let t = if n <= 1 {
                0.3
            } else {
                0.85 * i as f64 / (n - 1) as f64
            };
            format!("#{:x}", colorous::VIRIDIS.eval_continuous(t))
        })
        .collect()
}

/// Layout of the grouped bar chart.
const BARS_W: f64 = 760.0;
const BARS_H: f64 = 330.0;
const BARS_LEFT: f64 = 52.0;
const BARS_TOP: f64 = 46.0;
const BARS_PLOT_W: f64 = BARS_W - BARS_LEFT - 12.0;
const BARS_PLOT_H: f64 = BARS_H - BARS_TOP - 52.0;

/// A grouped bar chart of shares (0..1): one group per category, one bar per series. Missing
/// values leave a gap with "–".
pub fn grouped_bars(
    t: &Texts,
    aria: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> Markup {
    let (left, top, plot_w, plot_h) = (BARS_LEFT, BARS_TOP, BARS_PLOT_W, BARS_PLOT_H);
    let colours = series_colours(series.len());
    let mut legend_x = Vec::with_capacity(series.len());
    let mut lx = left;
    for (name, _) in series {
        legend_x.push(lx);
        lx += 30.0 + 7.2 * name.chars().count() as f64;
    }
    let group_w = plot_w / categories.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    html! {
        svg viewBox={ "0 0 " (BARS_W) " " (BARS_H) } role="img" aria-label=(Text(aria)) class="chart" {
            // Legend across the top.
            @for (i, (name, _)) in series.iter().enumerate() {
                (empty("rect").attr("x", legend_x[i]).attr("y", 10).attr("width", 14).attr("height", 14).attr("fill", &colours[i]))
                text x=(legend_x[i] + 19.0) y="22" font-size="12.5" fill=(INK) { (Text(name)) }
            }
            // Gridlines at every 25%.
            @for g in 0..=4 {
                @let y = top + plot_h * (1.0 - g as f64 / 4.0);
                (empty("line").attr("x1", left).attr("x2", left + plot_w).attr("y1", d1(y)).attr("y2", d1(y)).attr("stroke", GRID))
                text x=(left - 6.0) y=(d1(y + 4.0)) font-size="11" text-anchor="end" fill=(INK) { (g * 25) "%" }
            }
            @for (c, cat) in categories.iter().enumerate() {
                @let gx = left + group_w * c as f64 + group_w * 0.1;
                @for (k, (name, values)) in series.iter().enumerate() {
                    @let x = gx + bar_w * k as f64;
                    @match values.get(c).copied().flatten().filter(|v| v.is_finite()) {
                        Some(v) => {
                            @let bh = plot_h * v.clamp(0.0, 1.0);
                            rect x=(d1(x)) y=(d1(top + plot_h - bh)) width=(d1((bar_w - 2.0).max(1.0))) height=(d1(bh)) fill=(colours[k]) {
                                title { (Text(cat)) ", " (Text(name)) ": " (t.pct(Some(v))) }
                            }
                        }
                        None => {
                            text x=(d1(x + bar_w / 2.0)) y=(d1(top + plot_h - 4.0)) font-size="11" text-anchor="middle" fill="#9aa5b1" { "–" }
                        }
                    }
                }
                text x=(d1(left + group_w * (c as f64 + 0.5))) y=(d1(top + plot_h + 18.0)) font-size="12" text-anchor="middle" fill=(INK) { (Text(cat)) }
            }
            (empty("line").attr("x1", left).attr("x2", left + plot_w).attr("y1", d1(top + plot_h)).attr("y2", d1(top + plot_h)).attr("stroke", INK))
        }
    }
}

/// Layout of a histogram.
const HIST_W: f64 = 380.0;
const HIST_H: f64 = 220.0;
const HIST_LEFT: f64 = 46.0;
const HIST_TOP: f64 = 30.0;
const HIST_PLOT_W: f64 = HIST_W - HIST_LEFT - 10.0;
const HIST_PLOT_H: f64 = HIST_H - HIST_TOP - 40.0;

/// One bar of a histogram: its position, height, colour and hover text.
struct Bar {
    x: f64,
    height: f64,
    colour: &'static str,
    last: bool,
    range: String,
    children: f64,
}

fn bars(t: &Texts, h: &DistanceHistogram, bw: f64, max: f64) -> Vec<Bar> {
    let lo = |i: usize| i as f64 * h.bin;
    h.counts
        .iter()
        .chain(std::iter::once(&h.beyond))
        .enumerate()
        .map(|(i, c)| {
            let last = i == h.counts.len();
            Bar {
                x: HIST_LEFT + bw * i as f64,
                height: HIST_PLOT_H * c / max,
                colour: if !last && lo(i) + h.bin <= h.norm + 1e-9 {
                    WITHIN
                } else {
                    BEYOND
                },
                last,
                range: if last {
                    t.fmt("charts.over", &[("metres", &t.num(Some(lo(i)), 0))])
                } else {
                    format!("{}–{} m", t.num(Some(lo(i)), 0), t.num(Some(lo(i + 1)), 0))
                },
                children: *c,
            }
        })
        .collect()
}

/// A histogram as an `<svg>`: bars up to the norm in blue, beyond it in orange, the norm as a
/// dashed line, and a last bar for children beyond the range.
pub fn histogram(t: &Texts, title: &str, h: &DistanceHistogram) -> Markup {
    let (left, top, plot_w, plot_h) = (HIST_LEFT, HIST_TOP, HIST_PLOT_W, HIST_PLOT_H);
    let bw = plot_w / (h.counts.len() + 1) as f64;
    let max = h
        .counts
        .iter()
        .copied()
        .chain([h.beyond])
        .fold(0.0, f64::max)
        .max(1e-9);
    let nx = left + bw * (h.norm / h.bin).min(h.counts.len() as f64);
    let end = h.counts.len() as f64 * h.bin;
    let axis = [
        (left, "0".to_string()),
        (
            left + bw * h.counts.len() as f64,
            format!("{} m", t.num(Some(end), 0)),
        ),
    ];
    html! {
        svg viewBox={ "0 0 " (HIST_W) " " (HIST_H) } role="img" aria-label=(Text(title)) class="chart" {
            text x=(left) y="16" font-size="14" font-weight="700" fill=(INK) { (Text(title)) }
            text x=(left - 5.0) y=(top + 4.0) font-size="11.5" text-anchor="end" fill=(INK) { (t.num(Some(max), 0)) }
            text x=(left - 5.0) y=(top + plot_h) font-size="11.5" text-anchor="end" fill=(INK) { "0" }
            @for b in bars(t, h, bw, max) {
                rect x=(d1(b.x)) y=(d1(top + plot_h - b.height)) width=(d1((bw - 1.0).max(0.5))) height=(d1(b.height)) fill=(b.colour) fill-opacity=[b.last.then_some("0.6")] {
                    title { (Text(&t.fmt("charts.bar", &[("range", &b.range), ("n", &t.num(Some(b.children), 0))]))) }
                }
            }
            (empty("line").attr("x1", d1(nx)).attr("x2", d1(nx)).attr("y1", top - 4.0).attr("y2", top + plot_h).attr("stroke", INK).attr("stroke-width", 1.5).attr("stroke-dasharray", "4 3"))
            text x=(d1(nx + 4.0)) y=(top + 8.0) font-size="11" fill=(INK) { (Text(&t.fmt("charts.norm", &[("metres", &t.num(Some(h.norm), 0))]))) }
            (empty("line").attr("x1", left).attr("x2", left + plot_w).attr("y1", top + plot_h).attr("y2", top + plot_h).attr("stroke", INK))
            @for (x, label) in &axis {
                text x=(d1(*x)) y=(top + plot_h + 14.0) font-size="11.5" text-anchor="middle" fill=(INK) { (Text(label)) }
            }
            text x=(left + plot_w / 2.0) y=(HIST_H - 6.0) font-size="11.5" text-anchor="middle" fill=(INK) {
                (Text(&t.fmt("charts.axis", &[("bin", &t.num(Some(h.bin), 0))])))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_missing_values() {
        let svg = grouped_bars(
            crate::output::i18n::texts(crate::output::i18n::Language::En),
            "test",
            &["Q1".into(), "Q2".into()],
            &[("playground".into(), vec![Some(0.5), None])],
        )
        .into_string();
        assert_eq!(svg.matches("<rect").count(), 2); // legend swatch + one bar
        assert!(svg.contains("Q1, playground: 50%"));
    }
}
