//! The flow from the loaded layers to every result. [`load`] reads the files; [`compute`] reads
//! and writes none, draws no progress and applies no memory policy: it tells an [`Observer`]
//! where it is, and the caller decides what to do about it.

use std::time::Instant;

use crate::equity::analysis::{self, Equity, IndexFigures, MeetingPlace};
use crate::error::{Error, Result, Warnings};
use crate::measures::catchments::Catchments;
use crate::measures::rasters::{self, RasterColumns, RasterLayer};
use crate::measures::{self, HomeMeasures};
use crate::neighbourhoods::coverage::{study_area_coverage, CoverageRow};
use crate::neighbourhoods::{self, NeighbourhoodFigures};
use crate::output::RunView;
use crate::reach::network::{NetworkReach, WalkNetwork};
use crate::reach::{self, Distances, NetworkReport};
use crate::scenarios::{self, ScenarioChanges, ScenarioOutcome};
use crate::scene::scenarios::ScenarioDelta;
use crate::scene::{self, Scene};
use crate::sites::closures::{self, ClosurePlan};
use crate::sites::plan::{self, SitePlan};
use crate::study::{PlayAreaSettings, Resolved};

/// Hears the stages of a run as they happen (progress display, timings, memory policy).
pub trait Observer {
    /// Work described by `message` (for a person: "network distances") begins.
    fn begin(&mut self, _message: &str) {}
    /// The timed stage `stage` (as named in `run.json`: "network") has ended.
    fn end(&mut self, _stage: &str) {}
}

/// An observer that does nothing (library use).
pub struct Unobserved;

impl Observer for Unobserved {}

/// Seconds per timed stage, measured between an observer's `end` calls.
#[derive(Debug, Clone)]
pub struct Timer {
    start: Instant,
    pub stages: Vec<(String, f64)>,
}

impl Default for Timer {
    fn default() -> Self {
        Timer {
            start: Instant::now(),
            stages: Vec::new(),
        }
    }
}

impl Observer for Timer {
    fn end(&mut self, stage: &str) {
        let now = Instant::now();
        self.stages
            .push((stage.to_string(), (now - self.start).as_secs_f64()));
        self.start = now;
    }
}

/// Every input layer of a study, read.
pub struct Inputs {
    pub scene: Scene,
    /// The walk network of `[network]`.
    pub network: Option<WalkNetwork>,
    /// One per `[[rasters]]` entry, in order.
    pub rasters: Vec<RasterLayer>,
    /// The `[sites] candidates` layer, when the study names one.
    pub candidates: Option<plan::Candidates>,
    /// What each `[[scenarios]]` entry changes, in order.
    pub scenarios: Vec<ScenarioDelta>,
}

/// Reads and checks every layer the study names.
pub fn load(study: &Resolved, warnings: &Warnings) -> Result<Inputs> {
    for w in &study.warnings {
        warnings.push(w.clone());
    }
    let scene::Loaded {
        mut scene,
        walk,
        scenarios,
    } = scene::build(study, warnings)?;
    check_memory(study, &scene)?;
    let network = walk.map(|w| w.build()).transpose()?;
    if let (Some(net), Some(cfg)) = (&network, &study.network) {
        check_barriers(study, net, &cfg.barriers)?;
    }
    let rasters = rasters::read_rasters(&study.rasters)?;
    let candidates = plan::read_candidates(study.sites.as_ref(), &scene, warnings)?;
    record_inputs(study, &mut scene, &rasters, candidates.as_ref())?;
    closures::check_upkeep(study.closures.as_ref(), &scene, warnings)?;
    // The equity and play area stages read their neighbourhood attributes only after every
    // measure: read here too, so that `check` stops on a bad value as `run` does.
    if let Some(cfg) = &study.equity {
        if let Some(w) = analysis::check_values(cfg, &scene)? {
            warnings.push(w);
        }
    }
    if study.play_area.kind.is_some() {
        play_area_bases(&study.play_area, &scene)?;
    }
    Ok(Inputs {
        scene,
        network,
        rasters,
        candidates,
        scenarios,
    })
}

/// Refuses a `[network.barriers]` class that is neither an OSM highway value nor a class of the
/// network's ways: a typo would otherwise remove the barrier without a word. A known class the
/// network lacks is no error and no warning: the usual lists (DESIGN.md's) name motorways and
/// trunks for every town, and a warning would then stand in most reports for nothing wrong.
fn check_barriers(
    study: &Resolved,
    net: &WalkNetwork,
    band_barriers: &[Vec<String>],
) -> Result<()> {
    for (band, classes) in study.norms.reach_bands.iter().zip(band_barriers) {
        for c in classes {
            if reach::network::is_osm_highway(c) || net.classes().iter().any(|n| n == c) {
                continue;
            }
            let lower = c.to_lowercase();
            let mut near: Vec<&str> = reach::network::osm_highway_values()
                .iter()
                .copied()
                .chain(net.classes().iter().map(String::as_str))
                .filter(|v| {
                    let v = v.to_lowercase();
                    v.contains(&lower)
                        || lower.contains(&v)
                        || crate::layers::edit_distance(&v, &lower) <= 2
                })
                .collect();
            near.sort_unstable();
            near.dedup();
            let hint = if near.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = near.iter().map(|n| format!("\"{n}\"")).collect();
                format!(" Did you mean {}?", names.join(" or "))
            };
            let mut found: Vec<&str> = net.classes().iter().map(String::as_str).collect();
            found.sort_unstable();
            return Err(Error::study(
                &study.path,
                format!(
                    "[network.barriers] \"{band}\": \"{c}\" is no OSM highway class and no way of the network has it, so it would bar nothing. Classes in the network: {}.{hint}",
                    found.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Adds the files read beside the scene's layers (the neighbourhoods' tables, the rasters, the
/// `[sites] candidates`) to the scene's inputs, so that `run.json` traces every file a result
/// comes from. A file already recorded (read for two roles) is recorded once.
fn record_inputs(
    study: &Resolved,
    scene: &mut Scene,
    rasters: &[RasterLayer],
    candidates: Option<&plan::Candidates>,
) -> Result<()> {
    let mut more: Vec<(String, &std::path::Path, String, usize)> = Vec::new();
    for t in &study.neighbourhood_attributes.tables {
        more.push(("table: neighbourhoods".into(), &t.path, String::new(), 0));
    }
    for ((entry, path), layer) in study.rasters.entries.iter().zip(rasters) {
        let crs = layer.crs.to_string();
        more.push((format!("raster: {}", entry.kind), path, crs, 0));
    }
    if let (Some(layer), Some(c)) = (
        study.sites.as_ref().and_then(|s| s.candidates.as_ref()),
        candidates,
    ) {
        let (crs, features) = (c.layer_crs.clone(), c.layer_features);
        more.push(("candidates".into(), &layer.path, crs, features));
    }
    for (role, path, crs, features) in more {
        if scene.inputs.iter().any(|i| i.path == path) {
            continue;
        }
        scene
            .inputs
            .push(scene::describe_input(&role, path, &crs, features)?);
    }
    Ok(())
}

/// Refuses, before the work, a study whose homes or catchment pairs would not fit in memory.
fn check_memory(study: &Resolved, scene: &Scene) -> Result<()> {
    crate::memory::check_homes(scene.homes.len())
        .map_err(|m| Error::study(&study.path, format!("[homes]: {m}")))?;
    if let Some(e) =
        crate::measures::play_space::pair_estimate(&study.catchment, &study.norms, scene)
    {
        let what = format!(
            "the catchment of {} m reaches about {:.0} {} facilities per home; its pairs",
            e.radius_m, e.pairs_per_home, e.kind
        );
        crate::memory::check_fits(&what, e.bytes_in_flight).map_err(|m| {
            Error::study(
                &study.path,
                format!(
                    "[norms] {}: {m}; a smaller norm, or fewer --threads, needs less",
                    e.kind
                ),
            )
        })?;
    }
    Ok(())
}

/// Everything a run computed.
pub struct Results {
    pub scene: Scene,
    pub distances: Distances,
    /// The walking network's statistics, with a `[network]`.
    pub network: Option<NetworkReport>,
    pub measures: HomeMeasures,
    /// Per neighbourhood, in scene order (with priority ranks).
    pub figures: Vec<NeighbourhoodFigures>,
    pub study_area: NeighbourhoodFigures,
    /// The study area's coverage per kind and band.
    pub coverage: Vec<CoverageRow>,
    pub equity: Option<Equity>,
    pub meeting_places: Vec<MeetingPlace>,
    /// Per home, the best meeting mix within reach (with `[equity]`).
    pub best_meeting_mix: Option<Vec<f64>>,
    pub sites: Option<SitePlan>,
    pub closures: Option<ClosurePlan>,
    /// The focus kind's catchments per amenity and band.
    pub catchments: Option<Catchments>,
    pub rasters: RasterColumns,
    /// One per `[[scenarios]]` entry, in order.
    pub scenarios: Vec<ScenarioOutcome>,
    pub warnings: Vec<String>,
}

impl Results {
    /// The results as the outputs read them.
    pub fn view<'a>(&'a self, study: &'a Resolved) -> RunView<'a> {
        RunView {
            study,
            scene: &self.scene,
            distances: &self.distances,
            measures: &self.measures,
            figures: &self.figures,
            study_area: &self.study_area,
            coverage: &self.coverage,
            equity: self.equity.as_ref(),
            meeting_places: &self.meeting_places,
            best_meeting_mix: self.best_meeting_mix.as_deref(),
            sites: self.sites.as_ref(),
            closures: self.closures.as_ref(),
            catchments: self.catchments.as_ref(),
            rasters: &self.rasters,
            network: self.network.as_ref(),
            scenarios: &self.scenarios,
            warnings: &self.warnings,
        }
    }
}

/// Computes every result of the study from its loaded inputs.
pub fn compute(
    study: &Resolved,
    inputs: Inputs,
    warnings: Warnings,
    observer: &mut dyn Observer,
) -> Result<Results> {
    compute_with(study, inputs, &warnings, observer).map_err(|e| e.after_warnings(&warnings))
}

fn compute_with(
    study: &Resolved,
    inputs: Inputs,
    warnings: &Warnings,
    observer: &mut dyn Observer,
) -> Result<Results> {
    let Inputs {
        scene,
        network: walk_network,
        rasters: raster_layers,
        candidates,
        scenarios: deltas,
    } = inputs;
    observer.begin("straight-line distances");
    let (straight, straight_nearest) = reach::straight_nearest(&scene);
    observer.end("straight_line");
    observer.begin("network distances");
    let (network, network_nearest, network_report, network_reach) = match reach::network_distances(
        study.network.as_ref(),
        &scene,
        walk_network.as_ref(),
        &straight,
    )? {
        Some(r) => (
            Some(r.distances),
            Some(r.nearest),
            Some(r.report),
            Some(r.reach),
        ),
        None => (None, None, None, None),
    };
    let nearest = reach::nearest_amenities(
        &straight,
        straight_nearest,
        network.as_ref().zip(network_nearest.as_deref()),
    );
    drop(network_nearest);
    let served = reach::served_distances(&study.norms, &scene, network_reach.as_ref())?;
    if let Some(r) = &network_report {
        observer.end("network");
        if r.attach.homes_not_attached > 0 {
            warnings.push(format!(
                "network: {} of {} homes are farther than the attach limit from any walkable way; they have no network distance",
                r.attach.homes_not_attached,
                scene.homes.len()
            ));
        }
        let limit = study
            .network
            .as_ref()
            .map_or(0.0, |n| n.attach_limit_m.value);
        for (kind, stats) in scene.amenities.iter().zip(&r.attach.kinds) {
            let what = format!("{} amenities", kind.kind);
            for w in reach::unattached_warnings(&what, &kind.items, &stats.unattached, limit) {
                warnings.push(w);
            }
        }
    }
    let distances = Distances {
        straight,
        network,
        served,
        nearest,
    };

    observer.begin("measures");
    // What E2SFCA's step 1 counts (in a straight line) or draws (over the network) on its way,
    // for the catchments.
    let mut children_within = None;
    let mut drawn = None;
    let Assessment {
        measures,
        mut figures,
        study_area,
        coverage,
        equity,
    } = assess(
        study,
        &scene,
        &distances,
        || {
            let play = measures::play_space::play_space(
                &study.catchment,
                &study.norms,
                &scene,
                network_reach.as_ref(),
                study.catchment.kind.value == study.focus_kind,
            )?;
            Ok(play.map(|p| {
                children_within = p.children_within;
                drawn = p.catchments;
                p.per_home
            }))
        },
        None,
        warnings,
        observer,
    )?;
    let quintile = equity.as_ref().map(|e| e.quintile.as_slice());
    let deprivation_weight = study.priority.deprivation_weight.value;
    analysis::rank_priority(&mut figures, quintile, deprivation_weight);
    observer.end("equity");
    let norms = &study.norms;
    let (meeting_places, best_meeting_mix) = match quintile {
        Some(q) => {
            let (places, best) = analysis::meeting_places(norms, &scene, q, network_reach.as_ref());
            (places, Some(best))
        }
        None => (Vec::new(), None),
    };
    observer.end("meeting_places");

    observer.begin("choosing sites");
    let sites = plan::plan(
        study.sites.as_ref(),
        &scene,
        &distances,
        quintile,
        candidates,
        network_reach.as_ref(),
        warnings,
    )?;
    observer.end("sites");
    let closures = match &study.closures {
        Some(cfg) => {
            observer.begin("choosing closures");
            let c = closures::plan(
                Some(cfg),
                &scene,
                &distances,
                quintile,
                network_reach.as_ref(),
            )?;
            observer.end("closures");
            c
        }
        None => None,
    };
    observer.begin("catchments");
    let catchments = measures::catchments::catchments_counted(
        norms,
        &study.focus_kind,
        &scene,
        network_reach.as_ref(),
        children_within.as_ref(),
        drawn,
    );
    drop(children_within);
    observer.end("catchments");
    let scenarios = if deltas.is_empty() {
        Vec::new()
    } else {
        observer.begin("scenarios");
        let base = Base {
            scene: &scene,
            distances: &distances,
            play_m2_per_child: measures.play_m2_per_child.as_deref(),
            figures: &figures,
            study_area: &study_area,
            indices: equity.as_ref().map(|e| e.indices.as_slice()),
        };
        let outcomes = run_scenarios(study, &base, &deltas, network_reach.as_ref())?;
        observer.end("scenarios");
        outcomes
    };
    drop(network_reach);
    drop(walk_network);

    observer.begin("rasters");
    let rasters = rasters::raster_columns(&study.rasters, &scene, &raster_layers)?;
    drop(raster_layers);
    if !study.rasters.entries.is_empty() {
        observer.end("rasters");
    }
    Ok(Results {
        scene,
        distances,
        network: network_report,
        measures,
        figures,
        study_area,
        coverage,
        equity,
        meeting_places,
        best_meeting_mix,
        sites,
        closures,
        catchments,
        rasters,
        scenarios,
        warnings: warnings.to_vec(),
    })
}

/// What the stages from the distances to the equity indices give: the part of a run that the
/// base study and every scenario compute alike (a scenario only what `scenarios.csv` compares).
struct Assessment {
    measures: HomeMeasures,
    /// Per neighbourhood, in scene order (not yet ranked).
    figures: Vec<NeighbourhoodFigures>,
    study_area: NeighbourhoodFigures,
    coverage: Vec<CoverageRow>,
    equity: Option<Equity>,
}

/// Scores, play space per child (`play_space` computes or reuses it), the figures per
/// neighbourhood and of the study area, and equity, of `scene` measured by `distances`.
///
/// `measured` names the kinds a scenario changed: only their figures and equity indices are
/// computed (the others' stay empty), and neither the play area, the study area's coverage
/// per band nor the quintiles, which `scenarios.csv` does not compare. `None`: everything.
fn assess(
    study: &Resolved,
    scene: &Scene,
    distances: &Distances,
    play_space: impl FnOnce() -> Result<Option<Vec<f64>>>,
    measured: Option<&[usize]>,
    warnings: &Warnings,
    observer: &mut dyn Observer,
) -> Result<Assessment> {
    let norms = &study.norms;
    let mut measures = measures::home_scores(&study.score, norms, scene, distances);
    observer.end("scores");
    measures.play_m2_per_child = play_space()?;
    observer.end("e2sfca");
    let focus = study.focus_kind.as_str();
    // The study area's figures are one group of every home: side by side with the
    // neighbourhoods', so that its selections over all homes leave no core idle.
    let (mut figures, study_area) = rayon::join(
        || neighbourhoods::aggregate(norms, focus, scene, distances, &measures, measured),
        || neighbourhoods::study_area(norms, focus, scene, distances, &measures, measured),
    );
    let coverage = match measured {
        None => {
            add_play_area(&study.play_area, scene, &mut figures, warnings)?;
            study_area_coverage(norms, scene, distances, &study_area)
        }
        Some(_) => Vec::new(),
    };
    observer.end("neighbourhoods");

    observer.begin("equity");
    let equity = match measured {
        None => analysis::analyse(
            study.equity.as_ref(),
            norms,
            scene,
            &figures,
            distances,
            &measures,
        )?,
        Some(kinds) => analysis::indices(
            study.equity.as_ref(),
            norms,
            scene,
            distances,
            &measures,
            kinds,
        )?
        .map(|indices| Equity {
            indices,
            ..Default::default()
        }),
    };
    Ok(Assessment {
        measures,
        figures,
        study_area,
        coverage,
        equity,
    })
}

/// The base study's results a scenario starts from.
struct Base<'a> {
    scene: &'a Scene,
    distances: &'a Distances,
    play_m2_per_child: Option<&'a [f64]>,
    figures: &'a [NeighbourhoodFigures],
    study_area: &'a NeighbourhoodFigures,
    indices: Option<&'a [IndexFigures]>,
}

/// Homes below which scenarios run side by side: each holds its own per-home distances and
/// measures (about 100 bytes a home with a network), and every stage inside a scenario already
/// keeps the cores busy at a city's size.
const PARALLEL_SCENARIOS_BELOW_HOMES: usize = 100_000;

/// Measures every scenario against the base study, on the loaded scene and network.
fn run_scenarios(
    study: &Resolved,
    base: &Base,
    deltas: &[ScenarioDelta],
    reach: Option<&NetworkReach>,
) -> Result<Vec<ScenarioOutcome>> {
    use rayon::prelude::*;
    if base.scene.homes.len() < PARALLEL_SCENARIOS_BELOW_HOMES {
        deltas
            .par_iter()
            .map(|d| run_scenario(study, base, d, reach))
            .collect()
    } else {
        deltas
            .iter()
            .map(|d| run_scenario(study, base, d, reach))
            .collect()
    }
}

/// [`measure_scenario`], its errors naming the scenario.
fn run_scenario(
    study: &Resolved,
    base: &Base,
    delta: &ScenarioDelta,
    reach: Option<&NetworkReach>,
) -> Result<ScenarioOutcome> {
    measure_scenario(study, base, delta, reach)
        .map_err(|e| e.within(&format!("[[scenarios]] \"{}\"", delta.name)))
}

/// One scenario: its scene shares the base's homes and neighbourhoods; only the kinds it
/// changes are searched again, and play space per child only when it changes the catchment's
/// kind; the neighbourhood figures and equity follow as for the base study.
fn measure_scenario(
    study: &Resolved,
    base: &Base,
    delta: &ScenarioDelta,
    reach: Option<&NetworkReach>,
) -> Result<ScenarioOutcome> {
    let scene = delta.apply(base.scene);
    let changed: Vec<usize> = delta.kinds.iter().map(|(k, _)| *k).collect();
    let distances =
        reach::changed_distances(&study.norms, &scene, base.distances, &changed, reach)?;
    let catchment_changed = scene
        .amenities
        .iter()
        .position(|k| k.kind == study.catchment.kind.value)
        .is_some_and(|k| delta.changes(k));
    let play_space = || match catchment_changed {
        true => {
            measures::play_space::play_m2_per_child(&study.catchment, &study.norms, &scene, reach)
        }
        false => Ok(base.play_m2_per_child.map(<[f64]>::to_vec)),
    };
    // The base study has said everything these stages warn about.
    let assessed = assess(
        study,
        &scene,
        &distances,
        play_space,
        Some(&changed),
        &Warnings::new(),
        &mut Unobserved,
    )?;
    // The kinds the scenario leaves alone measure as in the base study.
    let unchanged = |k: &usize| !changed.contains(k);
    let mut figures = assessed.figures;
    let mut study_area = assessed.study_area;
    for (f, b) in figures
        .iter_mut()
        .chain([&mut study_area])
        .zip(base.figures.iter().chain([base.study_area]))
    {
        for k in (0..f.kinds.len()).filter(unchanged) {
            f.kinds[k] = b.kinds[k].clone();
        }
    }
    let indices = assessed.equity.map(|e| {
        let mut indices = e.indices;
        for (i, b) in indices.iter_mut().zip(base.indices.unwrap_or_default()) {
            for k in (0..i.coverage.len()).filter(unchanged) {
                i.coverage[k] = b.coverage[k];
            }
        }
        indices
    });
    let focus = scene
        .amenities
        .iter()
        .position(|a| a.kind == study.focus_kind);
    let mapped = focus
        .filter(|k| delta.changes(*k))
        .or_else(|| changed.first().copied());
    let homes = mapped.map_or_else(Vec::new, |k| {
        scenarios::home_changes(&study.norms, &scene, base.distances, &distances, k)
    });
    Ok(ScenarioOutcome {
        name: delta.name.clone(),
        removed: delta.removed,
        added: delta.added,
        figures,
        study_area,
        indices,
        changes: ScenarioChanges {
            kind: mapped.filter(|k| study.norms.get(&scene.amenities[*k].kind).is_some()),
            removed: delta.removed_items.clone(),
            added: delta.added_items.clone(),
            homes,
        },
    })
}

/// `[play_area] base` of every neighbourhood in m2: its own area, or the attribute the study
/// names (`None` where it has no value). A text that is no number is an error.
fn play_area_bases(settings: &PlayAreaSettings, scene: &Scene) -> Result<Vec<Option<f64>>> {
    let base = &settings.base.value;
    scene
        .neighbourhoods
        .iter()
        .map(|nb| {
            if base == "neighbourhood" {
                return Ok(Some(nb.area_m2));
            }
            match crate::layers::attributes::number_value(&nb.props, base) {
                Ok(crate::layers::attributes::Number::Value(v)) => Ok(Some(v)),
                Ok(_) => Ok(None),
                Err(m) => Err(Error::study(
                    &settings.study_file,
                    format!("[play_area] base: neighbourhood {}: {m}", nb.id),
                )),
            }
        })
        .collect()
}

/// Play area and its share of the base area, per neighbourhood.
fn add_play_area(
    settings: &PlayAreaSettings,
    scene: &Scene,
    figures: &mut [NeighbourhoodFigures],
    warnings: &Warnings,
) -> Result<()> {
    let Some(kind) = settings.kind.as_ref().and_then(|k| scene.kind(&k.value)) else {
        return Ok(());
    };
    let areas = measures::play_area::play_area(&scene.neighbourhoods, &kind.items);
    let bases = play_area_bases(settings, scene)?;
    let (mut missing_base, mut not_positive) = (0, 0);
    for ((f, base_m2), area) in figures.iter_mut().zip(bases).zip(areas) {
        f.play_area_m2 = Some(area);
        missing_base += usize::from(base_m2.is_none());
        not_positive += usize::from(base_m2.is_some_and(|b| b <= 0.0));
        f.play_area_share = base_m2.filter(|b| *b > 0.0).map(|b| area / b);
    }
    let base = &settings.base.value;
    if missing_base > 0 {
        warnings.push(format!(
            "[play_area] base \"{base}\": {missing_base} neighbourhood(s) have no value; their play area share is empty"
        ));
    }
    if not_positive > 0 {
        warnings.push(format!(
            "[play_area] base \"{base}\": {not_positive} neighbourhood(s) have a base area of 0 m2 or less; their play area share is empty"
        ));
    }
    Ok(())
}
