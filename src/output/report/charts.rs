//! Charts as inline SVG: grouped bars (coverage per kind by quintile of chances) and histograms
//! (children by distance to the nearest amenity, one per age band, with the norm marked).

use std::fmt::Write;

use super::html::{esc, num, pct};
use super::maps::round_length;

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

/// A grouped bar chart of shares (0..1): one group per category, one bar per series. Missing
/// values leave a gap with "–".
pub fn grouped_bars(
    aria: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let (w, h) = (760.0, 330.0);
    let (left, right, top, bottom) = (52.0, 12.0, 46.0, 52.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let colours = series_colours(series.len());
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" class=\"chart\">",
        esc(aria)
    );
    // Legend across the top.
    let mut lx = left;
    for (i, (name, _)) in series.iter().enumerate() {
        let _ = write!(
            s,
            "<rect x=\"{lx}\" y=\"10\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"22\" font-size=\"12.5\" fill=\"{INK}\">{}</text>",
            colours[i],
            lx + 19.0,
            esc(name)
        );
        lx += 30.0 + 7.2 * name.chars().count() as f64;
    }
    // Gridlines at every 25%.
    for g in 0..=4 {
        let y = top + plot_h * (1.0 - g as f64 / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"{INK}\">{}%</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0,
            g * 25
        );
    }
    let group_w = plot_w / categories.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    for (c, cat) in categories.iter().enumerate() {
        let gx = left + group_w * c as f64 + group_w * 0.1;
        for (k, (name, values)) in series.iter().enumerate() {
            let x = gx + bar_w * k as f64;
            let v = values.get(c).copied().flatten().filter(|v| v.is_finite());
            match v {
                Some(v) => {
                    let bh = plot_h * v.clamp(0.0, 1.0);
                    let _ = write!(
                        s,
                        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}, {}: {}</title></rect>",
                        top + plot_h - bh,
                        (bar_w - 2.0).max(1.0),
                        colours[k],
                        esc(cat),
                        esc(name),
                        pct(Some(v))
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#9aa5b1\">–</text>",
                        x + bar_w / 2.0,
                        top + plot_h - 4.0
                    );
                }
            }
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            left + group_w * (c as f64 + 0.5),
            top + plot_h + 18.0,
            esc(cat)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    s.push_str("</svg>");
    s
}

/// Children by distance for one age band.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub title: String,
    /// The band's norm in metres.
    pub norm: f64,
    /// Bin width in metres.
    pub bin: f64,
    /// Children per bin, from 0.
    pub counts: Vec<f64>,
    /// Children farther than the last bin.
    pub beyond: f64,
    /// Children with no amenity in reach at all (none of the kind, or none within the network's
    /// maximum distance).
    pub unreached: f64,
}

impl Histogram {
    /// Bins `(distance, children)` pairs. The range covers twice the norm or the children-
    /// weighted 95th percentile, whichever is larger, in about 20 round-width bins.
    pub fn new(title: String, norm: f64, mut pairs: Vec<(f64, f64)>) -> Histogram {
        let unreached: f64 = pairs
            .iter()
            .filter(|(d, w)| !d.is_finite() && *w > 0.0)
            .map(|p| p.1)
            .sum();
        pairs.retain(|(d, w)| d.is_finite() && *w > 0.0);
        let mut finite = pairs;
        let p95 = crate::measures::distribution::lower_weighted_quantiles(&mut finite, &[0.95])[0]
            .unwrap_or(0.0);
        let span = (2.0 * norm).max(p95).max(1.0);
        let bin = round_length(span / 20.0);
        let n = ((span / bin).ceil() as usize).clamp(1, 60);
        let mut counts = vec![0.0; n];
        let mut beyond = 0.0;
        for (d, w) in finite {
            let i = (d / bin).floor() as usize;
            match counts.get_mut(i) {
                Some(c) => *c += w,
                None => beyond += w,
            }
        }
        Histogram {
            title,
            norm,
            bin,
            counts,
            beyond,
            unreached,
        }
    }

    /// The histogram as an `<svg>`: bars up to the norm in blue, beyond it in orange, the norm as
    /// a dashed line, and a last bar for children beyond the range.
    pub fn render(&self) -> String {
        let (w, h) = (380.0, 220.0);
        let (left, right, top, bottom) = (46.0, 10.0, 30.0, 40.0);
        let plot_w = w - left - right;
        let plot_h = h - top - bottom;
        let bars = self.counts.len() + 1;
        let bw = plot_w / bars as f64;
        let max = self
            .counts
            .iter()
            .copied()
            .chain([self.beyond])
            .fold(0.0, f64::max)
            .max(1e-9);
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" class=\"chart\">",
            esc(&self.title)
        );
        let _ = write!(
            s,
            "<text x=\"{left}\" y=\"16\" font-size=\"14\" font-weight=\"700\" fill=\"{INK}\">{}</text>",
            esc(&self.title)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"11.5\" text-anchor=\"end\" fill=\"{INK}\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11.5\" text-anchor=\"end\" fill=\"{INK}\">0</text>",
            left - 5.0,
            top + 4.0,
            num(Some(max), 0),
            left - 5.0,
            top + plot_h
        );
        let lo_label = |i: usize| i as f64 * self.bin;
        for (i, c) in self
            .counts
            .iter()
            .chain(std::iter::once(&self.beyond))
            .enumerate()
        {
            let x = left + bw * i as f64;
            let bh = plot_h * c / max;
            let last = i == self.counts.len();
            let colour = if !last && lo_label(i) + self.bin <= self.norm + 1e-9 {
                WITHIN
            } else {
                BEYOND
            };
            let range = if last {
                format!("over {} m", num(Some(lo_label(i)), 0))
            } else {
                format!(
                    "{}–{} m",
                    num(Some(lo_label(i)), 0),
                    num(Some(lo_label(i + 1)), 0)
                )
            };
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{colour}\"{}><title>{range}: {} children</title></rect>",
                top + plot_h - bh,
                (bw - 1.0).max(0.5),
                if last { " fill-opacity=\"0.6\"" } else { "" },
                num(Some(*c), 0)
            );
        }
        let nx = left + bw * (self.norm / self.bin).min(self.counts.len() as f64);
        let _ = write!(
            s,
            "<line x1=\"{nx:.1}\" x2=\"{nx:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"{INK}\">norm {} m</text>",
            top - 4.0,
            top + plot_h,
            nx + 4.0,
            top + 8.0,
            num(Some(self.norm), 0)
        );
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{INK}\"/>",
            left + plot_w,
            top + plot_h,
            top + plot_h
        );
        let end = self.counts.len() as f64 * self.bin;
        for (x, label) in [
            (left, "0".to_string()),
            (
                left + bw * self.counts.len() as f64,
                format!("{} m", num(Some(end), 0)),
            ),
        ] {
            let _ = write!(
                s,
                "<text x=\"{x:.1}\" y=\"{}\" font-size=\"11.5\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                top + plot_h + 14.0,
                esc(&label)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"11.5\" text-anchor=\"middle\" fill=\"{INK}\">distance (bins of {} m); last bar: farther</text>",
            left + plot_w / 2.0,
            h - 6.0,
            num(Some(self.bin), 0)
        );
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_hand() {
        // Norm 100 m: the range is 200 m (p95 is 150 m, below twice the norm) in bins of 10 m.
        let pairs = [
            (0.0, 1.0),
            (9.9, 2.0),
            (10.0, 3.0),
            (150.0, 4.0),
            (250.0, 0.5),
            (f64::INFINITY, 7.0),
            (50.0, 0.0),
        ];
        let h = Histogram::new("0-5".into(), 100.0, pairs.to_vec());
        assert_eq!(h.bin, 10.0);
        assert_eq!(h.counts.len(), 20);
        assert_eq!(h.counts[0], 3.0);
        assert_eq!(h.counts[1], 3.0);
        assert_eq!(h.counts[15], 4.0);
        assert_eq!(h.counts.iter().sum::<f64>(), 10.0);
        assert_eq!(h.beyond, 0.5);
        assert_eq!(h.unreached, 7.0);
    }

    #[test]
    fn range_grows_to_the_95th_percentile() {
        // One child every 10 m from 0 to 990 m: the 95th child is at 940 m.
        let pairs: Vec<(f64, f64)> = (0..100).map(|i| (i as f64 * 10.0, 1.0)).collect();
        let h = Histogram::new("all".into(), 100.0, pairs);
        // span = max(200, 940) = 940; 940 / 20 = 47 -> bin 20 m, 47 bins.
        assert_eq!(h.bin, 20.0);
        assert_eq!(h.counts.len(), 47);
        assert_eq!(h.beyond, 6.0); // 940..990 m: six homes at 940, 950, ..., 990
    }

    #[test]
    fn bars_and_missing_values() {
        let svg = grouped_bars(
            "test",
            &["Q1".into(), "Q2".into()],
            &[("playground".into(), vec![Some(0.5), None])],
        );
        assert_eq!(svg.matches("<rect").count(), 2); // legend swatch + one bar
        assert!(svg.contains("Q1, playground: 50%"));
    }
}
