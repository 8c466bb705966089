//! Cost-benefit: present values against hand computations of the annuity formula
//! PV = A x (1 - (1 + r)^-n) / r, and the settings' preset/override rules.

use std::path::Path;

use kindscape::cba::{
    annuity_factor, appraise, appraise_closure, present_value, CostSettings, Costs, Site,
    DEFAULT_PRESET,
};
use kindscape::output::i18n::texts;
use kindscape::phrase::Phrase;
use kindscape::study::{CostsSection, Language};

/// The sentences as the English report says them.
fn english(phrases: &[Phrase]) -> Vec<String> {
    texts(Language::En).phrases(phrases)
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn annuity_by_hand() {
    // A = 7500, r = 0.0225, n = 15 (computed with 40-digit decimals):
    //   1.0225^2 = 1.04550625, 1.0225^4 = 1.0930833..., ..., 1.0225^15 = 1.396206804352787
    //   1.0225^-15 = 1 / 1.396206804352787 = 0.716226275994659
    //   (1 - 0.716226275994659) / 0.0225 = 0.283773724005341 / 0.0225 = 12.612165511348487
    //   PV = 7500 x 12.612165511348487 = 94,591.241335113656
    assert!(close(annuity_factor(0.0225, 15), 12.612165511348487, 1e-12));
    assert!(close(
        present_value(7500.0, 0.0225, 15),
        94_591.241_335_114,
        1e-6
    ));
    // The same as discounting each year's payment on its own.
    let by_year: f64 = (1..=15).map(|t| 7500.0 / 1.0225f64.powi(t)).sum();
    assert!(close(present_value(7500.0, 0.0225, 15), by_year, 1e-6));
    // r = 0: PV = n x A = 15 x 7500.
    assert_eq!(present_value(7500.0, 0.0, 15), 112_500.0);
    // Continuous at r -> 0, where (1 - (1+r)^-n) / r loses its digits if computed naively.
    assert!(close(annuity_factor(1e-12, 15), 15.0, 1e-9));
    // One year: A / (1 + r).
    assert!(close(present_value(1000.0, 0.05, 1), 1000.0 / 1.05, 1e-9));
    // Negative rate (allowed above -1): 1 / 0.99 + 1 / 0.99^2.
    assert!(close(
        annuity_factor(-0.01, 2),
        1.0 / 0.99 + 1.0 / (0.99 * 0.99),
        1e-12
    ));
}

fn ecorys() -> Costs {
    CostSettings::from_section(None, Path::new("study.toml"))
        .unwrap()
        .costs
}

#[test]
fn one_site_under_the_default_preset_by_hand() {
    // Benefit per child: 52 M / 220,000 x 7,500 / 31,250 = 56.727272...; a site newly covering
    // 275 children: 275 x 56.7272... = 15,600 a year. Factor 12.612165511348487 (above).
    //   capex_pv       = 150,000
    //   maintenance_pv = 7,500 x 12.612165511348487  =  94,591.241335113656
    //   benefit_pv     = 15,600 x 12.612165511348487 = 196,749.781977036398
    //   npv = 196,749.781977036 - 244,591.241335114 = -47,841.459358077
    //   bcr = 196,749.781977036 / 244,591.241335114 = 0.804402401750
    let costs = ecorys();
    let cba = appraise(&costs, &[Site::at_default_costs(&costs, 275.0)]);
    let site = &cba.sites[0];
    assert_eq!(site.capex_pv, 150_000.0);
    assert!(close(site.maintenance_pv, 94_591.241_335_114, 1e-6));
    assert!(close(site.benefit_pv, 196_749.781_977_036, 1e-6));
    assert!(close(site.npv, -47_841.459358077, 1e-6));
    assert!(close(site.bcr.unwrap(), 0.804402401750, 1e-9));
    // Break-even: benefits must grow by 244,591.241335 / 196,749.781977 = 1.243158893887.
    assert!(close(
        cba.break_even_benefit_factor.unwrap(),
        1.243158893887,
        1e-9
    ));
}

#[test]
fn per_child_benefits_and_totals_by_hand() {
    let costs = Costs {
        benefit_eur_per_child_per_year: 10.0,
        benefit_eur_per_site_per_year: 15_600.0,
        ..ecorys()
    };
    // Site 0: (15,600 + 10 x 120) x 12.612165511348487 = 16,800 x 12.6121655... = 211,884.380590654
    // Site 1: (15,600 + 10 x 0) x ... = 196,749.781977036
    let sites = [120.0, 0.0].map(|c| Site::at_default_costs(&costs, c));
    let cba = appraise(&costs, &sites);
    assert!(close(cba.sites[0].benefit_pv, 211_884.380590654, 1e-6));
    assert!(close(
        cba.sites[0].npv,
        211_884.380590654 - 244_591.241335114,
        1e-6
    ));
    assert!(close(cba.sites[1].benefit_pv, 196_749.781977036, 1e-6));
    // Total: capex 2 x 150,000; maintenance 2 x 94,591.241335114; benefits the sum.
    let total = &cba.total;
    assert_eq!(total.capex_pv, 300_000.0);
    assert!(close(total.maintenance_pv, 189_182.482670227, 1e-6));
    assert!(close(total.benefit_pv, 408_634.162567691, 1e-6));
    assert!(close(
        total.npv,
        408_634.162567691 - 489_182.482670227,
        1e-6
    ));
    assert!(close(
        total.bcr.unwrap(),
        408_634.162567691 / 489_182.482670227,
        1e-12
    ));
}

#[test]
fn sensitivity_grid_scales_the_total() {
    let costs = ecorys();
    let cba = appraise(
        &costs,
        &[275.0; 3].map(|c| Site::at_default_costs(&costs, c)),
    );
    assert_eq!(cba.sensitivity.len(), 9);
    let central = cba
        .sensitivity
        .iter()
        .find(|s| s.name == "benefit central, cost central")
        .unwrap();
    assert_eq!(central.appraisal, cba.total);
    let worst = &cba.sensitivity[2];
    assert_eq!(worst.name, "benefit low, cost high");
    // 3 sites: benefits 0.5 x 3 x 196,749.781977036; costs 1.2 x 3 x 244,591.241335114.
    assert!(close(worst.appraisal.benefit_pv, 295_124.672965555, 1e-6));
    assert!(close(worst.appraisal.cost_pv(), 880_528.468806409, 1e-6));
    assert!(close(
        worst.appraisal.bcr.unwrap(),
        295_124.672965555 / 880_528.468806409,
        1e-12
    ));
    let best = &cba.sensitivity[6];
    assert_eq!(best.name, "benefit high, cost low");
    assert!(close(
        best.appraisal.bcr.unwrap(),
        0.804402401750 * 1.5 / 0.8,
        1e-9
    ));
}

#[test]
fn nothing_to_appraise() {
    let cba = appraise(&ecorys(), &[]);
    assert!(cba.sensitivity.iter().all(|s| s.appraisal.bcr.is_none()));
    assert!(cba.sites.is_empty());
    assert_eq!(cba.total.npv, 0.0);
    assert_eq!(cba.total.bcr, None);
    assert_eq!(cba.break_even_benefit_factor, None);
}

fn section(toml_text: &str) -> CostsSection {
    toml::from_str(toml_text).unwrap()
}

#[test]
fn preset_and_overrides() {
    let path = Path::new("study.toml");
    let default = CostSettings::from_section(None, path).unwrap();
    assert_eq!(default.preset.name, DEFAULT_PRESET);
    // 52 M / 220,000 members x 7,500 / (25 M / 800) = 236.36 x 0.24 = 56.73 per child; no
    // benefit per site, so sites differ by their children.
    assert!(close(
        default.costs.benefit_eur_per_child_per_year,
        52e6 / 220_000.0 * 7_500.0 / (25e6 / 800.0),
        1e-12
    ));
    assert!(close(
        default.costs.benefit_eur_per_child_per_year,
        56.727_272_727,
        1e-9
    ));
    assert_eq!(default.costs.benefit_eur_per_site_per_year, 0.0);
    assert_eq!(default.capex_attribute, None);

    let s =
        CostSettings::from_section(Some(&section("capex_eur = 90000\nyears = 10")), path).unwrap();
    assert_eq!(s.costs.capex_eur, 90_000.0);
    assert_eq!(s.costs.years, 10);
    assert_eq!(s.costs.benefit_eur_per_site_per_year, 0.0);
    assert_eq!(s.overridden, vec!["capex_eur", "years"]);

    let s = CostSettings::from_section(
        Some(&section("capex = \"kosten\"\nmaintenance = \"onderhoud\"")),
        path,
    )
    .unwrap();
    assert_eq!(s.capex_attribute.as_deref(), Some("kosten"));
    assert_eq!(s.maintenance_attribute.as_deref(), Some("onderhoud"));
    assert!(s.overridden.is_empty());

    // A per-child benefit replaces the preset's per-site one instead of adding to it.
    let s = CostSettings::from_section(Some(&section("benefit_eur_per_child_per_year = 40")), path)
        .unwrap();
    assert_eq!(s.costs.benefit_eur_per_child_per_year, 40.0);
    assert_eq!(s.costs.benefit_eur_per_site_per_year, 0.0);
    assert!(s.benefits_from_study);
    let said = english(&s.assumptions());
    assert!(said.iter().any(|l| l.contains("set in the study file")));
    assert!(!said.iter().any(|l| l.contains("EUR 65,000")));
}

#[test]
fn bad_costs_are_errors_naming_the_key() {
    let path = Path::new("city/study.toml");
    for (text, key) in [
        ("preset = \"nope\"", "preset"),
        ("capex_eur = -5", "capex_eur"),
        ("maintenance_eur_per_year = nan", "maintenance_eur_per_year"),
        (
            "benefit_eur_per_site_per_year = -1",
            "benefit_eur_per_site_per_year",
        ),
        ("years = 0", "years"),
        ("discount_rate = -1.5", "discount_rate"),
        ("capex = \"\"", "capex"),
        ("maintenance = \" \"", "maintenance"),
    ] {
        let err = CostSettings::from_section(Some(&section(text)), path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("city/study.toml") && err.contains(key),
            "{err}"
        );
    }
}

#[test]
fn every_number_used_is_in_the_assumptions() {
    let lines = english(
        &CostSettings::from_section(None, Path::new("s.toml"))
            .unwrap()
            .assumptions(),
    );
    let text = lines.join("\n");
    for needle in [
        "ecorys-2020",
        "EUR 150,000",
        "EUR 7,500",
        "EUR 15,600",
        "EUR 0 per site per year plus EUR 56.73 per newly covered child",
        "220,000",
        "EUR 236.36",
        "2.25%",
        "15 years",
        "12.6122",
        "EUR 65,000",
        "EUR 31,250",
        "0.24",
        "0.5 (low) / 1 (central) / 1.5 (high)",
        "0.8 (low) / 1 (central) / 1.2 (high)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(lines.iter().all(|l| !l.trim().is_empty()));

    let zero_rate = english(
        &CostSettings::from_section(
            Some(&section(
                "discount_rate = 0\nmaintenance_eur_per_year = 5000",
            )),
            Path::new("s.toml"),
        )
        .unwrap()
        .assumptions(),
    )
    .join("\n");
    assert!(zero_rate.contains("r = 0: amount x years"));
    assert!(zero_rate.contains("not rescaled"));
}

#[test]
fn per_site_bcrs_follow_each_sites_children_and_costs() {
    // Undiscounted so that the hand computation is plain: 10 years, EUR 1,000 per child.
    let costs = Costs {
        capex_eur: 150_000.0,
        maintenance_eur_per_year: 5_000.0,
        benefit_eur_per_child_per_year: 1_000.0,
        benefit_eur_per_site_per_year: 0.0,
        years: 10,
        discount_rate: 0.0,
    };
    let sites = [
        // 15 children, own capital cost 100,000: benefits 15 x 1,000 x 10 = 150,000,
        // costs 100,000 + 10 x 5,000 = 150,000: NPV 0, BCR 1.
        Site {
            new_children: 15.0,
            capex_eur: 100_000.0,
            maintenance_eur_per_year: 5_000.0,
        },
        // 5 children, own upkeep 2,000: benefits 50,000, costs 150,000 + 20,000 = 170,000.
        Site {
            new_children: 5.0,
            capex_eur: 150_000.0,
            maintenance_eur_per_year: 2_000.0,
        },
    ];
    let cba = appraise(&costs, &sites);
    assert_eq!(cba.sites[0].npv, 0.0);
    assert_eq!(cba.sites[0].bcr, Some(1.0));
    assert_eq!(cba.sites[1].npv, -120_000.0);
    assert!(close(cba.sites[1].bcr.unwrap(), 50.0 / 170.0, 1e-12));
    // The total is the sum of the sites: 200,000 against 320,000.
    assert_eq!(cba.total.benefit_pv, 200_000.0);
    assert_eq!(cba.total.cost_pv(), 320_000.0);
    assert_eq!(cba.total.npv, cba.sites[0].npv + cba.sites[1].npv);
    assert!(close(cba.total.bcr.unwrap(), 0.625, 1e-12));
}

#[test]
fn at_equal_costs_bcrs_are_in_the_ratio_of_the_children() {
    // Default preset, discounted: BCR = children x 56.7272... x 12.6121655 / (150,000 + 7,500
    // x 12.6121655): 15 children 10,731.806289657 / 244,591.241335114 = 0.043876494641,
    // 5 children 3,577.268763219 / 244,591.241335114 = 0.014625498214, a ratio of 3.
    let costs = ecorys();
    let cba = appraise(
        &costs,
        &[15.0, 5.0].map(|c| Site::at_default_costs(&costs, c)),
    );
    let (a, b) = (cba.sites[0].bcr.unwrap(), cba.sites[1].bcr.unwrap());
    assert!(close(a, 0.043876494641, 1e-11));
    assert!(close(b, 0.014625498214, 1e-11));
    assert!(close(a / b, 3.0, 1e-12));
    assert!(close(cba.sites[0].benefit_pv, 10_731.806289657, 1e-6));
}

#[test]
fn closures_weigh_the_upkeep_saved_against_the_benefit_lost_by_hand() {
    let costs = ecorys();
    // 30 + 12 + 0 children lose coverage; upkeep 7,500 (the default) saved.
    //   saved = 7,500 x 12.612165511348487 = 94,591.241335114
    //   lost  = 42 x 56.7272... x 12.6121655... = 2,382.545454... x 12.6121655... = 30,049.057611038
    //   npv = 64,542.183724075, bcr = 7,500 / 2,382.5454... = 3.147893772894
    let a = appraise_closure(&costs, &[30.0, 12.0, 0.0], costs.maintenance_eur_per_year);
    assert!(close(a.saved_maintenance_pv, 94_591.241335114, 1e-6));
    assert!(close(a.lost_benefit_pv, 30_049.057611038, 1e-6));
    assert!(close(a.npv, 64_542.183724075, 1e-6));
    assert!(close(a.bcr.unwrap(), 3.147893772894, 1e-11));
    // Its own upkeep of 3,000 against 100 children: 3,000 / 5,672.7272... = 0.528846153846.
    let b = appraise_closure(&costs, &[100.0], 3_000.0);
    assert!(close(b.bcr.unwrap(), 0.528846153846, 1e-11));
    assert!(close(b.npv, 37_836.496534045 - 71_545.375264377, 1e-6));
    // Nobody loses coverage: nothing lost, the whole upkeep saved, no ratio.
    let c = appraise_closure(&costs, &[0.0, 0.0], 7_500.0);
    assert_eq!(c.lost_benefit_pv, 0.0);
    assert_eq!(c.bcr, None);
    assert!(close(c.npv, 94_591.241335114, 1e-6));
    // A benefit per site is lost with the playground too: undiscounted, 2 years,
    // lost 2 x (1,000 + 10 x 5) = 2,100, saved 2 x 500 = 1,000.
    let per_site = Costs {
        benefit_eur_per_child_per_year: 5.0,
        benefit_eur_per_site_per_year: 1_000.0,
        years: 2,
        discount_rate: 0.0,
        ..costs
    };
    let d = appraise_closure(&per_site, &[4.0, 6.0], 500.0);
    assert_eq!(d.lost_benefit_pv, 2_100.0);
    assert_eq!(d.npv, -1_100.0);
}

#[test]
fn closure_assumptions_name_every_number() {
    let path = Path::new("s.toml");
    let s =
        CostSettings::from_section(Some(&section("maintenance = \"onderhoud\"")), path).unwrap();
    let text = english(&s.closure_assumptions()).join("\n");
    for needle in [
        "EUR 7,500",
        "its attribute \"onderhoud\"",
        "EUR 56.73",
        "2.25%",
        "years 1 to 15",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}
