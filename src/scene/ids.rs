//! Home ids, stored as one block of text: a country has millions of homes, and one `String` per
//! id costs 24 bytes of header plus an allocation of at least 16 bytes, several times the id.

use std::ops::Index;

/// A column of ids: `ids[i]` is the `i`-th id as it was pushed.
///
/// ```
/// use kindscape::scene::Ids;
/// let mut ids = Ids::default();
/// ids.push("0042");
/// ids.push("H7");
/// assert_eq!((&ids[0], &ids[1], ids.len()), ("0042", "H7", 2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    /// End of each id in `text`; id `i` starts where id `i - 1` ends.
    ends: Vec<usize>,
}

impl Ids {
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| &self[i])
    }

    /// Frees the capacity left over from growing.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl Index<usize> for Ids {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(s) => s,
            None => panic!("id {i} of {}", self.len()),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut ids = Ids::default();
        for s in iter {
            ids.push(s.as_ref());
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_including_empty_and_multibyte() {
        let input = ["", "007", "Hämeentie 1", "", "3.5"];
        let ids: Ids = input.iter().collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(ids.iter().collect::<Vec<_>>(), input);
        assert_eq!(ids.get(5), None);
    }
}

/// An amenity kind: its position in the scene (`scene.amenities[k]`, `distances.straight[k]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindId(pub usize);

/// A children band: its position in the scene (`scene.bands[b]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BandId(pub usize);

/// A home: its position in the scene's homes (`homes.coords[h]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HomeId(pub usize);
