//! Band names as people type them. A word processor or spreadsheet turns "0-5" into "0–5" (an
//! en dash); the two look the same in every table and message but are different keys, so a norm
//! for "0-5" missed children counted under "0–5" with a message that seemed to contradict
//! itself. Every dash-like character in a band name is read as a hyphen, and the study is told.

use super::{ChildrenSpec, StudyFile};

/// Characters that look like a hyphen in a band name: hyphen, non-breaking hyphen, figure
/// dash, en dash, em dash, horizontal bar, minus sign, small and full-width hyphen-minus.
const DASHES: [char; 9] = [
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{FE63}',
    '\u{FF0D}',
];

/// The name with every dash-like character a hyphen-minus.
pub fn with_hyphens(name: &str) -> String {
    name.chars()
        .map(|c| if DASHES.contains(&c) { '-' } else { c })
        .collect()
}

/// Rewrites the band names of the study file (children tables, norm tables, barrier bands and
/// walking speeds) with
/// hyphens; returns a warning per name rewritten, or an error when two names of one table become
/// the same.
pub fn use_hyphens(file: &mut StudyFile) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let mut note = |place: &str, from: &str, to: &str| {
        let chars: Vec<String> = from
            .chars()
            .filter(|c| DASHES.contains(c))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        let message = format!(
            "{place}: band \"{from}\" is written with a dash that is not a hyphen ({}); it is read as \"{to}\"",
            chars.join(", ")
        );
        if !notes.contains(&message) {
            notes.push(message);
        }
    };
    for (section, spec) in [
        (
            "[neighbourhoods] children",
            &mut file.neighbourhoods.children,
        ),
        ("[homes] children", &mut file.homes.children),
    ] {
        if let Some(ChildrenSpec::Bands(table)) = spec {
            rename_keys(table, section, &mut note)?;
        }
    }
    if let Some(norms) = &mut file.norms {
        for (kind, value) in norms.iter_mut() {
            if let toml::Value::Table(table) = value {
                rename_keys(table, &format!("[norms] {kind}"), &mut note)?;
            }
        }
    }
    if let Some(network) = &mut file.network {
        rename_map(&mut network.barriers, "[network.barriers]", &mut note)?;
        rename_map(&mut network.speed_m_s, "[network] speed_m_s", &mut note)?;
    }
    Ok(notes)
}

/// Renames the keys of a map in place.
fn rename_map<T>(
    map: &mut std::collections::BTreeMap<String, T>,
    place: &str,
    note: &mut impl FnMut(&str, &str, &str),
) -> Result<(), String> {
    for (band, value) in std::mem::take(map) {
        let hyphens = with_hyphens(&band);
        if hyphens != band {
            note(place, &band, &hyphens);
        }
        if map.insert(hyphens.clone(), value).is_some() {
            return Err(same_name(place, &hyphens));
        }
    }
    Ok(())
}

/// Renames a table's keys in place, keeping their order.
fn rename_keys(
    table: &mut toml::Table,
    place: &str,
    note: &mut impl FnMut(&str, &str, &str),
) -> Result<(), String> {
    if !table.keys().any(|k| k.contains(DASHES)) {
        return Ok(());
    }
    for (band, value) in std::mem::take(table) {
        let hyphens = with_hyphens(&band);
        if hyphens != band {
            note(place, &band, &hyphens);
        }
        if table.insert(hyphens.clone(), value).is_some() {
            return Err(same_name(place, &hyphens));
        }
    }
    Ok(())
}

fn same_name(place: &str, band: &str) -> String {
    format!(
        "{place}: band \"{band}\" is given twice, once with a hyphen and once with another dash (en dash, em dash or minus); keep one"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_become_hyphens() {
        assert_eq!(with_hyphens("0\u{2013}5"), "0-5");
        assert_eq!(with_hyphens("12\u{2014}17"), "12-17");
        assert_eq!(with_hyphens("6\u{2212}11"), "6-11");
        assert_eq!(with_hyphens("all"), "all");
        // Letters and other punctuation stay.
        assert_eq!(with_hyphens("0_5 years"), "0_5 years");
    }
}
