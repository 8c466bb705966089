//! The synthetic town or city: its whole layout drawn once from the seed, in RD New metres.
//!
//! One generator makes both the sample town (3000 homes) and the benchmark cities (up to
//! millions of homes); only the number of homes changes. The town is a grid of street blocks
//! ("cells", 120 m x 90 m) with jittered corners, some streets removed (larger blocks), bends,
//! paths through parks, and arterial roads every ten blocks that children may cross only at a
//! few marked crossings. Neighbourhoods are rectangles of blocks, so their polygons follow the
//! streets and tile the town exactly; homes stand inside blocks, so each lies in exactly one
//! neighbourhood. Income differs clearly between neighbourhoods, and poorer ones get fewer
//! playgrounds and parks, so the equity figures have something to show.
//!
//! Everything but the homes is kept in memory (a few bytes per block); the homes of a block are
//! drawn from the block's own random stream whenever a writer asks for them, so millions of
//! homes never sit in memory and the GeoJSON and OSM writers see exactly the same ones.
//! Only +, -, *, / and sqrt (all exactly rounded by IEEE 754) touch the coordinates, so the
//! layout is bit-identical on every platform.

use geo::Coord;

use super::rng::{SplitMix64, Stream};

/// Block size in metres (east-west, north-south): a Dutch residential street block.
pub(crate) const CELL_W: f64 = 120.0;
pub(crate) const CELL_H: f64 = 90.0;
/// Average homes per block: about 26 dwellings per hectare of block, a Dutch suburb.
const HOMES_PER_CELL: usize = 26;
/// The town's centre in RD New: farmland south-east of Amersfoort, away from real towns'
/// centres but with coordinates that look like any Dutch municipality's data.
const CENTRE: Coord = Coord {
    x: 152_000.0,
    y: 461_500.0,
};
/// Persons per home on average, for sizing neighbourhoods and facilities before homes exist.
const PERSONS_PER_HOME: f64 = 2.2;
/// Residents per neighbourhood (CBS buurten are typically a few thousand people).
const RESIDENTS_PER_NEIGHBOURHOOD: f64 = 5000.0;
/// One playground per this many children (a common municipal rule of thumb).
const CHILDREN_PER_PLAYGROUND: f64 = 150.0;
const RESIDENTS_PER_LIBRARY: f64 = 20_000.0;
const RESIDENTS_PER_COMMUNITY_CENTRE: f64 = 10_000.0;
/// Arterials run along every tenth grid line.
const ARTERIAL_SPACING: usize = 10;
/// How far a marked crossing reaches into the side street, metres.
const CROSSING_LENGTH: f64 = 8.0;

const NAMES: [&str; 24] = [
    "Centrum",
    "Oude Haven",
    "Molenwijk",
    "Parkzicht",
    "De Akkers",
    "Vogelbuurt",
    "Bloemenbuurt",
    "Kerkebuurt",
    "De Weide",
    "Schildersbuurt",
    "Stationskwartier",
    "Hoogland",
    "De Brink",
    "Zonnehoek",
    "Vissersbuurt",
    "Het Veld",
    "Boomgaard",
    "Rivierenbuurt",
    "De Horst",
    "Bomenbuurt",
    "Componistenbuurt",
    "De Enk",
    "Sterrenwijk",
    "Waterkant",
];
const PARK_NAMES: [&str; 8] = [
    "Stadspark",
    "Julianapark",
    "Wilhelminapark",
    "Beatrixpark",
    "Oranjepark",
    "Molenpark",
    "Het Bos",
    "Singelpark",
];

/// An OSM highway class used by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Highway {
    Primary,
    Secondary,
    Tertiary,
    Residential,
    LivingStreet,
    Footway,
}

impl Highway {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Highway::Primary => "primary",
            Highway::Secondary => "secondary",
            Highway::Tertiary => "tertiary",
            Highway::Residential => "residential",
            Highway::LivingStreet => "living_street",
            Highway::Footway => "footway",
        }
    }
}

/// A street block.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) neighbourhood: u32,
    /// Set when the whole block is a park (no homes).
    pub(crate) park: bool,
    /// Something stands in the block's courtyard (pocket park, playground, facility).
    pub(crate) centre_taken: bool,
    pub(crate) homes: u32,
    /// Global index of the block's first home (homes are numbered block by block).
    pub(crate) first_home: u64,
}

/// A neighbourhood (CBS "buurt") with its statistics.
#[derive(Debug, Clone)]
pub(crate) struct Neighbourhood {
    pub(crate) code: String,
    pub(crate) name: String,
    /// Block columns and rows it covers, half-open.
    pub(crate) cols: (usize, usize),
    pub(crate) rows: (usize, usize),
    pub(crate) homes: u64,
    pub(crate) inhabitants: u64,
    /// Children aged 0-5, 6-11 and 12-17.
    pub(crate) children: [u64; 3],
    /// Mean income per inhabitant, thousands of euros.
    pub(crate) mean_income: f64,
    /// Share of households with a low income.
    pub(crate) low_income_share: f64,
    /// Playground provision relative to 1 per 150 children; tied to income.
    service: f64,
    density: f64,
    children_per_home: f64,
    persons_per_home: f64,
    band_shares: [f64; 2],
}

/// Where an amenity is: a point, or a closed ring (first point repeated last).
#[derive(Debug, Clone)]
pub(crate) enum Footprint {
    Point(Coord),
    Polygon(Vec<Coord>),
}

#[derive(Debug, Clone)]
pub(crate) struct Amenity {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) footprint: Footprint,
    pub(crate) neighbourhood: u32,
}

/// A walkable edge from intersection to intersection (or to a crossing's end).
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    /// Indices into [`City::nodes`]; the first and last are shared with the adjacent edges.
    pub(crate) nodes: Vec<u32>,
    pub(crate) highway: Highway,
    /// A marked crossing (highway=footway, footway=crossing) over a barrier road.
    pub(crate) crossing: bool,
}

/// The generated town.
#[derive(Debug, Clone)]
pub(crate) struct City {
    pub(crate) seed: u64,
    pub(crate) cols: usize,
    pub(crate) rows: usize,
    /// Network nodes: the (cols+1) x (rows+1) street corners row by row, then bend and
    /// crossing-end nodes.
    pub(crate) nodes: Vec<Coord>,
    /// Nodes (on barrier roads) where children may cross.
    pub(crate) crossings: Vec<u32>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) cells: Vec<Cell>,
    pub(crate) neighbourhoods: Vec<Neighbourhood>,
    pub(crate) parks: Vec<Amenity>,
    pub(crate) playgrounds: Vec<Amenity>,
    pub(crate) libraries: Vec<Amenity>,
    pub(crate) community_centres: Vec<Amenity>,
    pub(crate) homes: u64,
}

/// The smallest s with s * s >= n.
fn ceil_sqrt(n: usize) -> usize {
    let mut s = (n as f64).sqrt() as usize;
    while s * s < n {
        s += 1;
    }
    while s > 0 && (s - 1) * (s - 1) >= n {
        s -= 1;
    }
    s
}

/// `x` rounded to `decimals` places, for attribute values that read like published statistics.
fn round_to(x: f64, decimals: i32) -> f64 {
    let f = [1.0, 10.0, 100.0, 1000.0][decimals as usize];
    (x * f).round() / f
}

/// An id with a prefix and zero padding wide enough for `count` items (at least `min_width`).
pub(crate) fn padded_id(prefix: &str, index: usize, count: usize, min_width: usize) -> String {
    let width = count.max(1).to_string().len().max(min_width);
    format!("{prefix}{:0width$}", index + 1)
}

fn lerp(a: Coord, b: Coord, t: f64) -> Coord {
    Coord {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

fn rectangle(c: Coord, w: f64, h: f64) -> Vec<Coord> {
    let (x0, x1, y0, y1) = (c.x - w / 2.0, c.x + w / 2.0, c.y - h / 2.0, c.y + h / 2.0);
    vec![
        Coord { x: x0, y: y0 },
        Coord { x: x1, y: y0 },
        Coord { x: x1, y: y1 },
        Coord { x: x0, y: y1 },
        Coord { x: x0, y: y0 },
    ]
}

/// A ring shrunk toward its centre by `t` (0..1) of each vertex's distance, closed.
fn shrink(ring: &[Coord], t: f64) -> Vec<Coord> {
    let n = ring.len() as f64;
    let centre = Coord {
        x: ring.iter().map(|c| c.x).sum::<f64>() / n,
        y: ring.iter().map(|c| c.y).sum::<f64>() / n,
    };
    let mut out: Vec<Coord> = ring.iter().map(|&c| lerp(c, centre, t)).collect();
    out.push(out[0]);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParkKind {
    /// Two by two blocks, with footpaths where the streets would be.
    Large,
    /// One block, with a diagonal footpath.
    Block,
    /// A small green in a block's courtyard, under the 0.5 ha WHO threshold.
    Pocket,
}

impl City {
    /// The lower-left and upper-right corners of every street node (RD New metres).
    pub(crate) fn extent(&self) -> (Coord, Coord) {
        let rect = crate::layers::union_rect(self.nodes.iter().map(|c| geo::Rect::new(*c, *c)));
        rect.map(|r| (r.min(), r.max()))
            .unwrap_or((Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 }))
    }

    /// Lays out a town of exactly `homes` homes.
    pub(crate) fn generate(homes: u64, seed: u64) -> City {
        let residents = homes as f64 * PERSONS_PER_HOME;
        let wanted = ((residents / RESIDENTS_PER_NEIGHBOURHOOD).round() as usize).max(6);
        let nb_rows = ceil_sqrt(wanted + 1).saturating_sub(1).max(2);
        let nb_cols = wanted.div_ceil(nb_rows).max(3);
        let side = ceil_sqrt((homes as usize).div_ceil(HOMES_PER_CELL));
        let cols = side.max(2 * nb_cols);
        let rows = side.max(2 * nb_rows);
        let mut city = City {
            seed,
            cols,
            rows,
            nodes: Vec::new(),
            crossings: Vec::new(),
            edges: Vec::new(),
            cells: Vec::new(),
            neighbourhoods: Vec::new(),
            parks: Vec::new(),
            playgrounds: Vec::new(),
            libraries: Vec::new(),
            community_centres: Vec::new(),
            homes,
        };
        city.lay_grid();
        city.lay_neighbourhoods(nb_cols, nb_rows);
        let large_park_cells = city.lay_parks();
        city.lay_facilities(residents);
        city.allocate_homes();
        city.lay_playgrounds(&large_park_cells);
        city.lay_streets();
        city
    }

    /// Which arterial, if any, runs along vertical grid line `i`.
    fn vertical_major(&self, i: usize) -> Option<Highway> {
        (i > 0 && i < self.cols && i % ARTERIAL_SPACING == 6).then_some(Highway::Primary)
    }

    /// Which arterial, if any, runs along horizontal grid line `j`.
    fn horizontal_major(&self, j: usize) -> Option<Highway> {
        if j > 0 && j < self.rows && j % ARTERIAL_SPACING == 8 {
            Some(if (j / ARTERIAL_SPACING) % 2 == 1 {
                Highway::Secondary
            } else {
                Highway::Tertiary
            })
        } else {
            None
        }
    }

    pub(crate) fn node_index(&self, i: usize, j: usize) -> usize {
        j * (self.cols + 1) + i
    }

    fn lay_grid(&mut self) {
        let origin = Coord {
            x: (CENTRE.x - self.cols as f64 * CELL_W / 2.0).round(),
            y: (CENTRE.y - self.rows as f64 * CELL_H / 2.0).round(),
        };
        let mut rng = SplitMix64::stream(self.seed, Stream::Grid, 0);
        self.nodes = Vec::with_capacity((self.cols + 1) * (self.rows + 1));
        for j in 0..=self.rows {
            for i in 0..=self.cols {
                // Arterials stay nearly straight across the lines they follow.
                let jx = if self.vertical_major(i).is_some() {
                    2.0
                } else {
                    18.0
                };
                let jy = if self.horizontal_major(j).is_some() {
                    2.0
                } else {
                    14.0
                };
                let x = origin.x + i as f64 * CELL_W + rng.range(-jx, jx);
                let y = origin.y + j as f64 * CELL_H + rng.range(-jy, jy);
                self.nodes.push(Coord { x, y });
            }
        }
    }

    fn lay_neighbourhoods(&mut self, nb_cols: usize, nb_rows: usize) {
        let count = nb_cols * nb_rows;
        let mut rng = SplitMix64::stream(self.seed, Stream::Neighbourhoods, 0);
        // Income rank by a shuffle: rich and poor neighbourhoods side by side, as in real towns.
        let mut ranks: Vec<usize> = (0..count).collect();
        rng.shuffle(&mut ranks);
        let span = (count - 1).max(1) as f64;
        for r in 0..nb_rows {
            for c in 0..nb_cols {
                let k = r * nb_cols + c;
                let wealth = ranks[k] as f64 / span;
                let name = if k < NAMES.len() {
                    NAMES[k].to_string()
                } else {
                    format!("{} {}", NAMES[k % NAMES.len()], k / NAMES.len() + 1)
                };
                let children_per_home = rng.range(0.30, 0.55);
                self.neighbourhoods.push(Neighbourhood {
                    code: padded_id("BU", k, count, 4),
                    name,
                    cols: (c * self.cols / nb_cols, (c + 1) * self.cols / nb_cols),
                    rows: (r * self.rows / nb_rows, (r + 1) * self.rows / nb_rows),
                    homes: 0,
                    inhabitants: 0,
                    children: [0; 3],
                    mean_income: round_to(21.5 + 21.0 * wealth + rng.range(-1.0, 1.0), 1),
                    low_income_share: round_to(0.30 - 0.24 * wealth + rng.range(-0.02, 0.02), 3),
                    service: (0.25 + 1.5 * wealth + rng.range(-0.1, 0.1)).max(0.0),
                    density: rng.range(0.75, 1.3),
                    children_per_home,
                    persons_per_home: 1.6 + 1.5 * children_per_home + rng.range(0.0, 0.2),
                    band_shares: [rng.range(0.28, 0.38), rng.range(0.30, 0.36)],
                });
            }
        }
        // Block column i lies in neighbourhood column c when c * cols / nb_cols <= i, i.e. the
        // inverse of the range split above.
        let nb_of_col: Vec<u32> = (0..self.cols)
            .map(|i| {
                ((0..nb_cols)
                    .rev()
                    .find(|&c| c * self.cols / nb_cols <= i)
                    .unwrap_or(0)) as u32
            })
            .collect();
        let nb_of_row: Vec<u32> = (0..self.rows)
            .map(|j| {
                ((0..nb_rows)
                    .rev()
                    .find(|&r| r * self.rows / nb_rows <= j)
                    .unwrap_or(0)) as u32
            })
            .collect();
        self.cells = (0..self.rows * self.cols)
            .map(|idx| Cell {
                neighbourhood: nb_of_row[idx / self.cols] * nb_cols as u32
                    + nb_of_col[idx % self.cols],
                park: false,
                centre_taken: false,
                homes: 0,
                first_home: 0,
            })
            .collect();
    }

    /// The four corners of block (i, j), counter-clockwise from south-west.
    pub(crate) fn cell_corners(&self, i: usize, j: usize) -> [Coord; 4] {
        [
            self.nodes[self.node_index(i, j)],
            self.nodes[self.node_index(i + 1, j)],
            self.nodes[self.node_index(i + 1, j + 1)],
            self.nodes[self.node_index(i, j + 1)],
        ]
    }

    pub(crate) fn cell_centre(&self, i: usize, j: usize) -> Coord {
        let c = self.cell_corners(i, j);
        Coord {
            x: (c[0].x + c[1].x + c[2].x + c[3].x) / 4.0,
            y: (c[0].y + c[1].y + c[2].y + c[3].y) / 4.0,
        }
    }

    fn free(&self, i: usize, j: usize) -> bool {
        let c = &self.cells[j * self.cols + i];
        !c.park && !c.centre_taken
    }

    /// Parks, about one per 30 blocks (at least 3), more of them in richer neighbourhoods.
    /// Returns the south-west block of each large park (for a playground in it).
    fn lay_parks(&mut self) -> Vec<(usize, usize)> {
        let wanted = ((self.cells.len() as f64 / 30.0).round() as usize).max(3);
        let mut rng = SplitMix64::stream(self.seed, Stream::Parks, 0);
        let weights: Vec<f64> = self
            .neighbourhoods
            .iter()
            .map(|n| n.service + 0.1)
            .collect();
        let total: f64 = weights.iter().sum();
        let mut large = Vec::new();
        for p in 0..wanted {
            let kind = match p % 4 {
                0 => ParkKind::Large,
                2 => ParkKind::Pocket,
                _ => ParkKind::Block,
            };
            let mut pick = rng.unit() * total;
            let mut k = 0;
            while k + 1 < weights.len() && pick >= weights[k] {
                pick -= weights[k];
                k += 1;
            }
            let (c0, c1) = self.neighbourhoods[k].cols;
            let (r0, r1) = self.neighbourhoods[k].rows;
            for _attempt in 0..30 {
                let i = c0 + rng.below(c1 - c0);
                let j = r0 + rng.below(r1 - r0);
                let placed = match kind {
                    ParkKind::Large => self.try_large_park(i, j, k),
                    ParkKind::Block => self.try_block_park(i, j, k),
                    ParkKind::Pocket => self.try_pocket_park(i, j, k, &mut rng),
                };
                if placed {
                    if kind == ParkKind::Large {
                        large.push((i, j));
                    }
                    break;
                }
            }
        }
        let count = self.parks.len();
        for (n, p) in self.parks.iter_mut().enumerate() {
            p.id = padded_id("G", n, count, 3);
        }
        large
    }

    fn push_park(&mut self, ring: Vec<Coord>, k: usize) {
        let n = self.parks.len();
        let name = if n < PARK_NAMES.len() {
            PARK_NAMES[n].to_string()
        } else {
            format!("Park {}", self.neighbourhoods[k].name)
        };
        self.parks.push(Amenity {
            id: String::new(),
            name,
            footprint: Footprint::Polygon(ring),
            neighbourhood: k as u32,
        });
    }

    fn try_large_park(&mut self, i: usize, j: usize, k: usize) -> bool {
        let (_, c1) = self.neighbourhoods[k].cols;
        let (_, r1) = self.neighbourhoods[k].rows;
        let fits = i + 2 <= c1
            && j + 2 <= r1
            && self.vertical_major(i + 1).is_none()
            && self.horizontal_major(j + 1).is_none()
            && [(i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)]
                .iter()
                .all(|&(a, b)| self.free(a, b));
        if !fits {
            return false;
        }
        for (a, b) in [(i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)] {
            self.cells[b * self.cols + a].park = true;
        }
        let outline: Vec<Coord> = [
            (i, j),
            (i + 1, j),
            (i + 2, j),
            (i + 2, j + 1),
            (i + 2, j + 2),
            (i + 1, j + 2),
            (i, j + 2),
            (i, j + 1),
        ]
        .iter()
        .map(|&(a, b)| self.nodes[self.node_index(a, b)])
        .collect();
        self.push_park(shrink(&outline, 0.06), k);
        true
    }

    fn try_block_park(&mut self, i: usize, j: usize, k: usize) -> bool {
        if !self.free(i, j) {
            return false;
        }
        self.cells[j * self.cols + i].park = true;
        let ring = shrink(&self.cell_corners(i, j), 0.08);
        self.push_park(ring, k);
        true
    }

    fn try_pocket_park(&mut self, i: usize, j: usize, k: usize, rng: &mut SplitMix64) -> bool {
        if !self.free(i, j) {
            return false;
        }
        self.cells[j * self.cols + i].centre_taken = true;
        let ring = rectangle(
            self.cell_centre(i, j),
            rng.range(44.0, 56.0),
            rng.range(36.0, 44.0),
        );
        self.push_park(ring, k);
        true
    }

    /// The free residential block nearest the middle of neighbourhood `k` (ties: lowest index).
    fn central_free_cell(&self, k: usize) -> Option<(usize, usize)> {
        let n = &self.neighbourhoods[k];
        let (mi2, mj2) = (n.cols.0 + n.cols.1 - 1, n.rows.0 + n.rows.1 - 1);
        let mut best: Option<(usize, (usize, usize))> = None;
        for j in n.rows.0..n.rows.1 {
            for i in n.cols.0..n.cols.1 {
                if !self.free(i, j) {
                    continue;
                }
                let d = (2 * i).abs_diff(mi2).pow(2) + (2 * j).abs_diff(mj2).pow(2);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, (i, j)));
                }
            }
        }
        best.map(|(_, c)| c)
    }

    /// Libraries (1 per 20k residents) and community centres (1 per 10k), at least one each,
    /// spread evenly over the neighbourhoods, in the middle of one.
    fn lay_facilities(&mut self, residents: f64) {
        let nbs = self.neighbourhoods.len();
        let libraries = ((residents / RESIDENTS_PER_LIBRARY).round() as usize).max(1);
        let centres = ((residents / RESIDENTS_PER_COMMUNITY_CENTRE).round() as usize).max(1);
        for m in 0..libraries {
            let k = (2 * m + 1) * nbs / (2 * libraries);
            if let Some((i, j)) = self.central_free_cell(k) {
                self.cells[j * self.cols + i].centre_taken = true;
                self.libraries.push(Amenity {
                    id: padded_id("L", self.libraries.len(), libraries, 3),
                    name: format!("Bibliotheek {}", self.neighbourhoods[k].name),
                    footprint: Footprint::Point(self.cell_centre(i, j)),
                    neighbourhood: k as u32,
                });
            }
        }
        for m in 0..centres {
            let k = ((2 * m + 1) * nbs / (2 * centres) + nbs / 2) % nbs;
            if let Some((i, j)) = self.central_free_cell(k) {
                self.cells[j * self.cols + i].centre_taken = true;
                self.community_centres.push(Amenity {
                    id: padded_id("C", self.community_centres.len(), centres, 3),
                    name: format!("Buurthuis {}", self.neighbourhoods[k].name),
                    footprint: Footprint::Polygon(rectangle(self.cell_centre(i, j), 35.0, 25.0)),
                    neighbourhood: k as u32,
                });
            }
        }
    }

    /// Shares exactly `self.homes` homes over the blocks by weight (denser neighbourhoods, some
    /// variation per block, none in parks), with integer arithmetic so the total is exact.
    fn allocate_homes(&mut self) {
        let mut rng = SplitMix64::stream(self.seed, Stream::Cells, 0);
        let weights: Vec<u64> = self
            .cells
            .iter()
            .map(|c| {
                let jitter = rng.range(0.8, 1.2);
                if c.park {
                    return 0;
                }
                let w = self.neighbourhoods[c.neighbourhood as usize].density
                    * jitter
                    * if c.centre_taken { 0.7 } else { 1.0 };
                (w * 1_000_000.0) as u64
            })
            .collect();
        let total: u128 = weights.iter().map(|&w| w as u128).sum::<u128>().max(1);
        let n = self.homes as u128;
        let mut prefix: u128 = 0;
        let mut assigned: u64 = 0;
        for (cell, w) in self.cells.iter_mut().zip(&weights) {
            prefix += *w as u128;
            let upto = (n * prefix / total) as u64;
            cell.first_home = assigned;
            cell.homes = (upto - assigned) as u32;
            assigned = upto;
        }
        for cell in &self.cells {
            self.neighbourhoods[cell.neighbourhood as usize].homes += cell.homes as u64;
        }
        for nb in &mut self.neighbourhoods {
            let h = nb.homes as f64;
            nb.inhabitants = (h * nb.persons_per_home).round() as u64;
            let children = (h * nb.children_per_home).round() as u64;
            let young = (children as f64 * nb.band_shares[0]).round() as u64;
            let middle =
                ((children as f64 * nb.band_shares[1]).round() as u64).min(children - young);
            nb.children = [young, middle, children - young - middle];
        }
    }

    /// Playgrounds: about one per 150 children, scaled by each neighbourhood's provision (so
    /// poorer neighbourhoods are under-served); a large park holds one of its neighbourhood's.
    /// Half of the others are mapped as points, half as polygons.
    fn lay_playgrounds(&mut self, large_parks: &[(usize, usize)]) {
        let mut rng = SplitMix64::stream(self.seed, Stream::Playgrounds, 0);
        let wanted: Vec<usize> = self
            .neighbourhoods
            .iter()
            .map(|nb| {
                let children: u64 = nb.children.iter().sum();
                (children as f64 / CHILDREN_PER_PLAYGROUND * nb.service).round() as usize
            })
            .collect();
        let mut per_nb: Vec<Vec<Footprint>> = vec![Vec::new(); self.neighbourhoods.len()];
        for &(i, j) in large_parks {
            let k = self.cells[j * self.cols + i].neighbourhood as usize;
            let c = self.cell_centre(i, j);
            let footprint =
                Footprint::Polygon(rectangle(c, rng.range(25.0, 40.0), rng.range(20.0, 30.0)));
            if per_nb[k].len() < wanted[k] {
                per_nb[k].push(footprint);
            }
        }
        for (k, placed) in per_nb.iter_mut().enumerate() {
            let nb = &self.neighbourhoods[k];
            let wanted = wanted[k];
            let mut candidates: Vec<(usize, usize)> = (nb.rows.0..nb.rows.1)
                .flat_map(|j| (nb.cols.0..nb.cols.1).map(move |i| (i, j)))
                .filter(|&(i, j)| self.free(i, j))
                .collect();
            rng.shuffle(&mut candidates);
            for &(i, j) in candidates.iter().take(wanted.saturating_sub(placed.len())) {
                let c = self.cell_centre(i, j);
                let footprint = if rng.chance(0.5) {
                    Footprint::Point(Coord {
                        x: c.x + rng.range(-8.0, 8.0),
                        y: c.y + rng.range(-6.0, 6.0),
                    })
                } else {
                    Footprint::Polygon(rectangle(c, rng.range(15.0, 40.0), rng.range(12.0, 30.0)))
                };
                placed.push(footprint);
                self.cells[j * self.cols + i].centre_taken = true;
            }
        }
        let total: usize = per_nb.iter().map(|v| v.len()).sum();
        for (k, footprints) in per_nb.into_iter().enumerate() {
            for footprint in footprints {
                let id = padded_id("P", self.playgrounds.len(), total, 3);
                self.playgrounds.push(Amenity {
                    name: format!(
                        "Speelplek {} {}",
                        self.neighbourhoods[k].name,
                        self.playgrounds.len() + 1
                    ),
                    id,
                    footprint,
                    neighbourhood: k as u32,
                });
            }
        }
    }

    /// The street network: every grid edge (less a few removed to make larger blocks) split at
    /// intersections, arterials with marked crossings, footpaths through parks.
    fn lay_streets(&mut self) {
        let (cols, rows) = (self.cols, self.rows);
        let removed = self.removed_edges();
        let mut rng = SplitMix64::stream(self.seed, Stream::Streets, 1);

        let mut is_crossing = vec![false; self.nodes.len()];
        for i in 1..cols {
            if self.vertical_major(i).is_some() {
                for j in 1..rows {
                    if self.horizontal_major(j).is_none() && j % 5 == 2 {
                        is_crossing[self.node_index(i, j)] = true;
                    }
                }
            }
        }
        for j in 1..rows {
            let every = match self.horizontal_major(j) {
                Some(Highway::Secondary) => 4,
                Some(_) => 3,
                None => continue,
            };
            for i in 1..cols {
                if self.vertical_major(i).is_none() && i % every == 1 {
                    is_crossing[self.node_index(i, j)] = true;
                }
            }
        }
        self.crossings = (0..self.nodes.len() as u32)
            .filter(|&n| is_crossing[n as usize])
            .collect();

        let park_of = |c: &Cell| c.park;
        // Vertical edges, then horizontal ones.
        let mut grid_edges: Vec<(usize, usize, Option<Highway>, bool)> = Vec::new();
        for j in 0..rows {
            for i in 0..=cols {
                let in_park = i > 0 && i < cols && {
                    let (l, r) = (&self.cells[j * cols + i - 1], &self.cells[j * cols + i]);
                    park_of(l) && park_of(r)
                };
                if !removed.vertical[j * (cols + 1) + i] {
                    grid_edges.push((
                        self.node_index(i, j),
                        self.node_index(i, j + 1),
                        self.vertical_major(i),
                        in_park,
                    ));
                }
            }
        }
        for j in 0..=rows {
            for i in 0..cols {
                let in_park = j > 0 && j < rows && {
                    let (b, t) = (&self.cells[(j - 1) * cols + i], &self.cells[j * cols + i]);
                    park_of(b) && park_of(t)
                };
                if !removed.horizontal[j * cols + i] {
                    grid_edges.push((
                        self.node_index(i, j),
                        self.node_index(i + 1, j),
                        self.horizontal_major(j),
                        in_park,
                    ));
                }
            }
        }
        for (a, b, major, in_park) in grid_edges {
            let highway = match (major, in_park) {
                (Some(h), _) => h,
                (None, true) => Highway::Footway,
                (None, false) if rng.chance(0.08) => Highway::LivingStreet,
                (None, false) => Highway::Residential,
            };
            let bend = rng.chance(0.3);
            let offset = rng.range(3.0, 7.0) * if rng.chance(0.5) { 1.0 } else { -1.0 };
            let mut path = vec![a as u32];
            if bend && major.is_none() && !in_park {
                let (pa, pb) = (self.nodes[a], self.nodes[b]);
                let len = ((pb.x - pa.x) * (pb.x - pa.x) + (pb.y - pa.y) * (pb.y - pa.y)).sqrt();
                let mid = Coord {
                    x: (pa.x + pb.x) / 2.0 - (pb.y - pa.y) / len * offset,
                    y: (pa.y + pb.y) / 2.0 + (pb.x - pa.x) / len * offset,
                };
                path.push(self.nodes.len() as u32);
                self.nodes.push(mid);
            }
            path.push(b as u32);
            // A side street meeting a barrier road at a marked crossing: its last metres are the
            // crossing itself (as OSM maps it), so the crossing node joins both sides.
            if major.is_none() {
                if is_crossing[a] {
                    path = self.split_crossing(path, true);
                }
                if is_crossing[b] {
                    path = self.split_crossing(path, false);
                }
            }
            if path.len() >= 2 {
                self.edges.push(Edge {
                    nodes: path,
                    highway,
                    crossing: false,
                });
            }
        }
        // A diagonal path through every one-block park.
        for j in 0..rows {
            for i in 0..cols {
                if !self.cells[j * cols + i].park {
                    continue;
                }
                let others_in_park = (i > 0 && self.cells[j * cols + i - 1].park)
                    || (i + 1 < cols && self.cells[j * cols + i + 1].park)
                    || (j > 0 && self.cells[(j - 1) * cols + i].park)
                    || (j + 1 < rows && self.cells[(j + 1) * cols + i].park);
                if !others_in_park {
                    self.edges.push(Edge {
                        nodes: vec![
                            self.node_index(i, j) as u32,
                            self.node_index(i + 1, j + 1) as u32,
                        ],
                        highway: Highway::Footway,
                        crossing: false,
                    });
                }
            }
        }
    }

    /// Adds vertices along every street so that no segment is longer than `piece` metres: the
    /// density of an OpenStreetMap extract, whose ways carry a vertex every few metres, for
    /// benchmarks of the graph searches. Marked crossings stay whole, so that their nodes stay
    /// the crossing's two ends. Segments are cut into equal parts.
    pub(crate) fn cut_streets(&mut self, piece: f64) {
        let mut nodes = std::mem::take(&mut self.nodes);
        for e in self.edges.iter_mut().filter(|e| !e.crossing) {
            let mut path = Vec::with_capacity(e.nodes.len());
            for w in e.nodes.windows(2) {
                let (a, b) = (nodes[w[0] as usize], nodes[w[1] as usize]);
                let len = (b.x - a.x).hypot(b.y - a.y);
                let parts = (len / piece).ceil().max(1.0) as usize;
                path.push(w[0]);
                for k in 1..parts {
                    path.push(nodes.len() as u32);
                    nodes.push(lerp(a, b, k as f64 / parts as f64));
                }
            }
            path.push(e.nodes[e.nodes.len() - 1]);
            e.nodes = path;
        }
        self.nodes = nodes;
    }

    /// Cuts the first (or last) `CROSSING_LENGTH` metres of `path` off as a crossing edge and
    /// returns the rest.
    fn split_crossing(&mut self, mut path: Vec<u32>, at_start: bool) -> Vec<u32> {
        if !at_start {
            path.reverse();
        }
        let (c, next) = (self.nodes[path[0] as usize], self.nodes[path[1] as usize]);
        let len = ((next.x - c.x) * (next.x - c.x) + (next.y - c.y) * (next.y - c.y)).sqrt();
        let end = lerp(c, next, CROSSING_LENGTH / len);
        let end_index = self.nodes.len() as u32;
        self.nodes.push(end);
        self.edges.push(Edge {
            nodes: vec![path[0], end_index],
            highway: Highway::Footway,
            crossing: true,
        });
        path[0] = end_index;
        if !at_start {
            path.reverse();
        }
        path
    }

    /// Streets removed to merge two blocks into one. No block loses more than one side, which
    /// keeps the network connected: a cut would need a chain of removed edges, and two removed
    /// edges are never sides of the same block. Arterials, edges touching them, neighbourhood
    /// borders and the town's outline are kept.
    fn removed_edges(&self) -> RemovedEdges {
        let (cols, rows) = (self.cols, self.rows);
        let mut out = RemovedEdges {
            vertical: vec![false; (cols + 1) * rows],
            horizontal: vec![false; cols * (rows + 1)],
        };
        let mut merged = vec![false; cols * rows];
        let mut rng = SplitMix64::stream(self.seed, Stream::Streets, 0);
        let on_major = |i: usize, j: usize| {
            self.vertical_major(i).is_some() || self.horizontal_major(j).is_some()
        };
        for j in 0..rows {
            for i in 0..cols {
                let here = j * cols + i;
                let try_it = rng.chance(0.2);
                let side = rng.below(4);
                if !try_it || merged[here] || self.cells[here].park {
                    continue;
                }
                // (neighbour block, edge end points, vertical edge?, edge index)
                let candidate = match side {
                    0 if j > 0 => Some(((i, j - 1), (i, j), (i + 1, j), false, j * cols + i)),
                    1 if j + 1 < rows => Some((
                        (i, j + 1),
                        (i, j + 1),
                        (i + 1, j + 1),
                        false,
                        (j + 1) * cols + i,
                    )),
                    2 if i > 0 => Some(((i - 1, j), (i, j), (i, j + 1), true, j * (cols + 1) + i)),
                    3 if i + 1 < cols => Some((
                        (i + 1, j),
                        (i + 1, j),
                        (i + 1, j + 1),
                        true,
                        j * (cols + 1) + i + 1,
                    )),
                    _ => None,
                };
                let Some(((ni, nj), (ai, aj), (bi, bj), vertical, edge)) = candidate else {
                    continue;
                };
                let there = nj * cols + ni;
                let ok = !merged[there]
                    && !self.cells[there].park
                    && self.cells[there].neighbourhood == self.cells[here].neighbourhood
                    && !on_major(ai, aj)
                    && !on_major(bi, bj);
                if ok {
                    merged[here] = true;
                    merged[there] = true;
                    if vertical {
                        out.vertical[edge] = true;
                    } else {
                        out.horizontal[edge] = true;
                    }
                }
            }
        }
        out
    }

    /// The homes of block `cell`, in order: spaced evenly around the block about 10 m in from
    /// the streets, each pulled a few metres further in at random.
    pub(crate) fn homes_in_cell(&self, cell: usize, out: &mut Vec<Coord>) {
        out.clear();
        let count = self.cells[cell].homes as usize;
        if count == 0 {
            return;
        }
        let (i, j) = (cell % self.cols, cell / self.cols);
        let corners = self.cell_corners(i, j);
        let centre = self.cell_centre(i, j);
        let inner: Vec<Coord> = corners.iter().map(|&c| lerp(c, centre, 0.2)).collect();
        let side_len: Vec<f64> = (0..4)
            .map(|s| {
                let (a, b) = (inner[s], inner[(s + 1) % 4]);
                ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).sqrt()
            })
            .collect();
        let perimeter: f64 = side_len.iter().sum();
        let spacing = perimeter / count as f64;
        let mut rng = SplitMix64::stream(self.seed, Stream::Homes, cell as u64);
        let mut along = rng.unit() * spacing;
        let mut side = 0;
        let mut side_start = 0.0;
        for _ in 0..count {
            while side < 3 && along >= side_start + side_len[side] {
                side_start += side_len[side];
                side += 1;
            }
            let t = ((along - side_start) / side_len[side]).min(1.0);
            let p = lerp(inner[side], inner[(side + 1) % 4], t);
            out.push(lerp(p, centre, rng.range(0.0, 0.06)));
            along += spacing;
        }
    }

    /// The ring (closed, counter-clockwise) of neighbourhood `k`, along its border streets.
    pub(crate) fn neighbourhood_ring(&self, k: usize) -> Vec<Coord> {
        let n = &self.neighbourhoods[k];
        let (c0, c1) = n.cols;
        let (r0, r1) = n.rows;
        let mut ring = Vec::with_capacity(2 * (c1 - c0 + r1 - r0) + 1);
        for i in c0..c1 {
            ring.push(self.nodes[self.node_index(i, r0)]);
        }
        for j in r0..r1 {
            ring.push(self.nodes[self.node_index(c1, j)]);
        }
        for i in (c0 + 1..=c1).rev() {
            ring.push(self.nodes[self.node_index(i, r1)]);
        }
        for j in (r0 + 1..=r1).rev() {
            ring.push(self.nodes[self.node_index(c0, j)]);
        }
        ring.push(ring[0]);
        ring
    }

    /// Total children per band over all neighbourhoods.
    pub(crate) fn children(&self) -> u64 {
        self.neighbourhoods.iter().flat_map(|n| n.children).sum()
    }

    pub(crate) fn inhabitants(&self) -> u64 {
        self.neighbourhoods.iter().map(|n| n.inhabitants).sum()
    }

    /// The id of home number `index` (0-based, in block order).
    pub(crate) fn home_id(&self, index: u64) -> String {
        padded_id("H", index as usize, self.homes as usize, 6)
    }
}

struct RemovedEdges {
    vertical: Vec<bool>,
    horizontal: Vec<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_sqrt_is_exact() {
        for n in 0..2000 {
            let s = ceil_sqrt(n);
            assert!(
                s * s >= n && (s == 0 || (s - 1) * (s - 1) < n),
                "{n} -> {s}"
            );
        }
    }

    #[test]
    fn padded_ids() {
        assert_eq!(padded_id("BU", 0, 6, 4), "BU0001");
        assert_eq!(padded_id("H", 122, 3000, 6), "H000123");
        assert_eq!(padded_id("H", 7_999_999, 8_000_000, 6), "H8000000");
    }

    #[test]
    fn exact_home_total_and_town_shape() {
        for homes in [1u64, 100, 3000, 12_345] {
            let city = City::generate(homes, 42);
            let total: u64 = city.cells.iter().map(|c| c.homes as u64).sum();
            assert_eq!(total, homes);
            let by_nb: u64 = city.neighbourhoods.iter().map(|n| n.homes).sum();
            assert_eq!(by_nb, homes);
            assert!(city.cells.iter().filter(|c| c.park).all(|c| c.homes == 0));
        }
        let town = City::generate(3000, 42);
        assert_eq!(town.neighbourhoods.len(), 6);
        assert_eq!((town.cols, town.rows), (11, 11));
        // One primary along grid line 6 with crossings at rows 2 and 7.
        let primary_crossings = town
            .crossings
            .iter()
            .filter(|&&n| n as usize % (town.cols + 1) == 6)
            .count();
        assert_eq!(primary_crossings, 2);
    }

    #[test]
    fn cut_streets_keeps_every_street_and_caps_its_pieces() {
        let whole = City::generate(3000, 42);
        let mut cut = whole.clone();
        cut.cut_streets(25.0);
        assert_eq!(cut.edges.len(), whole.edges.len());
        let seg = |c: &City, a: u32, b: u32| {
            let (p, q) = (c.nodes[a as usize], c.nodes[b as usize]);
            (q.x - p.x).hypot(q.y - p.y)
        };
        let length =
            |c: &City, e: &Edge| -> f64 { e.nodes.windows(2).map(|w| seg(c, w[0], w[1])).sum() };
        let (mut before, mut after) = (0, 0);
        for (w, c) in whole.edges.iter().zip(&cut.edges) {
            assert_eq!((w.nodes[0], w.nodes.last()), (c.nodes[0], c.nodes.last()));
            assert!((length(&whole, w) - length(&cut, c)).abs() < 1e-9);
            assert!(c
                .nodes
                .windows(2)
                .all(|p| seg(&cut, p[0], p[1]) <= 25.0 + 1e-9));
            if w.crossing {
                assert_eq!(w.nodes, c.nodes);
            }
            before += w.nodes.len() - 1;
            after += c.nodes.len() - 1;
        }
        // Blocks of 120 m x 90 m: about 4 to 5 pieces per street.
        assert!(after > 3 * before, "{before} segments -> {after}");
        // Streets cut at 200 m are a grid's 120 m and 90 m sides: unchanged.
        let mut long = whole.clone();
        long.cut_streets(200.0);
        assert_eq!(long.nodes, whole.nodes);
    }

    #[test]
    fn homes_stay_inside_their_block() {
        let city = City::generate(3000, 7);
        let mut buf = Vec::new();
        for cell in 0..city.cells.len() {
            city.homes_in_cell(cell, &mut buf);
            assert_eq!(buf.len(), city.cells[cell].homes as usize);
            let (i, j) = (cell % city.cols, cell / city.cols);
            let poly = geo::Polygon::new(
                geo::LineString::from(city.cell_corners(i, j).to_vec()),
                vec![],
            );
            for &p in &buf {
                assert!(
                    geo::Contains::contains(&poly, &geo::Point(p)),
                    "cell {cell}: {p:?}"
                );
            }
        }
    }
}
