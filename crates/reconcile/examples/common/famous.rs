//! Well-known incidents reported by several trackers, with every report of each in EuRepoC, CFR,
//! CISSM and DCID (both DCID sheets). Found with `gold_candidates find` by the incident's names,
//! victims and dates, and read one by one (see gold/README.md). A report is named by its key, or
//! as `format@title` where the key is a hash of the row (CFR) so that the list survives a change
//! of hashing.

/// An incident and its reports in the four trackers.
pub struct Famous {
    /// The incident.
    pub name: &'static str,
    /// Its reports, by key or `format@title`.
    pub reports: &'static [&'static str],
    /// Why reconciliation does not yet put all of them in one incident, when it does not (the
    /// integration test asserts the others and prints these).
    pub known_gap: Option<&'static str>,
}

/// The famous incidents.
pub const FAMOUS: &[Famous] = &[
        Famous {
        name: "NotPetya (2017)",
        reports: &["eurepoc:1032",
            "cfr@NotPetya",
            "dcid:217:NotPetya_A",
            "dcid:220:NotPetya_A",
            "dcid:30:NotPetya_B"],
        known_gap: None,
    },
        Famous {
        name: "WannaCry (2017)",
        reports: &["cfr@WannaCry",
            "dcid:148:WannaCry- US Critical Infrastructure",
            "dcid:151:WannaCry- US Critical Infrastructure",
            "dcid:173:WannaCry- IK NHS",
            "dcid:176:WannaCry- IK NHS"],
        known_gap: None,
    },
        Famous {
        name: "Ukrainian grid (2015)",
        reports: &["eurepoc:786",
            "cfr@Compromise of a power grid in eastern Ukraine",
            "dcid:208:Sandworm/BlackEnery DDoS",
            "dcid:209:Sandworm/BlackEnery Sabotage",
            "dcid:211:Sandworm/BlackEnery DDoS",
            "dcid:212:Sandworm/BlackEnery Sabotage"],
        known_gap: None,
    },
        Famous {
        name: "Kyiv grid (2016)",
        reports: &["eurepoc:947",
            "cfr@A compromise causes a power outage in Kiev, Ukraine",
            "dcid:215:Kiev Power outage_A",
            "dcid:216:Kiev Power outage_B",
            "dcid:218:Kiev Power outage_A",
            "dcid:219:Kiev Power outage_B"],
        known_gap: None,
    },
        Famous {
        name: "SolarWinds / Sunburst",
        reports: &["eurepoc:1254", "cfr@Targeting of SolarWinds customers", "dcid:43:SUNBURST"],
        known_gap: None,
    },
        Famous {
        name: "Bangladesh Bank theft (2016)",
        reports: &["eurepoc:842", "cfr@SWIFT-related bank heists"],
        known_gap: None,
    },
        Famous {
        name: "Sony Pictures (2014)",
        reports: &["eurepoc:644",
            "cfr@Compromise of Sony Pictures Entertainment",
            "dcid:144:Sony Hack",
            "dcid:147:Sony Hack"],
        known_gap: None,
    },
        Famous {
        name: "Shamoon / Saudi Aramco (2012)",
        reports: &["eurepoc:379",
            "cfr@Compromise of Saudi Aramco and RasGas",
            "dcid:276:Shamoon",
            "dcid:279:Shamoon"],
        known_gap: Some("CFR has one record for the Aramco and RasGas attacks, which DCID codes as two incidents; the CFR record goes with RasGas"),
    },
        Famous {
        name: "Shamoon 2.0 (2016)",
        reports: &["eurepoc:924",
            "cfr@Shamoon 2.0",
            "dcid:282:Shamoon 2.0",
            "dcid:285:Shamoon 2.0",
            "cissm:inc_cis_3102",
            "cissm:inc_cis_3103",
            "cissm:inc_cis_3113"],
        known_gap: Some("CISSM records the wave as separate events on separate days with different victims"),
    },
        Famous {
        name: "Shamoon 3 / Saipem (2018)",
        reports: &["eurepoc:1168",
            "cfr@Attack on Italian oil firm Saipem",
            "cissm:inc_cis_4809",
            "dcid:285:Shamoon 3.0-Saipem",
            "dcid:288:Shamoon 3.0-Saipem"],
        known_gap: None,
    },
        Famous {
        name: "Bad Rabbit (2017)",
        reports: &["eurepoc:1065",
            "cfr@Bad Rabbit",
            "dcid:218:Bad Rabbit (Bunny)",
            "dcid:221:Bad Rabbit (Bunny)"],
        known_gap: None,
    },
];
