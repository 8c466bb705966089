//! A chunk's attributes column by column, for the homes layer: a million homes need only an id,
//! a few counts and the filter's fields, and a `serde_json` map with its keys built and freed per
//! feature cost more than reading the file (65% of a GeoParquet load at 1 M homes). A reader
//! asked for only some attributes (`keep`) hands them on as typed columns instead: Arrow arrays
//! as they are, SQLite and dBASE values in one vector per column. The rules that read an
//! attribute (ids, numbers, filters) read [`Cell`]s either way.

use std::borrow::Cow;
use std::sync::Arc;

use super::attributes::{Attributes, Cell};

/// One attribute column of a chunk: a cell per feature, in the chunk's order.
pub trait Column: Send + Sync {
    fn cell(&self, row: usize) -> Cell<'_>;
}

/// A chunk's attribute columns by name (a handful: looked up by a scan).
#[derive(Clone, Default)]
pub struct Columns {
    columns: Vec<(String, Arc<dyn Column>)>,
}

impl std::fmt::Debug for Columns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.columns.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Columns {
    pub fn push(&mut self, name: String, column: Arc<dyn Column>) {
        self.columns.push((name, column));
    }

    /// Whether the chunk came as columns (then its features carry no attribute map).
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&dyn Column> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_ref())
    }

    /// Replaces (or adds) the column `name`.
    pub fn set(&mut self, name: &str, column: Arc<dyn Column>) {
        match self.columns.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c = column,
            None => self.push(name.to_string(), column),
        }
    }

    /// The attributes of the feature at `row` of the chunk.
    pub fn row(&self, row: usize) -> Row<'_> {
        Row { columns: self, row }
    }
}

/// The attributes of one feature of a chunk read as columns.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    columns: &'a Columns,
    row: usize,
}

impl<'a> Attributes<'a> for Row<'a> {
    fn cell(self, key: &str) -> Cell<'a> {
        match self.columns.get(key) {
            Some(c) => c.cell(self.row),
            None => Cell::Missing,
        }
    }
}

/// A column of values as an attribute map holds them (`None` where the feature has none): the
/// numbers [`super::table::read_numbers`] reads from text.
impl Column for Vec<Option<serde_json::Value>> {
    fn cell(&self, row: usize) -> Cell<'_> {
        Cell::of(self[row].as_ref())
    }
}

/// A column read value by value (SQLite, dBASE), its text in one buffer.
#[derive(Debug, Clone, Default)]
pub struct Scalars {
    cells: Vec<Scalar>,
    text: String,
    others: Vec<serde_json::Value>,
}

#[derive(Debug, Clone)]
enum Scalar {
    Missing,
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// Where the text lies in [`Scalars::text`].
    Text(usize, usize),
    /// Its index in [`Scalars::others`].
    Other(usize),
}

impl Scalars {
    pub fn push(&mut self, cell: Cell) {
        let scalar = match cell {
            Cell::Missing => Scalar::Missing,
            Cell::Null => Scalar::Null,
            Cell::Bool(b) => Scalar::Bool(b),
            Cell::Number(n) => Scalar::Number(n),
            Cell::Text(t) => {
                let start = self.text.len();
                self.text.push_str(&t);
                Scalar::Text(start, self.text.len())
            }
            Cell::Other(v) => {
                self.others.push(v.clone());
                Scalar::Other(self.others.len() - 1)
            }
        };
        self.cells.push(scalar);
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Adds `other`'s cells after this column's (a batch read on another thread).
    pub fn append(&mut self, other: Scalars) {
        let (text, others) = (self.text.len(), self.others.len());
        self.text.push_str(&other.text);
        self.others.extend(other.others);
        self.cells
            .extend(other.cells.into_iter().map(|cell| match cell {
                Scalar::Text(start, end) => Scalar::Text(start + text, end + text),
                Scalar::Other(i) => Scalar::Other(i + others),
                cell => cell,
            }));
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

impl Column for Scalars {
    fn cell(&self, row: usize) -> Cell<'_> {
        match &self.cells[row] {
            Scalar::Missing => Cell::Missing,
            Scalar::Null => Cell::Null,
            Scalar::Bool(b) => Cell::Bool(*b),
            Scalar::Number(n) => Cell::Number(n.clone()),
            Scalar::Text(start, end) => Cell::Text(Cow::Borrowed(&self.text[*start..*end])),
            Scalar::Other(i) => Cell::Other(&self.others[*i]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_give_the_cells_a_map_would() {
        let map = json!([
            null,
            true,
            -7,
            2.5,
            "NaN",
            "0012",
            "",
            [1, "a"],
            18446744073709551615u64
        ]);
        let mut s = Scalars::default();
        s.push(Cell::Missing);
        for v in map.as_array().unwrap() {
            s.push(Cell::of(Some(v)));
        }
        assert_eq!(s.len(), 10);
        assert_eq!(s.cell(0), Cell::Missing);
        for (row, v) in map.as_array().unwrap().iter().enumerate() {
            assert_eq!(s.cell(row + 1), Cell::of(Some(v)), "row {}", row + 1);
            assert_eq!(s.cell(row + 1).to_value().as_ref(), Some(v));
        }
        assert_eq!(Cell::real(f64::NAN), Cell::Text("NaN".into()));
        let mut columns = Columns::default();
        columns.push("n".into(), Arc::new(s));
        assert_eq!(columns.row(3).cell("n"), Cell::Number((-7).into()));
        assert_eq!(columns.row(3).cell("other"), Cell::Missing);
    }
}
