//! Choropleth maps as inline SVG: neighbourhood polygons projected from the working CRS (metres)
//! to the SVG viewport with y flipped, natural-breaks classes in a colour-blind-safe palette, over
//! a backdrop of streets, water and green with the neighbourhoods' names; amenities as their
//! shapes, proposed sites as stars, the gap map's hexagons, a legend, a scale bar, a north arrow
//! and the data attribution. Each map pans and zooms (see [`SCRIPT`]).
//!
//! Drawn by hand rather than with a plotting crate because each neighbourhood must be its own
//! `<path data-id=…>` with a `<title>`, which the hover script and the browser test rely on.

use std::fmt::Write;

use geo::orient::{Direction, Orient};
use geo::{Area, BoundingRect, Coord, InteriorPoint, LineString, MultiPolygon, Rect, Simplify};
use maud::{html, Markup};

use super::breaks::Classes;
use super::hexes::{Hex, HexGrid};
use super::html::{d1, empty, Text};
use crate::measures::distribution::round_length;
use crate::output::i18n::NumberStyle;
use crate::scene::{AmenityGeometry, Backdrop};

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
///
/// Rings are oriented first (exterior counter-clockwise), so that a layer drawn from a Shapefile,
/// whose rings run the other way, draws the same path as from GeoJSON.
pub fn path_data(frame: &Frame, mp: &MultiPolygon) -> String {
    let simplified = mp.orient(Direction::Default).simplify(0.3 / frame.scale);
    let mut d = String::new();
    for poly in simplified.iter() {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            // `Z` closes the ring, so its repeated first point is left out.
            let open = ring.0.len() - usize::from(ring.is_closed() && ring.0.len() > 1);
            if push_points(&mut d, frame, &ring.0[..open]) > 0 {
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
    pub fn show(self, numbers: NumberStyle, v: Option<f64>) -> String {
        match self {
            ValueFormat::Percent(d) => numbers.pct(v, d),
            ValueFormat::Number(d) => numbers.num(v, d),
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

/// Fill of a neighbourhood on a map that does not colour neighbourhoods (the gap map).
pub const NEUTRAL: &str = "#eef1f4";
/// Element id of the hatching of neighbourhoods without children (in the shared `<defs>`).
pub const HATCH_ID: &str = "map-hatch";

/// A point to mark on a map.
#[derive(Debug, Clone)]
pub struct Marker {
    pub at: Coord,
    /// Shown on hover.
    pub label: String,
}

/// An amenity as drawn: its polygon, or a symbol at its point.
#[derive(Debug, Clone)]
pub struct Shape {
    pub geometry: AmenityGeometry,
    /// Shown on hover.
    pub label: String,
}

/// A neighbourhood's name where it is drawn, in SVG units; `major` labels show at the full view,
/// the others (which would overlap a larger neighbourhood's) once the reader zooms in.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub major: bool,
}

/// The neighbourhoods projected for one map size.
pub struct Projected {
    pub frame: Frame,
    pub paths: Vec<String>,
    pub labels: Vec<Label>,
    /// Font size of the labels at the full view, in SVG units.
    pub label_size: f64,
}

impl Projected {
    fn new(
        extent: Rect,
        polygons: &[&MultiPolygon],
        names: &[String],
        size: Size,
    ) -> Option<Projected> {
        let frame = Frame::fit(extent, size.map_w, size.map_h_max)?;
        let paths = polygons.iter().map(|mp| path_data(&frame, mp)).collect();
        let label_size = if size.map_w > REGULAR.map_w {
            12.0
        } else {
            10.0
        };
        // The map area is wider than a tall study area: it is centred, with this margin each side.
        let margin = ((size.map_w - frame.width) / 2.0).max(0.0);
        let labels = place_labels(&frame, polygons, names, label_size, margin);
        Some(Projected {
            frame,
            paths,
            labels,
            label_size,
        })
    }
}

/// One label per named neighbourhood at a point inside it, moved inwards where it would cross
/// the map's edge (the map area reaches `margin` beyond the frame on the left and right); from
/// the largest neighbourhood down, a label whose box would overlap one already placed is minor.
fn place_labels(
    frame: &Frame,
    polygons: &[&MultiPolygon],
    names: &[String],
    size: f64,
    margin: f64,
) -> Vec<Label> {
    let mut order: Vec<usize> = (0..polygons.len()).collect();
    let area = |i: usize| polygons[i].unsigned_area();
    order.sort_by(|a, b| area(*b).total_cmp(&area(*a)).then(a.cmp(b)));
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let mut labels = Vec::new();
    for i in order {
        if names[i].trim().is_empty() {
            continue;
        }
        let Some(p) = polygons[i].interior_point() else {
            continue;
        };
        let (x, y) = frame.project(p.0);
        // Sans-serif letters average about 0.55 em wide.
        let half_w = 0.55 * size * names[i].chars().count() as f64 / 2.0;
        let (x, y) = (
            within(x, half_w - margin, frame.width + margin - half_w),
            within(y, size, frame.height - 0.3 * size),
        );
        let b = [x - half_w, y - size, x + half_w, y + 0.3 * size];
        let overlaps = placed
            .iter()
            .any(|o| b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]);
        if !overlaps {
            placed.push(b);
        }
        labels.push(Label {
            x,
            y,
            text: names[i].clone(),
            major: !overlaps,
        });
    }
    labels
}

/// `v` moved into `lo..=hi`; the middle of the two when the range is empty (a label wider than
/// the map stays centred).
fn within(v: f64, lo: f64, hi: f64) -> f64 {
    if lo > hi {
        (lo + hi) / 2.0
    } else {
        v.clamp(lo, hi)
    }
}

/// Everything the maps of one report share: the projected neighbourhoods (for both map sizes)
/// and their hover texts, the backdrop, and the attribution line.
pub struct MapBase {
    pub regular: Projected,
    pub wide: Projected,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    /// Per neighbourhood: its figures, one per line, for the hover text.
    pub figures: Vec<String>,
    /// Per neighbourhood: drawn as "no children" on every map, whatever its values.
    pub no_children: Vec<bool>,
    pub no_children_label: String,
    pub backdrop: Backdrop,
    pub attribution: String,
    /// What a screen reader says for the north arrow and the scale bar.
    pub north_arrow: String,
    pub scale_bar: String,
    /// The zoom buttons' tooltips: in, out, whole map.
    pub zoom: [String; 3],
}

/// What every map shares besides the neighbourhoods: the backdrop and the texts.
pub struct Shared {
    pub backdrop: Backdrop,
    pub attribution: String,
    pub no_children: String,
    pub north_arrow: String,
    pub scale_bar: String,
    pub zoom: [String; 3],
}

impl MapBase {
    /// Projects the neighbourhoods once for every map; `None` when there is nothing to draw.
    pub fn new(
        extent: Option<Rect>,
        polygons: &[&MultiPolygon],
        ids: Vec<String>,
        names: Vec<String>,
        figures: Vec<String>,
        no_children: Vec<bool>,
        shared: Shared,
    ) -> Option<MapBase> {
        let extent = extent?;
        let labels: Vec<String> = polygons
            .iter()
            .zip(&names)
            .zip(&ids)
            .map(|((_, n), id)| if n == id { String::new() } else { n.clone() })
            .collect();
        Some(MapBase {
            regular: Projected::new(extent, polygons, &labels, REGULAR)?,
            wide: Projected::new(extent, polygons, &labels, WIDE)?,
            ids,
            names,
            figures,
            no_children,
            no_children_label: shared.no_children,
            backdrop: shared.backdrop,
            attribution: shared.attribution,
            north_arrow: shared.north_arrow,
            scale_bar: shared.scale_bar,
            zoom: shared.zoom,
        })
    }

    /// What every map refers to, written once: the backdrop (in the wide map's units; a regular
    /// map scales it) and the hatching. A zero-size `<svg>` rather than `display:none`, which
    /// would hide the patterns from the maps that use them.
    pub fn shared_defs(&self) -> Markup {
        let frame = &self.wide.frame;
        let line_data = |lines: &[LineString]| {
            let mut d = String::new();
            let bbox = frame_box(frame);
            for l in lines {
                d.push_str(&line_path(frame, l, &bbox));
            }
            d
        };
        let area_data = |areas: &[MultiPolygon]| {
            let bbox = frame_box(frame);
            areas
                .iter()
                .filter(|mp| mp.bounding_rect().is_some_and(|r| intersects(&r, &bbox)))
                .map(|mp| path_data(frame, mp))
                .collect::<String>()
        };
        let b = &self.backdrop;
        html! {
            svg class="map-defs" width="0" height="0" aria-hidden="true" style="position:absolute" {
                defs {
                    (hatch(HATCH_ID))
                    g id="map-bd" pointer-events="none" {
                        @if !b.green.is_empty() {
                            (empty("path").attr("class", "bd-green").attr("d", area_data(&b.green)).attr("fill", GREEN).attr("fill-opacity", 0.35).attr("fill-rule", "evenodd"))
                        }
                        @if !b.water.is_empty() {
                            (empty("path").attr("class", "bd-water").attr("d", area_data(&b.water)).attr("fill", WATER).attr("fill-rule", "evenodd"))
                        }
                        @if !b.streets.is_empty() {
                            (empty("path").attr("class", "bd-streets").attr("d", line_data(&b.streets)).attr("fill", "none").attr("stroke", "#46505a").attr("stroke-opacity", 0.45).attr("stroke-width", 0.6).attr("vector-effect", "non-scaling-stroke").attr("stroke-linejoin", "round"))
                        }
                    }
                }
            }
        }
    }
}

/// The hatching of neighbourhoods without children. Each map has its own copy, whose tiles the
/// map script scales back as the map zooms so that the lines keep their spacing on screen; the
/// legend's swatches use the shared one.
fn hatch(id: &str) -> Markup {
    html! {
        pattern id=(Text(id)) class="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
            (empty("rect").attr("width", 6).attr("height", 6).attr("fill", "#f4f5f7"))
            (empty("path").attr("d", "M0 0V6").attr("stroke", "#9aa5b1").attr("stroke-width", 1.6))
        }
    }
}

/// The id of a map's own hatching.
pub fn map_hatch_id(map_id: &str) -> String {
    format!("{map_id}-hatch")
}

const WATER: &str = "#9cc7e8";
const GREEN: &str = "#5aa55a";

/// The frame's drawn extent in working-CRS metres, with a margin of a tenth.
fn frame_box(frame: &Frame) -> Rect {
    let (w, h) = (frame.width / frame.scale, frame.height / frame.scale);
    Rect::new(
        Coord {
            x: frame.min_x - w * 0.1,
            y: frame.max_y - h * 1.1,
        },
        Coord {
            x: frame.min_x + w * 1.1,
            y: frame.max_y + h * 0.1,
        },
    )
}

fn intersects(a: &Rect, b: &Rect) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Appends `points` to path data as one subpath (`M` then `L`s), projected and rounded to 0.1
/// unit, skipping a point that rounds to the one before it; returns how many were written.
fn push_points(d: &mut String, frame: &Frame, points: &[geo::Coord]) -> usize {
    let mut last: Option<(i64, i64)> = None;
    let mut n = 0;
    for c in points {
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
    n
}

/// SVG path data of a street, simplified like the polygons and left out when it lies wholly
/// outside `bbox`.
fn line_path(frame: &Frame, line: &LineString, bbox: &Rect) -> String {
    if !line.bounding_rect().is_some_and(|r| intersects(&r, bbox)) {
        return String::new();
    }
    let simplified = line.simplify(0.4 / frame.scale);
    let mut d = String::new();
    if push_points(&mut d, frame, &simplified.0) < 2 {
        return String::new();
    }
    d
}

/// The gap map's hexagons: their grid, and per hexagon its value and hover text.
pub struct HexLayer {
    pub grid: HexGrid,
    pub hexes: Vec<Hex>,
    pub labels: Vec<String>,
    pub palette: Palette,
}

impl HexLayer {
    /// The natural-breaks classes of the hexagons' values.
    pub fn classes(&self) -> Classes {
        let values: Vec<f64> = self.hexes.iter().map(|h| h.value).collect();
        Classes::natural(&values, 5)
    }

    /// The fill of each hexagon: its class's colour.
    pub fn colours(&self) -> Vec<String> {
        let classes = self.classes();
        self.hexes
            .iter()
            .map(|h| {
                let c = classes.class_of(h.value).unwrap_or(0);
                self.palette.colour(c, classes.len())
            })
            .collect()
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
    /// How the legend and hover texts write the values (the report's language).
    pub numbers: NumberStyle,
    pub palette: Palette,
    /// What a missing value means on this map ("no data", "no gap"); empty when the map does
    /// not colour neighbourhoods at all.
    pub missing_label: String,
    /// Amenities of the mapped kind, with their legend label.
    pub amenities: Vec<Shape>,
    pub amenity_label: String,
    /// The home-level layer of the gap map.
    pub hexes: Option<HexLayer>,
    /// Proposed sites and their legend label.
    pub stars: Vec<Marker>,
    pub stars_label: String,
    /// Drawn across the page rather than in the two-column grid.
    pub wide: bool,
    /// Layers of the decision and catchment maps, in drawing order, and their legend rows
    /// (after the classes and before the symbols).
    pub layers: Vec<Layer>,
    pub layer_legend: Vec<LegendRow>,
    /// The fill of neighbourhoods on a map that does not colour them by value.
    pub neutral: &'static str,
}

/// A layer a map draws besides its neighbourhoods, amenities, hexagons and stars.
pub enum Layer {
    /// Catchment areas, each with its hover text: drawn under the backdrop, faintly filled over
    /// an opaque base of their union, so that ground no catchment reaches keeps the
    /// neighbourhoods' own fill and darker ground is reached from more amenities.
    Areas {
        colour: &'static str,
        areas: Vec<(MultiPolygon, String)>,
    },
    /// Amenities in a style of their own (closed, removed, added).
    Shapes {
        style: ShapeStyle,
        shapes: Vec<Shape>,
    },
    /// Numbered discs (closures by rank), each with its hover text.
    Numbered {
        colour: &'static str,
        marks: Vec<(Coord, usize, String)>,
    },
    /// Hexagons in given colours, each with its hover text.
    Hexes {
        grid: HexGrid,
        cells: Vec<(Coord, &'static str, String)>,
    },
}

/// How an amenity layer is drawn: its fill, outline colour and whether the outline is dashed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapeStyle {
    pub fill: &'static str,
    pub stroke: &'static str,
    pub dashed: bool,
}

/// A catchment drawn with at most this many points: a catchment is seen, not measured, on the
/// map (catchments.geojson keeps every vertex), and a city has thousands of them.
const MAX_AREA_POINTS: usize = 48;

impl Choropleth {
    /// A choropleth without symbols, in the two-column grid.
    pub fn plain(
        id: &str,
        legend_title: &str,
        values: Vec<Option<f64>>,
        format: ValueFormat,
        numbers: NumberStyle,
        palette: Palette,
        missing_label: &str,
    ) -> Choropleth {
        Choropleth {
            id: id.to_string(),
            legend_title: legend_title.to_string(),
            values,
            format,
            numbers,
            palette,
            missing_label: missing_label.to_string(),
            amenities: Vec::new(),
            amenity_label: String::new(),
            hexes: None,
            stars: Vec::new(),
            stars_label: String::new(),
            wide: false,
            layers: Vec::new(),
            layer_legend: Vec::new(),
            neutral: NEUTRAL,
        }
    }

    /// Whether neighbourhoods are filled by value (the gap map fills them neutrally).
    fn colours_neighbourhoods(&self) -> bool {
        !self.missing_label.is_empty()
    }
}

/// Renders a choropleth as an `<svg>` element: the map itself is a nested `<svg class="mv">`
/// whose viewBox the page's map script moves (pan and zoom), beside a fixed legend panel.
pub fn render(base: &MapBase, map: &Choropleth) -> Markup {
    let (size, projected) = if map.wide {
        (WIDE, &base.wide)
    } else {
        (REGULAR, &base.regular)
    };
    let frame = &projected.frame;
    let panel_x = size.map_w + PANEL_GAP;
    // Classes from the neighbourhoods with children only: a lake's value is no class.
    let finite: Vec<f64> = map
        .values
        .iter()
        .zip(&base.no_children)
        .filter(|(_, none)| !**none)
        .filter_map(|(v, _)| *v)
        .collect();
    let classes = if map.colours_neighbourhoods() {
        Classes::natural(&finite, 5)
    } else {
        Classes { bounds: Vec::new() }
    };
    let legend = legend_rows(base, map, &classes);
    let body_h = frame.height.max(panel_height(&legend));
    let total_h = body_h + FOOT_H;
    // Centre the map horizontally in its area and vertically beside a taller legend.
    let ox = ((size.map_w - frame.width) / 2.0).max(0.0);
    let oy = ((body_h - frame.height) / 2.0).max(0.0);
    let full = format!("{} {} {} {}", d1(-ox), d1(-oy), d1(size.map_w), d1(body_h));
    let bd_scale = frame.scale / base.wide.frame.scale;
    let hatch_id = map_hatch_id(&map.id);
    html! {
        svg id=(Text(&map.id)) viewBox={ "0 0 " (panel_x + PANEL_W) " " (total_h.ceil()) } role="img" aria-label=(Text(&map.legend_title)) tabindex="0" {
            svg class="mv" x="0" y="0" width=(size.map_w) height=(d1(body_h)) style=(format!("width:{}px;height:{}px", size.map_w, d1(body_h))) viewBox=(full) data-full=(full) {
                defs { (hatch(&hatch_id)) }
                (empty("rect").attr("x", d1(-ox)).attr("y", d1(-oy)).attr("width", size.map_w).attr("height", d1(body_h)).attr("fill", "#fbfcfd"))
                g fill-rule="evenodd" {
                    (neighbourhood_paths(base, map, projected, &classes, &hatch_id))
                }
                (areas(map, frame))
                @if bd_scale == 1.0 {
                    (empty("use").attr("href", "#map-bd"))
                } @else {
                    (empty("use").attr("href", "#map-bd").attr("transform", format!("scale({bd_scale:.6})")))
                }
                (layers(map, frame, true))
                (symbols(map, frame))
                (layers(map, frame, false))
                (labels(projected))
            }
            (zoom_buttons(base))
            (draw_panel(base, panel_x, map, &legend, frame.scale))
            text x="4" y=(d1(total_h - 6.0)) font-size="10" fill="#52606d" { (Text(&base.attribution)) }
        }
    }
}

/// The neighbourhoods' names: white-haloed text that keeps its size on screen as the map zooms
/// (the script rescales `font-size`).
fn labels(projected: &Projected) -> Markup {
    let fs = projected.label_size;
    html! {
        g class="lbl" font-size=(fs) data-fs=(fs) stroke-width=(d1(fs / 4.0)) text-anchor="middle" pointer-events="none" fill="#1f2933" stroke="#fff" stroke-linejoin="round" paint-order="stroke" font-weight="600" {
            @for l in &projected.labels {
                text class=[(!l.major).then_some("minor")] x=(d1(l.x)) y=(d1(l.y)) { (Text(&l.text)) }
            }
        }
    }
}

/// Zoom in, zoom out and the whole map, top left of the map area.
fn zoom_buttons(base: &MapBase) -> Markup {
    let buttons = [("in", "+"), ("out", "\u{2212}"), ("reset", "\u{21ba}")];
    html! {
        g class="zb" {
            @for (i, (action, sign)) in buttons.iter().enumerate() {
                @let y = 6.0 + 26.0 * i as f64;
                g data-zoom=(action) role="button" cursor="pointer" {
                    title { (Text(&base.zoom[i])) }
                    (empty("rect").attr("x", 6).attr("y", y).attr("width", 22).attr("height", 22).attr("rx", 4).attr("fill", "#fff").attr("stroke", "#9aa5b1"))
                    text x="17" y=(y + 16.0) text-anchor="middle" font-size="15" font-weight="700" fill="#1f2933" { (sign) }
                }
            }
        }
    }
}

/// The neighbourhoods, filled by class, each with its hover text.
fn neighbourhood_paths(
    base: &MapBase,
    map: &Choropleth,
    projected: &Projected,
    classes: &Classes,
    hatch_id: &str,
) -> Markup {
    let hatch = format!("url(#{hatch_id})");
    html! {
        @for (i, d) in projected.paths.iter().enumerate() {
            @let none = base.no_children.get(i).copied().unwrap_or(false);
            @let value = map.values.get(i).copied().flatten().filter(|_| !none);
            @let fill = if none {
                hatch.clone()
            } else if !map.colours_neighbourhoods() {
                map.neutral.to_string()
            } else {
                value
                    .and_then(|v| classes.class_of(v))
                    .map(|c| map.palette.colour(c, classes.len()))
                    .unwrap_or_else(|| NO_DATA.to_string())
            };
            @let shown = match (none, value) {
                (true, _) => base.no_children_label.clone(),
                (false, Some(_)) => map.format.show(map.numbers, value),
                (false, None) => map.missing_label.clone(),
            };
            path class="nb" data-id=(Text(&base.ids[i])) data-no-children=[none.then_some("true")] d=(d) fill=(fill) {
                title {
                    (Text(&base.names[i])) " (" (Text(&base.ids[i])) ")\n"
                    @if !shown.is_empty() { (Text(&map.legend_title)) ": " (Text(&shown)) "\n" }
                    "\n" (Text(&base.figures[i]))
                }
            }
        }
    }
}

/// Hexagons, amenities and proposed sites over the neighbourhoods.
fn symbols(map: &Choropleth, frame: &Frame) -> Markup {
    html! {
        @if let Some(layer) = &map.hexes {
            g class="hex" stroke="#fff" stroke-width="0.5" vector-effect="non-scaling-stroke" fill-opacity="0.9" {
                @for ((h, colour), label) in layer.hexes.iter().zip(layer.colours()).zip(&layer.labels) {
                    path d=(hex_path(frame, &layer.grid, h.centre)) fill=(colour) data-n=(format!("{:.3}", h.value)) { title { (Text(label)) } }
                }
            }
        }
        @if !map.amenities.is_empty() {
            g class="am" fill="#fff" stroke="#1f2933" {
                @for m in &map.amenities { (shape(frame, m)) }
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

/// A hexagon as path data: its first corner, then each next corner relative to the last.
fn hex_path(frame: &Frame, grid: &HexGrid, centre: Coord) -> String {
    let corners = grid.corners(centre).map(|c| frame.project(c));
    let mut d = format!("M{:.1} {:.1}", corners[0].0, corners[0].1);
    for w in corners.windows(2) {
        let _ = write!(d, "l{:.1} {:.1}", w[1].0 - w[0].0, w[1].1 - w[0].1);
    }
    d.push('z');
    d
}

/// The catchment areas, under the backdrop: first their union in white (one `<use>` of the
/// group, so the shapes are written once), then each shape faintly with its hover text.
fn areas(map: &Choropleth, frame: &Frame) -> Markup {
    let id = format!("{}-areas", map.id);
    html! {
        @for layer in &map.layers {
            @if let Layer::Areas { colour, areas } = layer {
                (empty("use").attr("href", format!("#{id}")).attr("fill", "#fff").attr("stroke", "none").attr("pointer-events", "none"))
                g class="cm" fill=(colour) fill-opacity="0.1" stroke=(colour) stroke-opacity="0.55" stroke-width="0.8" fill-rule="evenodd" {
                    g id=(Text(&id)) {
                        @for (area, label) in areas {
                            path d=(capped_path_data(frame, area, MAX_AREA_POINTS)) { title { (Text(label)) } }
                        }
                    }
                }
            }
        }
    }
}

/// [`path_data`] simplified further, doubling the tolerance, until it has at most `max` points
/// (or the tolerance reaches 64 units).
pub fn capped_path_data(frame: &Frame, mp: &MultiPolygon, max: usize) -> String {
    let mut tolerance = 0.5 / frame.scale;
    loop {
        let simplified = mp.simplify(tolerance);
        let points: usize = simplified
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
        if points <= max || tolerance * frame.scale >= 64.0 {
            return path_data(frame, &simplified);
        }
        tolerance *= 2.0;
    }
}

/// The hexagon layers (`hexes`, under the map's own symbols) or the amenity and marker layers
/// (over them).
fn layers(map: &Choropleth, frame: &Frame, hexes: bool) -> Markup {
    let wanted = |layer: &&Layer| match layer {
        Layer::Areas { .. } => false,
        Layer::Hexes { .. } => hexes,
        _ => !hexes,
    };
    html! {
        @for layer in map.layers.iter().filter(wanted) {
            @match layer {
                Layer::Areas { .. } => {}
                Layer::Shapes { style, shapes } => {
                    g class="am" fill=(style.fill) stroke=(style.stroke) stroke-dasharray=[style.dashed.then_some("3 2")] {
                        @for m in shapes { (shape(frame, m)) }
                    }
                }
                Layer::Numbered { colour, marks } => {
                    g class="num" fill=(colour) stroke="#fff" stroke-width="1" {
                        @for (at, n, label) in marks {
                            @let (x, y) = frame.project(*at);
                            g {
                                title { (Text(label)) }
                                circle cx=(d1(x)) cy=(d1(y)) r="6.5" {}
                                text x=(d1(x)) y=(d1(y + 3.2)) text-anchor="middle" font-size="8.5" font-weight="700" fill="#fff" stroke="none" { (n) }
                            }
                        }
                    }
                }
                Layer::Hexes { grid, cells } => {
                    g class="hex" stroke="#fff" stroke-width="0.5" fill-opacity="0.9" {
                        @for (centre, colour, label) in cells {
                            path d=(hex_path(frame, grid, *centre)) fill=(colour) { title { (Text(label)) } }
                        }
                    }
                }
            }
        }
    }
}

/// An amenity as drawn: its polygon, or a disc at its point.
fn shape(frame: &Frame, m: &Shape) -> Markup {
    html! {
        @match &m.geometry {
            AmenityGeometry::Polygon(mp) => {
                path d=(path_data(frame, mp)) stroke-width="1.2" vector-effect="non-scaling-stroke" fill-rule="evenodd" { title { (Text(&m.label)) } }
            }
            AmenityGeometry::Point(c) => {
                @let (x, y) = frame.project(*c);
                circle cx=(d1(x)) cy=(d1(y)) r="3.5" stroke-width="1.4" { title { (Text(&m.label)) } }
            }
        }
    }
}

/// One legend row: a swatch colour (or a symbol) and its label.
#[derive(Debug, Clone)]
pub enum LegendRow {
    Swatch(String, String),
    Amenity(String),
    Star(String),
    /// An amenity in a style of its own.
    Shape(ShapeStyle, String),
    /// A numbered disc of this colour.
    Numbered(&'static str, String),
}

impl LegendRow {
    fn label(&self) -> &str {
        match self {
            LegendRow::Swatch(_, label)
            | LegendRow::Amenity(label)
            | LegendRow::Star(label)
            | LegendRow::Shape(_, label)
            | LegendRow::Numbered(_, label) => label,
        }
    }
}

/// Swatch rows of natural-breaks classes.
fn class_rows(
    classes: &Classes,
    format: ValueFormat,
    numbers: NumberStyle,
    palette: &Palette,
) -> Vec<LegendRow> {
    classes
        .bounds
        .iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            let (lo, hi) = (
                format.show(numbers, Some(*lo)),
                format.show(numbers, Some(*hi)),
            );
            // Two values that print alike (68.1% and 68.4%) make one label.
            let label = if lo == hi {
                lo
            } else {
                format!("{lo} – {hi}")
            };
            LegendRow::Swatch(palette.colour(i, classes.len()), label)
        })
        .collect()
}

fn legend_rows(base: &MapBase, map: &Choropleth, classes: &Classes) -> Vec<LegendRow> {
    let mut rows = class_rows(classes, map.format, map.numbers, &map.palette);
    let none = |i: usize| base.no_children.get(i).copied().unwrap_or(false);
    if map.colours_neighbourhoods()
        && map
            .values
            .iter()
            .enumerate()
            .any(|(i, v)| v.is_none() && !none(i))
    {
        rows.push(LegendRow::Swatch(
            NO_DATA.to_string(),
            map.missing_label.clone(),
        ));
    }
    if let Some(layer) = &map.hexes {
        let classes = layer.classes();
        let top = classes.bounds.last().map_or(0.0, |b| b.1);
        let format = ValueFormat::Number(if top < 20.0 { 1 } else { 0 });
        rows.extend(class_rows(&classes, format, map.numbers, &layer.palette));
    }
    rows.extend(map.layer_legend.iter().cloned());
    if base.no_children.iter().any(|n| *n) {
        rows.push(LegendRow::Swatch(
            format!("url(#{HATCH_ID})"),
            base.no_children_label.clone(),
        ));
    }
    if !map.amenities.is_empty() {
        rows.push(LegendRow::Amenity(map.amenity_label.clone()));
    }
    if !map.stars.is_empty() {
        rows.push(LegendRow::Star(map.stars_label.clone()));
    }
    rows
}

const ROW_H: f64 = 21.0;
const LEGEND_TOP: f64 = 62.0;

/// A legend label longer than this many characters wraps onto more lines (the panel's width at
/// 12 units a letter).
const LABEL_CHARS: usize = 26;
/// The height of each further line of a wrapped legend label.
const LINE_H: f64 = 14.0;

/// Each row's label in lines, and the offset of each row's first baseline from the first row's;
/// the last offset is the height of all the rows.
fn row_layout(rows: &[LegendRow]) -> (Vec<Vec<String>>, Vec<f64>) {
    let lines: Vec<Vec<String>> = rows.iter().map(|r| wrap(r.label(), LABEL_CHARS)).collect();
    let mut offsets = vec![0.0];
    for l in &lines {
        let last = *offsets.last().unwrap_or(&0.0);
        offsets.push(last + ROW_H + LINE_H * l.len().saturating_sub(1) as f64);
    }
    (lines, offsets)
}

fn panel_height(rows: &[LegendRow]) -> f64 {
    // Title lines, the rows, then the scale bar.
    let (_, offsets) = row_layout(rows);
    LEGEND_TOP + 34.0 + offsets.last().copied().unwrap_or(0.0) + 50.0
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
    let (lines, offsets) = row_layout(rows);
    let scale_y = first_row + offsets.last().copied().unwrap_or(0.0) + 16.0;
    html! {
        g aria-label=(Text(&base.north_arrow)) {
            (empty("path").attr("d", arrow).attr("fill", "#1f2933"))
            text x=(ax) y=(ay + 11.0) text-anchor="middle" font-size="13" font-weight="700" fill="#1f2933" { "N" }
        }
        @for (y, line) in &title {
            text x=(x0) y=(y) font-size="13" font-weight="700" fill="#1f2933" { (Text(line)) }
        }
        @for ((row, label), offset) in rows.iter().zip(&lines).zip(&offsets) {
            @let y = first_row + offset;
            (legend_mark(row, x0, y))
            @for (j, line) in label.iter().enumerate() {
                text x=(x0 + 30.0) y=(y + LINE_H * j as f64) font-size="12" fill="#1f2933" { (Text(line)) }
            }
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
        LegendRow::Star(_) => empty("path")
            .attr("d", star(x0 + 11.0, y - 4.0, 8.0))
            .attr("fill", "#ffc20a")
            .attr("stroke", "#1f2933")
            .attr("stroke-width", 1.2),
        LegendRow::Shape(style, _) => {
            let e = empty("rect")
                .attr("x", x0 + 3.0)
                .attr("y", y - 10.0)
                .attr("width", 16)
                .attr("height", 12)
                .attr("fill", style.fill)
                .attr("stroke", style.stroke)
                .attr("stroke-width", 1.4);
            if style.dashed {
                e.attr("stroke-dasharray", "3 2")
            } else {
                e
            }
        }
        LegendRow::Numbered(colour, _) => {
            return html! {
                circle cx=(x0 + 11.0) cy=(y - 4.0) r="6.5" fill=(colour) stroke="#fff" {}
                text x=(x0 + 11.0) y=(y - 0.8) text-anchor="middle" font-size="8.5" font-weight="700" fill="#fff" { "1" }
            }
        }
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

/// The maps' own style: hidden minor labels until zoomed, no zoom buttons on paper.
const STYLE: &str = "svg.mv{cursor:grab;touch-action:none}g.cm path{vector-effect:non-scaling-stroke}svg.mv.drag{cursor:grabbing}svg.mv text.minor{display:none}svg.mv.z2 text.minor{display:inline}svg[id^=map-]:focus{outline:2px solid #1d4e89}@media print{g.zb{display:none}}";

/// Pan and zoom on every map: the wheel zooms at the pointer, a drag pans, the buttons zoom in,
/// out and back to the whole map, and on a focused map `+`, `-`, `0` and the arrow keys do the
/// same; on a touch screen two fingers pinch to zoom and one drags. Only the nested
/// `<svg class="mv">`'s viewBox moves; labels and the hatching keep their size on screen and the
/// minor labels show from twice the full view. Before printing every map returns to its full
/// view. Plain ES5 like the page script; it logs nothing.
pub const SCRIPT: &str = r#"
(function(){
  function nums(s,a){return s.getAttribute(a).split(' ').map(parseFloat);}
  function set(s,b){
    var f=nums(s,'data-full');
    var z=f[2]/b[2];
    if(z<1){b=f.slice();z=1;}
    if(z>64){var k=z/64;var cx=b[0]+b[2]/2,cy=b[1]+b[3]/2;b=[cx-b[2]*k/2,cy-b[3]*k/2,b[2]*k,b[3]*k];z=64;}
    b[0]=Math.min(Math.max(b[0],f[0]),f[0]+f[2]-b[2]);
    b[1]=Math.min(Math.max(b[1],f[1]),f[1]+f[3]-b[3]);
    s.setAttribute('viewBox',b.map(function(v){return Math.round(v*100)/100;}).join(' '));
    var l=s.querySelector('g.lbl');
    if(l){var fs=parseFloat(l.getAttribute('data-fs'))/z;l.setAttribute('font-size',fs);l.setAttribute('stroke-width',fs/4);}
    var h=s.querySelector('pattern.hatch');
    if(h){h.setAttribute('patternTransform','rotate(45) scale('+Math.round(1e4/z)/1e4+')');}
    var c=(s.getAttribute('class')||'').replace(/ ?z2/,'');
    s.setAttribute('class',z>=2?c+' z2':c);
  }
  function zoom(s,k,x,y){
    var b=nums(s,'viewBox');
    if(x===undefined){x=b[0]+b[2]/2;y=b[1]+b[3]/2;}
    set(s,[x-(x-b[0])/k,y-(y-b[1])/k,b[2]/k,b[3]/k]);
  }
  function reset(s){set(s,nums(s,'data-full'));}
  function pan(s,fx,fy){var b=nums(s,'viewBox');set(s,[b[0]+fx*b[2],b[1]+fy*b[3],b[2],b[3]]);}
  function at(s,e){
    var r=s.getBoundingClientRect(),b=nums(s,'viewBox');
    return [b[0]+(e.clientX-r.left)/r.width*b[2],b[1]+(e.clientY-r.top)/r.height*b[3]];
  }
  var maps=document.querySelectorAll('svg[id^="map-"]');
  for(var i=0;i<maps.length;i++){(function(m){
    var s=m.querySelector('svg.mv');if(!s){return;}
    s.addEventListener('wheel',function(e){
      e.preventDefault();var p=at(s,e);zoom(s,e.deltaY<0?1.25:0.8,p[0],p[1]);
    },{passive:false});
    var drag=null;
    s.addEventListener('mousedown',function(e){
      if(e.button!==0){return;}
      drag={x:e.clientX,y:e.clientY,b:nums(s,'viewBox'),r:s.getBoundingClientRect()};
      s.setAttribute('class',(s.getAttribute('class')||'')+' drag');e.preventDefault();
    });
    window.addEventListener('mousemove',function(e){
      if(!drag){return;}
      var b=drag.b;
      set(s,[b[0]-(e.clientX-drag.x)/drag.r.width*b[2],b[1]-(e.clientY-drag.y)/drag.r.height*b[3],b[2],b[3]]);
    });
    window.addEventListener('mouseup',function(){
      if(drag){drag=null;s.setAttribute('class',(s.getAttribute('class')||'').replace(/ ?drag/,''));}
    });
    s.addEventListener('dblclick',function(e){var p=at(s,e);zoom(s,2,p[0],p[1]);});
    var touches={};
    s.addEventListener('pointerdown',function(e){
      if(e.pointerType==='touch'){touches[e.pointerId]=[e.clientX,e.clientY];}
    });
    s.addEventListener('pointermove',function(e){
      var was=touches[e.pointerId];if(!was){return;}
      var now=[e.clientX,e.clientY],ids=Object.keys(touches);
      if(ids.length===2){
        var o=touches[ids[0]==String(e.pointerId)?ids[1]:ids[0]];
        var d0=Math.sqrt(Math.pow(was[0]-o[0],2)+Math.pow(was[1]-o[1],2));
        var d1=Math.sqrt(Math.pow(now[0]-o[0],2)+Math.pow(now[1]-o[1],2));
        if(d0>0&&d1>0){var p=at(s,{clientX:(now[0]+o[0])/2,clientY:(now[1]+o[1])/2});zoom(s,d1/d0,p[0],p[1]);}
      }else if(ids.length===1){
        var r=s.getBoundingClientRect(),b=nums(s,'viewBox');
        set(s,[b[0]-(now[0]-was[0])/r.width*b[2],b[1]-(now[1]-was[1])/r.height*b[3],b[2],b[3]]);
      }
      touches[e.pointerId]=now;
    });
    function lift(e){delete touches[e.pointerId];}
    s.addEventListener('pointerup',lift);
    s.addEventListener('pointercancel',lift);
    var buttons=m.querySelectorAll('g.zb [data-zoom]');
    for(var j=0;j<buttons.length;j++){(function(b){
      b.addEventListener('click',function(){
        var a=b.getAttribute('data-zoom');
        if(a==='in'){zoom(s,1.5);}else if(a==='out'){zoom(s,1/1.5);}else{reset(s);}
      });
    })(buttons[j]);}
    m.addEventListener('keydown',function(e){
      var k=e.key,done=true;
      if(k==='+'||k==='='){zoom(s,1.5);}
      else if(k==='-'||k==='_'){zoom(s,1/1.5);}
      else if(k==='0'){reset(s);}
      else if(k==='ArrowLeft'){pan(s,-0.1,0);}
      else if(k==='ArrowRight'){pan(s,0.1,0);}
      else if(k==='ArrowUp'){pan(s,0,-0.1);}
      else if(k==='ArrowDown'){pan(s,0,0.1);}
      else{done=false;}
      if(done){e.preventDefault();}
    });
  })(maps[i]);}
  window.addEventListener('beforeprint',function(){
    var v=document.querySelectorAll('svg.mv');
    for(var i=0;i<v.length;i++){reset(v[i]);}
  });
})();
"#;

/// The maps' style and script, once per page after the maps.
pub fn interaction() -> Markup {
    html! {
        style { (maud::PreEscaped(STYLE)) }
        script { (maud::PreEscaped(SCRIPT)) }
    }
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
    #[test]
    fn hexagon_colours_by_hand() {
        // Width 100 m: (0, 0) and (5, 5) share the hexagon at the origin (2 + 1 children), 200 m
        // and 400 m east are two more (10 and 30). Three distinct values make three natural
        // classes, one each, so the colours run up YlOrRd from 0.2 to its darkest, #800026.
        let grid = HexGrid { width: 100.0 };
        let at = |x: f64, y: f64| Coord { x, y };
        let hexes = grid.bin(
            &[
                at(0.0, 0.0),
                at(5.0, 5.0),
                at(200.0, 0.0),
                at(400.0, 0.0),
                at(600.0, 0.0),
            ],
            &[2.0, 1.0, 10.0, 30.0, 0.0],
        );
        let values: Vec<f64> = hexes.iter().map(|h| h.value).collect();
        assert_eq!(values, vec![3.0, 10.0, 30.0]);
        let palette = Palette {
            gradient: colorous::YELLOW_ORANGE_RED,
            reverse: false,
            start: 0.2,
        };
        let layer = HexLayer {
            grid,
            labels: vec![String::new(); 3],
            hexes,
            palette,
        };
        let colours = layer.colours();
        assert_eq!(colours[2], "#800026");
        let at_t = |t: f64| format!("#{:x}", colorous::YELLOW_ORANGE_RED.eval_continuous(t));
        assert_eq!(colours[0], at_t(0.2));
        assert_eq!(colours[1], at_t(0.6));
        assert!(colours[0] != colours[1] && colours[1] != colours[2]);
        // Drawn with its count and colour; the hexagon at the origin spans 57.7 m above it.
        let frame = Frame::fit(
            Rect::new(at(-100.0, -100.0), at(500.0, 100.0)),
            600.0,
            200.0,
        )
        .unwrap();
        let map = Choropleth {
            hexes: Some(layer),
            ..Choropleth::plain(
                "map-gap",
                "gap",
                vec![],
                ValueFormat::Number(0),
                NumberStyle::of(crate::output::i18n::Language::En),
                palette,
                "",
            )
        };
        let svg = symbols(&map, &frame).into_string();
        assert!(svg.contains("fill=\"#800026\" data-n=\"30.000\""), "{svg}");
        // Its first corner is 30 degrees below east: (50, -28.9) m, at (150, 128.9) units.
        assert!(
            svg.contains("<path d=\"M150.0 128.9l0.0 -57.7l-50.0 -28.9"),
            "{svg}"
        );
    }

    #[test]
    fn labels_at_the_edge_move_inside_the_map() {
        // Two 12 m squares in opposite corners of a 400 x 100 m map at 1 unit per metre, their
        // labels 10 units high: each label's box must stay inside the map.
        let square = |x: f64, y: f64, w: f64| {
            MultiPolygon(vec![geo::Polygon::new(
                LineString::from(vec![(x, y), (x + w, y), (x + w, y + w), (x, y + w), (x, y)]),
                vec![],
            )])
        };
        let (left, right) = (square(0.0, 0.0, 12.0), square(388.0, 88.0, 12.0));
        let frame = Frame::fit(
            Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 400.0, y: 100.0 }),
            400.0,
            100.0,
        )
        .unwrap();
        let names = ["A long name here".to_string(), "Tenletters".to_string()];
        let labels = place_labels(&frame, &[&left, &right], &names, 10.0, 0.0);
        // Half widths: 44 and 27.5 units; the right square's centre (394, 6) is 6 units from the
        // right edge and its label's baseline 6 units from the top, under one letter's height.
        assert_eq!((labels[0].x, labels[0].y), (44.0, 94.0));
        assert_eq!((labels[1].x, labels[1].y), (372.5, 10.0));
        // With 20 units of map beyond the frame on each side, the first label needs only 24.
        let labels = place_labels(&frame, &[&left, &right], &names, 10.0, 20.0);
        assert_eq!(labels[0].x, 24.0);
        assert_eq!(labels[1].x, 392.5);
    }

    #[test]
    fn catchments_are_drawn_with_at_most_the_capped_points() {
        // A 72-gon of radius 1000 m at 0.2 units per metre (a 200-unit disc, 5 degrees a side):
        // the plain path keeps every vertex (two sides bulge 200 (1 - cos 5°) = 0.76 units from
        // their chord, over its 0.3-unit tolerance); capped at 12 points the tolerance doubles
        // from 0.5 to 8 units, where six sides (6.8 units) make one chord but seven (9.3) do not.
        let ring: Vec<(f64, f64)> = (0..=72)
            .map(|i| {
                let a = std::f64::consts::TAU * (i % 72) as f64 / 72.0;
                (1000.0 * a.cos(), 1000.0 * a.sin())
            })
            .collect();
        let disc = MultiPolygon(vec![geo::Polygon::new(LineString::from(ring), vec![])]);
        let frame = Frame::fit(
            Rect::new(
                Coord {
                    x: -1000.0,
                    y: -1000.0,
                },
                Coord {
                    x: 1000.0,
                    y: 1000.0,
                },
            ),
            400.0,
            400.0,
        )
        .unwrap();
        assert!(path_data(&frame, &disc).matches('L').count() + 1 > 12);
        let d = capped_path_data(&frame, &disc, 12);
        let points: Vec<(f64, f64)> = d
            .trim_end_matches('Z')
            .split(['M', 'L'])
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (x, y) = p.split_once(' ').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert!(points.len() <= 12 && points.len() >= 6, "{}", points.len());
        for (x, y) in points {
            // Every kept point is a vertex of the 72-gon: 200 units from the centre (200, 200).
            assert!(
                ((x - 200.0_f64).hypot(y - 200.0) - 200.0).abs() < 0.1,
                "{x} {y}"
            );
        }
    }

    #[test]
    fn long_legend_labels_wrap_and_push_the_rows_below() {
        let rows = vec![
            LegendRow::Swatch("#fff".into(), "short".into()),
            LegendRow::Swatch(
                "#fff".into(),
                "a label that is too long for one line".into(),
            ),
            LegendRow::Amenity("last".into()),
        ];
        let (lines, offsets) = row_layout(&rows);
        assert_eq!(lines[1], vec!["a label that is too long", "for one line"]);
        assert_eq!(
            offsets,
            vec![0.0, ROW_H, 2.0 * ROW_H + LINE_H, 3.0 * ROW_H + LINE_H]
        );
    }

    #[test]
    fn labels_that_would_overlap_are_minor() {
        let square = |x: f64, y: f64, w: f64| {
            MultiPolygon(vec![geo::Polygon::new(
                LineString::from(vec![(x, y), (x + w, y), (x + w, y + w), (x, y + w), (x, y)]),
                vec![],
            )])
        };
        // A big square and a small one whose centre is 10 m from the big one's: at 1 unit per
        // metre the 10-unit labels overlap, so the smaller neighbourhood's label is minor.
        let (big, small, far) = (
            square(0.0, 0.0, 100.0),
            square(55.0, 45.0, 10.0),
            square(400.0, 0.0, 50.0),
        );
        let frame = Frame::fit(
            Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 450.0, y: 100.0 }),
            450.0,
            100.0,
        )
        .unwrap();
        let names = ["Big".to_string(), "Small".to_string(), "Far".to_string()];
        let labels = place_labels(&frame, &[&big, &small, &far], &names, 10.0, 0.0);
        let major: Vec<(&str, bool)> = labels.iter().map(|l| (l.text.as_str(), l.major)).collect();
        assert_eq!(major, vec![("Big", true), ("Far", true), ("Small", false)]);
    }
}
