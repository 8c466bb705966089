//! `[[scenarios]]` as changes to the loaded scene: which amenities each removes (by id or by
//! attribute) and which it adds (layers read as `[[amenities]]` entries are). A scenario's scene
//! shares the base scene's homes and neighbourhoods; only the kinds it changes are its own.

use std::sync::Arc;

use super::amenities::{Amenity, AmenityKind, ServedBands};
use super::Scene;
use crate::error::{Error, Result, Warnings};
use crate::layers::attributes;
use crate::study::ages::Years;
use crate::study::{RemoveBy, Resolved, ScenarioSettings};

/// One `[[scenarios]]` entry as a change to the scene.
#[derive(Debug, Clone)]
pub struct ScenarioDelta {
    pub name: String,
    /// Per kind the scenario changes (its position in the scene), the kind as the scenario has
    /// it; the other kinds are the base scene's.
    pub kinds: Vec<(usize, AmenityKind)>,
    /// Amenities removed and added.
    pub removed: usize,
    pub added: usize,
    /// The amenities removed and added, each with its kind's position in the scene (what the
    /// report's scenario maps draw).
    pub removed_items: Vec<(usize, Amenity)>,
    pub added_items: Vec<(usize, Amenity)>,
}

/// The amenities of one added layer, each with the years it serves (`None`: every band).
pub type AddedLayer = (Vec<Amenity>, Vec<Option<Years>>);

impl ScenarioDelta {
    /// Whether the scenario changes kind `k`.
    pub fn changes(&self, k: usize) -> bool {
        self.kinds.iter().any(|(i, _)| *i == k)
    }

    /// The scene as the scenario has it: the base scene's homes and neighbourhoods (shared, not
    /// copied) with the scenario's amenities.
    pub fn apply(&self, base: &Scene) -> Scene {
        let amenities = base
            .amenities
            .iter()
            .enumerate()
            .map(|(k, kind)| match self.kinds.iter().find(|(i, _)| *i == k) {
                Some((_, changed)) => changed.clone(),
                None => kind.clone(),
            })
            .collect();
        Scene {
            crs: base.crs.clone(),
            bands: base.bands.clone(),
            neighbourhoods: Arc::clone(&base.neighbourhoods),
            homes: Arc::clone(&base.homes),
            amenities,
            inputs: Vec::new(),
            // The maps draw the base study's; a scenario is compared in tables.
            backdrop: Default::default(),
            off_limits: Default::default(),
        }
    }
}

/// Each scenario of the study as a change to `amenities` (the base scene's kinds); `added`
/// holds, per scenario, its added layers' amenities in entry order.
pub fn resolve(
    study: &Resolved,
    amenities: &[AmenityKind],
    added: Vec<Vec<AddedLayer>>,
    warnings: &Warnings,
) -> Result<Vec<ScenarioDelta>> {
    study
        .scenarios
        .iter()
        .zip(added)
        .map(|(sc, layers)| delta(study, sc, amenities, layers, warnings))
        .collect()
}

fn delta(
    study: &Resolved,
    sc: &ScenarioSettings,
    amenities: &[AmenityKind],
    layers: Vec<AddedLayer>,
    warnings: &Warnings,
) -> Result<ScenarioDelta> {
    let entry = format!("[[scenarios]] \"{}\"", sc.name);
    let position = |kind: &str| {
        amenities
            .iter()
            .position(|k| k.kind == kind)
            .expect("scenario kinds are checked against the study's kinds")
    };
    // Per kind the scenario touches: which base amenities go, and the amenities it adds.
    type Touched = Vec<(usize, Vec<bool>, Vec<Amenity>, Vec<Option<Years>>)>;
    let mut touched: Touched = Vec::new();
    let entry_of = |touched: &mut Touched, k: usize| -> usize {
        match touched.iter().position(|t| t.0 == k) {
            Some(i) => i,
            None => {
                touched.push((k, vec![false; amenities[k].items.len()], vec![], vec![]));
                touched.len() - 1
            }
        }
    };
    let mut removed = 0;
    if let Some(r) = &sc.remove {
        let k = position(&r.kind);
        let items = &amenities[k].items;
        let gone = removal(&entry, &r.kind, &r.by, items, warnings)
            .map_err(|m| Error::study(&study.path, m))?;
        removed = gone.iter().filter(|g| **g).count();
        let t = entry_of(&mut touched, k);
        touched[t].1 = gone;
    }
    let mut added = 0;
    for ((section, _), (items, ages)) in sc.add.iter().zip(layers) {
        let t = entry_of(&mut touched, position(&section.kind));
        added += items.len();
        touched[t].2.extend(items);
        touched[t].3.extend(ages);
    }
    let mut removed_items = Vec::new();
    let mut added_items = Vec::new();
    let kinds = touched
        .into_iter()
        .map(|(k, gone, new_items, new_ages)| {
            removed_items.extend(
                amenities[k]
                    .items
                    .iter()
                    .zip(&gone)
                    .filter(|(_, g)| **g)
                    .map(|(a, _)| (k, a.clone())),
            );
            added_items.extend(new_items.iter().map(|a| (k, a.clone())));
            let base = &amenities[k];
            let norm_bands = study
                .norms
                .get(&base.kind)
                .map_or(&[][..], |t| &t.bands[..]);
            let new_served = ServedBands::from_years(&new_ages, norm_bands);
            let mut items = Vec::with_capacity(base.items.len() + new_items.len());
            let mut masks = Vec::with_capacity(items.capacity());
            for (j, a) in base.items.iter().enumerate() {
                if !gone[j] {
                    items.push(a.clone());
                    masks.push(base.served.mask(j, norm_bands.len()));
                }
            }
            for (j, a) in new_items.into_iter().enumerate() {
                items.push(a);
                masks.push(new_served.mask(j, norm_bands.len()));
            }
            let kind = AmenityKind {
                kind: base.kind.clone(),
                items,
                served: ServedBands::from_masks(masks, norm_bands.len()),
            };
            (k, kind)
        })
        .collect();
    Ok(ScenarioDelta {
        name: sc.name.clone(),
        kinds,
        removed,
        added,
        removed_items,
        added_items,
    })
}

/// Per amenity of a kind, whether `remove` takes it. An id no amenity has is an error (a typo
/// would otherwise measure the wrong plan); so is an attribute no amenity has. A `where` that
/// matches none is a warning: the plan may simply have nothing in that state.
fn removal(
    entry: &str,
    kind: &str,
    by: &RemoveBy,
    items: &[Amenity],
    warnings: &Warnings,
) -> std::result::Result<Vec<bool>, String> {
    match by {
        RemoveBy::Ids(ids) => {
            let unknown: Vec<&String> = ids
                .iter()
                .filter(|id| !items.iter().any(|a| &a.id == *id))
                .collect();
            if !unknown.is_empty() {
                let listed: Vec<String> =
                    unknown.iter().take(5).map(|i| format!("\"{i}\"")).collect();
                let more = if unknown.len() > 5 {
                    format!(" and {} more", unknown.len() - 5)
                } else {
                    String::new()
                };
                let examples: Vec<String> = items
                    .iter()
                    .take(3)
                    .map(|a| format!("\"{}\"", a.id))
                    .collect();
                let known = if examples.is_empty() {
                    format!("the study has no {kind}")
                } else {
                    format!("its ids are like {}", examples.join(", "))
                };
                return Err(format!(
                    "{entry} remove: no {kind} has the id {}{more} (ids are the [[amenities]] id attribute's values; {known})",
                    listed.join(", ")
                ));
            }
            Ok(items.iter().map(|a| ids.contains(&a.id)).collect())
        }
        RemoveBy::Matching(filter) => {
            for key in filter.keys() {
                if !items.iter().any(|a| a.attributes.contains_key(key)) {
                    return Err(format!(
                        "{entry} remove: where: no {kind} has the attribute \"{key}\""
                    ));
                }
            }
            let gone: Vec<bool> = items
                .iter()
                .map(|a| attributes::matches(&a.attributes, filter))
                .collect();
            if !gone.contains(&true) {
                warnings.push(format!(
                    "{entry} remove: no {kind} matches `where`; the scenario removes none"
                ));
            }
            Ok(gone)
        }
    }
}
