//! A sentence a stage hands on for people to read, as a catalogue key and its arguments rather
//! than English words: the stages stay free of any language, and the output layer says the
//! sentence in the reader's (`output::i18n` renders it through `en.toml` / `nl.toml`).

/// A catalogue key (`table.key`) and the values of its `{slots}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// The value of a slot. Numbers stay numbers until the output layer writes them, so that each
/// language (and front) can write them its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Data, shown as it is: a name, an attribute, a preset's or a study key's name.
    Text(String),
    /// A plain figure, written without trailing zeros ("2.25", "15").
    Figure(f64),
    /// A figure with this many decimals ("12.6122").
    Fixed(f64, usize),
    /// Whole euros ("EUR 150,000").
    Eur(f64),
    /// Euros with their cents where they have any ("EUR 56.73").
    EurCents(f64),
    /// An amenity kind, said in the reader's words.
    Kind(String),
    /// A sensitivity case's name ("low", "central", "high"), said in the reader's words.
    Case(&'static str),
    /// Multipliers with their case names: "0.5 (low) / 1 (central) / 1.5 (high)".
    Factors(&'static [(&'static str, f64)]),
    /// A part of the sentence that depends on the data (empty: nothing).
    Phrase(Option<Box<Phrase>>),
}

impl Phrase {
    /// A sentence without slots.
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// The sentence with `slot` filled by `value`.
    pub fn with(mut self, slot: &'static str, value: Arg) -> Self {
        self.args.push((slot, value));
        self
    }

    /// The sentence with `slot` filled by another sentence, or by nothing.
    pub fn with_part(self, slot: &'static str, part: Option<Phrase>) -> Self {
        self.with(slot, Arg::Phrase(part.map(Box::new)))
    }
}
