//! [`Timestamp`]: an instant in UTC with millisecond precision, written as RFC 3339.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::AuthError;

/// An instant in UTC, in milliseconds since the Unix epoch (the precision Redis'
/// `PXAT` uses).
///
/// Parses and prints as RFC 3339 (`2026-07-01T00:00:00Z`; an offset such as `+02:00`
/// is accepted when parsing and converted to UTC), and serializes the same way.
///
/// ```
/// use mcp_auth::Timestamp;
/// let t: Timestamp = "2026-07-01T02:00:00.250+02:00".parse()?;
/// assert_eq!(t.to_string(), "2026-07-01T00:00:00.250Z");
/// assert_eq!(t.as_unix_millis(), 1_782_864_000_250);
/// # Ok::<_, mcp_auth::AuthError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn as_unix_millis(self) -> u64 {
        self.0
    }

    /// The current time of the system clock.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// This instant plus `duration` (saturating).
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(ms))
    }

    /// This instant minus `duration` (saturating at the epoch).
    #[must_use]
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_sub(ms))
    }

    /// How long after `earlier` this instant is (zero if it is not after it).
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        Self(u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        UNIX_EPOCH + Duration::from_millis(t.0)
    }
}

const MS_PER_DAY: u64 = 86_400_000;

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0 / MS_PER_DAY;
        let ms_of_day = self.0 % MS_PER_DAY;
        let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(i64::MAX));
        let secs = ms_of_day / 1000;
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )?;
        match ms_of_day % 1000 {
            0 => f.write_str("Z"),
            ms => write!(f, ".{ms:03}Z"),
        }
    }
}

impl FromStr for Timestamp {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_rfc3339(s.as_bytes()).ok_or_else(|| AuthError::InvalidInput {
            field: "timestamp",
            reason: format!("{s:?} is not an RFC 3339 date-time such as 2026-07-01T00:00:00Z"),
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD(T|t| )HH:MM:SS(.frac)?(Z|z|±HH:MM)`.
fn parse_rfc3339(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 || b.len() > 40 {
        return None;
    }
    let sep = |i: usize, c: u8| b[i] == c;
    let shape = sep(4, b'-')
        && sep(7, b'-')
        && matches!(b[10], b'T' | b't' | b' ')
        && sep(13, b':')
        && sep(16, b':');
    if !shape {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute) = (digits(&b[11..13])?, digits(&b[14..16])?);
    let second = digits(&b[17..19])?.min(59); // a leap second counts as :59
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0u64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        let mut padded = [b'0'; 3];
        for (dst, src) in padded.iter_mut().zip(&frac[..n]) {
            *dst = *src;
        }
        millis = u64::from(digits(&padded)?);
        rest = &frac[n..];
    }
    let offset_secs: i64 = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = i64::from(oh * 3600 + om * 60);
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    let ms = u64::try_from(secs)
        .ok()?
        .checked_mul(1000)?
        .checked_add(millis)?;
    Some(Timestamp(ms))
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<u64> {
        s.parse::<Timestamp>().ok().map(Timestamp::as_unix_millis)
    }

    #[test]
    fn parses_and_prints_rfc3339() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(ts("2000-02-29T12:34:56.789Z"), Some(951_827_696_789));
        assert_eq!(ts("2000-02-29t12:34:56.7891234z"), Some(951_827_696_789));
        assert_eq!(ts("2026-07-01T00:00:00-01:30"), ts("2026-07-01T01:30:00Z"));
        for bad in [
            "",
            "2026-07-01",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-07-01T24:00:00Z",
            "2026-07-01T00:00:00",
            "2026-07-01T00:00:00+0100",
            "2026-07-01T00:00:00.Z",
            "1969-12-31T23:59:59Z",
            "2026-07-01T00:00:00Zjunk",
        ] {
            assert_eq!(ts(bad), None, "{bad}");
        }
        for s in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T12:34:56.789Z",
            "2026-07-01T00:00:00.005Z",
            "2400-12-31T23:59:59Z",
        ] {
            assert_eq!(
                s.parse::<Timestamp>().map(|t| t.to_string()).ok(),
                Some(s.into())
            );
        }
    }

    #[test]
    fn round_trips_every_day_for_eight_centuries() {
        let mut day = 0;
        while day < 292_000 {
            let (y, m, d) = civil_from_days(day);
            let (y, m, d) = (
                y,
                u32::try_from(m).unwrap_or(0),
                u32::try_from(d).unwrap_or(0),
            );
            assert_eq!(days_from_civil(y, m, d), day);
            day += 7;
        }
    }

    #[test]
    fn serde_uses_the_string_form() {
        let t = Timestamp::from_unix_millis(1_782_864_000_000);
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(json, r#""2026-07-01T00:00:00Z""#);
        assert_eq!(serde_json::from_str::<Timestamp>(&json).ok(), Some(t));
    }
}
