//! `kindscape split`: one study per region. A region owns whole neighbourhoods and the homes
//! the whole study assigns to them; it carries, as GeoParquet in the working CRS, its own
//! neighbourhoods and homes, the neighbourhoods and homes of its halo, and the amenities,
//! network and candidates within reach (docs/SCALE.md gives the rule and why it is exact).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Centroid, Coord, Geometry, Intersects, Rect};
use serde_json::Value;

use super::{Halo, Manifest, ID_ATTRIBUTE, MANIFEST, OUTPUT_DIR, QUINTILE_ATTRIBUTE, STUDY_FILE};
use crate::error::{Error, Result, Warnings};
use crate::layers::{self, attributes, Feature, Layer};
use crate::output::geoparquet::{self, GeoParquetTable, Kind};
use crate::scene::{self, Scene};
use crate::study::Resolved;

/// How neighbourhoods are grouped into regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partition {
    /// One region per value of a neighbourhood attribute (a municipality code, a province).
    By(String),
    /// This many tiles of about equal homes, cut from the neighbourhoods' centroids.
    Tiles(usize),
}

impl Partition {
    fn describe(&self) -> String {
        match self {
            Partition::By(a) => format!("--by {a}"),
            Partition::Tiles(n) => format!("--tiles {n}"),
        }
    }
}

/// What `split` wrote.
#[derive(Debug, Clone)]
pub struct SplitSummary {
    pub out: PathBuf,
    /// Per region: name, owned neighbourhoods, owned homes, homes carried in all.
    pub regions: Vec<(String, usize, usize, usize)>,
    pub warnings: Vec<String>,
}

/// Splits the study into regions under `out` (which must not exist or be empty).
pub fn split(study_path: &Path, partition: &Partition, out: &Path) -> Result<SplitSummary> {
    let study = Resolved::load(study_path)?;
    check_splittable(&study)?;
    if let Partition::Tiles(0) = partition {
        return Err(Error::Other("--tiles 0: give at least 1 tile".into()));
    }
    check_out(out)?;
    let warnings = Warnings::new();
    let loaded = scene::build(&study, &warnings)?;
    let scene = &loaded.scene;
    let owner = owners(&study, scene, partition)?;
    let regions = owner.names.len();

    // The whole study's nearest distances, for the halo of each region.
    let (straight, _) = crate::reach::straight_nearest(scene);
    let served = crate::reach::served_distances(&study.norms, scene, None)?;
    let homes = &scene.homes;
    let home_region: Vec<usize> = (0..homes.len())
        .map(|h| match homes.neighbourhood[h] {
            Some(n) => owner.of_neighbourhood[n as usize],
            None => owner.of_orphan(homes.coords[h]),
        })
        .collect();
    let farthest = |h: usize| -> f64 {
        let served_straight = served
            .iter()
            .flatten()
            .flat_map(|s| s.straight.iter().map(move |band| band[h]));
        straight
            .iter()
            .map(|k| k[h])
            .chain(served_straight)
            .filter(|d| d.is_finite())
            .fold(0.0, f64::max)
    };
    let mut nearest_m = vec![0.0f64; regions];
    for (h, &r) in home_region.iter().enumerate() {
        nearest_m[r] = nearest_m[r].max(farthest(h));
    }
    drop((straight, served));

    // The raw layers, in the working CRS, each feature as the file has it.
    let crs = &scene.crs;
    let read = |path: &Path, key_crs: Option<&str>, layer: Option<&str>| -> Result<Layer> {
        let mut l = scene::read_vector(path, key_crs, layer)?;
        l.reproject(crs)?;
        Ok(l)
    };
    let f = &study.layers;
    let nb_layer = read(
        &study.input_path(&f.neighbourhoods.path),
        f.neighbourhoods.crs.as_deref(),
        f.neighbourhoods.layer.as_deref(),
    )?;
    let home_path = study.input_path(f.homes.path.as_deref().unwrap_or_default());
    let home_layer = read(&home_path, f.homes.crs.as_deref(), f.homes.layer.as_deref())?;
    let feature_home = scene::feature_homes(&study, &home_layer)?;
    let amenity_layers: Vec<Layer> = f
        .amenities
        .iter()
        .map(|a| {
            read(
                &study.input_path(a.path.as_deref().unwrap_or_default()),
                a.crs.as_deref(),
                a.layer.as_deref(),
            )
        })
        .collect::<Result<_>>()?;
    let network_layer = match &f.network {
        Some(n) => Some(read(
            &study.input_path(n.path.as_deref().unwrap_or_default()),
            n.crs.as_deref(),
            n.layer.as_deref(),
        )?),
        None => None,
    };
    let candidates_layer = match study.sites.as_ref().and_then(|s| s.candidates.as_ref()) {
        Some(c) => Some(read(&c.path, c.crs.as_deref(), c.layer.as_deref())?),
        None => None,
    };

    // Scene neighbourhood of each feature of the neighbourhoods layer (by its unique id).
    let nb_index: HashMap<&str, usize> = scene
        .neighbourhoods
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let feature_nb: Vec<Option<usize>> = nb_layer
        .features
        .iter()
        .map(|ft| {
            attributes::id_value(&ft.props, &f.neighbourhoods.id)
                .and_then(|id| nb_index.get(id.as_str()).copied())
        })
        .collect();
    let quintiles = match &study.equity {
        Some(cfg) => {
            let groups = crate::neighbourhoods::homes_by_neighbourhood(scene);
            let children: Vec<f64> = groups
                .iter()
                .map(|g| crate::neighbourhoods::children_of(scene, g))
                .collect();
            Some(crate::equity::analysis::chance_quintiles(
                cfg, scene, &children,
            )?)
        }
        None => None,
    };

    let reach_m = largest_norm(&study);
    let attach_m = study
        .network
        .as_ref()
        .map_or(0.0, |n| n.attach_limit_m.value);
    let network_max_m = study
        .network
        .as_ref()
        .map_or(0.0, |n| n.max_distance_m.value);
    let study_text = std::fs::read_to_string(&study.path).map_err(|e| Error::io(&study.path, e))?;
    let split_id = split_id(&study_text, partition);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut summary = Vec::with_capacity(regions);
    for (r, name) in owner.names.iter().enumerate() {
        let owned_nbs: Vec<usize> = (0..scene.neighbourhoods.len())
            .filter(|&n| owner.of_neighbourhood[n] == r)
            .collect();
        let owned_homes: Vec<usize> = (0..homes.len()).filter(|&h| home_region[h] == r).collect();
        let Some(core) = layers::union_rect(
            owned_nbs
                .iter()
                .filter_map(|&n| scene.neighbourhoods[n].geometry.bounding_rect())
                .chain(
                    owned_homes
                        .iter()
                        .map(|&h| Rect::new(homes.coords[h], homes.coords[h])),
                ),
        ) else {
            continue;
        };
        // A network path of length L stays within L of its start; each end may be up to the
        // attach limit off the network.
        let net = if study.network.is_some() {
            2.0 * attach_m
        } else {
            0.0
        };
        let nearest_net = if study.network.is_some() {
            network_max_m + net
        } else {
            0.0
        };
        let homes_m = 2.0 * (reach_m + net);
        let amenities_m = nearest_m[r].max(reach_m + net).max(nearest_net);
        let halo = Halo {
            amenities_m,
            homes_m,
            network_m: amenities_m.max(homes_m) + net,
        };
        let home_rect = grow(core, halo.homes_m);
        // Whole neighbourhoods: the region's, and those of any home within the homes halo.
        let mut with_nb = vec![false; scene.neighbourhoods.len()];
        for &n in &owned_nbs {
            with_nb[n] = true;
        }
        for h in 0..homes.len() {
            if let Some(n) = homes.neighbourhood[h] {
                if !with_nb[n as usize] && home_rect.intersects(&homes.coords[h]) {
                    with_nb[n as usize] = true;
                }
            }
        }
        let with_home = |h: usize| match homes.neighbourhood[h] {
            Some(n) => with_nb[n as usize],
            None => home_region[h] == r || home_rect.intersects(&homes.coords[h]),
        };
        let dir = out.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;

        // Neighbourhoods, in the layer's order, with the whole study's quintile of chances.
        let mut region_nbs: Vec<Option<u64>> = Vec::new();
        let nb_features: Vec<Feature> = nb_layer
            .features
            .iter()
            .zip(&feature_nb)
            .filter_map(|(ft, n)| n.filter(|n| with_nb[*n]).map(|n| (ft, n)))
            .map(|(ft, n)| {
                region_nbs.push((owner.of_neighbourhood[n] == r).then_some(n as u64));
                let mut ft = ft.clone();
                if let Some(q) = &quintiles {
                    ft.props.insert(
                        QUINTILE_ATTRIBUTE.into(),
                        q[n].map_or(Value::Null, Value::from),
                    );
                }
                ft
            })
            .collect();
        write_layer(&dir.join("neighbourhoods.parquet"), &nb_features, None)?;

        let mut region_homes: Vec<Option<u64>> = Vec::new();
        let home_features: Vec<Feature> = home_layer
            .features
            .iter()
            .zip(&feature_home)
            .filter_map(|(ft, h)| h.filter(|h| with_home(*h)).map(|h| (ft, h)))
            .map(|(ft, h)| {
                region_homes.push((home_region[h] == r).then_some(h as u64));
                ft.clone()
            })
            .collect();
        let home_ids = f.homes.id.is_none();
        write_layer(
            &dir.join("homes.parquet"),
            &home_features,
            home_ids.then_some(&|ft: &Feature| ft.index.to_string()),
        )?;

        let amenity_rect = grow(core, halo.amenities_m);
        for (i, (layer, a)) in amenity_layers.iter().zip(&f.amenities).enumerate() {
            let kept = features_within(layer, &amenity_rect);
            let own_id = |ft: &Feature| ft.id.clone().unwrap_or_else(|| ft.index.to_string());
            write_layer(
                &dir.join(format!("amenities_{i}.parquet")),
                &kept,
                a.id.is_none().then_some(&own_id),
            )?;
        }
        if let Some(l) = &network_layer {
            let kept = features_within(l, &grow(core, halo.network_m));
            write_layer(&dir.join("network.parquet"), &kept, None)?;
        }
        if let Some(l) = &candidates_layer {
            let kept = features_within(l, &grow(core, halo.homes_m));
            write_layer(&dir.join("candidates.parquet"), &kept, None)?;
        }

        let toml = region_study(&study, &study_text, name, &crs.to_string())?;
        write_text(&dir.join(STUDY_FILE), &toml)?;
        let carried = region_homes.len();
        let manifest = Manifest {
            kindscape: env!("CARGO_PKG_VERSION").into(),
            study: std::path::absolute(&study.path).unwrap_or(study.path.clone()),
            split_id: split_id.clone(),
            split: partition.describe(),
            regions,
            index: r,
            name: name.clone(),
            study_homes: homes.len(),
            study_neighbourhoods: scene.neighbourhoods.len(),
            homes: region_homes,
            neighbourhoods: region_nbs,
            halo,
        };
        let json = serde_json::to_string(&manifest).map_err(|e| Error::Other(e.to_string()))?;
        write_text(&dir.join(MANIFEST), &json)?;
        summary.push((name.clone(), owned_nbs.len(), owned_homes.len(), carried));
    }
    Ok(SplitSummary {
        out: out.to_path_buf(),
        regions: summary,
        warnings: warnings.to_vec(),
    })
}

/// Refuses what a region cannot carry as GeoParquet: OpenStreetMap sources (an extract is
/// not cut by region here: cut it with osmium first) and raster layers.
fn check_splittable(study: &Resolved) -> Result<()> {
    let f = &study.layers;
    let refuse = |what: &str| {
        Err(Error::study(
            &study.path,
            format!("split: {what}; split reads vector layers given by `path` (GeoJSON, GeoPackage, Shapefile, GeoParquet): convert it first"),
        ))
    };
    if f.neighbourhoods.osm.is_some() {
        return refuse("[neighbourhoods] osm is OpenStreetMap");
    }
    match &f.homes.path {
        None => return refuse("[homes] osm is OpenStreetMap"),
        Some(p) if scene::is_raster(&study.input_path(p)) => {
            return refuse("[homes] path is a raster (a population grid)")
        }
        Some(_) => {}
    }
    if let Some(a) = f.amenities.iter().find(|a| a.path.is_none()) {
        return refuse(&format!(
            "[[amenities]] \"{}\" osm is OpenStreetMap",
            a.kind
        ));
    }
    if f.network.as_ref().is_some_and(|n| n.path.is_none()) {
        return refuse("[network] osm is OpenStreetMap");
    }
    if !study.rasters.entries.is_empty() {
        return refuse("[[rasters]] are rasters");
    }
    Ok(())
}

fn check_out(out: &Path) -> Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(Error::io(
                out,
                "split writes into a new or empty folder, and this one holds files",
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(out, e)),
    }
}

/// The largest norm of any kind and band: the radius of E2SFCA catchments, meeting places and
/// every "within reach".
fn largest_norm(study: &Resolved) -> f64 {
    study
        .norms
        .kinds
        .values()
        .flat_map(|t| t.bands.iter().map(|b| b.metres))
        .filter(|m| m.is_finite())
        .fold(0.0, f64::max)
}

/// Which region owns each neighbourhood, and the regions' names.
struct Owners {
    names: Vec<String>,
    of_neighbourhood: Vec<usize>,
    /// Centroid and region of every neighbourhood, for the homes outside all of them.
    centroids: Vec<(Coord, usize)>,
}

impl Owners {
    /// A home outside every neighbourhood belongs to the region of the nearest neighbourhood
    /// centroid (the first of equals).
    fn of_orphan(&self, c: Coord) -> usize {
        let d = |p: &Coord| (p.x - c.x).powi(2) + (p.y - c.y).powi(2);
        self.centroids
            .iter()
            .min_by(|a, b| d(&a.0).total_cmp(&d(&b.0)))
            .map_or(0, |(_, r)| *r)
    }
}

fn owners(study: &Resolved, scene: &Scene, partition: &Partition) -> Result<Owners> {
    let nbs = &scene.neighbourhoods;
    let centre = |n: usize| {
        nbs[n]
            .geometry
            .centroid()
            .map_or(Coord { x: 0.0, y: 0.0 }, |p| p.0)
    };
    let (names, of_neighbourhood) = match partition {
        Partition::By(attr) => by_attribute(study, scene, attr)?,
        Partition::Tiles(n) => {
            if *n > nbs.len() {
                return Err(Error::Other(format!(
                    "--tiles {n}: the study has only {} neighbourhoods, and a tile owns whole neighbourhoods",
                    nbs.len()
                )));
            }
            let mut homes_in = vec![0.0; nbs.len()];
            for n in scene.homes.neighbourhood.iter().flatten() {
                homes_in[*n as usize] += 1.0;
            }
            let mut items: Vec<(usize, Coord, f64)> = (0..nbs.len())
                .map(|i| (i, centre(i), homes_in[i]))
                .collect();
            let mut parts = Vec::new();
            bisect(&mut items, *n, &mut parts);
            let width = n.to_string().len();
            let mut of = vec![0; nbs.len()];
            for (r, part) in parts.iter().enumerate() {
                for &i in part {
                    of[i] = r;
                }
            }
            let names = (1..=*n).map(|i| format!("tile_{i:0width$}")).collect();
            (names, of)
        }
    };
    let centroids = (0..nbs.len())
        .map(|i| (centre(i), of_neighbourhood[i]))
        .collect();
    Ok(Owners {
        names,
        of_neighbourhood,
        centroids,
    })
}

fn by_attribute(study: &Resolved, scene: &Scene, attr: &str) -> Result<(Vec<String>, Vec<usize>)> {
    let path = &study.input_path(&study.layers.neighbourhoods.path);
    if !scene
        .neighbourhoods
        .iter()
        .any(|n| n.props.contains_key(attr))
    {
        let mut names: Vec<&String> = scene
            .neighbourhoods
            .first()
            .map(|n| n.props.keys().collect())
            .unwrap_or_default();
        names.sort();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        return Err(Error::layer(
            path,
            format!(
                "--by {attr}: no neighbourhood has that attribute (they have: {})",
                names.join(", ")
            ),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    let mut values: HashMap<String, usize> = HashMap::new();
    let mut of = Vec::with_capacity(scene.neighbourhoods.len());
    for nb in scene.neighbourhoods.iter() {
        let Some(value) = attributes::id_value(&nb.props, attr).filter(|v| !v.is_empty()) else {
            return Err(Error::layer(
                path,
                format!("--by {attr}: neighbourhood {} has no value; every neighbourhood must belong to a region", nb.id),
            ));
        };
        let next = values.len();
        let r = *values.entry(value.clone()).or_insert_with(|| {
            names.push(folder_name(&value, &names));
            next
        });
        of.push(r);
    }
    Ok((names, of))
}

/// A region's folder name from an attribute value: letters, digits, `-` and `_`, kept apart
/// from the names before it.
fn folder_name(value: &str, taken: &[String]) -> String {
    let base: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) || name.is_empty() {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// Cuts `items` (index, centroid, homes) into `parts` groups of about equal homes: halves
/// (by part count) across the longer side of the centroids' extent, again and again.
fn bisect(items: &mut [(usize, Coord, f64)], parts: usize, out: &mut Vec<Vec<usize>>) {
    if parts <= 1 {
        let mut group: Vec<usize> = items.iter().map(|i| i.0).collect();
        group.sort_unstable();
        out.push(group);
        return;
    }
    let (min_x, max_x, min_y, max_y) = items.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(a, b, c, d), (_, p, _)| (a.min(p.x), b.max(p.x), c.min(p.y), d.max(p.y)),
    );
    let along_x = max_x - min_x >= max_y - min_y;
    let key = |p: &Coord| if along_x { p.x } else { p.y };
    items.sort_by(|a, b| key(&a.1).total_cmp(&key(&b.1)).then(a.0.cmp(&b.0)));
    let left = parts / 2;
    let total: f64 = items.iter().map(|i| i.2).sum();
    let target = total * left as f64 / parts as f64;
    // Each side keeps at least one neighbourhood per part.
    let (lo, hi) = (left, items.len() - (parts - left));
    let mut cut = lo;
    let mut sum: f64 = items[..lo].iter().map(|i| i.2).sum();
    while cut < hi && sum + items[cut].2 / 2.0 < target {
        sum += items[cut].2;
        cut += 1;
    }
    let (a, b) = items.split_at_mut(cut);
    bisect(a, left, out);
    bisect(b, parts - left, out);
}

fn grow(r: Rect, by: f64) -> Rect {
    Rect::new(
        Coord {
            x: r.min().x - by,
            y: r.min().y - by,
        },
        Coord {
            x: r.max().x + by,
            y: r.max().y + by,
        },
    )
}

/// The features whose bounding box meets `rect`, whole (a street is never cut: its pieces
/// would join the network differently).
fn features_within(layer: &Layer, rect: &Rect) -> Vec<Feature> {
    layer
        .features
        .iter()
        .filter(|ft| {
            ft.geometry
                .as_ref()
                .and_then(|g| g.bounding_rect())
                .is_some_and(|b| b.intersects(rect))
        })
        .cloned()
        .collect()
}

/// Writes features as GeoParquet (no `crs`: the region study names the working CRS), their
/// attributes as they are, and with `id` the id the whole study gives each one by position.
fn write_layer(
    path: &Path,
    features: &[Feature],
    id: Option<&dyn Fn(&Feature) -> String>,
) -> Result<()> {
    let features: Vec<&Feature> = features.iter().filter(|f| f.geometry.is_some()).collect();
    let mut columns: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for f in &features {
        for k in f.props.keys() {
            if seen.insert(k.as_str()) {
                columns.push(k.clone());
            }
        }
    }
    if id.is_some() && !columns.iter().any(|c| c == ID_ATTRIBUTE) {
        columns.push(ID_ATTRIBUTE.into());
    }
    let value = |f: &Feature, c: &str| -> Value {
        match id {
            Some(id) if c == ID_ATTRIBUTE => Value::String(id(f)),
            _ => f.props.get(c).cloned().unwrap_or(Value::Null),
        }
    };
    let kinds: Vec<Kind> = columns
        .iter()
        .map(|c| {
            let values = || features.iter().map(|f| value(f, c));
            let all = |p: fn(&Value) -> bool| values().all(|v| v.is_null() || p(&v));
            if all(Value::is_i64) {
                Kind::Int
            } else if all(Value::is_number) {
                Kind::Float
            } else if all(Value::is_boolean) {
                Kind::Bool
            } else {
                Kind::Text
            }
        })
        .collect();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::io(path, e);
    csv.write_record(&columns).map_err(err)?;
    for f in &features {
        let record: Vec<String> = columns
            .iter()
            .map(|c| match value(f, c) {
                Value::Null => String::new(),
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        csv.write_record(&record).map_err(err)?;
    }
    let text = csv.into_inner().map_err(|e| Error::io(path, e))?;
    let geometries: Vec<Geometry> = features.iter().filter_map(|f| f.geometry.clone()).collect();
    let geometry_type = match geometries.first() {
        Some(Geometry::Point(_)) => "Point",
        Some(Geometry::LineString(_)) => "LineString",
        Some(Geometry::MultiLineString(_)) => "MultiLineString",
        Some(Geometry::Polygon(_)) => "Polygon",
        _ => "MultiPolygon",
    };
    let table = GeoParquetTable {
        csv: &text,
        kinds,
        geometries,
        geometry_type,
    };
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    geoparquet::write(std::io::BufWriter::new(file), &table).map_err(|m| Error::io(path, m))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The SHA-256 of the study's text and of the partition: every region of one split has it.
fn split_id(study_text: &str, partition: &Partition) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(study_text.as_bytes());
    h.update(partition.describe().as_bytes());
    format!("{:x}", h.finalize())
}

/// The region's study file: the study's own, its layers replaced by the region's GeoParquet
/// files in the working CRS, other paths made absolute, and the quintiles given.
fn region_study(study: &Resolved, text: &str, name: &str, crs: &str) -> Result<String> {
    let mut t: toml::Table = text
        .parse()
        .map_err(|e| Error::study(&study.path, format!("{e}")))?;
    absolute_paths(&mut t, &study.dir);
    let s = |v: &str| toml::Value::String(v.to_string());
    let set_layer = |t: &mut toml::Table, file: &str| {
        t.insert("path".into(), s(file));
        t.insert("crs".into(), s(crs));
        t.remove("layer");
    };
    if let Some(head) = t.get_mut("study").and_then(|v| v.as_table_mut()) {
        head.insert("crs".into(), s(crs));
        head.insert("output".into(), s(OUTPUT_DIR));
        head.insert("region".into(), s(name));
        head.remove("formats");
    }
    if let Some(nb) = t.get_mut("neighbourhoods").and_then(|v| v.as_table_mut()) {
        set_layer(nb, "neighbourhoods.parquet");
    }
    if let Some(h) = t.get_mut("homes").and_then(|v| v.as_table_mut()) {
        set_layer(h, "homes.parquet");
        if !h.contains_key("id") {
            h.insert("id".into(), s(ID_ATTRIBUTE));
        }
    }
    if let Some(list) = t.get_mut("amenities").and_then(|v| v.as_array_mut()) {
        for (i, a) in list.iter_mut().filter_map(|a| a.as_table_mut()).enumerate() {
            set_layer(a, &format!("amenities_{i}.parquet"));
            if !a.contains_key("id") {
                a.insert("id".into(), s(ID_ATTRIBUTE));
            }
        }
    }
    if let Some(n) = t.get_mut("network").and_then(|v| v.as_table_mut()) {
        set_layer(n, "network.parquet");
    }
    if let Some(sites) = t.get_mut("sites").and_then(|v| v.as_table_mut()) {
        if sites.contains_key("candidates") {
            sites.insert("candidates".into(), s("candidates.parquet"));
            sites.insert("crs".into(), s(crs));
            sites.remove("layer");
        }
    }
    if let Some(e) = t.get_mut("equity").and_then(|v| v.as_table_mut()) {
        e.insert("quintile".into(), s(QUINTILE_ATTRIBUTE));
    }
    let body = toml::to_string(&t).map_err(|e| Error::Other(e.to_string()))?;
    Ok(format!(
        "# Region \"{name}\" of {}, written by `kindscape split`: run it with `kindscape run`,\n# then put the regions together with `kindscape merge`.\n\n{body}",
        study.path.display()
    ))
}

/// Every `path` (and `[sites] candidates`) relative to the study's folder made absolute: the
/// region's study lives elsewhere.
fn absolute_paths(t: &mut toml::Table, dir: &Path) {
    for (key, v) in t.iter_mut() {
        match v {
            toml::Value::String(p)
                if (key == "path" || key == "candidates")
                    && Path::new(p.as_str()).is_relative() =>
            {
                *p = dir.join(p.as_str()).to_string_lossy().into_owned();
            }
            toml::Value::Table(inner) => absolute_paths(inner, dir),
            toml::Value::Array(list) => {
                for item in list.iter_mut() {
                    if let toml::Value::Table(inner) = item {
                        absolute_paths(inner, dir);
                    }
                }
            }
            _ => {}
        }
    }
}
