//! The flow from the loaded layers to every result. [`load`] reads the files; [`compute`] reads
//! and writes none, draws no progress and applies no memory policy: it tells an [`Observer`]
//! where it is, and the caller decides what to do about it.

use std::time::Instant;

use crate::equity::analysis::{self, Equity, MeetingPlace};
use crate::error::{Error, Result, Warnings};
use crate::measures::catchments::Catchments;
use crate::measures::rasters::{self, RasterColumns, RasterLayer};
use crate::measures::{self, HomeMeasures};
use crate::neighbourhoods::coverage::{study_area_coverage, CoverageRow};
use crate::neighbourhoods::{self, NeighbourhoodFigures};
use crate::output::RunView;
use crate::reach::network::WalkNetwork;
use crate::reach::{self, Distances, NetworkReport};
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
}

/// Reads and checks every layer the study names.
pub fn load(study: &Resolved, warnings: &Warnings) -> Result<Inputs> {
    for w in &study.warnings {
        warnings.push(w.clone());
    }
    let (scene, walk) = scene::build(study, warnings)?;
    check_memory(study, &scene)?;
    let network = walk.map(|w| w.build()).transpose()?;
    let rasters = rasters::read_rasters(&study.rasters)?;
    let candidates = plan::read_candidates(study.sites.as_ref(), &scene, warnings)?;
    Ok(Inputs {
        scene,
        network,
        rasters,
        candidates,
    })
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
    let Inputs {
        scene,
        network: walk_network,
        rasters: raster_layers,
        candidates,
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
    }
    let distances = Distances {
        straight,
        network,
        served,
        nearest,
    };

    observer.begin("measures");
    let norms = &study.norms;
    let mut measures = measures::home_scores(&study.score, norms, &scene, &distances);
    observer.end("scores");
    measures.play_m2_per_child = measures::play_space::play_m2_per_child(
        &study.catchment,
        norms,
        &scene,
        network_reach.as_ref(),
    )?;
    observer.end("e2sfca");
    let focus = study.focus_kind.as_str();
    let mut figures = neighbourhoods::aggregate(norms, focus, &scene, &distances, &measures);
    add_play_area(&study.play_area, &scene, &mut figures, &warnings)?;
    let study_area = neighbourhoods::study_area(norms, focus, &scene, &distances, &measures);
    let coverage = study_area_coverage(norms, &scene, &distances, &study_area);
    observer.end("neighbourhoods");

    observer.begin("equity");
    let equity = analysis::analyse(
        study.equity.as_ref(),
        norms,
        &scene,
        &figures,
        &distances,
        &measures,
    )?;
    let quintile = equity.as_ref().map(|e| e.quintile.as_slice());
    let deprivation_weight = study.priority.deprivation_weight.value;
    analysis::rank_priority(&mut figures, quintile, deprivation_weight);
    observer.end("equity");
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
        &warnings,
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
    let catchments =
        measures::catchments::catchments(norms, &study.focus_kind, &scene, network_reach.as_ref());
    observer.end("catchments");
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
        warnings: warnings.to_vec(),
    })
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
    let base = &settings.base.value;
    let mut missing_base = 0;
    for ((f, nb), area) in figures.iter_mut().zip(&scene.neighbourhoods).zip(areas) {
        f.play_area_m2 = Some(area);
        let base_m2 = if base == "neighbourhood" {
            Some(nb.area_m2)
        } else {
            match crate::layers::attributes::number_value(&nb.props, base) {
                Ok(crate::layers::attributes::Number::Value(v)) => Some(v),
                Ok(_) => {
                    missing_base += 1;
                    None
                }
                Err(m) => {
                    return Err(Error::study(
                        &settings.study_file,
                        format!("[play_area] base: neighbourhood {}: {m}", nb.id),
                    ))
                }
            }
        };
        f.play_area_share = base_m2.filter(|b| *b > 0.0).map(|b| area / b);
    }
    if missing_base > 0 {
        warnings.push(format!(
            "[play_area] base \"{base}\": {missing_base} neighbourhood(s) have no value; their play area share is empty"
        ));
    }
    Ok(())
}
