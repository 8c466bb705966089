//! Equity for a study: neighbourhoods by quintile of chances, coverage and score per quintile,
//! the inequality indices, double disadvantage, deprivation-weighted priority and the meeting mix
//! of places where children of different backgrounds can meet.

use rayon::prelude::*;

use super::concentration::concentration_index_ranked;
use super::inequality::palma_ratio_ranked;
use super::weighted::{usable_units, ChanceRanking};
use super::{chances, gini, mix, priority_weights, quintiles, ConcentrationType};
use crate::error::{Error, Result};
use crate::layers::attributes::{self, Number};
use crate::measures::HomeMeasures;
use crate::neighbourhoods::NeighbourhoodFigures;
use crate::reach::network::NetworkReach;
use crate::reach::straight::{chunks_in_order, AmenityIndex};
use crate::reach::Distances;
use crate::scene::{Amenity, Scene};
use crate::study::{BandNorm, EquitySettings, Norms};

/// The kinds where children meet, in the order they are listed.
pub const MEETING_KINDS: [&str; 3] = ["library", "community_centre", "playground"];

/// Homes per parallel work unit.
const CHUNK: usize = 4096;

/// What the equity stage found.
#[derive(Debug, Clone, Default)]
pub struct Equity {
    /// The `[equity] by` value of each neighbourhood.
    pub value: Vec<Option<f64>>,
    /// Quintile of chances per neighbourhood (1 = fewest chances).
    pub quintile: Vec<Option<u8>>,
    /// Quintile of the score per neighbourhood (1 = lowest score).
    pub score_quintile: Vec<Option<u8>>,
    pub double_disadvantage: Vec<bool>,
    /// Quintiles 1..=5 of chances, in order.
    pub by_quintile: Vec<QuintileFigures>,
    /// Each inequality index, in the order of [`InequalityIndex::ALL`].
    pub indices: Vec<IndexFigures>,
}

impl Equity {
    /// Neighbourhoods in the bottom quintile of both chances and score, in scene order.
    pub fn doubly_disadvantaged(&self) -> Vec<usize> {
        (0..self.double_disadvantage.len())
            .filter(|&i| self.double_disadvantage[i])
            .collect()
    }
}

/// One quintile of chances: its neighbourhoods, children and children-weighted outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct QuintileFigures {
    /// 1 = fewest chances.
    pub quintile: u8,
    pub neighbourhoods: usize,
    pub children: f64,
    pub score: Option<f64>,
    /// Share of the quintile's children within their norm, per kind in scene order.
    pub coverage: Vec<Option<f64>>,
}

/// The inequality indices `equity.csv` and the report state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InequalityIndex {
    Concentration,
    ConcentrationErreygers,
    Palma,
    Gini,
}

impl InequalityIndex {
    pub const ALL: [InequalityIndex; 4] = [
        InequalityIndex::Concentration,
        InequalityIndex::ConcentrationErreygers,
        InequalityIndex::Palma,
        InequalityIndex::Gini,
    ];

    /// The name `equity.csv` gives the index.
    pub fn key(self) -> &'static str {
        match self {
            InequalityIndex::Concentration => "concentration_index",
            InequalityIndex::ConcentrationErreygers => "concentration_index_erreygers",
            InequalityIndex::Palma => "palma_ratio",
            InequalityIndex::Gini => "gini",
        }
    }
}

/// One inequality index of the score and of every kind's coverage (None where undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFigures {
    pub index: InequalityIndex,
    pub score: Option<f64>,
    /// Per kind in scene order.
    pub coverage: Vec<Option<f64>>,
}

/// Share of a home's children within their band's norm for one kind (network when given).
fn home_coverage(
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
    k: usize,
    h: usize,
) -> Option<f64> {
    let children = scene.homes.children_of(h);
    let (mut covered, mut total) = (0.0, 0.0);
    for (b, bn) in norms.kinds[&scene.amenities[k].kind]
        .bands
        .iter()
        .enumerate()
    {
        let c = bn.children(children);
        total += c;
        if distances.judged(k, b, bn, h) <= bn.metres {
            covered += c;
        }
    }
    (total > 0.0).then(|| covered / total)
}

/// Runs the equity stage when the study has `[equity]`. The attribute is known to exist: loading
/// checked it (`scene::build`).
pub fn analyse(
    settings: Option<&EquitySettings>,
    norms: &Norms,
    scene: &Scene,
    figures: &[NeighbourhoodFigures],
    distances: &Distances,
    measures: &HomeMeasures,
) -> Result<Option<Equity>> {
    let Some(cfg) = settings else {
        return Ok(None);
    };
    let value = values(cfg, scene)?;
    let given = given_quintiles(cfg, scene)?;
    let children: Vec<f64> = figures.iter().map(|f| f.children).collect();
    let scores: Vec<Option<f64>> = figures.iter().map(|f| f.score).collect();
    let homes = HomeOutcomes::of(norms, scene, distances, measures, None);
    Ok(Some(equity_of(
        value,
        given,
        &children,
        &scores,
        cfg.higher_is_worse.value,
        &homes,
    )))
}

/// Equity from the per-neighbourhood `value`, children and scores and the per-home outcomes:
/// what a run computes from its scene and `kindscape merge` from the regions' figures.
/// `given`: the quintiles of chances of `[equity] quintile`, else computed from `value`.
pub fn equity_of(
    value: Vec<Option<f64>>,
    given: Option<Vec<Option<u8>>>,
    children: &[f64],
    scores: &[Option<f64>],
    higher_is_worse: bool,
    homes: &HomeOutcomes,
) -> Equity {
    let quintile = given.unwrap_or_else(|| quintiles(&value, children, higher_is_worse));
    let score_quintile = quintiles(scores, children, false);
    // A neighbourhood without children is no place where children have the fewest chances
    // and the least: its score quintile says nothing about any child.
    let double_disadvantage = quintile
        .iter()
        .zip(&score_quintile)
        .zip(children)
        .map(|((a, b), &c)| *a == Some(1) && *b == Some(1) && c > 0.0)
        .collect();
    let by_quintile = quintile_figures(homes, &quintile);
    let indices = index_figures(homes, &value, higher_is_worse);
    Equity {
        value,
        quintile,
        score_quintile,
        double_disadvantage,
        by_quintile,
        indices,
    }
}

/// The quintile of chances of every neighbourhood, from `value` and the children per
/// neighbourhood (the weights a run gives them): what `kindscape split` hands each region.
pub fn chance_quintiles(
    cfg: &EquitySettings,
    scene: &Scene,
    children: &[f64],
) -> Result<Vec<Option<u8>>> {
    let value = values(cfg, scene)?;
    Ok(quintiles(&value, children, cfg.higher_is_worse.value))
}

/// What the equity figures weigh per home, in home order.
#[derive(Debug, Clone, Default)]
pub struct HomeOutcomes {
    /// The home's neighbourhood (index), as in [`crate::scene::Homes`].
    pub neighbourhood: Vec<Option<u32>>,
    /// Children of all bands.
    pub children: Vec<f64>,
    pub score: Vec<f64>,
    /// `[kind][home]`: the share of the home's children within their norm (NaN where the home
    /// has no children the kind's norms count); empty for a kind not measured.
    pub coverage: Vec<Vec<f64>>,
}

impl HomeOutcomes {
    /// The outcomes of every home of `scene`; the coverage of the kinds `measured` names
    /// (`None`: every kind).
    pub fn of(
        norms: &Norms,
        scene: &Scene,
        distances: &Distances,
        measures: &HomeMeasures,
        measured: Option<&[usize]>,
    ) -> HomeOutcomes {
        let homes = &scene.homes;
        HomeOutcomes {
            neighbourhood: homes.neighbourhood.clone(),
            children: (0..homes.len()).map(|h| homes.total_children(h)).collect(),
            score: measures.score.clone(),
            coverage: (0..scene.amenities.len())
                .map(|k| match measured.is_none_or(|m| m.contains(&k)) {
                    true => (0..homes.len())
                        .into_par_iter()
                        .map(|h| home_coverage(norms, scene, distances, k, h).unwrap_or(f64::NAN))
                        .collect(),
                    false => Vec::new(),
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.children.len()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// The `[equity] by` value of each neighbourhood (none where missing or suppressed).
fn values(cfg: &EquitySettings, scene: &Scene) -> Result<Vec<Option<f64>>> {
    let nb_path = &cfg.neighbourhoods_path;
    let mut value = Vec::with_capacity(scene.neighbourhoods.len());
    for nb in scene.neighbourhoods.iter() {
        value.push(match attributes::number_value(&nb.props, &cfg.by) {
            Ok(Number::Value(v)) => Some(v),
            Ok(Number::Suppressed(_)) | Ok(Number::Missing) => None,
            Err(m) => {
                return Err(Error::layer(
                    nb_path,
                    format!("neighbourhood {}: {m}", nb.id),
                ))
            }
        });
    }
    Ok(value)
}

/// Children as a person counts them: whole unless estimates or shares made a fraction.
fn children_count(c: f64) -> String {
    if c.fract() == 0.0 {
        format!("{c:.0}")
    } else {
        format!("{c:.1}")
    }
}

/// A warning naming the neighbourhoods without an `[equity] by` value (missing or suppressed):
/// they fall out of every quintile and index, which the figures cannot show by themselves.
fn missing_values_warning(
    cfg: &EquitySettings,
    value: &[Option<f64>],
    scene: &Scene,
) -> Result<Option<String>> {
    let missing: Vec<usize> = (0..value.len()).filter(|n| value[*n].is_none()).collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let homes = &scene.homes;
    let (mut held, mut total) = (0.0, 0.0);
    for h in 0..homes.len() {
        let Some(n) = homes.neighbourhood[h] else {
            continue;
        };
        let c = homes.total_children(h);
        total += c;
        if value[n as usize].is_none() {
            held += c;
        }
    }
    const SHOWN: usize = 5;
    let mut ids: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|n| format!("\"{}\"", scene.neighbourhoods[*n].id))
        .collect();
    if missing.len() > SHOWN {
        ids.push(format!("and {} more", missing.len() - SHOWN));
    }
    Ok(Some(format!(
        "neighbourhoods ({}): [equity] by \"{}\": {} of {} neighbourhood(s) have no value (missing or suppressed): {}; their homes hold {} of the {} children in neighbourhoods, left out of the equity quintiles and indices",
        cfg.neighbourhoods_path.display(),
        cfg.by,
        missing.len(),
        value.len(),
        ids.join(", "),
        children_count(held),
        children_count(total),
    )))
}

/// The inequality indices alone, as [`analyse`] gives them, of the score and of the coverage of
/// the kinds `measured` names (by position in the scene); the other kinds' are `None`. What a
/// scenario compares: it changes only some kinds.
pub fn indices(
    settings: Option<&EquitySettings>,
    norms: &Norms,
    scene: &Scene,
    distances: &Distances,
    measures: &HomeMeasures,
    measured: &[usize],
) -> Result<Option<Vec<IndexFigures>>> {
    let Some(cfg) = settings else {
        return Ok(None);
    };
    let value = values(cfg, scene)?;
    let homes = HomeOutcomes::of(norms, scene, distances, measures, Some(measured));
    Ok(Some(index_figures(
        &homes,
        &value,
        cfg.higher_is_worse.value,
    )))
}

/// Reads `[equity] by` and `[equity] quintile` of every neighbourhood as the equity stage will,
/// for the load: the stage runs only after every measure, and `check` must stop on a value that
/// is no number as `run` does. Gives the warning for neighbourhoods without a value.
pub fn check_values(cfg: &EquitySettings, scene: &Scene) -> Result<Option<String>> {
    given_quintiles(cfg, scene)?;
    missing_values_warning(cfg, &values(cfg, scene)?, scene)
}

/// The `[equity] quintile` attribute of every neighbourhood, when the study names one.
pub(crate) fn given_quintiles(
    cfg: &EquitySettings,
    scene: &Scene,
) -> Result<Option<Vec<Option<u8>>>> {
    let Some(attr) = &cfg.quintile else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(scene.neighbourhoods.len());
    for nb in scene.neighbourhoods.iter() {
        let bad = |what: String| {
            Error::layer(
                &cfg.neighbourhoods_path,
                format!(
                    "neighbourhood {}: [equity] quintile \"{attr}\": {what}",
                    nb.id
                ),
            )
        };
        out.push(
            match attributes::number_value(&nb.props, attr).map_err(bad)? {
                Number::Value(v) if (1.0..=5.0).contains(&v) && v.fract() == 0.0 => Some(v as u8),
                Number::Value(v) | Number::Suppressed(v) => {
                    return Err(bad(format!("{v} is not a quintile (1 to 5)")))
                }
                // Only an empty value means none: the markers CBS writes for a missing count
                // (`x`, `.`, `-`) are no quintile, and docs/STUDY.md calls any other value an
                // error.
                Number::Missing => match attributes::text_value(&nb.props, attr).trim() {
                    "" => None,
                    text => {
                        return Err(bad(format!(
                            "\"{text}\" is not a quintile (1 to 5; leave it empty for none)"
                        )))
                    }
                },
            },
        );
    }
    Ok(Some(out))
}

/// Children, score and coverage of each quintile of chances, over the homes of its
/// neighbourhoods (children-weighted means).
fn quintile_figures(homes: &HomeOutcomes, quintile: &[Option<u8>]) -> Vec<QuintileFigures> {
    (1..=5u8)
        .map(|q| {
            let members: Vec<usize> = (0..homes.len())
                .filter(|h| {
                    homes.neighbourhood[*h].is_some_and(|n| quintile[n as usize] == Some(q))
                })
                .collect();
            // `skip_nan`: NaN marks a home without a value (coverage); a score is always one.
            let mean = |values: &[f64], skip_nan: bool| -> Option<f64> {
                let (mut s, mut w) = (0.0, 0.0);
                for &h in &members {
                    if !(skip_nan && values[h].is_nan()) {
                        let c = homes.children[h];
                        s += values[h] * c;
                        w += c;
                    }
                }
                (w > 0.0).then(|| s / w)
            };
            QuintileFigures {
                quintile: q,
                neighbourhoods: quintile.iter().filter(|x| **x == Some(q)).count(),
                children: members.iter().map(|h| homes.children[*h]).sum(),
                score: mean(&homes.score, false),
                coverage: homes.coverage.iter().map(|c| mean(c, true)).collect(),
            }
        })
        .collect()
}

/// The inequality indices over children (homes in a neighbourhood with a value), each of the
/// score and of the coverage of every kind measured (`None` for a kind whose coverage
/// `homes` leaves empty).
fn index_figures(
    homes: &HomeOutcomes,
    value: &[Option<f64>],
    higher_is_worse: bool,
) -> Vec<IndexFigures> {
    let members: Vec<usize> = (0..homes.len())
        .filter(|h| homes.neighbourhood[*h].is_some_and(|n| value[n as usize].is_some()))
        .collect();
    let w: Vec<f64> = members.iter().map(|h| homes.children[*h]).collect();
    let ch: Vec<f64> = members
        .iter()
        .map(|h| {
            chances(
                value[homes.neighbourhood[*h].unwrap_or(0) as usize].unwrap_or(f64::NAN),
                higher_is_worse,
            )
        })
        .collect();
    // Every outcome's units are the members with children, unless an outcome leaves some out
    // (a value not finite): ranked by chances once for all of them.
    let ranking = ChanceRanking::new(&ch, &w, usable_units(&[&ch], &w));
    // Per outcome (the score, then each kind's coverage) its four indices. An outcome's values
    // over the members are gathered only while its indices are worked out: all of them at once
    // were 40 bytes a home, at the peak of a network run.
    let per_outcome: Vec<[Option<f64>; 4]> = (0..1 + homes.coverage.len())
        .into_par_iter()
        .map(|o| {
            let values: Vec<f64> = match o {
                0 => members.iter().map(|h| homes.score[*h]).collect(),
                _ => {
                    let c = &homes.coverage[o - 1];
                    if c.is_empty() {
                        return [None; 4];
                    }
                    members
                        .iter()
                        .map(|h| if c[*h].is_nan() { 0.0 } else { c[*h] })
                        .collect()
                }
            };
            let units = usable_units(&[&values, &ch], &w);
            let own;
            let ranking = if units == ranking.idx {
                &ranking
            } else {
                own = ChanceRanking::new(&ch, &w, units);
                &own
            };
            InequalityIndex::ALL.map(|index| match index {
                InequalityIndex::Concentration => {
                    concentration_index_ranked(&values, &w, ranking, ConcentrationType::Standard)
                }
                InequalityIndex::ConcentrationErreygers => {
                    concentration_index_ranked(&values, &w, ranking, ConcentrationType::Corrected)
                }
                InequalityIndex::Palma => palma_ratio_ranked(&values, &ch, &w, ranking),
                InequalityIndex::Gini => gini(&values, &w),
            })
        })
        .collect();
    InequalityIndex::ALL
        .iter()
        .enumerate()
        .map(|(i, &index)| IndexFigures {
            index,
            score: per_outcome[0][i],
            coverage: per_outcome[1..].iter().map(|o| o[i]).collect(),
        })
        .collect()
}

/// Ranks neighbourhoods by children outside the focus kind's norm, weighted up by deprivation
/// (`1 + deprivation_weight x (5 - q) / 4` for quintile q); 1 = fund first. Neighbourhoods
/// without a gap get no rank.
pub fn rank_priority(
    figures: &mut [NeighbourhoodFigures],
    quintile: Option<&[Option<u8>]>,
    deprivation_weight: f64,
) {
    let gaps: Vec<f64> = figures.iter().map(|f| f.gap_children).collect();
    for (f, rank) in figures
        .iter_mut()
        .zip(priority_ranks(&gaps, quintile, deprivation_weight))
    {
        f.priority_rank = rank;
    }
}

/// The priority rank of each neighbourhood by its gap (see [`rank_priority`]); `None` without
/// a gap.
pub fn priority_ranks(
    gaps: &[f64],
    quintile: Option<&[Option<u8>]>,
    deprivation_weight: f64,
) -> Vec<Option<usize>> {
    let weights = match quintile {
        Some(q) => priority_weights(q, deprivation_weight),
        None => vec![1.0; gaps.len()],
    };
    let mut order: Vec<usize> = (0..gaps.len()).filter(|i| gaps[*i] > 0.0).collect();
    let key = |i: usize| gaps[i] * weights[i];
    order.sort_by(|a, b| key(*b).total_cmp(&key(*a)).then(a.cmp(b)));
    let mut ranks = vec![None; gaps.len()];
    for (rank, i) in order.into_iter().enumerate() {
        ranks[i] = Some(rank + 1);
    }
    ranks
}

/// One place where children meet, and who can reach it.
#[derive(Debug, Clone)]
pub struct MeetingPlace {
    pub kind: String,
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub children: f64,
    pub mix: super::Mix,
}

/// The socioeconomic mix of the children within each meeting place's norm (walked over
/// `network` when the study has one, else in a straight line), and per home the best mix it can
/// reach.
pub fn meeting_places(
    norms: &Norms,
    scene: &Scene,
    quintile: &[Option<u8>],
    network: Option<&NetworkReach>,
) -> (Vec<MeetingPlace>, Vec<f64>) {
    let homes = &scene.homes;
    let mut places = Vec::new();
    let mut best = vec![0.0f64; homes.len()];
    for kind in MEETING_KINDS {
        let Some(k) = scene.kind(kind) else { continue };
        let norms = &norms.kinds[kind].bands;
        // The children of a band a home brings to a place at `distance`, with the home's
        // quintile (none when its neighbourhood has no quintile or the norm does not reach).
        // A place brings only the bands it serves.
        let brings = |h: usize, place: usize, b: usize, distance: f64| {
            let bn = &norms[b];
            let q = homes.neighbourhood[h].and_then(|n| quintile[n as usize])?;
            let c = bn.children(homes.children_of(h));
            let serves = k.served.serves(place, b);
            (distance <= bn.metres && c > 0.0 && serves).then_some((q, c))
        };
        let (buckets, mixes) = match network {
            Some(reach) => network_mix(reach, &k.items, norms, &brings, &mut best),
            None => straight_mix(&k.items, norms, scene, &brings, &mut best),
        };
        for (j, a) in k.items.iter().enumerate() {
            let anchor = a.anchor();
            places.push(MeetingPlace {
                kind: kind.to_string(),
                name: a.name.clone(),
                x: anchor.x,
                y: anchor.y,
                children: buckets[j].iter().sum(),
                mix: mixes[j],
            });
        }
    }
    (places, best)
}

/// What a home brings to a meeting place (by position) of a band (by position in the kind's
/// norms) at a distance: (quintile, children).
type Brings<'a> = dyn Fn(usize, usize, usize, f64) -> Option<(u8, f64)> + Sync + 'a;

/// Children per quintile within reach of each place in a straight line and the place's mix of
/// them, and each home's best mix (raised in `best`).
fn straight_mix(
    items: &[Amenity],
    norms: &[BandNorm],
    scene: &Scene,
    brings: &Brings,
    best: &mut [f64],
) -> (Vec<[f64; 5]>, Vec<super::Mix>) {
    let homes = &scene.homes;
    let radius = norms.iter().map(|b| b.metres).fold(0.0, f64::max);
    let index = AmenityIndex::new(items);
    let brings_any = |h: usize, j: u32, d: f64| {
        (0..norms.len()).filter_map(move |b| brings(h, j as usize, b, d))
    };
    // Sums in home, place, band order (as the pairs come), whatever the thread count.
    let mut buckets = vec![[0.0f64; 5]; items.len()];
    chunks_in_order(
        &homes.coords,
        |first, chunk| {
            let mut terms: Vec<(u32, u8, f64)> = Vec::new();
            index.within_each(chunk, radius, |i, pairs| {
                for &(j, d) in pairs {
                    terms.extend(brings_any(first + i, j, d).map(|(q, c)| (j, q, c)));
                }
            });
            terms
        },
        |terms| {
            for (j, q, c) in terms {
                buckets[j as usize][q as usize - 1] += c;
            }
        },
    );
    let mixes: Vec<super::Mix> = buckets.par_iter().map(mix).collect();
    // Each home's best mix among the places it brings children to (a max: any order).
    best.par_chunks_mut(CHUNK)
        .zip(homes.coords.par_chunks(CHUNK))
        .enumerate()
        .for_each(|(c, (best, chunk))| {
            index.within_each(chunk, radius, |i, pairs| {
                for &(j, d) in pairs {
                    if brings_any(c * CHUNK + i, j, d).next().is_some() {
                        best[i] = best[i].max(mixes[j as usize].entropy);
                    }
                }
            });
        });
    (buckets, mixes)
}

/// [`straight_mix`] over the walk network, each band on its own barriers: one search from
/// every place sums its children (in search, home, band order), and as soon as a place's sums
/// are complete its mix raises each home's best mix among the homes that search brought (a
/// maximum: the same in any order), so no home is kept and no place searched twice.
fn network_mix(
    reach: &NetworkReach,
    items: &[Amenity],
    norms: &[BandNorm],
    brings: &Brings,
    best: &mut [f64],
) -> (Vec<[f64; 5]>, Vec<super::Mix>) {
    let searches = reach.searches(norms.iter().map(|bn| (bn.reach_band, bn.metres)));
    let facilities = reach.join_all(items.iter().map(|a| a.geometry.to_geometry()));
    // Per search, the homes that bring children to the place, with what they bring.
    let brought = |j: usize, reached: &[Vec<(u32, f64)>]| {
        let mut out: Vec<(usize, u8, f64)> = Vec::new();
        for (s, reached) in reached.iter().enumerate() {
            for &(h, d) in reached {
                let bands = (0..norms.len()).filter(|&b| searches.of_band[b] == s);
                out.extend(
                    bands
                        .filter_map(|b| brings(h as usize, j, b, d))
                        .map(|(q, c)| (h as usize, q, c)),
                );
            }
        }
        out
    };
    let mut buckets = vec![[0.0f64; 5]; items.len()];
    let mut mixes: Vec<super::Mix> = Vec::with_capacity(items.len());
    reach.each_facility(
        &facilities,
        &searches,
        |j, reached| brought(j, &reached),
        |j, terms| {
            for &(_, q, c) in &terms {
                buckets[j][q as usize - 1] += c;
            }
            debug_assert_eq!(mixes.len(), j, "places in order");
            let m = mix(&buckets[j]);
            for &(h, _, _) in &terms {
                best[h] = best[h].max(m.entropy);
            }
            mixes.push(m);
        },
    );
    (buckets, mixes)
}

/// Meeting places by the children they reach, most first (ties in list order).
pub fn by_reach(places: &[MeetingPlace]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..places.len()).collect();
    order.sort_by(|a, b| {
        places[*b]
            .children
            .total_cmp(&places[*a].children)
            .then(a.cmp(b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equity::{concentration_index, palma_ratio};
    use proptest::prelude::*;

    /// Five neighbourhoods by hand: the poorest (income 10) has the lowest score but no
    /// children, so it is in the first quintile of chances and of scores and yet no double
    /// disadvantage; with one child it would be.
    #[test]
    fn a_neighbourhood_without_children_is_no_double_disadvantage() {
        let value = [10.0, 20.0, 30.0, 40.0, 50.0].map(Some).to_vec();
        let scores = [10.0, 60.0, 70.0, 80.0, 90.0].map(Some);
        let homes = HomeOutcomes::default();
        let with = equity_of(value.clone(), None, &[1.0; 5], &scores, false, &homes);
        assert_eq!(with.quintile[0], Some(1));
        assert_eq!(with.score_quintile[0], Some(1));
        assert_eq!(with.double_disadvantage, [true, false, false, false, false]);
        let given = Some(with.quintile.clone());
        let without = equity_of(
            value,
            given,
            &[0.0, 1.0, 1.0, 1.0, 1.0],
            &scores,
            false,
            &homes,
        );
        // Still in the first quintile of both: only its lack of children clears the flag.
        assert_eq!(without.quintile[0], Some(1));
        assert_eq!(without.score_quintile[0], Some(1));
        assert_eq!(without.double_disadvantage, [false; 5]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The indices with one ranking by chances shared between the outcomes equal each
        /// index computed on its own (the public kernels, checked against R in
        /// tests/equity_indices.rs), also when the score leaves homes out (NaN).
        #[test]
        fn shared_ranking_equals_each_index_alone(
            homes in proptest::collection::vec(
                (prop_oneof![Just(None), (0u32..6).prop_map(Some)],
                 prop_oneof![Just(0.0), (1u32..6).prop_map(|c| c as f64 * 0.5)],
                 prop_oneof![3 => (0u32..5).prop_map(|s| s as f64 * 0.25), 1 => Just(f64::NAN)],
                 prop_oneof![Just(f64::NAN), Just(0.0), Just(1.0), 0.0f64..1.0]),
                0..120),
            value in proptest::collection::vec(prop_oneof![Just(None), (10u32..14).prop_map(|v| Some(v as f64))], 6),
            higher_is_worse in any::<bool>(),
        ) {
            let outcomes = HomeOutcomes {
                neighbourhood: homes.iter().map(|h| h.0).collect(),
                children: homes.iter().map(|h| h.1).collect(),
                score: homes.iter().map(|h| h.2).collect(),
                coverage: vec![homes.iter().map(|h| h.3).collect(), Vec::new()],
            };
            let got = index_figures(&outcomes, &value, higher_is_worse);
            // Each outcome over the members (homes in a neighbourhood with a value), alone.
            let members: Vec<usize> = (0..homes.len())
                .filter(|&h| homes[h].0.is_some_and(|n| value[n as usize].is_some()))
                .collect();
            let w: Vec<f64> = members.iter().map(|&h| homes[h].1).collect();
            let ch: Vec<f64> = members
                .iter()
                .map(|&h| chances(value[homes[h].0.unwrap() as usize].unwrap(), higher_is_worse))
                .collect();
            let score: Vec<f64> = members.iter().map(|&h| homes[h].2).collect();
            let coverage: Vec<f64> = members
                .iter()
                .map(|&h| if homes[h].3.is_nan() { 0.0 } else { homes[h].3 })
                .collect();
            let alone = |v: &[f64]| {
                [
                    concentration_index(v, &ch, &w, ConcentrationType::Standard),
                    concentration_index(v, &ch, &w, ConcentrationType::Corrected),
                    palma_ratio(v, &ch, &w),
                    gini(v, &w),
                ]
            };
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            let (want_score, want_cov) = (alone(&score), alone(&coverage));
            for (i, f) in got.iter().enumerate() {
                prop_assert_eq!(bits(f.score), bits(want_score[i]));
                prop_assert_eq!(bits(f.coverage[0]), bits(want_cov[i]));
                prop_assert_eq!(f.coverage[1], None);
            }
        }
    }
}
