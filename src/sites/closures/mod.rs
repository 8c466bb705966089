//! Which amenities of a kind could close with the least loss of covered children
//! (`[closures]`): the reverse of site selection. A child loses coverage when every amenity
//! that serves its band within its band's norm (walked over the network when the study has one,
//! each band on its own barriers) has closed; the children covered today are those coverage
//! counts as within the norm.
//!
//! This module builds the instance from the scene (who is covered today, and by which amenities)
//! and turns the solution into closures with their losses per band and per neighbourhood; the
//! algorithm is in [`solve`], on plain data.

pub mod solve;

use crate::cba::{appraise_closure, ClosureAppraisal};
use crate::equity::priority_weights;
use crate::error::{Error, Result, Warnings};
use crate::layers::attributes;
use crate::reach::network::NetworkReach;
use crate::reach::Distances;
use crate::scene::{assign_neighbourhoods, Scene};
use crate::study::{ClosureTarget, ClosuresSettings};

use super::covers::{covers, Demand};
use solve::{solve, ClosureProblem, Goal};

/// One amenity to close.
#[derive(Debug, Clone)]
pub struct Closure {
    /// 1 = close first.
    pub rank: usize,
    /// The amenity's position among its kind's amenities.
    pub amenity: usize,
    /// The amenity's `[[amenities]] id`.
    pub id: String,
    pub name: String,
    /// Working CRS: the point, or a point inside the polygon.
    pub x: f64,
    pub y: f64,
    /// The neighbourhood the amenity lies in.
    pub neighbourhood: Option<u32>,
    /// Children who lose coverage with this closure, given the closures ranked before it.
    pub children_losing: f64,
    /// The same per norm band of the kind, in norm order.
    pub by_band: Vec<f64>,
    /// `children_losing` summed over this closure and those before it.
    pub cumulative: f64,
    /// The loss the choice weighs: `children_losing`, weighted by deprivation when asked.
    pub weighted_loss: f64,
    /// With a network: the nearest named way within the attach limit.
    pub street: Option<String>,
    /// The upkeep it saves a year: its `[costs] maintenance` attribute, else
    /// `[costs] maintenance_eur_per_year`.
    pub maintenance_eur_per_year: f64,
    /// The upkeep saved against the benefit lost.
    pub appraisal: ClosureAppraisal,
    /// Where the children losing coverage live: per neighbourhood of their homes (`None`
    /// outside every neighbourhood), the children per band; only neighbourhoods with a loss,
    /// in scene order, `None` last.
    pub by_neighbourhood: Vec<(Option<u32>, Vec<f64>)>,
    /// The homes whose children lose coverage with this closure, in home order: the home's
    /// index and its children losing coverage over the bands (the report's closure map).
    pub homes_losing: Vec<(u32, f64)>,
}

/// The closures of a study.
#[derive(Debug, Clone)]
pub struct ClosurePlan {
    pub kind: String,
    /// The upkeep a closure saves a year without its own (`[costs] maintenance_eur_per_year`).
    pub maintenance_eur_per_year: f64,
    /// How the closures' cost-benefit was reckoned, one sentence each.
    pub cost_assumptions: Vec<crate::phrase::Phrase>,
    pub band_labels: Vec<String>,
    pub closures: Vec<Closure>,
    /// Amenities of the kind, and how many of them `keep` holds open.
    pub amenities: usize,
    pub kept: usize,
    pub target: ClosureTarget,
    /// Children within their band's norm of an amenity of the kind today, per band.
    pub covered_by_band: Vec<f64>,
    /// Distances walked over the network (else straight lines).
    pub walked: bool,
    /// Losses weighted by deprivation.
    pub weighted: bool,
}

impl ClosurePlan {
    /// Children covered today, over the bands.
    pub fn covered(&self) -> f64 {
        self.covered_by_band.iter().sum()
    }

    /// Children who lose coverage with all the closures.
    pub fn lost(&self) -> f64 {
        self.closures.last().map_or(0.0, |c| c.cumulative)
    }
}

/// The closures `[closures]` asks for, when it does.
pub fn plan(
    settings: Option<&ClosuresSettings>,
    scene: &Scene,
    distances: &Distances,
    quintile: Option<&[Option<u8>]>,
    network: Option<&NetworkReach>,
) -> Result<Option<ClosurePlan>> {
    let Some(cfg) = settings else {
        return Ok(None);
    };
    let kind_name = &cfg.kind.value;
    // The kind and the ids in `keep` were checked once the layers were loaded.
    let Some(k) = scene.amenities.iter().position(|a| &a.kind == kind_name) else {
        return Ok(None);
    };
    let kind = &scene.amenities[k];
    let norms = &cfg.norms;
    let homes = &scene.homes;
    let upkeep = own_upkeep(cfg, kind)?;

    // Demand: each (home, band) within the band's norm today, as coverage judges it; a home
    // outside every neighbourhood is outside the study, as in its totals and coverage.
    let mut demand = Vec::new();
    let mut covered_by_band = vec![0.0; norms.len()];
    for h in (0..homes.len()).filter(|&h| homes.neighbourhood[h].is_some()) {
        let children = homes.children_of(h);
        for (b, bn) in norms.iter().enumerate() {
            let c = bn.children(children);
            if c > 0.0 && distances.judged(k, b, bn, h) <= bn.metres {
                covered_by_band[b] += c;
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
    let weight: Vec<f64> = demand
        .iter()
        .map(|d| {
            let w = deprivation
                .as_ref()
                .and_then(|p| homes.neighbourhood[d.home].map(|n| p[n as usize]))
                .unwrap_or(1.0);
            d.children * w
        })
        .collect();
    let covers = covers(
        &kind.items,
        &demand,
        &homes.coords,
        network.map(|reach| (reach, &norms[..])),
        |j, b| kind.served.serves(j, b),
    );
    let closable: Vec<bool> = kind
        .items
        .iter()
        .map(|a| !cfg.keep.contains(&a.id))
        .collect();
    let kept = closable.iter().filter(|c| !**c).count();
    let problem = ClosureProblem::new(
        weight.clone(),
        demand.iter().map(|d| d.children).collect(),
        covers,
        closable,
    );
    let covered: f64 = covered_by_band.iter().sum();
    let goal = match cfg.target {
        ClosureTarget::Count(n) => Goal::Count(n),
        ClosureTarget::KeepCoverage(share) => Goal::MaxChildrenLost((1.0 - share) * covered),
    };
    let steps = solve(&problem, goal);

    let anchors: Vec<geo::Coord> = steps
        .iter()
        .map(|s| kind.items[s.amenity].anchor())
        .collect();
    let places = assign_neighbourhoods(&anchors, &scene.neighbourhoods);
    let mut cumulative = 0.0;
    let closures = steps
        .iter()
        .zip(anchors.iter().zip(places))
        .enumerate()
        .map(|(r, (step, (anchor, place)))| {
            let mut by_band = vec![0.0; norms.len()];
            let mut weighted_loss = 0.0;
            let mut by_place: Vec<(Option<u32>, Vec<f64>)> = Vec::new();
            let mut homes_losing: Vec<(u32, f64)> = Vec::new();
            for &i in &step.lost {
                let d = &demand[i as usize];
                by_band[d.band] += d.children;
                // Demand points run home by home, so a home's bands are adjacent.
                match homes_losing.last_mut() {
                    Some(last) if last.0 as usize == d.home => last.1 += d.children,
                    _ => homes_losing.push((d.home as u32, d.children)),
                }
                weighted_loss += weight[i as usize];
                let n = homes.neighbourhood[d.home];
                let at = match by_place.iter().position(|p| p.0 == n) {
                    Some(at) => at,
                    None => {
                        by_place.push((n, vec![0.0; norms.len()]));
                        by_place.len() - 1
                    }
                };
                by_place[at].1[d.band] += d.children;
            }
            by_place.sort_by_key(|p| p.0.map_or(u64::MAX, u64::from));
            let children_losing: f64 = by_band.iter().sum();
            cumulative += children_losing;
            let a = &kind.items[step.amenity];
            let costs = &cfg.costs.costs;
            let maintenance = upkeep[step.amenity].unwrap_or(costs.maintenance_eur_per_year);
            let appraisal = appraise_closure(costs, &by_band, maintenance);
            Closure {
                rank: r + 1,
                amenity: step.amenity,
                id: a.id.clone(),
                name: a.name.clone(),
                x: anchor.x,
                y: anchor.y,
                neighbourhood: place,
                children_losing,
                by_band,
                cumulative,
                weighted_loss,
                street: network
                    .and_then(|r| r.nearest_street(*anchor))
                    .map(String::from),
                maintenance_eur_per_year: maintenance,
                appraisal,
                by_neighbourhood: by_place,
                homes_losing,
            }
        })
        .collect();
    Ok(Some(ClosurePlan {
        kind: kind_name.clone(),
        maintenance_eur_per_year: cfg.costs.costs.maintenance_eur_per_year,
        cost_assumptions: cfg.costs.closure_assumptions(),
        band_labels: norms.iter().map(|b| b.label.clone()).collect(),
        closures,
        amenities: kind.items.len(),
        kept,
        target: cfg.target,
        covered_by_band,
        walked: network.is_some(),
        weighted: deprivation.is_some(),
    }))
}

/// Checks, once the layers are loaded, the upkeep values the closures would save: a value that is
/// no amount is an error naming the feature; an attribute none of the kind's amenities has is
/// only warned about, as it may be the candidates'.
pub fn check_upkeep(
    settings: Option<&ClosuresSettings>,
    scene: &Scene,
    warnings: &Warnings,
) -> Result<()> {
    let Some(cfg) = settings else { return Ok(()) };
    let Some(attribute) = &cfg.costs.maintenance_attribute else {
        return Ok(());
    };
    let Some(kind) = scene.amenities.iter().find(|a| a.kind == cfg.kind.value) else {
        return Ok(());
    };
    if own_upkeep(cfg, kind)?.iter().all(Option::is_none) {
        warnings.push(format!(
            "[costs] maintenance = \"{attribute}\": no {} has a value for this attribute; each closure saves [costs] maintenance_eur_per_year",
            kind.kind
        ));
    }
    Ok(())
}

/// Each amenity's own upkeep from the `[costs] maintenance` attribute (`None`: the default),
/// its share when its feature was split into several amenities.
fn own_upkeep(
    cfg: &ClosuresSettings,
    kind: &crate::scene::AmenityKind,
) -> Result<Vec<Option<f64>>> {
    let Some(attribute) = &cfg.costs.maintenance_attribute else {
        return Ok(vec![None; kind.items.len()]);
    };
    kind.items
        .iter()
        .map(|a| {
            let own = attributes::amount_value(&a.attributes, attribute).map_err(|m| {
                Error::feature(&a.source, a.index, format!("{m} ([costs] maintenance)"))
            })?;
            // The feature's upkeep, once: a MultiPoint's points share it as they share its
            // capacity, so closing them all saves it once, not once per point.
            Ok(own.map(|v| v / a.parts as f64))
        })
        .collect()
}
