//! The subject's rules (BR §7.1.2.7.2–4, §7.1.4): attributes, their order and encodings, the OU
//! sunset; and the validation type the policies and the subject must agree on (§7.1.2.7.1).

use super::*;

impl Lint<'_> {
    /// BR §7.1.4: one attribute per RDN, the §7.1.4.2 order, PrintableString or UTF8String (a
    /// two-letter PrintableString countryName; an IA5String domainComponent), the RFC 5280 upper
    /// bounds, no attribute twice (but domainComponent and streetAddress), and no value that is only
    /// metadata such as "." or "-".
    pub(super) fn subject_rules(&mut self, subject: &Subject) {
        let name = self.name();
        let mut problems: Vec<String> = Vec::new();
        if subject.multi_valued {
            problems.push("a relative distinguished name holds more than one attribute".into());
        }
        for attr in &subject.attrs {
            let known = ORDER.iter().find(|(oid, _, _)| *oid == attr.oid);
            let label = known.map_or(attr.oid.as_str(), |(_, n, _)| n);
            let value = crate::engine::text::escape(&attr.value);
            if attr.oid == "2.5.4.6" {
                let ok = attr.tag == 0x13
                    && attr.value.len() == 2
                    && attr.value.bytes().all(|b| b.is_ascii_uppercase());
                if !ok {
                    problems.push(format!(
                        "countryName \"{value}\" is not a two-letter ISO 3166-1 code in a PrintableString"
                    ));
                }
                continue;
            }
            if attr.oid == ORDER[0].0 {
                if attr.tag != 0x16 {
                    problems.push("domainComponent is not an IA5String".into());
                }
                continue;
            }
            if !matches!(attr.tag, 0x0c | 0x13) && known.is_some() {
                problems.push(format!(
                    "{label} is encoded as {}, not a PrintableString or UTF8String",
                    tag_name(attr.tag)
                ));
            }
            if let Some((_, _, bound)) = known
                && *bound > 0
                && attr.value.chars().count() > *bound
            {
                problems.push(format!(
                    "{label} is {} characters long, more than the {bound} RFC 5280 allows",
                    attr.value.chars().count()
                ));
            }
            if attr
                .value
                .trim_matches(|c: char| c == '.' || c == '-' || c == ' ')
                .is_empty()
            {
                problems.push(format!(
                    "{label} is \"{value}\", only metadata where a value belongs"
                ));
            }
        }
        for (oid, label, _) in ORDER {
            if oid != ORDER[0].0
                && oid != ORDER[5].0
                && subject.attrs.iter().filter(|a| a.oid == oid).count() > 1
            {
                problems.push(format!("{label} appears more than once"));
            }
        }
        for problem in problems {
            self.push(
                Code::CabfSubjectEncoding,
                format!("the subject of \"{name}\": {problem} (BR §7.1.4)"),
            );
        }
        let ranks: Vec<(usize, &str)> = subject
            .attrs
            .iter()
            .filter_map(|a| {
                ORDER
                    .iter()
                    .position(|(oid, _, _)| *oid == a.oid)
                    .map(|i| (i, ORDER[i].1))
            })
            .collect();
        if let Some(pair) = ranks.windows(2).find(|w| w[0].0 > w[1].0) {
            self.push(
                Code::CabfSubjectOrder,
                format!(
                    "the subject of \"{name}\" lists {} before {}; BR §7.1.4.2 orders them the other way (country, state, locality, postal code, street, organization, surname, given name, unit, common name)",
                    pair[0].1, pair[1].1
                ),
            );
        }
    }

    /// BR §7.1.2.7.2–5: the subject of a subscriber certificate fits its validation type: domain
    /// validated holds only countryName and commonName; organization validated has
    /// organizationName, countryName and a locality or state; individual validated a person's name
    /// and countryName; extended validation the EV Guidelines' organisation attributes.
    pub(super) fn validation_type(&mut self, policies: &[String], subject: &Subject) {
        let name = self.name();
        let asserted = |oid: &str| policies.iter().any(|p| p == oid);
        let has = |oid: &str| subject.has(oid);
        let problem = if asserted(RESERVED[0].0) {
            subject
                .attrs
                .iter()
                .find(|a| a.oid != "2.5.4.6" && a.oid != "2.5.4.3")
                .map(|a| {
                    format!(
                        "is domain validated (2.23.140.1.2.1) but its subject has {}, which only an organization or individual validated certificate may carry",
                        attribute_name(&a.oid)
                    )
                })
        } else if asserted(RESERVED[1].0) {
            (!(has("2.5.4.10") && has("2.5.4.6") && (has("2.5.4.7") || has("2.5.4.8")))).then(|| {
                "is organization validated (2.23.140.1.2.2) but its subject lacks organizationName, countryName, or both localityName and stateOrProvinceName".to_string()
            })
        } else if asserted(RESERVED[2].0) {
            let person = has("2.5.4.4") && has("2.5.4.42") || has(OID_PSEUDONYM);
            (!(person && has("2.5.4.6"))).then(|| {
                "is individual validated (2.23.140.1.2.3) but its subject lacks givenName and surname (or pseudonym), or countryName".to_string()
            })
        } else if asserted(RESERVED[3].0) {
            (![
                "2.5.4.10",
                OID_SERIAL_NUMBER,
                OID_BUSINESS_CATEGORY,
                OID_JURISDICTION_COUNTRY,
                "2.5.4.6",
            ]
            .iter()
            .all(|oid| has(oid)))
            .then(|| {
                "is extended validation (2.23.140.1.1) but its subject lacks one of organizationName, serialNumber, businessCategory, jurisdictionCountryName, countryName (EV Guidelines §7.1.4.2)".to_string()
            })
        } else {
            None
        };
        if let Some(problem) = problem {
            self.push(
                Code::CabfSubjectValidationType,
                format!("\"{name}\" {problem}"),
            );
        }
    }
}
