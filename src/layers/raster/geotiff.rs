//! GeoTIFF in pure Rust: pixels from the `tiff` crate (strips and tiles, DEFLATE, LZW, PackBits,
//! predictors, BigTIFF, 8- to 64-bit integer and floating-point samples), georeferencing from the
//! GeoTIFF tags read here.
//!
//! The `tiff` crate decodes pixels but knows nothing of GeoTIFF, and no maintained pure-Rust
//! crate reads the GeoTIFF keys, so the few tags kindscape needs are read by hand, following
//! what GDAL does with them (so both readers give the same geotransform):
//! ModelPixelScale (33550) + ModelTiepoint (33922), or ModelTransformation (34264) for rotated
//! grids; the GeoKeyDirectory (34735) for the EPSG code (ProjectedCSTypeGeoKey 3072,
//! GeographicTypeGeoKey 2048) and GTRasterTypeGeoKey (1025: PixelIsPoint moves the origin half a
//! cell, as GDAL does); GDAL_NODATA (42113).

use std::fs::File;
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;

use super::{check_band, nodata_as_f32, Raster};
use crate::error::{Error, Result};
use crate::layers::crs::Crs;

const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
const RASTER_PIXEL_IS_POINT: u16 = 2;
const MODEL_TYPE_PROJECTED: u16 = 1;
const MODEL_TYPE_GEOGRAPHIC: u16 = 2;
const USER_DEFINED: u16 = 32767;

/// Reads band `band` (1-based) of a GeoTIFF.
pub fn read(path: &Path, band: u32) -> Result<Raster> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let not_tiff = |e: tiff::TiffError| Error::layer(path, format!("not a readable GeoTIFF: {e}"));
    let decoder = Decoder::new(BufReader::new(file))
        .map_err(not_tiff)?
        .with_limits(tag_limits(file_len));
    // The tiff crate panics on some inputs (band-interleaved files among them); a panic must not
    // reach the user, so the whole read is guarded and the known case rejected first.
    match catch_unwind(AssertUnwindSafe(move || read_decoder(path, decoder, band))) {
        Ok(result) => result,
        Err(_) => Err(Error::layer(
            path,
            "the GeoTIFF reader failed on this file (an unusual TIFF layout); convert it with `gdal_translate -co COMPRESS=DEFLATE in.tif out.tif` or build kindscape with --features gdal",
        )),
    }
}

/// Room for rasters of a few gigabytes; the crate's defaults (256 MiB of pixels, 1 MiB per tag)
/// stop at a national 10 m grid or a tile-offset table of a large COG.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.decoding_buffer_size = 8 << 30;
    limits.intermediate_buffer_size = 1 << 30;
    limits.ifd_value_size = 64 << 20;
    limits
}

/// [`limits`] while the tags are read. The `tiff` crate reserves room for all of a tag's values
/// before reading them, up to `decoding_buffer_size`; a tag's values lie in the file, so none
/// needs more values than the file has bytes. Without this bound, a 200-byte file whose tag
/// claims 2^28 doubles makes it allocate 8 GiB at once (found by fuzzing).
fn tag_limits(file_len: u64) -> Limits {
    let mut limits = limits();
    let per_value = std::mem::size_of::<tiff::decoder::ifd::Value>();
    let file_values = usize::try_from(file_len)
        .unwrap_or(usize::MAX)
        .saturating_mul(per_value)
        .max(1 << 20);
    limits.decoding_buffer_size = limits.decoding_buffer_size.min(file_values);
    limits
}

fn read_decoder(path: &Path, mut decoder: Decoder<BufReader<File>>, band: u32) -> Result<Raster> {
    let tiff_err =
        |what: &str, e: tiff::TiffError| Error::layer(path, format!("cannot read its {what}: {e}"));
    let (width, height) = decoder.dimensions().map_err(|e| tiff_err("size", e))?;
    let (width, height) = (width as usize, height as usize);
    let samples: u16 = decoder
        .find_tag_unsigned(Tag::SamplesPerPixel)
        .map_err(|e| tiff_err("SamplesPerPixel", e))?
        .unwrap_or(1);
    let bands = samples as usize;
    let planar: u16 = decoder
        .find_tag_unsigned(Tag::PlanarConfiguration)
        .map_err(|e| tiff_err("PlanarConfiguration", e))?
        .unwrap_or(1);
    if planar == 2 && bands > 1 {
        return Err(Error::layer(
            path,
            format!(
                "its {bands} bands are stored one after the other (PlanarConfiguration=2, INTERLEAVE=BAND), which the built-in GeoTIFF reader does not support; rewrite it with `gdal_translate -co INTERLEAVE=PIXEL in.tif out.tif` or build kindscape with --features gdal"
            ),
        ));
    }
    check_band(path, band, bands)?;

    let georef = Georeferencing::read(&mut decoder).map_err(|e| tiff_err("GeoTIFF tags", e))?;
    let geotransform = georef.geotransform().map_err(|m| Error::layer(path, m))?;
    let epsg = georef.epsg();
    let crs = epsg.and_then(|code| Crs::from_epsg(code).ok());

    // The declared size is checked before the pixels are allocated: a 62 KB file may declare
    // millions of cells. At most 8 bytes per sample while decoding, then 8 per cell of the band.
    let cells = (width as u64).saturating_mul(height as u64);
    crate::memory::check_fits(
        &format!("its {width} x {height} cells ({bands} band(s))"),
        cells.saturating_mul(8 * bands as u64 + 8),
    )
    .map_err(|m| Error::layer(path, m))?;
    // The tags are read; the pixels may need the full budget.
    let mut decoder = decoder.with_limits(limits());
    let image = decoder.read_image().map_err(|e| tiff_err("pixels", e))?;
    let float32 = matches!(image, DecodingResult::F32(_));
    let data = band_values(image, bands, band as usize - 1);
    if data.len() != width * height {
        return Err(Error::layer(
            path,
            format!(
                "decoded {} values for {width} x {height} cells (bit depth or layout not supported); convert it with `gdal_translate -ot Float32 in.tif out.tif`",
                data.len()
            ),
        ));
    }
    let nodata = if float32 {
        nodata_as_f32(georef.nodata)
    } else {
        georef.nodata
    };
    Ok(Raster {
        path: path.to_path_buf(),
        width,
        height,
        bands,
        band,
        geotransform,
        epsg,
        crs,
        nodata,
        data,
    })
}

/// Every `stride`-th sample from `offset`: one band of pixel-interleaved samples, as f64 (exact
/// for every type but 64-bit integers beyond 2^53, which no raster kindscape reads holds).
fn band_values(image: DecodingResult, stride: usize, offset: usize) -> Vec<f64> {
    fn pick<T: Copy>(v: &[T], stride: usize, offset: usize, f: impl Fn(T) -> f64) -> Vec<f64> {
        v.iter()
            .skip(offset)
            .step_by(stride)
            .map(|&x| f(x))
            .collect()
    }
    match image {
        DecodingResult::U8(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::U16(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::U32(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::U64(v) => pick(&v, stride, offset, |x| x as f64),
        DecodingResult::I8(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::I16(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::I32(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::I64(v) => pick(&v, stride, offset, |x| x as f64),
        DecodingResult::F16(v) => pick(&v, stride, offset, |x| x.to_f64()),
        DecodingResult::F32(v) => pick(&v, stride, offset, f64::from),
        DecodingResult::F64(v) => pick(&v, stride, offset, |x| x),
    }
}

/// The GeoTIFF tags that place the grid on the map.
#[derive(Debug, Default)]
struct Georeferencing {
    pixel_scale: Option<Vec<f64>>,
    tiepoints: Option<Vec<f64>>,
    transformation: Option<Vec<f64>>,
    /// (key id, value) for the keys stored inline as one SHORT.
    keys: Vec<(u16, u16)>,
    nodata: Option<f64>,
}

impl Georeferencing {
    fn read(decoder: &mut Decoder<BufReader<File>>) -> tiff::TiffResult<Self> {
        let mut doubles = |tag| -> tiff::TiffResult<Option<Vec<f64>>> {
            decoder.find_tag(tag)?.map(|v| v.into_f64_vec()).transpose()
        };
        let pixel_scale = doubles(Tag::ModelPixelScaleTag)?;
        let tiepoints = doubles(Tag::ModelTiepointTag)?;
        let transformation = doubles(Tag::ModelTransformationTag)?;
        let directory = decoder
            .find_tag(Tag::GeoKeyDirectoryTag)?
            .map(|v| v.into_u16_vec())
            .transpose()?
            .unwrap_or_default();
        let nodata = decoder
            .find_tag(Tag::GdalNodata)?
            .and_then(|v| v.into_string().ok())
            .and_then(|s| parse_nodata(&s));
        Ok(Georeferencing {
            pixel_scale,
            tiepoints,
            transformation,
            keys: inline_keys(&directory),
            nodata,
        })
    }

    fn key(&self, id: u16) -> Option<u16> {
        self.keys.iter().find(|(k, _)| *k == id).map(|(_, v)| *v)
    }

    /// The geotransform as GDAL reports it.
    fn geotransform(&self) -> Result<[f64; 6], String> {
        let mut gt = match (&self.transformation, &self.tiepoints, &self.pixel_scale) {
            (Some(m), _, _) if m.len() >= 16 => [m[3], m[0], m[1], m[7], m[4], m[5]],
            (_, Some(tp), Some(scale)) if tp.len() >= 6 && scale.len() >= 2 => {
                let (sx, sy) = (scale[0], scale[1]);
                [tp[3] - tp[0] * sx, sx, 0.0, tp[4] + tp[1] * sy, 0.0, -sy]
            }
            (_, Some(tp), None) if tp.len() > 6 => {
                return Err(
                    "it is placed by ground control points, not a geotransform; warp it first with `gdalwarp -t_srs EPSG:<code> in.tif out.tif`"
                        .into(),
                )
            }
            _ => return Ok([0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
        };
        if self.key(GT_RASTER_TYPE) == Some(RASTER_PIXEL_IS_POINT) {
            // The tiepoint names a cell's centre; GDAL's geotransform names its corner.
            gt[0] -= 0.5 * (gt[1] + gt[2]);
            gt[3] -= 0.5 * (gt[4] + gt[5]);
        }
        if gt.iter().any(|v| !v.is_finite()) || gt[1] * gt[5] - gt[2] * gt[4] == 0.0 {
            return Err(format!("its geotransform {gt:?} does not describe a grid"));
        }
        Ok(gt)
    }

    /// The EPSG code of the CRS: the projected one for a projected model, the geographic one for
    /// a geographic model; user-defined systems (32767) have none.
    fn epsg(&self) -> Option<u32> {
        let code = |id| {
            self.key(id)
                .filter(|&c| c != 0 && c != USER_DEFINED)
                .map(u32::from)
        };
        match self.key(GT_MODEL_TYPE) {
            Some(MODEL_TYPE_PROJECTED) => code(PROJECTED_CS_TYPE),
            Some(MODEL_TYPE_GEOGRAPHIC) => code(GEOGRAPHIC_TYPE),
            _ => code(PROJECTED_CS_TYPE).or_else(|| code(GEOGRAPHIC_TYPE)),
        }
    }
}

/// The keys of a GeoKeyDirectory whose value is stored inline (TIFFTagLocation 0): a header of
/// four SHORTs (version, revision, minor revision, number of keys), then four per key (id,
/// location, count, value).
fn inline_keys(directory: &[u16]) -> Vec<(u16, u16)> {
    let declared = directory.get(3).copied().unwrap_or(0) as usize;
    directory
        .get(4..)
        .unwrap_or_default()
        .chunks_exact(4)
        .take(declared)
        .filter(|k| k[1] == 0 && k[2] == 1)
        .map(|k| (k[0], k[3]))
        .collect()
}

/// GDAL writes nodata as text: a number, `nan`, `inf` or `-inf`, sometimes NUL-terminated.
fn parse_nodata(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let lower = t.to_ascii_lowercase();
    match lower.trim_start_matches(['-', '+']) {
        "nan" => Some(f64::NAN),
        "inf" | "infinity" if lower.starts_with('-') => Some(f64::NEG_INFINITY),
        "inf" | "infinity" => Some(f64::INFINITY),
        _ => t.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodata_text() {
        assert_eq!(parse_nodata("-99999\0"), Some(-99999.0));
        assert_eq!(
            parse_nodata(" -3.4028234663852886e+38"),
            Some(-3.4028234663852886e38)
        );
        assert!(parse_nodata("nan").is_some_and(f64::is_nan));
        assert!(parse_nodata("-nan").is_some_and(f64::is_nan));
        assert_eq!(parse_nodata("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_nodata("none"), None);
    }

    #[test]
    fn geokeys_and_epsg() {
        // Header: version 1, revision 1.0, 4 keys; then ModelType projected, PixelIsArea,
        // a GeogCitation stored in the ASCII tag (location 34737: skipped), EPSG:28992.
        let dir = [
            1, 1, 0, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 2049, 34737, 6, 0, 3072, 0, 1, 28992,
        ];
        let g = Georeferencing {
            keys: inline_keys(&dir),
            ..Default::default()
        };
        assert_eq!(g.keys, vec![(1024, 1), (1025, 1), (3072, 28992)]);
        assert_eq!(g.epsg(), Some(28992));
        // A geographic model uses the geographic code even when a projected key is present.
        let g = Georeferencing {
            keys: vec![(1024, 2), (2048, 4326), (3072, 28992)],
            ..Default::default()
        };
        assert_eq!(g.epsg(), Some(4326));
        let g = Georeferencing {
            keys: vec![(1024, 1), (2048, 4289), (3072, USER_DEFINED)],
            ..Default::default()
        };
        assert_eq!(g.epsg(), None);
        // A truncated directory yields what is there, no panic.
        assert_eq!(inline_keys(&[1, 1, 0, 9, 1024, 0, 1]), vec![]);
    }

    #[test]
    fn geotransforms_from_tags() {
        let g = Georeferencing {
            pixel_scale: Some(vec![10.0, 20.0, 0.0]),
            tiepoints: Some(vec![2.0, 1.0, 0.0, 1000.0, 5000.0, 0.0]),
            ..Default::default()
        };
        // The tiepoint pins cell corner (2, 1) to (1000, 5000).
        assert_eq!(
            g.geotransform().unwrap(),
            [980.0, 10.0, 0.0, 5020.0, 0.0, -20.0]
        );
        let g = Georeferencing {
            keys: vec![(GT_RASTER_TYPE, RASTER_PIXEL_IS_POINT)],
            ..g
        };
        assert_eq!(
            g.geotransform().unwrap(),
            [975.0, 10.0, 0.0, 5030.0, 0.0, -20.0]
        );
        let mut m = vec![0.0; 16];
        m[..8].copy_from_slice(&[8.0, 3.0, 0.0, 170000.0, 2.0, -9.0, 0.0, 485000.0]);
        let g = Georeferencing {
            transformation: Some(m),
            ..Default::default()
        };
        assert_eq!(
            g.geotransform().unwrap(),
            [170000.0, 8.0, 3.0, 485000.0, 2.0, -9.0]
        );
        assert_eq!(
            Georeferencing::default().geotransform().unwrap(),
            [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        );
        let gcps = Georeferencing {
            tiepoints: Some(vec![0.0; 12]),
            ..Default::default()
        };
        assert!(gcps
            .geotransform()
            .unwrap_err()
            .contains("ground control points"));
        let flat = Georeferencing {
            pixel_scale: Some(vec![0.0, 0.0]),
            tiepoints: Some(vec![0.0; 6]),
            ..Default::default()
        };
        assert!(flat.geotransform().is_err());
    }
}
