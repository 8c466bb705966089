//! The words of `report.html`, `summary.md` and the terminal summary, one catalogue per
//! language (`en.toml`, `nl.toml`, compiled in), so that a council reads its report in its own
//! language and a translator edits one file. Numbers and data (names, ids, paths) are not
//! translated; what the stages have to say reaches the reader as a [`Phrase`], said here.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

use crate::phrase::{Arg, Phrase};
pub use crate::study::Language;

mod amounts;
pub use amounts::NumberStyle;

const EN: &str = include_str!("en.toml");
const NL: &str = include_str!("nl.toml");

/// One language's texts, by `table.key`.
#[derive(Debug)]
pub struct Texts {
    pub language: Language,
    texts: BTreeMap<String, String>,
}

/// What the study's areas are: CBS publishes its figures per wijk (a district, code `WK` and six
/// digits) and per buurt (a neighbourhood within it, `BU` and eight digits), and a Dutch council
/// calls its areas by the word the data uses, so a report on wijken must not call them buurten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Areas {
    /// Neighbourhoods in general (Dutch "buurten"): any area the study names.
    Neighbourhoods,
    /// CBS wijken: every area's id is a CBS wijk code.
    CbsDistricts,
}

impl Areas {
    /// [`Areas::CbsDistricts`] when every id is a CBS wijk code ("WK024301"), else
    /// [`Areas::Neighbourhoods`].
    pub fn of<'a>(ids: impl IntoIterator<Item = &'a str>) -> Areas {
        let is_wijk_code = |id: &str| {
            id.strip_prefix("WK").is_some_and(|digits| {
                digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
            })
        };
        let mut ids = ids.into_iter().peekable();
        if ids.peek().is_some() && ids.all(is_wijk_code) {
            Areas::CbsDistricts
        } else {
            Areas::Neighbourhoods
        }
    }
}

/// The texts of `language`, parsed once.
pub fn texts(language: Language) -> &'static Texts {
    texts_for(language, Areas::Neighbourhoods)
}

/// The texts of `language` for a study of `scene`'s areas.
pub fn texts_of_scene(language: Language, scene: &crate::scene::Scene) -> &'static Texts {
    texts_for(
        language,
        Areas::of(scene.neighbourhoods.iter().map(|n| n.id.as_str())),
    )
}

/// The texts of `language` for a study whose areas are `areas`, parsed once.
pub fn texts_for(language: Language, areas: Areas) -> &'static Texts {
    static EN_TEXTS: OnceLock<Texts> = OnceLock::new();
    static NL_TEXTS: OnceLock<Texts> = OnceLock::new();
    static NL_WIJK_TEXTS: OnceLock<Texts> = OnceLock::new();
    // English "neighbourhood" serves for both: it is the word CBS's own English uses for buurt
    // and reads naturally for a district too, and English texts name files (neighbourhoods.csv)
    // that must not change.
    let (cell, source, districts) = match (language, areas) {
        (Language::En, _) => (&EN_TEXTS, EN, false),
        (Language::Nl, Areas::Neighbourhoods) => (&NL_TEXTS, NL, false),
        (Language::Nl, Areas::CbsDistricts) => (&NL_WIJK_TEXTS, NL, true),
    };
    cell.get_or_init(|| {
        let mut texts = parse(source);
        if districts {
            texts.values_mut().for_each(|t| *t = buurt_as_wijk(t));
        }
        Texts { language, texts }
    })
}

/// A Dutch text with the areas called wijken: the words "buurt", "buurten" and "buurtcijfers"
/// (whole words, either case) become "wijk", "wijken" and "wijkcijfers"; "buurthuis" and other
/// compounds stay, since a community centre is a buurthuis in a wijk too.
fn buurt_as_wijk(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    let flush = |out: &mut String, word: &str| {
        let replaced = match word {
            "buurt" => "wijk",
            "buurten" => "wijken",
            "buurtcijfers" => "wijkcijfers",
            "Buurt" => "Wijk",
            "Buurten" => "Wijken",
            "Buurtcijfers" => "Wijkcijfers",
            other => other,
        };
        out.push_str(replaced);
    };
    for (i, c) in text.char_indices() {
        match (c.is_alphabetic(), word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, &text[start..i]);
                word_start = None;
                out.push(c);
            }
            (false, None) => out.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// A catalogue's `[table] key = "text"` lines as `table.key` -> text. The catalogues are part
/// of the program: one that does not parse is a bug, which the tests catch.
fn parse(source: &str) -> BTreeMap<String, String> {
    let table: toml::Table = toml::from_str(source).expect("a catalogue is valid TOML");
    let mut out = BTreeMap::new();
    for (section, entries) in table {
        let toml::Value::Table(entries) = entries else {
            panic!("catalogue entry {section} is outside a table");
        };
        for (key, text) in entries {
            let toml::Value::String(text) = text else {
                panic!("catalogue entry {section}.{key} is not a string");
            };
            out.insert(format!("{section}.{key}"), text);
        }
    }
    out
}

impl Texts {
    /// The text of `key`; the key itself when the catalogue lacks it (the tests make sure every
    /// key the code asks for is in both catalogues).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        debug_assert!(self.texts.contains_key(key), "no text for {key}");
        self.texts.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text of `key`, if the catalogue has one (for keys made from data, such as a kind).
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(String::as_str)
    }

    /// How this language writes numbers.
    pub fn numbers(&self) -> NumberStyle {
        NumberStyle::of(self.language)
    }

    /// A count or amount with thousands separators ("12,345"; Dutch "12.345"), rounded to
    /// `decimals`; "–" when missing.
    pub fn num(&self, v: Option<f64>, decimals: usize) -> String {
        self.numbers().num(v, decimals)
    }

    /// A share 0..1 as a whole percentage ("66%"), "–" when missing.
    pub fn pct(&self, v: Option<f64>) -> String {
        self.pct_with(v, 0)
    }

    /// A share 0..1 as a percentage with `decimals` decimals ("2.5%"; Dutch "2,5%").
    pub fn pct_with(&self, v: Option<f64>, decimals: usize) -> String {
        self.numbers().pct(v, decimals)
    }

    /// Metres as "1,250 m": norms are set in metres, so distances stay in metres too.
    pub fn metres(&self, v: Option<f64>) -> String {
        match v.filter(|v| v.is_finite()) {
            Some(_) => format!("{} m", self.num(v, 0)),
            None => "–".into(),
        }
    }

    /// Whole euros with thousands separators ("EUR 150,000").
    pub fn eur(&self, amount: f64) -> String {
        self.numbers().eur(amount)
    }

    /// A text with figures in the machine's format ("5 min (330.5 m)") with this language's
    /// decimal mark.
    pub fn decimal_marks(&self, machine: &str) -> String {
        self.numbers().plain(machine)
    }

    /// A figure as the data files write it ("12.3": at most `decimals`, trailing zeros
    /// dropped, no grouping), with this language's decimal mark; empty when missing.
    pub fn figure(&self, v: Option<f64>, decimals: usize) -> String {
        self.numbers()
            .plain(&crate::output::table::format_number(v, decimals))
    }

    /// An input's role in this language: the catalogue's word for the part before the colon
    /// and for the kind ("amenities: playground" -> "voorzieningen: speelplek"; a scenario's
    /// layer, `scenario: "name" (kind)`, keeps the scenario's name as written).
    pub fn role(&self, role: &str) -> String {
        let (head, rest) = role.split_once(": ").unwrap_or((role, ""));
        // A kind the catalogue does not know is the study's own word and stays as written.
        let kind = |k: &str| {
            self.lookup(&format!("kind.{k}"))
                .map_or(k.to_string(), str::to_lowercase)
        };
        let rest = match head {
            "amenities" => kind(rest),
            "scenario" => match rest.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
                Some((name, k)) => format!("{name} ({})", kind(k)),
                None => rest.to_string(),
            },
            _ => rest.to_string(),
        };
        let head = self.lookup(&format!("role.{head}")).unwrap_or(head);
        if rest.is_empty() {
            head.to_string()
        } else {
            format!("{head}: {rest}")
        }
    }

    /// The cost-benefit totals line `key` (the report's or the terminal's), its five amounts
    /// written by `number` (the report groups thousands, the terminal does not).
    pub fn cba_totals(
        &self,
        key: &str,
        total: &crate::cba::npv::Appraisal,
        number: &dyn Fn(Option<f64>, usize) -> String,
    ) -> String {
        self.fmt(
            key,
            &[
                ("capital", &number(Some(total.capex_pv), 0)),
                ("maintenance", &number(Some(total.maintenance_pv), 0)),
                ("benefits", &number(Some(total.benefit_pv), 0)),
                ("npv", &number(Some(total.npv), 0)),
                ("bcr", &number(total.bcr, 2)),
            ],
        )
    }

    /// A stage's sentence in this language.
    pub fn phrase(&self, phrase: &Phrase) -> String {
        let values: Vec<(&str, String)> = phrase
            .args
            .iter()
            .map(|(slot, arg)| (*slot, self.arg(arg)))
            .collect();
        let args: Vec<(&str, &dyn Display)> = values
            .iter()
            .map(|(slot, value)| (*slot, value as &dyn Display))
            .collect();
        self.fmt(phrase.key, &args)
    }

    /// Stages' sentences in this language, one each.
    pub fn phrases(&self, phrases: &[Phrase]) -> Vec<String> {
        phrases.iter().map(|p| self.phrase(p)).collect()
    }

    fn arg(&self, arg: &Arg) -> String {
        match arg {
            Arg::Text(text) => text.clone(),
            Arg::Figure(v) => self.numbers().trim(*v),
            Arg::Fixed(v, decimals) => self.numbers().plain(&format!("{v:.decimals$}")),
            Arg::Eur(v) => self.numbers().eur(*v),
            Arg::EurCents(v) => self.numbers().eur_cents(*v),
            Arg::Kind(kind) => self.kind_lower(kind),
            Arg::Case(case) => self.case(case),
            Arg::Factors(factors) => factors
                .iter()
                .map(|(case, f)| format!("{} ({})", self.numbers().trim(*f), self.case(case)))
                .collect::<Vec<_>>()
                .join(" / "),
            Arg::Phrase(part) => part.as_ref().map_or(String::new(), |p| self.phrase(p)),
        }
    }

    /// A sensitivity case's name ("low", "central", "high").
    pub fn case(&self, case: &str) -> String {
        self.lookup(&format!("case.{case}"))
            .unwrap_or(case)
            .to_string()
    }

    /// A chosen site's name: a generated candidate's in this language ("grid site 12"), a
    /// candidate layer's as the data has it.
    pub fn site_name(&self, site: &crate::sites::plan::ChosenSite) -> String {
        match site.grid {
            Some(n) => self.fmt("sites.grid_name", &[("n", &n)]),
            None => site.name.clone(),
        }
    }

    /// A sensitivity case of the cost-benefit ("benefit low, cost high").
    pub fn sensitivity_case(&self, case: &crate::cba::npv::Scenario) -> String {
        self.fmt(
            "sites.case",
            &[
                ("benefit", &self.case(case.benefit_case)),
                ("cost", &self.case(case.cost_case)),
            ],
        )
    }

    /// Where a kind's norms come from: the preset's source in this language (`run.json` keeps
    /// it in English), or the study file.
    pub fn norm_source(&self, preset: &str, norms: &crate::study::NormTable) -> String {
        if !norms.from_preset {
            return self.get("norm_source.study_file").to_string();
        }
        self.lookup(&format!("norm_source.{preset}"))
            .unwrap_or(&norms.source)
            .to_string()
    }

    /// Whether the report and summaries list the warnings themselves. They are written in
    /// English, for the terminal, the logs and `run.json`, and are about the input files, for
    /// whoever prepares them; a report in another language says how many there are and where
    /// to read them (their consequences for the figures, such as estimated children, are in
    /// its own words elsewhere).
    pub fn warnings_listed(&self) -> bool {
        self.language == Language::En
    }

    /// The text of `key` with every `{name}` replaced by its value.
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut out = String::new();
        for piece in pieces(self.get(key)) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(name) => match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        out
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// Every text, in key order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.texts.values().map(String::as_str)
    }

    /// An amenity kind's name as a title: the catalogue's for the kinds it knows, else the kind
    /// itself ("sports_field" -> "Sports field").
    pub fn kind(&self, kind: &str) -> String {
        match self.lookup(&format!("kind.{kind}")) {
            Some(t) => t.to_string(),
            None => {
                let words = kind.replace('_', " ");
                let mut c = words.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        }
    }

    /// Children's age bands as a list; the band kindscape names "all" (every child, when the
    /// study counts children in one attribute) in the catalogue's words.
    pub fn bands(&self, labels: &[String]) -> String {
        labels
            .iter()
            .map(|b| match b.as_str() {
                "all" => self.get("summary.all_bands"),
                b => b,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// An amenity kind's name within a sentence ("green space").
    pub fn kind_lower(&self, kind: &str) -> String {
        self.kind(kind).to_lowercase()
    }
}

/// A piece of a catalogue text: literal text or a `{slot}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits a text into literal pieces and `{slot}`s (a `{` without a closing `}` is text).
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Slot(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn slots(text: &str) -> BTreeSet<&str> {
        pieces(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Slot(s) => Some(s),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn every_key_has_its_dutch_text_with_the_same_slots() {
        let (en, nl) = (texts(Language::En), texts(Language::Nl));
        let missing: Vec<&str> = en.keys().filter(|k| !nl.texts.contains_key(*k)).collect();
        assert!(missing.is_empty(), "no Dutch text for {missing:?}");
        let extra: Vec<&str> = nl.keys().filter(|k| !en.texts.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "Dutch texts without an English key: {extra:?}"
        );
        for key in en.keys() {
            assert!(!nl.get(key).trim().is_empty(), "empty Dutch text for {key}");
            assert_eq!(slots(en.get(key)), slots(nl.get(key)), "slots of {key}");
        }
    }

    /// Numbers written into the Dutch texts by hand are Dutch: a council reads "EUR 150,000" as
    /// 150 euros. English thousands (`150,000`) and English decimals (`56.73`, `2.25%`) are
    /// refused; Dutch thousands (`7.500`: three digits after the point) pass.
    #[test]
    fn the_dutch_texts_write_numbers_the_dutch_way() {
        let nl = texts(Language::Nl);
        for key in nl.keys() {
            let text: Vec<char> = nl.get(key).chars().collect();
            for (i, &c) in text.iter().enumerate() {
                if !(c == ',' || c == '.') || i == 0 || !text[i - 1].is_ascii_digit() {
                    continue;
                }
                let digits = text[i + 1..]
                    .iter()
                    .take_while(|d| d.is_ascii_digit())
                    .count();
                let english = match c {
                    ',' => digits == 3,
                    _ => digits == 1 || digits == 2,
                };
                let shown: String = text[i.saturating_sub(12)..(i + 8).min(text.len())]
                    .iter()
                    .collect();
                assert!(!english, "{key}: an English number in \"{shown}\"");
            }
        }
    }

    #[test]
    fn cbs_wijk_codes_make_the_dutch_texts_speak_of_wijken() {
        assert_eq!(Areas::of(["WK024301", "WK024399"]), Areas::CbsDistricts);
        // One buurt code, a short code, a lower-case prefix or no areas at all: neighbourhoods.
        for ids in [
            &["WK024301", "BU02430101"][..],
            &["WK02430"],
            &["wk024301"],
            &["WK02430a"],
            &[],
        ] {
            assert_eq!(
                Areas::of(ids.iter().copied()),
                Areas::Neighbourhoods,
                "{ids:?}"
            );
        }
        assert_eq!(
            buurt_as_wijk("Buurten: 3. Wijs een buurt aan; geen inwoners in de buurtcijfers."),
            "Wijken: 3. Wijs een wijk aan; geen inwoners in de wijkcijfers."
        );
        assert_eq!(
            buurt_as_wijk("Buurthuis in de buurt, {neighbourhoods} buurten"),
            "Buurthuis in de wijk, {neighbourhoods} wijken"
        );
        let wijk = texts_for(Language::Nl, Areas::CbsDistricts);
        let buurt = texts(Language::Nl);
        let mut changed = 0;
        for key in buurt.keys() {
            let (b, w) = (buurt.get(key), wijk.get(key));
            assert_eq!(slots(b), slots(w), "slots of {key}");
            let words = |t: &str| {
                t.split(|c: char| !c.is_alphabetic())
                    .filter(|w| matches!(w.to_lowercase().as_str(), "buurt" | "buurten"))
                    .count()
            };
            assert_eq!(words(w), 0, "{key} still says buurt: {w}");
            changed += usize::from(b != w);
        }
        assert!(changed > 10, "only {changed} texts name the areas");
        assert_eq!(wijk.kind("community_centre"), "Buurthuis");
        // English keeps "neighbourhood", and the plain Dutch texts keep "buurt".
        assert_eq!(
            texts_for(Language::En, Areas::CbsDistricts).get("col.neighbourhood"),
            texts(Language::En).get("col.neighbourhood")
        );
    }

    #[test]
    fn slots_are_filled_by_name() {
        let en = texts(Language::En);
        assert_eq!(
            en.fmt("facts.norm_for", &[("band", &"0-5"), ("metres", &"400")]),
            "400 m for 0-5"
        );
        assert_eq!(
            pieces("a {b} c {d"),
            vec![Piece::Text("a "), Piece::Slot("b"), Piece::Text(" c {d")]
        );
    }

    /// Every catalogue key the stages name in their sentences (`"assume.…"`, `"cost_preset.…"`
    /// literals anywhere in src/), found by reading the code, so that a sentence added to a
    /// stage without its texts fails here rather than showing its key in a report.
    #[test]
    fn every_key_the_stages_name_is_in_both_catalogues() {
        let mut named = BTreeSet::new();
        let mut files = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let code = std::fs::read_to_string(&path).unwrap();
            for literal in code.split('"').skip(1).step_by(2) {
                let is_key = ["assume.", "cost_preset."].iter().any(|p| {
                    literal.strip_prefix(p).is_some_and(|rest| {
                        !rest.is_empty()
                            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                });
                if is_key {
                    named.insert(literal.to_string());
                }
            }
        }
        assert!(named.len() > 30, "{named:?}");
        for language in [Language::En, Language::Nl] {
            let t = texts(language);
            let missing: Vec<&String> = named.iter().filter(|k| t.lookup(k).is_none()).collect();
            assert!(missing.is_empty(), "{language:?} lacks {missing:?}");
        }
    }

    #[test]
    fn figures_are_written_the_readers_way() {
        let en = texts(Language::En);
        assert_eq!(en.num(Some(1234567.0), 0), "1,234,567");
        assert_eq!(en.num(Some(999.0), 0), "999");
        assert_eq!(en.num(Some(-1234.5), 1), "-1,234.5");
        assert_eq!(en.num(Some(-0.2), 0), "0");
        assert_eq!(en.num(None, 0), "–");
        assert_eq!(en.num(Some(f64::NAN), 0), "–");
        assert_eq!(en.pct(Some(0.664)), "66%");
        assert_eq!(en.pct_with(Some(0.001214), 2), "0.12%");
        assert_eq!(en.metres(Some(1250.4)), "1,250 m");
        assert_eq!(en.figure(Some(12.25), 1), "12.2");
        let nl = texts(Language::Nl);
        assert_eq!(nl.num(Some(1234567.0), 0), "1.234.567");
        assert_eq!(nl.num(Some(-1234.5), 1), "-1.234,5");
        assert_eq!(nl.pct_with(Some(0.001214), 2), "0,12%");
        assert_eq!(nl.metres(Some(1250.4)), "1.250 m");
        assert_eq!(nl.figure(Some(12.25), 1), "12,2");
        assert_eq!(nl.figure(None, 1), "");
    }

    #[test]
    fn a_phrase_fills_its_parts_and_writes_its_amounts() {
        let discount = |zero: Option<Phrase>| {
            Phrase::new("assume.discount")
                .with("rate", Arg::Figure(0.0225 * 100.0))
                .with("years", Arg::Figure(15.0))
                .with("factor", Arg::Fixed(12.612_165_5, 4))
                .with_part("zero", zero)
        };
        assert_eq!(
            texts(Language::En).phrase(&discount(None)),
            "Discount rate 2.25% a year over 15 years: present value = amount x (1 - (1 + r)^-n) \
             / r = amount x 12.6122."
        );
        let zero = discount(Some(Phrase::new("assume.zero_rate")));
        assert!(texts(Language::Nl)
            .phrase(&zero)
            .ends_with("bedrag x 12,6122 (r = 0: bedrag x jaren)."));
        let factors = Phrase::new("assume.sensitivity")
            .with("benefits", Arg::Factors(&[("low", 0.5), ("high", 1.5)]))
            .with("costs", Arg::Eur(-1_234_567.0));
        assert_eq!(
            texts(Language::Nl).phrase(&factors),
            "Gevoeligheid: baten x 0,5 (laag) / 1,5 (hoog) en kosten (investering en onderhoud \
             samen) x EUR -1.234.567, alle combinaties."
        );
    }

    /// The English catalogue states each norm preset's source as `run.json` does (the preset
    /// table keeps it for the files): the two must not drift apart.
    #[test]
    fn english_norm_sources_are_the_presets_own() {
        let en = texts(Language::En);
        for preset in crate::study::PRESETS {
            let key = format!("norm_source.{}", preset.name);
            assert_eq!(en.lookup(&key), Some(preset.source), "{key}");
            assert!(texts(Language::Nl).lookup(&key).is_some(), "{key}");
        }
    }

    #[test]
    fn roles_name_kinds_in_the_language_and_keep_the_studys_words() {
        let nl = texts(Language::Nl);
        assert_eq!(nl.role("amenities: playground"), "voorzieningen: speelplek");
        assert_eq!(
            nl.role("amenities: skate_park"),
            "voorzieningen: skate_park"
        );
        assert_eq!(
            nl.role("scenario: \"build (north)\" (library)"),
            "scenario: \"build (north)\" (bibliotheek)"
        );
        assert_eq!(texts(Language::En).role("homes"), "homes");
    }

    #[test]
    fn known_kinds_are_translated_others_titled() {
        let nl = texts(Language::Nl);
        assert_eq!(nl.kind("playground"), "Speelplek");
        assert_eq!(nl.kind_lower("community_centre"), "buurthuis");
        assert_eq!(texts(Language::En).kind("sports_field"), "Sports field");
        assert_eq!(texts(Language::En).kind_lower("green_space"), "green space");
    }
}
