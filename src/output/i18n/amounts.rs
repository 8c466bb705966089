//! How the catalogue texts write amounts of money and plain figures: the same in every language
//! for now, as the rest of the report writes its numbers.

/// "EUR 150,000": whole euros with thousands separators.
pub fn eur(amount: f64) -> String {
    let whole = format!("{:.0}", amount.abs());
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && whole != "0" {
        "-"
    } else {
        ""
    };
    format!("EUR {sign}{grouped}")
}

/// "EUR 56.73": an amount per child, where the cents matter.
pub fn eur_cents(amount: f64) -> String {
    let whole = amount.trunc();
    let cents = ((amount - whole) * 100.0).round();
    if cents == 0.0 || cents == 100.0 {
        return eur(amount.round());
    }
    format!("{}.{:02}", eur(whole), cents as i64)
}

/// 2.25 rather than 2.2500000000000004.
pub fn trim(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_grouped_by_thousands() {
        assert_eq!(eur(150_000.0), "EUR 150,000");
        assert_eq!(eur(7_500.0), "EUR 7,500");
        assert_eq!(eur(999.6), "EUR 1,000");
        assert_eq!(eur(0.0), "EUR 0");
        assert_eq!(eur(-1_234_567.0), "EUR -1,234,567");
        assert_eq!(trim(0.0225 * 100.0), "2.25");
        assert_eq!(trim(5797.0), "5797");
        assert_eq!(eur_cents(56.727), "EUR 56.73");
        assert_eq!(eur_cents(1_234.5), "EUR 1,234.50");
        assert_eq!(eur_cents(40.0), "EUR 40");
        assert_eq!(eur_cents(9.999), "EUR 10");
    }
}
