//! Time: validity at the validation time, the expiry warning, the CA/Browser Forum's maximum subscriber validity, and dates in words.

use super::*;

/// How long before its expiry a certificate is "expiring soon": the configured days, but never more
/// than a third of its lifetime, so that a 47-day certificate is not flagged for most of its life
/// (a 90-day one is at 30 days, as its CA's renewal advice; a one-year one at 30 days).
pub(super) fn expiry_window(cert: &Certificate, options: &CheckOptions) -> i64 {
    (i64::from(options.expiry_warning_days) * DAY).min((cert.not_after - cert.not_before) / 3)
}

/// Where a certificate stands at the validation time: the one expiry rule, for the findings and for
/// every screen that colours a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Expired,
    NotYetValid,
    /// Within the expiry warning window (`--expiry-warning-days`, at most a third of its lifetime).
    ExpiringSoon,
    Valid,
}

/// The one expiry rule (see [`Validity`]).
pub fn validity_at(cert: &Certificate, options: &CheckOptions) -> Validity {
    let at = options.at;
    if at > cert.not_after {
        Validity::Expired
    } else if at < cert.not_before {
        Validity::NotYetValid
    } else if cert.not_after - at < expiry_window(cert, options) {
        Validity::ExpiringSoon
    } else {
        Validity::Valid
    }
}

pub(super) fn validity(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let at = options.at;
    let name = cert.display_name();
    let state = validity_at(cert, options);
    if state == Validity::Expired {
        findings.push(Finding::new(
            Code::CertExpired,
            Some(cert.sha256),
            format!(
                "\"{name}\" expired on {} ({})",
                date(cert.not_after),
                relative_words(cert.not_after, at, options.at_is_now)
            ),
        ));
    } else if state == Validity::NotYetValid {
        findings.push(Finding::new(
            Code::CertNotYetValid,
            Some(cert.sha256),
            format!(
                "\"{name}\" is not valid before {} ({})",
                date(cert.not_before),
                relative_words(cert.not_before, at, options.at_is_now)
            ),
        ));
    } else if state == Validity::ExpiringSoon {
        findings.push(Finding::new(
            Code::CertExpiringSoon,
            Some(cert.sha256),
            format!(
                "\"{name}\" expires on {} ({})",
                date(cert.not_after),
                relative_words(cert.not_after, at, options.at_is_now)
            ),
        ));
    }
}

/// The longest validity period (days) the Baseline Requirements allowed a subscriber certificate
/// issued at `not_before` (BR §6.3.2; earlier limits from the ballots that set them: 60 months,
/// 39 months from 2015-04-01, 825 days from 2018-03-01, 398 days from 2020-09-01; SC-081: 200 days
/// from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15).
pub fn max_subscriber_validity_days(not_before: i64) -> i64 {
    const LIMITS: [(i64, i64); 6] = [
        (1_427_846_400, 1_186), // 2015-04-01: 39 months
        (1_519_862_400, 825),   // 2018-03-01
        (1_598_918_400, 398),   // 2020-09-01
        (1_773_532_800, 200),   // 2026-03-15
        (1_805_068_800, 100),   // 2027-03-15
        (1_868_227_200, 47),    // 2029-03-15
    ];
    LIMITS
        .iter()
        .rev()
        .find(|(from, _)| not_before >= *from)
        .map(|(_, days)| *days)
        .unwrap_or(1_827) // 60 months
}

/// Baseline Requirements §6.3.2: a subscriber certificate's validity period (notBefore to notAfter,
/// both included: RFC 5280 §4.1.2.5) within the limit of its issuance date.
pub(super) fn public_validity(cert: &Certificate, findings: &mut Vec<Finding>) {
    let limit = max_subscriber_validity_days(cert.not_before);
    let period = cert.not_after - cert.not_before + 1;
    if period > limit * DAY {
        findings.push(Finding::new(
            Code::CabfValidityTooLong,
            Some(cert.sha256),
            format!(
                "\"{}\" is valid for {} days from {}; a public CA may issue at most {limit} days then (Baseline Requirements §6.3.2)",
                cert.display_name(),
                (period + DAY - 1) / DAY,
                date(cert.not_before)
            ),
        ));
    }
}

/// `YYYY-MM-DD` for messages.
/// Whole days between two times, counted one way everywhere (findings, text report, window): the
/// distance truncated to whole days, so 699.6 days reads "699 days" on every screen.
pub fn whole_days(from: i64, to: i64) -> i64 {
    (to - from).abs() / DAY
}

/// Where `when` stands from the validation time `at`, in words: "in 30 days" / "700 days ago" when
/// checking now, "30 days after the validation time" / "700 days before the validation time" when a
/// validation time was given (so a future or past `--at` is never worded as if it were today).
pub fn relative_words(when: i64, at: i64, at_is_now: bool) -> String {
    let days = whole_days(at, when);
    let unit = if days == 1 { "day" } else { "days" };
    match (when >= at, at_is_now) {
        (true, true) => format!("in {days} {unit}"),
        (false, true) => format!("{days} {unit} ago"),
        (true, false) => format!("{days} {unit} after the validation time"),
        (false, false) => format!("{days} {unit} before the validation time"),
    }
}

/// A certificate's expiry in words: "expired 700 days ago", "expires in 30 days" (see
/// [`relative_words`]).
pub fn expiry_words(not_after: i64, at: i64, at_is_now: bool) -> String {
    let words = relative_words(not_after, at, at_is_now);
    if at > not_after {
        format!("expired {words}")
    } else {
        format!("expires {words}")
    }
}

pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days in words, one way on every screen: whole days truncated, "day" for one, and worded
    /// from today or from a validation time given.
    #[test]
    fn dates_read_the_same_way_everywhere() {
        let at = 1_780_272_000; // 2026-06-01
        assert_eq!(whole_days(at, at + 699 * DAY + DAY * 6 / 10), 699);
        assert_eq!(whole_days(at + 30 * DAY, at), 30);
        assert_eq!(relative_words(at + DAY, at, true), "in 1 day");
        assert_eq!(relative_words(at + 30 * DAY, at, true), "in 30 days");
        assert_eq!(relative_words(at - 700 * DAY, at, true), "700 days ago");
        assert_eq!(
            relative_words(at + 30 * DAY, at, false),
            "30 days after the validation time"
        );
        assert_eq!(
            relative_words(at - DAY, at, false),
            "1 day before the validation time"
        );
        assert_eq!(relative_words(at, at, true), "in 0 days");
        assert_eq!(expiry_words(at + 30 * DAY, at, true), "expires in 30 days");
        assert_eq!(expiry_words(at - 2 * DAY, at, true), "expired 2 days ago");
        assert_eq!(expiry_words(at, at, true), "expires in 0 days");
        assert_eq!(date(at), "2026-06-01");
    }
}
