//! Choropleth maps as inline SVG: neighbourhood polygons projected from the working CRS (metres)
//! to the SVG viewport with y flipped, natural-breaks classes in a colour-blind-safe palette,
//! amenity symbols, proposed sites as stars, homes outside the norm as dots, a legend, a scale
//! bar, a north arrow and the data attribution.
//!
//! Drawn by hand rather than with a plotting crate because each neighbourhood must be its own
//! `<path data-id=…>` with a `<title>`, which the hover script and the browser test rely on.

use std::fmt::Write;

use geo::{Coord, MultiPolygon, Rect, Simplify};
use maud::{html, Markup};

use super::breaks::Classes;
use super::html::{d1, empty, num, pct_with, Text};
use crate::measures::distribution::round_length;

/// Size of the map area in SVG units; the legend panel sits to its right. A tall study area
/// is scaled down to the height.
#[derive(Debug, Clone, Copy)]
struct Size {
    map_w: f64,
    map_h_max: f64,
}

/// A map in a two-column grid.
const REGULAR: Size = Size {
    map_w: 400.0,
    map_h_max: 440.0,
};
/// A map across the page (the focus kind and priority): the same text size, twice the map.
const WIDE: Size = Size {
    map_w: 820.0,
    map_h_max: 620.0,
};
const PANEL_GAP: f64 = 18.0;
const PANEL_W: f64 = 190.0;
/// Height of the attribution line under the map.
const FOOT_H: f64 = 20.0;
/// Above this many homes outside the norm, every n-th is drawn so the page stays light.
pub const MAX_DOTS: usize = 5000;

/// The linear map from the working CRS to SVG units: uniform scale, y flipped (north up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    min_x: f64,
    max_y: f64,
    /// SVG units per metre.
    pub scale: f64,
    /// Drawn size of the study area in SVG units.
    pub width: f64,
    pub height: f64,
}

impl Frame {
    /// Fits an extent into `max_w` x `max_h`, keeping its aspect; `None` for an empty extent.
    pub fn fit(extent: Rect, max_w: f64, max_h: f64) -> Option<Frame> {
        let (w, h) = (extent.width(), extent.height());
        if !(w.is_finite() && h.is_finite()) || (w <= 0.0 && h <= 0.0) {
            return None;
        }
        let scale = match (w > 0.0, h > 0.0) {
            (true, true) => (max_w / w).min(max_h / h),
            (true, false) => max_w / w,
            _ => max_h / h,
        };
        Some(Frame {
            min_x: extent.min().x,
            max_y: extent.max().y,
            scale,
            width: w * scale,
            height: h * scale,
        })
    }

    /// SVG coordinates of a working-CRS coordinate.
    pub fn project(&self, c: Coord) -> (f64, f64) {
        (
            (c.x - self.min_x) * self.scale,
            (self.max_y - c.y) * self.scale,
        )
    }
}

/// SVG path data of a (multi)polygon, simplified to a fraction of a drawing unit (invisible at
/// any zoom a report is read at) and rounded to 0.1 unit to keep the file small.
pub fn path_data(frame: &Frame, mp: &MultiPolygon) -> String {
    let simplified = mp.simplify(0.3 / frame.scale);
    let mut d = String::new();
    for poly in simplified.iter() {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut last: Option<(i64, i64)> = None;
            let mut n = 0;
            // `Z` closes the ring, so its repeated first point is left out.
            let open = ring.0.len() - usize::from(ring.is_closed() && ring.0.len() > 1);
            for c in &ring.0[..open] {
                let (x, y) = frame.project(*c);
                let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
                if last == Some(p) {
                    continue;
                }
                let _ = write!(
                    d,
                    "{}{} {}",
                    if n == 0 { "M" } else { "L" },
                    tenths(p.0),
                    tenths(p.1)
                );
                last = Some(p);
                n += 1;
            }
            if n > 0 {
                d.push('Z');
            }
        }
    }
    d
}

fn tenths(v: i64) -> String {
    if v % 10 == 0 {
        (v / 10).to_string()
    } else {
        format!(
            "{}{}.{}",
            if v < 0 { "-" } else { "" },
            (v / 10).abs(),
            (v % 10).abs()
        )
    }
}

/// How a map's values are written in its legend and tooltips.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueFormat {
    /// A share 0..1 as a percentage with this many decimals.
    Percent(usize),
    /// A number with this many decimals.
    Number(usize),
}

impl ValueFormat {
    pub fn show(self, v: Option<f64>) -> String {
        match self {
            ValueFormat::Percent(d) => pct_with(v, d),
            ValueFormat::Number(d) => num(v, d),
        }
    }
}

/// A sequential palette; `reverse` puts the dark end on the smallest values (priority rank 1).
#[derive(Clone, Copy)]
pub struct Palette {
    pub gradient: colorous::Gradient,
    pub reverse: bool,
    /// Where on the gradient the lightest class sits: above 0 for ColorBrewer ramps whose first
    /// colour is nearly white and would vanish against the page.
    pub start: f64,
}

impl Palette {
    /// The colour of class `i` of `n`, as `#rrggbb`.
    pub fn colour(&self, i: usize, n: usize) -> String {
        let t = if n <= 1 {
            0.6
        } else {
            i as f64 / (n - 1) as f64
        };
        let t = if self.reverse { 1.0 - t } else { t };
        let t = self.start + (1.0 - self.start) * t;
        format!("#{:x}", self.gradient.eval_continuous(t.clamp(0.0, 1.0)))
    }
}

/// Fill of a neighbourhood without a value.
pub const NO_DATA: &str = "#d3d8de";

/// A point to mark on a map.
#[derive(Debug, Clone)]
pub struct Marker {
    pub at: Coord,
    /// Shown on hover.
    pub label: String,
}

/// The neighbourhoods projected for one map size.
pub struct Projected {
    pub frame: Frame,
    pub paths: Vec<String>,
}

impl Projected {
    fn new(extent: Rect, polygons: &[&MultiPolygon], size: Size) -> Option<Projected> {
        let frame = Frame::fit(extent, size.map_w, size.map_h_max)?;
        let paths = polygons.iter().map(|mp| path_data(&frame, mp)).collect();
        Some(Projected { frame, paths })
    }
}

/// Everything the maps of one report share: the projected neighbourhoods (for both map sizes)
/// and their hover texts, and the attribution line.
pub struct MapBase {
    pub regular: Projected,
    pub wide: Projected,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    /// Per neighbourhood: its figures, one per line, for the hover text.
    pub figures: Vec<String>,
    pub attribution: String,
    /// What a screen reader says for the north arrow and the scale bar.
    pub north_arrow: String,
    pub scale_bar: String,
}

impl MapBase {
    /// Projects the neighbourhoods once for every map; `None` when there is nothing to draw.
    pub fn new(
        extent: Option<Rect>,
        polygons: &[&MultiPolygon],
        ids: Vec<String>,
        names: Vec<String>,
        figures: Vec<String>,
        attribution: String,
        (north_arrow, scale_bar): (&str, &str),
    ) -> Option<MapBase> {
        let extent = extent?;
        Some(MapBase {
            regular: Projected::new(extent, polygons, REGULAR)?,
            wide: Projected::new(extent, polygons, WIDE)?,
            ids,
            names,
            figures,
            attribution,
            north_arrow: north_arrow.to_string(),
            scale_bar: scale_bar.to_string(),
        })
    }
}

/// One choropleth.
pub struct Choropleth {
    /// Element id of the SVG (`map-…`).
    pub id: String,
    /// What the values are, short: the legend's heading and the hover's first line.
    pub legend_title: String,
    /// Per neighbourhood, in scene order.
    pub values: Vec<Option<f64>>,
    pub format: ValueFormat,
    pub palette: Palette,
    /// What a missing value means on this map ("no data", "no gap").
    pub missing_label: String,
    /// Amenities of the mapped kind, with their legend label.
    pub amenities: Vec<Marker>,
    pub amenity_label: String,
    /// Homes outside the norm (already thinned) and the legend label.
    pub dots: Vec<Coord>,
    pub dots_label: String,
    /// Proposed sites and their legend label.
    pub stars: Vec<Marker>,
    pub stars_label: String,
    /// Drawn across the page rather than in the two-column grid.
    pub wide: bool,
}

impl Choropleth {
    /// A choropleth without symbols, in the two-column grid.
    pub fn plain(
        id: &str,
        legend_title: &str,
        values: Vec<Option<f64>>,
        format: ValueFormat,
        palette: Palette,
        missing_label: &str,
    ) -> Choropleth {
        Choropleth {
            id: id.to_string(),
            legend_title: legend_title.to_string(),
            values,
            format,
            palette,
            missing_label: missing_label.to_string(),
            amenities: Vec::new(),
            amenity_label: String::new(),
            dots: Vec::new(),
            dots_label: String::new(),
            stars: Vec::new(),
            stars_label: String::new(),
            wide: false,
        }
    }
}

/// Renders a choropleth as an `<svg>` element.
pub fn render(base: &MapBase, map: &Choropleth) -> Markup {
    let (size, projected) = if map.wide {
        (WIDE, &base.wide)
    } else {
        (REGULAR, &base.regular)
    };
    let frame = &projected.frame;
    let panel_x = size.map_w + PANEL_GAP;
    let finite: Vec<f64> = map.values.iter().flatten().copied().collect();
    let classes = Classes::natural(&finite, 5);
    let legend = legend_rows(map, &classes);
    let body_h = frame.height.max(panel_height(&legend));
    let total_h = body_h + FOOT_H;
    // Centre the map horizontally in its area and vertically beside a taller legend.
    let ox = ((size.map_w - frame.width) / 2.0).max(0.0);
    let oy = ((body_h - frame.height) / 2.0).max(0.0);
    html! {
        svg id=(Text(&map.id)) viewBox={ "0 0 " (panel_x + PANEL_W) " " (total_h.ceil()) } role="img" aria-label=(Text(&map.legend_title)) {
            g transform=(format!("translate({ox:.1} {oy:.1})")) fill-rule="evenodd" {
                (neighbourhood_paths(base, map, projected, &classes))
                (symbols(map, frame))
            }
            (draw_panel(base, panel_x, map, &legend, frame.scale))
            text x="4" y=(d1(total_h - 6.0)) font-size="10" fill="#52606d" { (Text(&base.attribution)) }
        }
    }
}

/// The neighbourhoods, filled by class, each with its hover text.
fn neighbourhood_paths(
    base: &MapBase,
    map: &Choropleth,
    projected: &Projected,
    classes: &Classes,
) -> Markup {
    html! {
        @for (i, d) in projected.paths.iter().enumerate() {
            @let value = map.values.get(i).copied().flatten();
            @let fill = value
                .and_then(|v| classes.class_of(v))
                .map(|c| map.palette.colour(c, classes.len()))
                .unwrap_or_else(|| NO_DATA.to_string());
            @let shown = match value {
                Some(_) => map.format.show(value),
                None => map.missing_label.clone(),
            };
            path class="nb" data-id=(Text(&base.ids[i])) d=(d) fill=(fill) {
                title {
                    (Text(&base.names[i])) " (" (Text(&base.ids[i])) ")\n"
                    (Text(&map.legend_title)) ": " (Text(&shown)) "\n\n" (Text(&base.figures[i]))
                }
            }
        }
    }
}

/// Homes outside the norm, amenities and proposed sites over the neighbourhoods.
fn symbols(map: &Choropleth, frame: &Frame) -> Markup {
    html! {
        @if !map.dots.is_empty() {
            g fill="#e8412c" fill-opacity="0.85" {
                @for c in &map.dots {
                    @let (x, y) = frame.project(*c);
                    (empty("circle").attr("cx", d1(x)).attr("cy", d1(y)).attr("r", 1.5))
                }
            }
        }
        @if !map.amenities.is_empty() {
            g fill="#fff" stroke="#1f2933" stroke-width="1.4" {
                @for m in &map.amenities {
                    @let (x, y) = frame.project(m.at);
                    circle cx=(d1(x)) cy=(d1(y)) r="4" { title { (Text(&m.label)) } }
                }
            }
        }
        @if !map.stars.is_empty() {
            g fill="#ffc20a" stroke="#1f2933" stroke-width="1.2" {
                @for m in &map.stars {
                    @let (x, y) = frame.project(m.at);
                    path d=(star(x, y, 10.0)) { title { (Text(&m.label)) } }
                }
            }
        }
    }
}

/// One legend row: a swatch colour (or a symbol) and its label.
enum LegendRow {
    Swatch(String, String),
    Amenity(String),
    Dot(String),
    Star(String),
}

impl LegendRow {
    fn label(&self) -> &str {
        match self {
            LegendRow::Swatch(_, label)
            | LegendRow::Amenity(label)
            | LegendRow::Dot(label)
            | LegendRow::Star(label) => label,
        }
    }
}

fn legend_rows(map: &Choropleth, classes: &Classes) -> Vec<LegendRow> {
    let mut rows: Vec<LegendRow> = classes
        .bounds
        .iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            let (lo, hi) = (map.format.show(Some(*lo)), map.format.show(Some(*hi)));
            // Two values that print alike (68.1% and 68.4%) make one label.
            let label = if lo == hi {
                lo
            } else {
                format!("{lo} – {hi}")
            };
            LegendRow::Swatch(map.palette.colour(i, classes.len()), label)
        })
        .collect();
    if map.values.iter().any(|v| v.is_none()) {
        rows.push(LegendRow::Swatch(
            NO_DATA.to_string(),
            map.missing_label.clone(),
        ));
    }
    if !map.amenities.is_empty() {
        rows.push(LegendRow::Amenity(map.amenity_label.clone()));
    }
    if !map.dots.is_empty() {
        rows.push(LegendRow::Dot(map.dots_label.clone()));
    }
    if !map.stars.is_empty() {
        rows.push(LegendRow::Star(map.stars_label.clone()));
    }
    rows
}

const ROW_H: f64 = 21.0;
const LEGEND_TOP: f64 = 62.0;

fn panel_height(rows: &[LegendRow]) -> f64 {
    // Title lines, the rows, then the scale bar.
    LEGEND_TOP + 34.0 + rows.len() as f64 * ROW_H + 50.0
}

/// Splits a label into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The legend panel beside the map: north arrow, title, one row per class and symbol, scale bar.
fn draw_panel(base: &MapBase, x0: f64, map: &Choropleth, rows: &[LegendRow], scale: f64) -> Markup {
    // North arrow, top right of the panel: the working CRS is projected, so grid north is up.
    let (ax, ay) = (x0 + PANEL_W - 22.0, 8.0);
    let arrow = format!(
        "M{ax} {} L{} {} L{ax} {} L{} {}Z",
        ay + 14.0,
        ax + 8.0,
        ay + 44.0,
        ay + 37.0,
        ax - 8.0,
        ay + 44.0
    );
    let title = wrap(&map.legend_title, 19);
    let title: Vec<(f64, &String)> = title
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, line)| (18.0 + 15.0 * i as f64, line))
        .collect();
    let first_row = (18.0 + 15.0 * title.len() as f64).max(LEGEND_TOP);
    let scale_y = first_row + rows.len() as f64 * ROW_H + 16.0;
    html! {
        g aria-label=(Text(&base.north_arrow)) {
            (empty("path").attr("d", arrow).attr("fill", "#1f2933"))
            text x=(ax) y=(ay + 11.0) text-anchor="middle" font-size="13" font-weight="700" fill="#1f2933" { "N" }
        }
        @for (y, line) in &title {
            text x=(x0) y=(y) font-size="13" font-weight="700" fill="#1f2933" { (Text(line)) }
        }
        @for (i, row) in rows.iter().enumerate() {
            @let y = first_row + i as f64 * ROW_H;
            (legend_mark(row, x0, y))
            text x=(x0 + 30.0) y=(y) font-size="12" fill="#1f2933" { (Text(row.label())) }
        }
        (scale_bar(&base.scale_bar, x0, scale_y, scale))
    }
}

/// The swatch or symbol of one legend row, its baseline at `y`.
fn legend_mark(row: &LegendRow, x0: f64, y: f64) -> Markup {
    let mark = match row {
        LegendRow::Swatch(colour, _) => empty("rect")
            .attr("x", x0)
            .attr("y", y - 11.0)
            .attr("width", 22)
            .attr("height", 14)
            .attr("fill", colour)
            .attr("stroke", "#9aa5b1")
            .attr("stroke-width", 0.6),
        LegendRow::Amenity(_) => empty("circle")
            .attr("cx", x0 + 11.0)
            .attr("cy", y - 4.0)
            .attr("r", 4)
            .attr("fill", "#fff")
            .attr("stroke", "#1f2933")
            .attr("stroke-width", 1.4),
        LegendRow::Dot(_) => empty("circle")
            .attr("cx", x0 + 11.0)
            .attr("cy", y - 4.0)
            .attr("r", 2.2)
            .attr("fill", "#e8412c"),
        LegendRow::Star(_) => empty("path")
            .attr("d", star(x0 + 11.0, y - 4.0, 8.0))
            .attr("fill", "#ffc20a")
            .attr("stroke", "#1f2933")
            .attr("stroke-width", 1.2),
    };
    html! { (mark) }
}

/// A scale bar of a round length near 120 units, in two halves.
fn scale_bar(label: &str, x0: f64, y: f64, scale: f64) -> Markup {
    let metres = round_length(120.0 / scale);
    let len = metres * scale;
    let half = len / 2.0;
    html! {
        g aria-label=(Text(label)) {
            (empty("rect").attr("x", x0).attr("y", y).attr("width", d1(half)).attr("height", 6).attr("fill", "#1f2933"))
            (empty("rect").attr("x", d1(x0 + half)).attr("y", y).attr("width", d1(half)).attr("height", 6).attr("fill", "#fff").attr("stroke", "#1f2933").attr("stroke-width", 1))
            text x=(x0) y=(y + 20.0) font-size="10.5" fill="#1f2933" { "0" }
            text x=(d1(x0 + len)) y=(y + 20.0) font-size="10.5" text-anchor="end" fill="#1f2933" { (length_label(metres)) }
        }
    }
}

fn length_label(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    }
}

/// A five-pointed star centred on (x, y) with outer radius `r`.
fn star(x: f64, y: f64, r: f64) -> String {
    let mut d = String::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { r * 0.45 };
        let a = std::f64::consts::PI * (i as f64) / 5.0;
        let _ = write!(
            d,
            "{}{:.1} {:.1}",
            if i == 0 { "M" } else { "L" },
            x + radius * a.sin(),
            y - radius * a.cos()
        );
    }
    d.push('Z');
    d
}

/// Keeps every n-th point so that at most [`MAX_DOTS`] remain, in input order (deterministic);
/// also returns n.
pub fn thin(points: Vec<Coord>) -> (Vec<Coord>, usize) {
    if points.len() <= MAX_DOTS {
        return (points, 1);
    }
    let step = points.len().div_ceil(MAX_DOTS);
    (points.into_iter().step_by(step).collect(), step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn projection_flips_y_and_keeps_aspect() {
        // A 2000 x 1000 m area fits 470 wide: 0.235 units per metre, 235 units tall.
        let r = Rect::new(
            Coord {
                x: 100_000.0,
                y: 400_000.0,
            },
            Coord {
                x: 102_000.0,
                y: 401_000.0,
            },
        );
        let f = Frame::fit(r, 470.0, 520.0).unwrap();
        assert!((f.scale - 0.235).abs() < 1e-12);
        assert_eq!(
            f.project(Coord {
                x: 100_000.0,
                y: 401_000.0
            }),
            (0.0, 0.0)
        );
        let (x, y) = f.project(Coord {
            x: 102_000.0,
            y: 400_000.0,
        });
        assert!((x - 470.0).abs() < 1e-9 && (y - 235.0).abs() < 1e-9);
    }

    #[test]
    fn square_path_by_hand() {
        let mp = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)
        ]]);
        let f = Frame::fit(mp_rect(), 100.0, 100.0).unwrap();
        // Scale 10 units per metre; (0, 0) is the bottom-left corner, so y = 100.
        assert_eq!(path_data(&f, &mp), "M0 100L100 100L100 0L0 0Z");
    }

    fn mp_rect() -> Rect {
        Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10.0, y: 10.0 })
    }

    #[test]
    fn round_scale_lengths() {
        assert_eq!(round_length(120.0), 100.0);
        assert_eq!(round_length(480.0), 200.0);
        assert_eq!(round_length(5000.0), 5000.0);
        assert_eq!(round_length(1999.0), 1000.0);
        assert_eq!(length_label(2000.0), "2 km");
        assert_eq!(length_label(500.0), "500 m");
    }

    #[test]
    fn thinning_is_deterministic() {
        let pts: Vec<Coord> = (0..12_001)
            .map(|i| Coord {
                x: i as f64,
                y: 0.0,
            })
            .collect();
        let (kept, step) = thin(pts);
        assert_eq!(step, 3);
        assert_eq!(kept.len(), 4001);
        assert_eq!(kept[1].x, 3.0);
    }

    #[test]
    fn palette_ends() {
        let p = Palette {
            gradient: colorous::VIRIDIS,
            reverse: false,
            start: 0.0,
        };
        // Viridis runs from dark purple (#440154) to yellow (#fde725).
        assert_eq!(p.colour(0, 5), "#440154");
        let r = Palette { reverse: true, ..p };
        assert_eq!(r.colour(4, 5), "#440154");
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            wrap("Share of children within the norm", 20),
            vec!["Share of children", "within the norm"]
        );
    }
}
