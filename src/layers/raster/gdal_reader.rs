//! Any raster GDAL reads (feature `gdal`), into the same [`Raster`] as the GeoTIFF reader.

use std::path::Path;

use gdal::raster::GdalDataType;
use gdal::{Dataset, Metadata};

use super::{check_band, nodata_as_f32, Raster};
use crate::error::{Error, Result};
use crate::layers::crs::Crs;

/// Reads band `band` (1-based) through GDAL.
pub fn read(path: &Path, band: u32) -> Result<Raster> {
    let gdal_err =
        |what: &str, e: gdal::errors::GdalError| Error::layer(path, format!("{what}: {e}"));
    let ds = Dataset::open(path).map_err(|e| gdal_err("GDAL cannot open it", e))?;
    let (width, height) = ds.raster_size();
    let bands = ds.raster_count();
    check_band(path, band, bands)?;
    // GDAL reports (0, 1, 0, 0, 0, 1) for a file without one, as the GeoTIFF reader does.
    let geotransform = ds.geo_transform().unwrap_or([0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let epsg = epsg_code(&ds);
    let crs = epsg.and_then(|code| Crs::from_epsg(code).ok());
    let rb = ds
        .rasterband(band as usize)
        .map_err(|e| gdal_err(&format!("band {band}"), e))?;
    let (_, mut data) = rb
        .read_band_as::<f64>()
        .map_err(|e| gdal_err(&format!("band {band}"), e))?
        .into_shape_and_vec();
    // GDAL before 3.7 has no Int8 type: it hands signed bytes over as Byte and says so in the
    // band's metadata.
    if rb.band_type() == GdalDataType::UInt8
        && rb.metadata_item("PIXELTYPE", "IMAGE_STRUCTURE").as_deref() == Some("SIGNEDBYTE")
    {
        for v in &mut data {
            *v = (*v as u8 as i8).into();
        }
    }
    let nodata = rb.no_data_value();
    let nodata = if rb.band_type() == GdalDataType::Float32 {
        nodata_as_f32(nodata)
    } else {
        nodata
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

/// The EPSG code of the dataset's CRS, when GDAL can name one.
fn epsg_code(ds: &Dataset) -> Option<u32> {
    let mut srs = ds.spatial_ref().ok()?;
    if srs.auth_name().as_deref() != Some("EPSG") {
        srs.auto_identify_epsg().ok()?;
    }
    if srs.auth_name().as_deref() != Some("EPSG") {
        return None;
    }
    srs.auth_code().ok().and_then(|c| u32::try_from(c).ok())
}
