//! Every file a study reads, with the key that names it, and the check that each is a regular
//! file: a path to `/dev/zero`, a FIFO or a folder would hang or fill the memory in a reader.

use std::path::PathBuf;

use super::Study;
use crate::error::{Error, Result};

/// One file the study reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The key that names it, e.g. `[homes] path` or `[[amenities]] playground path`.
    pub key: String,
    /// Resolved against the study's folder.
    pub path: PathBuf,
}

impl Study {
    /// The study file and every layer it names, in study-file order.
    pub fn inputs(&self) -> Vec<Input> {
        let f = &self.file;
        let mut named: Vec<(String, String)> = match &f.neighbourhoods.osm {
            Some(osm) => vec![("[neighbourhoods] osm".into(), osm.clone())],
            None if f.neighbourhoods.path.is_empty() => Vec::new(),
            None => vec![(
                "[neighbourhoods] path".into(),
                f.neighbourhoods.path.clone(),
            )],
        };
        for (i, t) in f.neighbourhoods.tables.iter().enumerate() {
            named.push((
                format!("[neighbourhoods] tables entry {} path", i + 1),
                t.path.clone(),
            ));
        }
        let mut add = |key: String, path: &Option<String>| {
            if let Some(p) = path {
                named.push((key, p.clone()));
            }
        };
        add("[homes] path".into(), &f.homes.path);
        add("[homes] osm".into(), &f.homes.osm);
        for a in &f.amenities {
            add(format!("[[amenities]] {} path", a.kind), &a.path);
            add(format!("[[amenities]] {} osm", a.kind), &a.osm);
        }
        if let Some(n) = &f.network {
            add("[network] path".into(), &n.path);
            add("[network] osm".into(), &n.osm);
        }
        if let Some(s) = &f.sites {
            add("[sites] candidates".into(), &s.candidates);
        }
        for sc in &f.scenarios {
            for a in &sc.add {
                add(
                    format!("[[scenarios]] \"{}\" add {} path", sc.name, a.kind),
                    &a.path,
                );
                add(
                    format!("[[scenarios]] \"{}\" add {} osm", sc.name, a.kind),
                    &a.osm,
                );
            }
        }
        for r in &f.rasters {
            named.push((format!("[[rasters]] {} path", r.kind), r.path.clone()));
        }
        let mut inputs = vec![Input {
            key: "the study file".into(),
            path: self.path.clone(),
        }];
        inputs.extend(named.into_iter().map(|(key, p)| Input {
            key,
            path: self.resolve(&p),
        }));
        inputs
    }

    /// Refuses any input that exists but is not a regular file (a device, a FIFO, a socket, a
    /// folder) before anything is opened. Missing files are left to the readers, whose messages
    /// say more.
    pub fn check_inputs_are_files(&self) -> Result<()> {
        for input in self.inputs() {
            regular_file(&input.path, &input.key)?;
        }
        Ok(())
    }
}

/// What [`regular_file`] calls the study file.
pub const STUDY_FILE: &str = "the study file";

/// Refuses `path` if it exists and is not a regular file (symbolic links are followed).
pub fn regular_file(path: &std::path::Path, key: &str) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        special_kind(&meta)
    };
    // The study file is the one input that is not a layer.
    let wanted = if key == STUDY_FILE {
        "a study file (TOML)"
    } else {
        "a layer file"
    };
    Err(Error::io(
        path,
        format!("{key} is {what}, not a regular file; give the path of {wanted}"),
    ))
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_layer_is_listed_with_its_key() {
        let text = r#"
[study]
name = "t"
[neighbourhoods]
path = "n.geojson"
id = "id"
children = "c"
[homes]
path = "/data/h.tif"
[[amenities]]
kind = "playground"
path = "p.geojson"
[[amenities]]
kind = "library"
osm = "city.osm.pbf"
tags = ["amenity=library"]
[network]
osm = "city.osm.pbf"
[sites]
candidates = "cand.geojson"
[[rasters]]
kind = "noise"
path = "noise.tif"
"#;
        let s = Study::parse(text, Path::new("/x/study.toml")).unwrap();
        let got: Vec<(String, String)> = s
            .inputs()
            .into_iter()
            .map(|i| (i.key, i.path.display().to_string()))
            .collect();
        let want = [
            ("the study file", "/x/study.toml"),
            ("[neighbourhoods] path", "/x/n.geojson"),
            ("[homes] path", "/data/h.tif"),
            ("[[amenities]] playground path", "/x/p.geojson"),
            ("[[amenities]] library osm", "/x/city.osm.pbf"),
            ("[network] osm", "/x/city.osm.pbf"),
            ("[sites] candidates", "/x/cand.geojson"),
            ("[[rasters]] noise path", "/x/noise.tif"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, p)| (k.to_string(), p.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_folders_are_refused_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.geojson");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo has no other precondition.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let file = dir.path().join("ok.geojson");
        std::fs::write(&file, "{}").unwrap();
        let msg = |p: &Path| regular_file(p, "[homes] path").unwrap_err().to_string();
        assert!(msg(&fifo).contains("pipe.geojson: [homes] path is a FIFO"));
        assert!(
            msg(Path::new("/dev/zero")).contains("/dev/zero: [homes] path is a character device")
        );
        assert!(msg(dir.path()).contains("is a folder, not a regular file"));
        assert!(regular_file(&file, "[homes] path").is_ok());
        assert!(regular_file(&dir.path().join("missing"), "[homes] path").is_ok());
    }
}
