//! Site selection for a study: candidates (a layer, or generated over the gaps: walk network
//! nodes or grid points, on public ground as far as the study knows it), the children each
//! would newly bring within their band's norm, the maximal covering choice, and its
//! cost-benefit.

use geo::Coord;
use rayon::prelude::*;

use super::covers::{covers, Demand};
use super::{assumptions, select, tally, CoverageProblem};
use crate::cba::{self, CostBenefit, Site};
use crate::equity::priority_weights;
use crate::error::{Error, Result, Warnings};
use crate::layers::attributes;
use crate::phrase::{Arg, Phrase};
use crate::reach::network::{NetworkReach, WalkNetwork};
use crate::reach::{unattached_warnings, Distances};
use crate::scene::off_limits::OffLimitsBy;
use crate::scene::{self, polygons, Amenity, AmenityGeometry, Scene};
use crate::study::{CandidateLayer, CostSettings, Generate, SitesSettings};

/// The `source` of the candidates kindscape generates (grid points or network nodes; both are
/// named "grid site N", N in the grid's row order).
const GENERATED: &str = "generated";

/// One chosen site.
#[derive(Debug, Clone)]
pub struct ChosenSite {
    pub rank: usize,
    /// Working CRS.
    pub x: f64,
    pub y: f64,
    /// Children newly within their band's norm thanks to this site (after the ones above it).
    pub new_children: f64,
    pub total_children: f64,
    /// Per norm band of the kind, in norm order.
    pub new_by_band: Vec<f64>,
    /// The candidate's name; a generated candidate's is "grid site N" (as `sites.csv` has it).
    pub name: String,
    /// A generated candidate's N, for the report to name it in its own language.
    pub grid: Option<usize>,
    /// Its capital cost: the candidate's `[costs] capex` attribute, else `[costs] capex_eur`.
    pub capex_eur: f64,
    /// Its upkeep: the candidate's `[costs] maintenance` attribute, else the default.
    pub maintenance_eur_per_year: f64,
    /// The neighbourhood holding the site (of overlapping ones the first), if any.
    pub neighbourhood_id: Option<String>,
    /// With a network: the nearest named way within the attach limit
    /// ([`NetworkReach::nearest_street`]).
    pub street: Option<String>,
}

/// The `[sites] candidates` layer, with each candidate's own costs where it gives them.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub sites: Vec<Amenity>,
    /// The `[costs] capex` attribute per candidate; `None` = the study's default.
    pub capex_eur: Vec<Option<f64>>,
    /// The `[costs] maintenance` attribute per candidate; `None` = the study's default.
    pub maintenance_eur_per_year: Vec<Option<f64>>,
    /// The layer's own CRS and feature count, for `run.json`'s inputs (empty and 0 when
    /// generated).
    pub layer_crs: String,
    pub layer_features: usize,
}

impl Candidates {
    /// Candidates without costs of their own (the generated grid).
    fn at_default_costs(sites: Vec<Amenity>) -> Self {
        let n = sites.len();
        Self {
            sites,
            capex_eur: vec![None; n],
            maintenance_eur_per_year: vec![None; n],
            layer_crs: String::new(),
            layer_features: 0,
        }
    }
}

/// The sites and their appraisal.
#[derive(Debug, Clone)]
pub struct SitePlan {
    pub kind: String,
    pub band_labels: Vec<String>,
    pub sites: Vec<ChosenSite>,
    pub candidates: usize,
    /// How the candidates were generated, when no layer gave them.
    pub generated: Option<Generated>,
    pub cba: CostBenefit,
    /// Every assumption of selection and cost-benefit.
    pub assumptions: Vec<Phrase>,
}

/// Chooses `[sites] count` new sites for `[sites] kind` when the study asks for it.
pub fn plan(
    settings: Option<&SitesSettings>,
    scene: &Scene,
    distances: &Distances,
    quintile: Option<&[Option<u8>]>,
    candidates: Option<Candidates>,
    network: Option<&NetworkReach>,
    warnings: &Warnings,
) -> Result<Option<SitePlan>> {
    let Some(cfg) = settings else {
        return Ok(None);
    };
    let kind = cfg.kind.value.clone();
    let k = scene
        .amenities
        .iter()
        .position(|a| a.kind == kind)
        .ok_or_else(|| {
            Error::study(
                &cfg.study_file,
                format!("[sites] kind \"{kind}\" has no [[amenities]] entry"),
            )
        })?;
    let count = cfg.count.value;
    let norms = &cfg.norms;
    let homes = &scene.homes;

    // Demand: each (home, band) whose children are outside the norm today; a home outside every
    // neighbourhood is outside the study, as in its totals and coverage.
    let mut demand = Vec::new();
    for h in (0..homes.len()).filter(|&h| homes.neighbourhood[h].is_some()) {
        let children = homes.children_of(h);
        for (b, bn) in norms.iter().enumerate() {
            let c = bn.children(children);
            if c > 0.0 && distances.judged(k, b, bn, h) > bn.metres {
                demand.push(Demand {
                    home: h,
                    band: b,
                    radius: bn.metres,
                    children: c,
                });
            }
        }
    }
    let deprivation = cfg
        .deprivation_weight
        .and_then(|w| quintile.map(|q| priority_weights(q, w)));
    let weight_of = |d: &Demand| -> f64 {
        let w = deprivation
            .as_ref()
            .and_then(|p| homes.neighbourhood[d.home].map(|n| p[n as usize]))
            .unwrap_or(1.0);
        d.children * w
    };

    let mut generated = None;
    let Candidates {
        sites: candidates,
        capex_eur: own_capex,
        maintenance_eur_per_year: own_maintenance,
        ..
    } = match candidates {
        Some(layer) => layer,
        None => {
            let nodes = match cfg.generate.value {
                Generate::Network => network.map(NetworkReach::network),
                Generate::Grid => None,
            };
            let (sites, how) = generated_candidates(
                scene,
                &demand,
                &scene.amenities[k].items,
                cfg.min_distance_m.value,
                norms,
                nodes,
            );
            generated = Some(how);
            Candidates::at_default_costs(sites)
        }
    };
    // A candidate of the user's layer too far from every way can never be chosen over the
    // network; generated ones are not the user's to fix.
    if let (Some(reach), None) = (network, &generated) {
        let unattached = reach.unattached(candidates.iter().map(|c| c.geometry.to_geometry()));
        let limit = reach.attach_limit_m();
        for w in unattached_warnings("candidate sites", &candidates, &unattached, limit) {
            warnings.push(w);
        }
    }
    if candidates.is_empty() {
        warnings.push(format!(
            "[sites]: no candidate site for {kind}; no site was chosen"
        ));
    }
    // A new site serves every band.
    let covers = covers(
        &candidates,
        &demand,
        &homes.coords,
        network.map(|reach| (reach, &norms[..])),
        |_, _| true,
    );
    let mut problem =
        CoverageProblem::new(demand.iter().map(weight_of).collect(), covers, cfg.capacity)?;
    if deprivation.is_some() {
        // Weighting ranks the sites; capacity counts children.
        problem = problem.with_children(demand.iter().map(|d| d.children).collect())?;
    }
    let selection = select(&problem, count);
    if selection.chosen.len() < count && !candidates.is_empty() {
        warnings.push(format!(
            "[sites]: only {} of {count} sites bring new children within the norm",
            selection.chosen.len()
        ));
    }
    let unweighted = tally(
        &problem,
        &selection.chosen,
        &demand.iter().map(|d| d.children).collect::<Vec<_>>(),
    )?;
    let settings = &cfg.costs;
    let defaults = &settings.costs;
    let mut sites = Vec::new();
    let mut running = 0.0;
    for (rank, &c) in selection.chosen.iter().enumerate() {
        let by_band: Vec<f64> = (0..norms.len())
            .map(|b| {
                let q: Vec<f64> = demand
                    .iter()
                    .map(|d| if d.band == b { d.children } else { 0.0 })
                    .collect();
                tally(&problem, &selection.chosen[..=rank], &q).map(|t| t[rank])
            })
            .collect::<Result<_>>()?;
        running += unweighted[rank];
        let anchor = candidates[c].anchor();
        let neighbourhood = scene::assign_neighbourhoods(&[anchor], &scene.neighbourhoods)[0];
        sites.push(ChosenSite {
            rank: rank + 1,
            x: anchor.x,
            y: anchor.y,
            new_children: unweighted[rank],
            total_children: running,
            new_by_band: by_band,
            name: candidates[c].name.clone(),
            grid: (candidates[c].source == GENERATED).then_some(candidates[c].index + 1),
            neighbourhood_id: neighbourhood.map(|n| scene.neighbourhoods[n as usize].id.clone()),
            street: network
                .and_then(|r| r.nearest_street(anchor))
                .map(String::from),
            capex_eur: own_capex[c].unwrap_or(defaults.capex_eur),
            maintenance_eur_per_year: own_maintenance[c]
                .unwrap_or(defaults.maintenance_eur_per_year),
        });
    }
    let appraised: Vec<Site> = sites
        .iter()
        .map(|s| Site {
            new_children: s.new_children,
            capex_eur: s.capex_eur,
            maintenance_eur_per_year: s.maintenance_eur_per_year,
        })
        .collect();
    let appraisal = cba::appraise(defaults, &appraised);
    let mut lines = assumptions(&problem);
    lines.push(
        Phrase::new("assume.candidates")
            .with("n", Arg::Figure(candidates.len() as f64))
            .with_part(
                "from",
                Some(match (&cfg.candidates, &generated) {
                    (Some(layer), _) => Phrase::new("assume.candidates_layer")
                        .with("layer", Arg::Text(layer.given.clone())),
                    (None, Some(g)) if g.at == crate::study::Generate::Network => {
                        Phrase::new("assume.candidates_nodes")
                            .with("spacing", Arg::Fixed(g.spacing_m, 0))
                    }
                    (None, _) => Phrase::new("assume.candidates_grid"),
                }),
            )
            .with_part(
                "distances",
                Some(Phrase::new(match network {
                    Some(_) => "assume.candidates_network",
                    None => "assume.candidates_straight",
                })),
            ),
    );
    lines.extend(generated.as_ref().map(ground_line));
    if deprivation.is_some() {
        lines.push(Phrase::new("assume.deprivation"));
    }
    lines.extend(settings.assumptions());
    let chosen = &selection.chosen;
    lines.extend(own_cost_lines(settings, "capex", chosen, &own_capex));
    lines.extend(own_cost_lines(
        settings,
        "maintenance",
        chosen,
        &own_maintenance,
    ));
    Ok(Some(SitePlan {
        kind,
        band_labels: norms.iter().map(|b| b.label.clone()).collect(),
        sites,
        candidates: candidates.len(),
        generated,
        cba: appraisal,
        assumptions: lines,
    }))
}

/// The `[sites] candidates` layer when the study names one (read while loading, so that the
/// planning itself reads no file).
pub fn read_candidates(
    settings: Option<&SitesSettings>,
    scene: &Scene,
    warnings: &Warnings,
) -> Result<Option<Candidates>> {
    let Some(cfg) = settings else {
        return Ok(None);
    };
    cfg.candidates
        .as_ref()
        .map(|layer| candidate_layer(&cfg.study_file, layer, &cfg.costs, scene, warnings))
        .transpose()
}

/// Candidates from a layer: points or polygons (vacant lots), in the working CRS.
fn candidate_layer(
    study_file: &std::path::Path,
    candidates: &CandidateLayer,
    costs: &CostSettings,
    scene: &Scene,
    warnings: &Warnings,
) -> Result<Candidates> {
    let path = candidates.path.as_path();
    let mut layer =
        scene::read_vector(path, candidates.crs.as_deref(), candidates.layer.as_deref())?;
    let layer_crs = layer.crs.to_string();
    layer.reproject(&scene.crs)?;
    if let Some(format) = &candidates.format {
        let numeric: Vec<&str> = [&costs.capex_attribute, &costs.maintenance_attribute]
            .into_iter()
            .filter_map(|a| a.as_deref())
            .collect();
        crate::layers::table::read_numbers(&mut layer, &numeric, format)?;
    }
    let mut cleaning = polygons::Cleaning::default();
    let mut out = Vec::new();
    let mut capex = Vec::new();
    let mut maintenance = Vec::new();
    let own_cost = |f: &crate::layers::Feature, key: &str, attribute: Option<&String>| {
        attribute
            .map(|a| {
                attributes::amount_value(&f.props, a)
                    .map_err(|m| Error::feature(path, f.index, format!("{m} ([costs] {key})")))
            })
            .transpose()
            .map(Option::flatten)
    };
    let mut null_geometry = 0usize;
    for f in &layer.features {
        let Some(g) = &f.geometry else {
            null_geometry += 1;
            continue;
        };
        let geometry = match polygons::shape(g, &mut cleaning) {
            Ok(Some(polygons::Shape::Point(c))) => AmenityGeometry::Point(c),
            Ok(Some(polygons::Shape::Polygon(mp))) => AmenityGeometry::Polygon(mp),
            Ok(Some(polygons::Shape::Points(_))) => {
                return Err(Error::feature(
                    path,
                    f.index,
                    "a candidate site is one place, but this is a MultiPoint of several points; give each site its own feature",
                ))
            }
            Ok(None) => continue,
            Err(kind) => {
                return Err(Error::feature(
                    path,
                    f.index,
                    format!("candidate sites must be points or polygons, found {kind}"),
                ))
            }
        };
        capex.push(own_cost(f, "capex", costs.capex_attribute.as_ref())?);
        maintenance.push(own_cost(
            f,
            "maintenance",
            costs.maintenance_attribute.as_ref(),
        )?);
        out.push(Amenity {
            geometry,
            area_m2: 0.0,
            capacity: 1.0,
            id: f.id.clone().unwrap_or_else(|| f.index.to_string()),
            name: f
                .props
                .get("name")
                .and_then(|v| v.as_str())
                .map(String::from)
                .unwrap_or_else(|| format!("candidate {}", f.index)),
            source: path.display().to_string(),
            index: f.index,
            attributes: Default::default(),
            parts: 1,
        });
    }
    let label = format!("candidates ({})", path.display());
    for w in polygons::cleaning_warnings(&label, &cleaning) {
        warnings.push(w);
    }
    if null_geometry > 0 {
        warnings.push(format!(
            "{label}: {null_geometry} feature(s) without geometry were skipped"
        ));
    }
    if out.is_empty() {
        return Err(Error::layer(
            path,
            format!("no candidate site in the layer ({})", study_file.display()),
        ));
    }
    for (key, attribute, values) in [
        ("capex", &costs.capex_attribute, &capex),
        ("maintenance", &costs.maintenance_attribute, &maintenance),
    ] {
        if let Some(a) = attribute {
            if values.iter().all(Option::is_none) {
                return Err(Error::layer(
                    path,
                    format!(
                        "[costs] {key} = \"{a}\": no candidate site has a value for this attribute (attributes: {}) ({})",
                        layer.attribute_names().join(", "),
                        study_file.display()
                    ),
                ));
            }
        }
    }
    Ok(Candidates {
        sites: out,
        capex_eur: capex,
        maintenance_eur_per_year: maintenance,
        layer_crs,
        layer_features: layer.features.len(),
    })
}

/// How the candidates kindscape generated were found: where they stand, on what spacing, and
/// what was known of the ground (`run.json`, `sites.generated`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generated {
    /// Grid points, or network nodes when the study has a network.
    pub at: crate::study::Generate,
    /// The grid's spacing; with "network", at most one node per cell of this size.
    pub spacing_m: f64,
    /// Points (grid points, or network nodes) inside a neighbourhood, near children outside the
    /// norm and far enough from the existing amenities: those judged for the ground.
    pub points_judged: usize,
    /// The extract that mapped water, buildings and private land; `None`: none of them was
    /// known, and no point was dropped for them.
    pub ground_from: Option<std::path::PathBuf>,
    pub dropped_in_water: usize,
    pub dropped_in_buildings: usize,
    pub dropped_on_private_land: usize,
    /// Where the candidates stand, in candidate order (working CRS).
    #[serde(skip)]
    pub points: Vec<Coord>,
}

/// Candidates over the neighbourhoods, inside one, on public ground as far as the study knows
/// it ([`OffLimits`](crate::scene::OffLimits)), near children outside the norm, and at least
/// `min_distance` from the existing amenities of the kind: the points of a square grid, or with
/// `network` its nodes, the one nearest each grid point of those within half a spacing of it
/// (so that candidates are as many and as spread as the grid's, but stand on a way). The
/// spacing is half the smallest norm (at least 25 m), coarsened so that at most about 20,000
/// grid points are tried.
pub fn generated_candidates(
    scene: &Scene,
    demand: &[Demand],
    existing: &[Amenity],
    min_distance: f64,
    norms: &[crate::study::BandNorm],
    network: Option<&WalkNetwork>,
) -> (Vec<Amenity>, Generated) {
    let mut generated = Generated {
        at: if network.is_some() {
            crate::study::Generate::Network
        } else {
            crate::study::Generate::Grid
        },
        spacing_m: 0.0,
        points_judged: 0,
        ground_from: scene.off_limits.mapped_by.clone(),
        dropped_in_water: 0,
        dropped_in_buildings: 0,
        dropped_on_private_land: 0,
        points: Vec::new(),
    };
    let Some(extent) = scene.extent() else {
        return (Vec::new(), generated);
    };
    if demand.is_empty() {
        return (Vec::new(), generated);
    }
    let smallest = norms.iter().map(|b| b.metres).fold(f64::INFINITY, f64::min);
    let largest = norms.iter().map(|b| b.metres).fold(0.0, f64::max);
    let mut spacing = (smallest / 2.0).max(25.0);
    while (extent.width() / spacing) * (extent.height() / spacing) > 20_000.0 {
        spacing *= 1.5;
    }
    generated.spacing_m = spacing;
    let origin = extent.min();
    let points: Vec<Coord> = match network {
        Some(net) => (0..net.node_count() as u32)
            .map(|v| net.node_coord(v))
            .collect(),
        None => {
            let nx = (extent.width() / spacing).ceil() as usize;
            let ny = (extent.height() / spacing).ceil() as usize;
            (0..=ny)
                .flat_map(|j| {
                    (0..=nx).map(move |i| Coord {
                        x: origin.x + i as f64 * spacing,
                        y: origin.y + j as f64 * spacing,
                    })
                })
                .collect()
        }
    };
    let owner = scene::assign_neighbourhoods(&points, &scene.neighbourhoods);
    let inside: Vec<Coord> = points
        .into_iter()
        .zip(&owner)
        .filter(|(_, o)| o.is_some())
        .map(|(c, _)| c)
        .collect();
    // In batches of nearby points: a city's network has millions of nodes.
    let open: Vec<Coord> = if existing.is_empty() {
        inside
    } else {
        let nearest = crate::reach::straight::nearest_distances(&inside, existing);
        inside
            .into_iter()
            .zip(nearest)
            .filter(|&(_, d)| d >= min_distance)
            .map(|(c, _)| c)
            .collect()
    };
    // A walked distance is never shorter than the straight one: a point farther than the
    // largest norm from every child outside it can bring none within it, on foot or not.
    let near_demand = if network.is_some() {
        near_gap_homes_by_home(&open, demand, &scene.homes.coords, largest)
    } else {
        near_gap_homes(&open, demand, &scene.homes.coords, largest)
    };
    let near: Vec<Coord> = open
        .into_iter()
        .zip(near_demand)
        .filter(|(_, near)| *near)
        .map(|(c, _)| c)
        .collect();
    generated.points_judged = near.len();
    let ground = scene.off_limits.index();
    let judged: Vec<Option<OffLimitsBy>> = near.par_iter().map(|&c| ground.judge(c)).collect();
    let mut public = Vec::with_capacity(near.len());
    for (c, by) in near.into_iter().zip(judged) {
        match by {
            None => public.push(c),
            Some(OffLimitsBy::Water) => generated.dropped_in_water += 1,
            Some(OffLimitsBy::Building) => generated.dropped_in_buildings += 1,
            Some(OffLimitsBy::Private) => generated.dropped_on_private_land += 1,
        }
    }
    if network.is_some() {
        public = nearest_to_grid_points(public, origin, spacing);
    }
    let candidates = public
        .iter()
        .enumerate()
        .map(|(i, &c)| Amenity {
            geometry: AmenityGeometry::Point(c),
            area_m2: 0.0,
            capacity: 1.0,
            id: format!("grid-{}", i + 1),
            name: format!("grid site {}", i + 1),
            source: GENERATED.into(),
            index: i,
            attributes: Default::default(),
            parts: 1,
        })
        .collect();
    generated.points = public;
    (candidates, generated)
}

/// Of `points`, the one nearest each grid point (`origin` + a multiple of `spacing` in x and
/// y) among those nearer to it than to any other (its cell: within half a spacing in x and y),
/// in the grid's order (row by row); of points equally near, the first given.
fn nearest_to_grid_points(points: Vec<Coord>, origin: Coord, spacing: f64) -> Vec<Coord> {
    let mut best: std::collections::BTreeMap<(i64, i64), (f64, Coord)> = Default::default();
    for c in points {
        let i = ((c.x - origin.x) / spacing).round();
        let j = ((c.y - origin.y) / spacing).round();
        let centre = Coord {
            x: origin.x + i * spacing,
            y: origin.y + j * spacing,
        };
        let d = (c.x - centre.x).hypot(c.y - centre.y);
        best.entry((j as i64, i as i64))
            .and_modify(|b| {
                if d < b.0 {
                    *b = (d, c);
                }
            })
            .or_insert((d, c));
    }
    best.into_values().map(|(_, c)| c).collect()
}

/// What generated candidates keep out of, and how many places each kept them out of.
fn ground_line(g: &Generated) -> Phrase {
    let Some(extract) = &g.ground_from else {
        return Phrase::new("assume.candidates_no_ground");
    };
    let name = extract.file_name().unwrap_or(extract.as_os_str());
    Phrase::new("assume.candidates_ground")
        .with("extract", Arg::Text(name.to_string_lossy().into_owned()))
        .with("judged", Arg::Figure(g.points_judged as f64))
        .with("water", Arg::Figure(g.dropped_in_water as f64))
        .with("buildings", Arg::Figure(g.dropped_in_buildings as f64))
        .with("private", Arg::Figure(g.dropped_on_private_land as f64))
}

/// Per point, whether a home with demand lies within `radius` of it. The points (at most about
/// 20,000 grid sites) are indexed and each home looks for those near it: an index of the homes
/// instead took about 64 bytes a home with demand (64 MB at 1 M homes).
fn near_gap_homes(points: &[Coord], demand: &[Demand], homes: &[Coord], radius: f64) -> Vec<bool> {
    use rayon::prelude::*;
    use rstar::primitives::GeomWithData;
    let tree = rstar::RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new([c.x, c.y], i as u32))
            .collect(),
    );
    // The index compares squared distances; the slack keeps every point whose distance rounds
    // to `radius`, and the test below decides as a distance, as the nearest home's would.
    let slack = (radius * (1.0 + 1e-9)).powi(2);
    demand
        .par_chunks(4096)
        .fold(
            || vec![false; points.len()],
            |mut near, chunk| {
                let mut last = usize::MAX;
                for d in chunk
                    .iter()
                    .filter(|d| std::mem::replace(&mut last, d.home) != d.home)
                {
                    let h = [homes[d.home].x, homes[d.home].y];
                    for p in tree.locate_within_distance(h, slack) {
                        if rstar::PointDistance::distance_2(p.geom(), &h).sqrt() <= radius {
                            near[p.data as usize] = true;
                        }
                    }
                }
                near
            },
        )
        .reduce(
            || vec![false; points.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        )
}

/// [`near_gap_homes`] for many points, such as a city's network nodes: the homes with demand
/// are filed in a grid of cells half the radius across (sorted by cell, 16 bytes a home), and
/// each point looks in the cells within the radius of it until it finds one, since a home would
/// find thousands of nodes within the largest norm where it finds a few dozen grid points.
fn near_gap_homes_by_home(
    points: &[Coord],
    demand: &[Demand],
    homes: &[Coord],
    radius: f64,
) -> Vec<bool> {
    let mut with_demand: Vec<Coord> = Vec::new();
    let mut last = usize::MAX;
    for d in demand {
        if std::mem::replace(&mut last, d.home) != d.home {
            with_demand.push(homes[d.home]);
        }
    }
    if with_demand.is_empty() || radius.is_nan() || radius < 0.0 {
        return vec![false; points.len()];
    }
    if radius == f64::INFINITY {
        return vec![true; points.len()];
    }
    let size = (radius / 2.0).max(1.0);
    let cell = |c: &Coord| ((c.x / size).floor() as i64, (c.y / size).floor() as i64);
    with_demand.par_sort_unstable_by_key(cell);
    let mut cells: std::collections::HashMap<(i64, i64), std::ops::Range<usize>> =
        Default::default();
    let mut start = 0;
    for i in 1..=with_demand.len() {
        if i == with_demand.len() || cell(&with_demand[i]) != cell(&with_demand[start]) {
            cells.insert(cell(&with_demand[start]), start..i);
            start = i;
        }
    }
    // The test of a home, as the nearest home's was: the root of its squared distance.
    let within = |p: &Coord, h: &Coord| {
        let (dx, dy) = (h.x - p.x, h.y - p.y);
        (dx * dx + dy * dy).sqrt() <= radius
    };
    // A cell wholly within the radius answers for any home in it; a cell beyond it for none;
    // only the homes of the cells between are measured. The margins are far above the
    // rounding of a home's cell.
    let (sure, beyond) = (radius * (1.0 - 1e-6), radius * (1.0 + 1e-6) + 1e-6);
    points
        .par_iter()
        .map(|p| {
            let lo = cell(&Coord {
                x: p.x - radius,
                y: p.y - radius,
            });
            let hi = cell(&Coord {
                x: p.x + radius,
                y: p.y + radius,
            });
            let block = || (lo.1..=hi.1).flat_map(|y| (lo.0..=hi.0).map(move |x| (x, y)));
            // The nearest and the farthest distance from `p` to a cell.
            let span = |(x, y): (i64, i64)| {
                let gap = |v: f64, a: f64| (a - v).max(v - (a + size)).max(0.0);
                let far = |v: f64, a: f64| (v - a).abs().max((a + size - v).abs());
                let (ax, ay) = (x as f64 * size, y as f64 * size);
                (
                    gap(p.x, ax).hypot(gap(p.y, ay)),
                    far(p.x, ax).hypot(far(p.y, ay)),
                )
            };
            block().any(|c| cells.contains_key(&c) && span(c).1 <= sure)
                || block().any(|c| {
                    cells.get(&c).is_some_and(|r| {
                        span(c).0 <= beyond && with_demand[r.clone()].iter().any(|h| within(p, h))
                    })
                })
        })
        .collect()
}

/// The assumption of a `[costs]` attribute: how many chosen sites took their cost from it.
fn own_cost_lines(
    settings: &CostSettings,
    key: &str,
    chosen: &[usize],
    own: &[Option<f64>],
) -> Option<Phrase> {
    let (attribute, sentence) = match key {
        "capex" => (settings.capex_attribute.as_ref(), "assume.own_capex"),
        _ => (
            settings.maintenance_attribute.as_ref(),
            "assume.own_maintenance",
        ),
    };
    let given = chosen.iter().filter(|&&c| own[c].is_some()).count();
    Some(
        Phrase::new(sentence)
            .with("attribute", Arg::Text(attribute?.clone()))
            .with("given", Arg::Figure(given as f64))
            .with("chosen", Arg::Figure(chosen.len() as f64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the brute force the index replaces: each point's nearest home with demand, its
    /// distance compared with the radius.
    #[test]
    fn near_gap_homes_is_the_nearest_home_within_radius() {
        // A fixed pseudo-random layout (an LCG): homes and grid points over 1 km square.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 * 1000.0
        };
        let homes: Vec<Coord> = (0..400)
            .map(|_| Coord {
                x: next(),
                y: next(),
            })
            .collect();
        let points: Vec<Coord> = (0..300)
            .map(|_| Coord {
                x: next(),
                y: next(),
            })
            .collect();
        // Every third home has demand, some in two bands (consecutive entries of one home), and
        // a home far from the others lies exactly 50 m (30, 40) from the last point.
        let mut homes = homes;
        homes.push(Coord {
            x: 2000.0,
            y: 2000.0,
        });
        let mut points = points;
        points.push(Coord {
            x: 2030.0,
            y: 2040.0,
        });
        let demand: Vec<Demand> = (0..homes.len())
            .filter(|h| h % 3 == 0 || *h == homes.len() - 1)
            .flat_map(|h| {
                (0..1 + h % 2).map(move |band| Demand {
                    home: h,
                    band,
                    radius: 0.0,
                    children: 1.0,
                })
            })
            .collect();
        let mut counts = Vec::new();
        for radius in [10.0, 50.0, 120.0] {
            let near = near_gap_homes(&points, &demand, &homes, radius);
            // Indexing the homes instead of the points (network nodes) answers alike.
            assert_eq!(
                near,
                near_gap_homes_by_home(&points, &demand, &homes, radius),
                "radius {radius}"
            );
            counts.push(near.iter().filter(|n| **n).count());
            for (p, got) in points.iter().zip(&near) {
                let nearest = demand
                    .iter()
                    .map(|d| (homes[d.home].x - p.x).hypot(homes[d.home].y - p.y))
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(*got, nearest <= radius, "point {p:?}, radius {radius}");
            }
        }
        // Not all alike: the radius decides.
        assert!(
            counts[0] > 0 && counts[0] < counts[1] && counts[1] < counts[2],
            "{counts:?}"
        );
        assert!(near_gap_homes(&points, &demand, &homes, 50.0)[points.len() - 1]);
        assert!(!near_gap_homes(&points, &demand, &homes, 49.999)[points.len() - 1]);
        assert!(near_gap_homes_by_home(&points, &demand, &homes, 50.0)[points.len() - 1]);
        assert!(!near_gap_homes_by_home(&points, &demand, &homes, 49.999)[points.len() - 1]);
    }

    proptest::proptest! {
        /// The grid of homes against a brute force over every home with demand (the nearest
        /// one's squared distance, as the R-tree it replaced measured it), with homes and
        /// points on a lattice (homes exactly at the radius) and off it, radii from 0 up.
        #[test]
        fn near_gap_homes_by_home_is_a_brute_force(
            homes in proptest::collection::vec((-50i32..50, -50i32..50, 0.0..1.0f64), 0..80),
            points in proptest::collection::vec((-60i32..60, -60i32..60, 0.0..1.0f64), 1..40),
            with_demand in proptest::collection::vec(proptest::bool::ANY, 80),
            radius in proptest::sample::select(vec![0.0, 0.5, 3.0, 5.0, 10.0, 37.5, 300.0, f64::INFINITY]),
        ) {
            let at = |&(x, y, w): &(i32, i32, f64)| Coord {
                x: x as f64 * 5.0 + if x % 2 == 0 { 0.0 } else { w },
                y: y as f64 * 5.0,
            };
            let homes: Vec<Coord> = homes.iter().map(at).collect();
            let points: Vec<Coord> = points.iter().map(at).collect();
            let demand: Vec<Demand> = (0..homes.len())
                .filter(|&h| with_demand[h])
                .map(|home| Demand { home, band: 0, radius: 0.0, children: 1.0 })
                .collect();
            let got = near_gap_homes_by_home(&points, &demand, &homes, radius);
            for (p, got) in points.iter().zip(got) {
                let nearest2 = demand
                    .iter()
                    .map(|d| rstar::PointDistance::distance_2(&[homes[d.home].x, homes[d.home].y], &[p.x, p.y]))
                    .fold(f64::INFINITY, f64::min);
                proptest::prop_assert_eq!(got, !demand.is_empty() && nearest2.sqrt() <= radius, "{:?} r {}", p, radius);
            }
        }
    }
}
