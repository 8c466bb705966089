//! The study files written next to the sample layers, using every section of DESIGN.md so that
//! a new user sees a complete, working example.

/// What the study file needs to know about the layers it points at.
pub(crate) struct StudyText<'a> {
    pub(crate) name: &'a str,
    pub(crate) homes: u64,
    pub(crate) seed: u64,
    /// `[study] output`, relative to the study file.
    pub(crate) output: &'a str,
    /// Read the network and amenities from this .osm.pbf instead of the GeoJSON layers.
    pub(crate) osm: Option<&'a str>,
}

/// The study file text (TOML).
pub(crate) fn study_toml(s: &StudyText<'_>) -> String {
    let output = toml_string(s.output);
    let amenities = match s.osm {
        None => "\
[[amenities]]
kind = \"playground\"
path = \"playgrounds.geojson\"   # points and polygons
capacity = \"area\"
point_area_m2 = 200

[[amenities]]
kind = \"green_space\"
path = \"green_spaces.geojson\"  # WGS84 (RFC 7946): reprojected on load
capacity = \"area\"
min_area_m2 = 5000             # WHO: at least 0.5 ha; the pocket park is smaller and ignored

[[amenities]]
kind = \"library\"
path = \"libraries.geojson\"

[[amenities]]
kind = \"community_centre\"
path = \"community_centres.geojson\"
"
        .to_string(),
        Some(osm) => {
            let osm = toml_string(osm);
            format!(
                "\
[[amenities]]
kind = \"playground\"
osm = {osm}
tags = [\"leisure=playground\"]
capacity = \"area\"
point_area_m2 = 200

[[amenities]]
kind = \"green_space\"
osm = {osm}
tags = [\"leisure=park\"]
capacity = \"area\"
min_area_m2 = 5000

[[amenities]]
kind = \"library\"
osm = {osm}
tags = [\"amenity=library\"]

[[amenities]]
kind = \"community_centre\"
osm = {osm}
tags = [\"amenity=community_centre\"]
"
            )
        }
    };
    let network = match s.osm {
        None => {
            "path = \"walk.geojson\"          # LineStrings with a `highway` attribute".to_string()
        }
        Some(osm) => format!("osm = {}", toml_string(osm)),
    };
    format!(
        "\
# {name}: a synthetic Dutch town made by `kindscape sample` ({homes} homes, seed {seed}).
# Every figure in these layers is invented; the same seed always gives the same files.
# Neighbourhoods, homes, playgrounds, libraries, community centres and the walking network are in
# RD New (EPSG:28992, with a `crs` member); green spaces are in WGS84, as RFC 7946 says.

[study]
name = {name_toml}
crs = \"EPSG:28992\"
output = {output}

[neighbourhoods]
path = \"neighbourhoods.geojson\"
id = \"code\"
name = \"name\"
population = \"inhabitants\"
children = {{ \"0-5\" = \"age_0_5\", \"6-11\" = \"age_6_11\", \"12-17\" = \"age_12_17\" }}
keep = [\"mean_income\", \"low_income_share\"]   # mean_income: thousands of euros per inhabitant

[homes]
path = \"homes.geojson\"
id = \"home_id\"
# No children attribute: each neighbourhood's children are shared over its homes by count.

{amenities}
[norms]
preset = \"nl\"

[network]
{network}
max_distance = 2000

[network.barriers]   # one primary road crosses the town with only two marked crossings
\"0-5\"   = [\"motorway\", \"trunk\", \"primary\", \"secondary\", \"tertiary\"]
\"6-11\"  = [\"motorway\", \"trunk\", \"primary\", \"secondary\"]
\"12-17\" = [\"motorway\", \"trunk\"]

[score]
weights = {{ playground = 0.4, green_space = 0.3, library = 0.15, community_centre = 0.15 }}

[catchment]
kind = \"playground\"
decay = \"step\"

[play_area]
share = 0.03
base = \"neighbourhood\"

[equity]
by = \"mean_income\"

[sites]
kind = \"playground\"
count = 3

[costs]
preset = \"ecorys-2020\"           # benefit per child derived from the Ecorys MKBA (NORMS.md)
capex_eur = 150000
maintenance_eur_per_year = 7500
years = 15
discount_rate = 0.0225
",
        name = s.name,
        name_toml = toml_string(s.name),
        homes = s.homes,
        seed = s.seed,
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
