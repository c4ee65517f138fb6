//! ISO datetimes as SQRT reads them (sqrt.md §5.3): text to a UTC instant.
//!
//! Accepted: `YYYY-MM-DD`, then optionally `T`, `t` or one space and `HH:MM[:SS[.f]]` with 1 to 9
//! fraction digits, then optionally `Z`, `z` or `±HH:MM` (also after a bare date). A bare date is midnight; no offset
//! means UTC. Calendar dates are validated (leap years included); hours are 00–23, minutes and
//! seconds 00–59 (no leap second), offsets at most ±23:59. The same parser serves policy
//! literals (`d"…"`, checked at compile time) and string values tested at run time.

use std::fmt;

/// A UTC instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

/// Why a text is not an ISO datetime: the problem is at bytes `offset..end` of the text
/// (`end == offset` when something is missing there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatetimeError {
    pub offset: usize,
    pub end: usize,
    pub message: String,
}

impl fmt::Display for DatetimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for DatetimeError {}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, DatetimeError> {
        Err(DatetimeError {
            offset: self.pos,
            end: self.pos,
            message: message.into(),
        })
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, DatetimeError> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.bytes.get(self.pos) {
                Some(b) if b.is_ascii_digit() => {
                    v = v * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => return self.err(format!("expected {n} digits for the {what}")),
            }
        }
        Ok(v)
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), DatetimeError> {
        if self.bytes.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected {what}"))
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an ISO datetime (see the module docs) into a UTC instant.
pub fn parse_iso(text: &str) -> Result<Instant, DatetimeError> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = i64::from(c.digits(4, "year")?);
    c.expect(b'-', "'-' after the year")?;
    let month_at = c.pos;
    let month = c.digits(2, "month")?;
    c.expect(b'-', "'-' after the month")?;
    let day_at = c.pos;
    let day = c.digits(2, "day")?;
    if !(1..=12).contains(&month) {
        return Err(DatetimeError {
            offset: month_at,
            end: month_at + 2,
            message: format!("month {month:02} is not 01–12"),
        });
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(DatetimeError {
            offset: day_at,
            end: day_at + 2,
            message: format!("day {day:02} does not exist in {year:04}-{month:02}"),
        });
    }
    let mut secs_of_day = 0i64;
    let mut nanos = 0u32;
    if matches!(c.peek(), Some(b'T' | b't' | b' ')) {
        c.pos += 1;
        let hour_at = c.pos;
        let hour = c.digits(2, "hour")?;
        c.expect(b':', "':' after the hour")?;
        let minute_at = c.pos;
        let minute = c.digits(2, "minute")?;
        let mut second = 0;
        let mut second_at = c.pos;
        if c.peek() == Some(b':') {
            c.pos += 1;
            second_at = c.pos;
            second = c.digits(2, "second")?;
            if c.peek() == Some(b'.') {
                c.pos += 1;
                let start = c.pos;
                while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                    c.pos += 1;
                }
                let n = c.pos - start;
                if n == 0 {
                    return c.err("expected fraction digits after '.'");
                }
                if n > 9 {
                    return Err(DatetimeError {
                        offset: start + 9,
                        end: c.pos,
                        message: "at most 9 fraction digits are allowed".into(),
                    });
                }
                let digits = &text[start..c.pos];
                // n ≤ 9, so this fits in u32.
                nanos = digits.parse::<u32>().unwrap_or(0) * 10u32.pow(9 - n as u32);
            }
        }
        if hour > 23 {
            return Err(DatetimeError {
                offset: hour_at,
                end: hour_at + 2,
                message: format!("hour {hour:02} is not 00–23"),
            });
        }
        if minute > 59 {
            return Err(DatetimeError {
                offset: minute_at,
                end: minute_at + 2,
                message: format!("minute {minute:02} is not 00–59"),
            });
        }
        if second > 59 {
            return Err(DatetimeError {
                offset: second_at,
                end: second_at + 2,
                message: format!("second {second:02} is not 00–59"),
            });
        }
        secs_of_day = i64::from(hour * 3600 + minute * 60 + second);
    }
    match c.peek() {
        Some(b'Z' | b'z') => c.pos += 1,
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let oh_at = c.pos;
            let oh = c.digits(2, "offset hours")?;
            c.expect(b':', "':' in the offset")?;
            let om_at = c.pos;
            let om = c.digits(2, "offset minutes")?;
            if oh > 23 {
                return Err(DatetimeError {
                    offset: oh_at,
                    end: oh_at + 2,
                    message: format!("offset hour {oh:02} is not 00–23"),
                });
            }
            if om > 59 {
                return Err(DatetimeError {
                    offset: om_at,
                    end: om_at + 2,
                    message: format!("offset minute {om:02} is not 00–59"),
                });
            }
            let offset_secs = i64::from(oh * 3600 + om * 60);
            // Local time = UTC + offset, so UTC = local - offset.
            secs_of_day -= if sign == b'-' {
                -offset_secs
            } else {
                offset_secs
            };
        }
        _ => {}
    }
    if c.pos != text.len() {
        return c.err("unexpected text after the datetime");
    }
    let secs = days_from_civil(year, month, day) * 86_400 + secs_of_day;
    Ok(Instant { secs, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (i64, u32) {
        let i = parse_iso(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (i.secs, i.nanos)
    }

    #[test]
    fn dates_are_midnight_utc() {
        assert_eq!(ok("1970-01-01"), (0, 0));
        assert_eq!(ok("1970-01-02"), (86_400, 0));
        assert_eq!(ok("1969-12-31"), (-86_400, 0));
        // 2024-03-01 is 19783 days after the epoch (checked with `date -d 2024-03-01 +%s`).
        assert_eq!(ok("2024-03-01"), (1_709_251_200, 0));
        assert_eq!(ok("0000-01-01"), (-62_167_219_200, 0));
        assert_eq!(ok("9999-12-31"), (253_402_214_400, 0));
    }

    #[test]
    fn times_separators_and_fractions() {
        assert_eq!(ok("2024-03-01T12:34"), (1_709_251_200 + 45_240, 0));
        assert_eq!(ok("2024-03-01t12:34:56"), (1_709_251_200 + 45_296, 0));
        assert_eq!(
            ok("2024-03-01 12:34:56.5"),
            (1_709_251_200 + 45_296, 500_000_000)
        );
        assert_eq!(ok("2024-03-01T00:00:00.000000001"), (1_709_251_200, 1));
        assert_eq!(
            ok("2024-03-01T00:00:00.123456789Z"),
            (1_709_251_200, 123_456_789)
        );
    }

    #[test]
    fn offsets_shift_to_utc() {
        assert_eq!(ok("2024-03-01T12:00Z"), ok("2024-03-01T12:00"));
        assert_eq!(ok("2024-03-01T12:00z"), ok("2024-03-01T12:00"));
        assert_eq!(ok("2024-03-01T14:30+02:30"), ok("2024-03-01T12:00"));
        assert_eq!(ok("2024-03-01T00:00-01:00"), ok("2024-03-01T01:00"));
        assert_eq!(ok("1970-01-01T00:00+01:00"), (-3600, 0));
        // The offset may follow a bare date too (the parts are independent in §5.3).
        assert_eq!(ok("1970-01-02Z"), (86_400, 0));
        assert_eq!(ok("1970-01-02+01:00"), (82_800, 0));
    }

    #[test]
    fn calendar_validation() {
        assert!(parse_iso("2024-02-29").is_ok());
        assert!(parse_iso("2000-02-29").is_ok());
        assert!(parse_iso("1900-02-29").is_err());
        assert!(parse_iso("2023-02-29").is_err());
        assert!(parse_iso("2024-04-31").is_err());
        assert!(parse_iso("2024-13-01").is_err());
        assert!(parse_iso("2024-00-10").is_err());
        assert!(parse_iso("2024-01-00").is_err());
        let e = parse_iso("2024-13-01").unwrap_err();
        assert_eq!((e.offset, e.end), (5, 7));
        assert_eq!(parse_iso("2024-04-31").unwrap_err().offset, 8);
    }

    #[test]
    fn rejects_malformed_text() {
        for s in [
            "",
            "2024",
            "24-01-01",
            "2024-1-01",
            "2024-01-01T",
            "2024-01-01T1:00",
            "2024-01-01T24:00",
            "2024-01-01T12:60",
            "2024-01-01T12:00:60",
            "2024-01-01T12:00:00.",
            "2024-01-01T12:00:00.1234567890",
            "2024-01-01T12:00+0100",
            "2024-01-01T12:00+24:00",
            "2024-01-01T12:00Zx",
            "2024-01-01  12:00",
            "2024-01-01T12:00.5",
            "+2024-01-01",
            "２０２４-01-01",
        ] {
            assert!(parse_iso(s).is_err(), "{s:?} should be rejected");
        }
    }
}
