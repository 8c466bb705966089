//! `equity.csv` and `meeting_places.csv`: the equity stage's typed results as tables.

use crate::equity::analysis::{Equity, IndexFigures, InequalityIndex, MeetingPlace};
use crate::output::table::{Cell, Table};

/// `equity.csv`: one row per quintile of chances, then one per inequality index (its name in the
/// `quintile` column, no neighbourhoods or children).
///
/// DESIGN.md fixes the leading columns (`quintile,children,score`, then per kind `K_coverage`) and
/// a last row `concentration_index`, so readers that go by position keep working: the count of
/// neighbourhoods comes after the coverages, and the other indices before the concentration index.
pub fn equity_table<'k>(equity: &Equity, kinds: impl IntoIterator<Item = &'k str>) -> Table {
    let mut columns = vec!["quintile".to_string(), "children".into(), "score".into()];
    columns.extend(kinds.into_iter().map(|k| format!("{k}_coverage")));
    columns.push("neighbourhoods".into());
    let mut rows: Vec<Vec<Cell>> = equity
        .by_quintile
        .iter()
        .map(|q| {
            let mut row = vec![
                Cell::text(q.quintile.to_string()),
                Cell::Num(Some(q.children), 1),
                Cell::Num(q.score, 2),
            ];
            row.extend(q.coverage.iter().map(|c| Cell::share(*c)));
            row.push(Cell::Num(Some(q.neighbourhoods as f64), 0));
            row
        })
        .collect();
    let concentration_last = |i: &&IndexFigures| i.index == InequalityIndex::Concentration;
    let (last, others): (Vec<_>, Vec<_>) = equity.indices.iter().partition(concentration_last);
    rows.extend(others.into_iter().chain(last).map(|i| {
        let mut row = vec![
            Cell::text(i.index.key()),
            Cell::Num(None, 0),
            Cell::Num(i.score, 6),
        ];
        row.extend(i.coverage.iter().map(|v| Cell::Num(*v, 6)));
        row.push(Cell::Num(None, 0));
        row
    }));
    Table { columns, rows }
}

/// `meeting_places.csv`.
pub fn meeting_table(places: &[MeetingPlace]) -> Table {
    let mut columns: Vec<String> = ["kind", "name", "x", "y", "children"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    columns.extend((1..=5).map(|q| format!("share_q{q}")));
    columns.push("mix".into());
    let rows = places
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::text(&p.kind),
                Cell::text(&p.name),
                Cell::Num(Some(p.x), 2),
                Cell::Num(Some(p.y), 2),
                Cell::Num(Some(p.children), 1),
            ];
            row.extend(p.mix.shares.iter().map(|s| Cell::share(Some(*s))));
            row.push(Cell::share(Some(p.mix.entropy)));
            row
        })
        .collect();
    Table { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equity::analysis::QuintileFigures;

    #[test]
    fn quintile_rows_then_index_rows() {
        let equity = Equity {
            by_quintile: vec![QuintileFigures {
                quintile: 1,
                neighbourhoods: 3,
                children: 120.26,
                score: Some(61.234),
                coverage: vec![Some(0.5), None],
            }],
            indices: vec![
                IndexFigures {
                    index: InequalityIndex::Concentration,
                    score: Some(0.5),
                    coverage: vec![Some(0.25), None],
                },
                IndexFigures {
                    index: InequalityIndex::Palma,
                    score: Some(1.1234567),
                    coverage: vec![None, Some(-0.25)],
                },
            ],
            ..Default::default()
        };
        let t = equity_table(&equity, ["playground", "library"]);
        assert_eq!(
            t.columns,
            [
                "quintile",
                "children",
                "score",
                "playground_coverage",
                "library_coverage",
                "neighbourhoods"
            ]
        );
        let csv: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::to_csv).collect())
            .collect();
        // Children to 0.1, the score to 0.01, indices to 6 decimals; missing values empty. The
        // concentration index comes last whatever the order of the indices, as DESIGN.md says.
        assert_eq!(csv[0], ["1", "120.3", "61.23", "0.5", "", "3"]);
        assert_eq!(csv[1], ["palma_ratio", "", "1.123457", "", "-0.25", ""]);
        assert_eq!(csv[2], ["concentration_index", "", "0.5", "0.25", "", ""]);
    }
}
