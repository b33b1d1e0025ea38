//! STIX timestamps: the one textual form STIX 2.1 allows, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
//!
//! [`parse_timestamp`] reads that form without allocating and checks the calendar (real month
//! lengths, leap years, seconds up to 60 for a leap second). A [`Timestamp`] keeps how many fraction
//! digits were written (its precision), because STIX gives the precision meaning: `created` and
//! `modified` must be precise to the millisecond. [`normalize_timestamp`] rewrites the near misses
//! producers often emit (lowercase `t`/`z`, a `+00:00` offset, a space for `T`) into the STIX form,
//! for the validator's repairs.

use std::cmp::Ordering;
use std::fmt;

/// The most fraction digits kept; more are accepted but compare as if cut here.
const MAX_FRACTION_DIGITS: u8 = 18;

/// A UTC instant written in the STIX timestamp form, with the precision it was written with.
///
/// Ordering is by instant first; two timestamps for the same instant written with different
/// precisions (`...:00.1Z` and `...:00.100Z`) are ordered by precision, so that `Ord` agrees with
/// `Eq`. Use [`Timestamp::cmp_instant`] to compare instants only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// The fraction of a second scaled to [`MAX_FRACTION_DIGITS`] digits.
    fraction: u64,
    /// How many fraction digits were written (0 when there was no fraction).
    precision: u8,
}

impl Timestamp {
    /// The year (1-9999).
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month (1-12).
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month (1-31).
    pub fn day(&self) -> u8 {
        self.day
    }

    /// The hour (0-23).
    pub fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute (0-59).
    pub fn minute(&self) -> u8 {
        self.minute
    }

    /// The second (0-60, 60 being a leap second).
    pub fn second(&self) -> u8 {
        self.second
    }

    /// The fraction of the second in nanoseconds (digits past the ninth are dropped).
    pub fn nanosecond(&self) -> u32 {
        (self.fraction / 1_000_000_000) as u32
    }

    /// How many fraction digits were written: 0 for `...:05Z`, 3 for `...:05.123Z`.
    pub fn precision(&self) -> u8 {
        self.precision
    }

    /// True when the timestamp is written to at least the millisecond, as STIX 2.1 requires of
    /// `created` and `modified` (the OASIS schemas check at least three fraction digits).
    pub fn has_millisecond_precision(&self) -> bool {
        self.precision >= 3
    }

    /// Compares the instants only, whatever precision each was written with.
    pub fn cmp_instant(&self, other: &Timestamp) -> Ordering {
        self.key().cmp(&other.key())
    }

    fn key(&self) -> (u16, u8, u8, u8, u8, u8, u64) {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.fraction,
        )
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_instant(other)
            .then(self.precision.cmp(&other.precision))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Timestamp {
    /// Writes the STIX form with the precision the timestamp was read with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.precision > 0 {
            let digits = format!("{:018}", self.fraction);
            write!(
                f,
                ".{}",
                &digits[..usize::from(self.precision.min(MAX_FRACTION_DIGITS))]
            )?;
        }
        f.write_str("Z")
    }
}

/// Why a string is not a STIX timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The text does not have the shape `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    #[error(
        "expected {expected} at character {offset} (STIX form: YYYY-MM-DDTHH:MM:SS[.fraction]Z)"
    )]
    Syntax {
        /// Byte offset of the first character that does not fit.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// The shape is right but a field is out of range (month 13, 31 April, 29 February 2023,
    /// hour 24, ...).
    #[error("{field} is out of range")]
    OutOfRange {
        /// The field: "year", "month", "day", "hour", "minute" or "second".
        field: &'static str,
    },
}

/// Parses a STIX timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`, uppercase `T` and `Z`, UTC only).
pub fn parse_timestamp(s: &str) -> Result<Timestamp, TimestampError> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4, "a four-digit year")? as u16;
    punct(b, 4, b'-', "'-'")?;
    let month = digits(b, 5, 2, "a two-digit month")? as u8;
    punct(b, 7, b'-', "'-'")?;
    let day = digits(b, 8, 2, "a two-digit day")? as u8;
    punct(b, 10, b'T', "'T'")?;
    let hour = digits(b, 11, 2, "a two-digit hour")? as u8;
    punct(b, 13, b':', "':'")?;
    let minute = digits(b, 14, 2, "two-digit minutes")? as u8;
    punct(b, 16, b':', "':'")?;
    let second = digits(b, 17, 2, "two-digit seconds")? as u8;
    let mut i = 19;
    let mut fraction = 0u64;
    let mut precision = 0u8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < usize::from(MAX_FRACTION_DIGITS) {
                fraction = fraction * 10 + u64::from(c - b'0');
            }
            i += 1;
        }
        if i == start {
            return Err(TimestampError::Syntax {
                offset: i,
                expected: "fraction digits",
            });
        }
        let written = i - start;
        precision = written.min(usize::from(u8::MAX)) as u8;
        for _ in written.min(usize::from(MAX_FRACTION_DIGITS))..usize::from(MAX_FRACTION_DIGITS) {
            fraction *= 10;
        }
    }
    punct(b, i, b'Z', "'Z'")?;
    if i + 1 != b.len() {
        return Err(TimestampError::Syntax {
            offset: i + 1,
            expected: "the end after 'Z'",
        });
    }
    let out_of_range = |field| Err(TimestampError::OutOfRange { field });
    if year == 0 {
        return out_of_range("year");
    }
    if !(1..=12).contains(&month) {
        return out_of_range("month");
    }
    if day == 0 || day > days_in_month(year, month) {
        return out_of_range("day");
    }
    if hour > 23 {
        return out_of_range("hour");
    }
    if minute > 59 {
        return out_of_range("minute");
    }
    if second > 60 {
        return out_of_range("second");
    }
    Ok(Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        fraction,
        precision,
    })
}

/// True when `property` of an object of `object_type` must be precise to the millisecond: STIX 2.1
/// says so of `created` and `modified`, and the OASIS validator enforces it on every object that has
/// them except marking definitions (whose `created` is any timestamp). Other timestamps may have any
/// precision.
pub fn requires_millisecond_precision(object_type: &str, property: &str) -> bool {
    matches!(property, "created" | "modified") && object_type != "marking-definition"
}

/// Rewrites a near-STIX UTC timestamp into the STIX form, or `None` when that would mean guessing.
///
/// Fixed: lowercase `t` or `z`, a space instead of `T`, and a zero UTC offset written as `+00:00`,
/// `-00:00`, `+0000` or `+00` instead of `Z`. Anything else (another offset, no zone at all, a
/// different layout) is left alone: converting or assuming a zone would invent information.
pub fn normalize_timestamp(s: &str) -> Option<String> {
    if s.len() < 20 || !s.is_ascii() {
        return None;
    }
    let (body, zone) = if let Some(body) = s.strip_suffix(['Z', 'z']) {
        (body, "Z")
    } else {
        let cut = ["+00:00", "-00:00", "+0000", "-0000", "+00"]
            .iter()
            .find_map(|z| s.strip_suffix(z))?;
        (cut, "Z")
    };
    let mut out = String::with_capacity(body.len() + 1);
    for (i, c) in body.char_indices() {
        out.push(if i == 10 && matches!(c, 't' | ' ') {
            'T'
        } else {
            c
        });
    }
    out.push_str(zone);
    (parse_timestamp(&out).is_ok() && out != s).then_some(out)
}

/// Pads the fraction of a valid STIX timestamp to at least three digits (`...:05Z` becomes
/// `...:05.000Z`): the same instant, written to the millisecond. `None` when `s` is not a STIX
/// timestamp or already has millisecond precision.
pub fn pad_to_milliseconds(s: &str) -> Option<String> {
    let ts = parse_timestamp(s).ok()?;
    if ts.has_millisecond_precision() {
        return None;
    }
    let body = &s[..s.len() - 1];
    let mut out = String::with_capacity(s.len() + 4);
    out.push_str(body);
    if ts.precision == 0 {
        out.push('.');
    }
    for _ in ts.precision..3 {
        out.push('0');
    }
    out.push('Z');
    Some(out)
}

fn digits(b: &[u8], at: usize, n: usize, expected: &'static str) -> Result<u32, TimestampError> {
    let mut v = 0u32;
    for i in at..at + n {
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => v = v * 10 + u32::from(c - b'0'),
            _ => {
                return Err(TimestampError::Syntax {
                    offset: i,
                    expected,
                })
            }
        }
    }
    Ok(v)
}

fn punct(b: &[u8], at: usize, want: u8, expected: &'static str) -> Result<(), TimestampError> {
    if b.get(at) == Some(&want) {
        Ok(())
    } else {
        Err(TimestampError::Syntax {
            offset: at,
            expected,
        })
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        parse_timestamp(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_the_stix_form() {
        let t = ts("2016-05-12T08:17:27.123Z");
        assert_eq!((t.year(), t.month(), t.day()), (2016, 5, 12));
        assert_eq!((t.hour(), t.minute(), t.second()), (8, 17, 27));
        assert_eq!((t.nanosecond(), t.precision()), (123_000_000, 3));
        assert!(t.has_millisecond_precision());
        assert!(!ts("2016-05-12T08:17:27Z").has_millisecond_precision());
        assert!(!ts("2016-05-12T08:17:27.1Z").has_millisecond_precision());
        assert!(requires_millisecond_precision("indicator", "modified"));
        assert!(requires_millisecond_precision("x-acme-widget", "created"));
        assert!(!requires_millisecond_precision(
            "marking-definition",
            "created"
        ));
        assert!(!requires_millisecond_precision("indicator", "valid_from"));
        assert_eq!(ts("2016-05-12T08:17:27.123456789012Z").precision(), 12);
        assert_eq!(ts("2016-12-31T23:59:60Z").second(), 60);
        assert_eq!(ts("2016-02-29T00:00:00Z").day(), 29);
        assert_eq!(ts("2000-02-29T00:00:00Z").day(), 29);
    }

    #[test]
    fn rejects_what_is_not_the_stix_form() {
        for bad in [
            "",
            "2016-05-12",
            "2016-05-12T08:17:27",
            "2016-05-12t08:17:27Z",
            "2016-05-12T08:17:27z",
            "2016-05-12T08:17:27+00:00",
            "2016-05-12 08:17:27Z",
            "2016-5-12T08:17:27Z",
            "2016-05-12T08:17:27.Z",
            "2016-05-12T08:17:27.123Z ",
            "2016-05-12T08:17:27.123ZZ",
            "+2016-05-12T08:17:27Z",
        ] {
            assert!(
                matches!(parse_timestamp(bad), Err(TimestampError::Syntax { .. })),
                "{bad:?}"
            );
        }
        for (bad, field) in [
            ("0000-01-01T00:00:00Z", "year"),
            ("2016-13-01T00:00:00Z", "month"),
            ("2016-00-01T00:00:00Z", "month"),
            ("2016-04-31T00:00:00Z", "day"),
            ("2015-02-29T00:00:00Z", "day"),
            ("1900-02-29T00:00:00Z", "day"),
            ("2016-01-00T00:00:00Z", "day"),
            ("2016-01-01T24:00:00Z", "hour"),
            ("2016-01-01T00:60:00Z", "minute"),
            ("2016-01-01T00:00:61Z", "second"),
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(TimestampError::OutOfRange { field }),
                "{bad}"
            );
        }
    }

    #[test]
    fn orders_by_instant_then_precision() {
        assert!(ts("2016-01-01T00:00:00.001Z") > ts("2016-01-01T00:00:00Z"));
        assert!(ts("2016-01-01T00:00:00.0009Z") < ts("2016-01-01T00:00:00.001Z"));
        assert!(ts("2017-01-01T00:00:00Z") > ts("2016-12-31T23:59:59.999999Z"));
        let (a, b) = (ts("2016-01-01T00:00:00.1Z"), ts("2016-01-01T00:00:00.100Z"));
        assert_eq!(a.cmp_instant(&b), Ordering::Equal);
        assert!(a < b && a != b);
    }

    #[test]
    fn displays_with_the_precision_read() {
        for s in [
            "2016-01-01T00:00:00Z",
            "2016-01-01T00:00:00.100Z",
            "2016-01-01T00:00:00.000001Z",
        ] {
            assert_eq!(ts(s).to_string(), s);
        }
    }

    #[test]
    fn normalizes_near_misses_only() {
        let n = |s| normalize_timestamp(s);
        assert_eq!(
            n("2016-01-01t00:00:00.000z").as_deref(),
            Some("2016-01-01T00:00:00.000Z")
        );
        assert_eq!(
            n("2016-01-01T00:00:00+00:00").as_deref(),
            Some("2016-01-01T00:00:00Z")
        );
        assert_eq!(
            n("2016-01-01 00:00:00.5-00:00").as_deref(),
            Some("2016-01-01T00:00:00.5Z")
        );
        assert_eq!(
            n("2016-01-01T00:00:00.000+0000").as_deref(),
            Some("2016-01-01T00:00:00.000Z")
        );
        assert_eq!(n("2016-01-01T00:00:00Z"), None, "already valid");
        assert_eq!(
            n("2016-01-01T00:00:00+02:00"),
            None,
            "a real offset is not guessed away"
        );
        assert_eq!(n("2016-01-01T00:00:00"), None, "no zone: not assumed UTC");
        assert_eq!(n("2016-02-30T00:00:00z"), None, "not a real date");
        assert_eq!(
            pad_to_milliseconds("2016-01-01T00:00:00Z").as_deref(),
            Some("2016-01-01T00:00:00.000Z")
        );
        assert_eq!(
            pad_to_milliseconds("2016-01-01T00:00:00.5Z").as_deref(),
            Some("2016-01-01T00:00:00.500Z")
        );
        assert_eq!(pad_to_milliseconds("2016-01-01T00:00:00.123Z"), None);
    }
}
