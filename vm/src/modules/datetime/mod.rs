//! `datetime`: datetime, date, time, timedelta and fixed-offset timezones (planner.md §2).
//! Decision: `now()`/`today()` return the run clock fixed by the host (UTC); naive `now()` is UTC
//! wall time. Directives of `strftime`/`strptime` are the C locale's.

use serde::{Deserialize, Serialize};

use crate::builtins::Kw;
use crate::bytecode::BinOp;
use crate::label::Label;
use crate::value::{Slot, Value};
use crate::vm::ops::{Num, num};
use crate::vm::{R, Vm};

mod text;
use text::{checked_date, fields, parse_iso, strftime, strptime};

pub(super) const US_DAY: i64 = 86_400_000_000;
pub(super) const US_S: i64 = 1_000_000;
/// Days from 0001-01-01 to 1970-01-01.
const EPOCH_DAYS: i64 = 719_162;

/// An immutable date/time value. Datetimes and times hold wall-clock microseconds and an optional
/// UTC offset in seconds; dates hold days since 0001-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dt {
    DateTime { us: i64, off: Option<i32> },
    Date { days: i64 },
    Time { us: i64, off: Option<i32> },
    Delta { us: i64 },
    Tz { off: i32 },
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(super) fn month_days(y: i64, m: i64) -> i64 {
    [
        31,
        if is_leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

/// Days since 0001-01-01 (Hinnant's algorithm, shifted).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + EPOCH_DAYS
}

pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days - EPOCH_DAYS + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m, d)
}

const MAX_DAYS: i64 = 3_652_058; // 9999-12-31

pub(super) fn hms(us: i64) -> (i64, i64, i64, i64) {
    let t = us.rem_euclid(US_DAY);
    (
        t / 3_600_000_000,
        t / 60_000_000 % 60,
        t / US_S % 60,
        t % US_S,
    )
}

pub(super) fn off_str(off: i32, colon: bool) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let c = if colon { ":" } else { "" };
    if s != 0 {
        format!("{sign}{h:02}{c}{m:02}{c}{s:02}")
    } else {
        format!("{sign}{h:02}{c}{m:02}")
    }
}

fn time_str(us: i64) -> String {
    let (h, m, s, f) = hms(us);
    if f != 0 {
        format!("{h:02}:{m:02}:{s:02}.{f:06}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

pub(crate) fn iso(d: &Dt, sep: &str) -> String {
    match *d {
        Dt::DateTime { us, off } => {
            let (y, mo, da) = civil_from_days(us.div_euclid(US_DAY));
            let o = off.map(|o| off_str(o, true)).unwrap_or_default();
            format!("{y:04}-{mo:02}-{da:02}{sep}{}{o}", time_str(us))
        }
        Dt::Date { days } => {
            let (y, m, d) = civil_from_days(days);
            format!("{y:04}-{m:02}-{d:02}")
        }
        Dt::Time { us, off } => format!(
            "{}{}",
            time_str(us),
            off.map(|o| off_str(o, true)).unwrap_or_default()
        ),
        Dt::Delta { us } => {
            let days = us.div_euclid(US_DAY);
            let rest = time_str(us.rem_euclid(US_DAY));
            let rest = rest
                .strip_prefix('0')
                .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()) && !r.starts_with(':'))
                .map(str::to_string)
                .unwrap_or(rest);
            if days == 0 {
                rest
            } else {
                format!(
                    "{days} day{}, {rest}",
                    if days.abs() == 1 { "" } else { "s" }
                )
            }
        }
        Dt::Tz { off } => {
            if off == 0 {
                "UTC".into()
            } else {
                format!("UTC{}", off_str(off, true))
            }
        }
    }
}

fn repr(d: &Dt) -> String {
    let tz = |off: Option<i32>| match off {
        None => String::new(),
        Some(0) => ", tzinfo=datetime.timezone.utc".into(),
        Some(o) => format!(", tzinfo=datetime.timezone(datetime.timedelta(seconds={o}))"),
    };
    match *d {
        Dt::DateTime { us, off } => {
            let (y, mo, da) = civil_from_days(us.div_euclid(US_DAY));
            let (h, m, s, f) = hms(us);
            let mut parts = vec![y, mo, da, h, m];
            if s != 0 || f != 0 {
                parts.push(s);
            }
            if f != 0 {
                parts.push(f);
            }
            let p: Vec<String> = parts.iter().map(|x| x.to_string()).collect();
            format!("datetime.datetime({}{})", p.join(", "), tz(off))
        }
        Dt::Date { days } => {
            let (y, m, d) = civil_from_days(days);
            format!("datetime.date({y}, {m}, {d})")
        }
        Dt::Time { us, off } => {
            let (h, m, s, f) = hms(us);
            let mut p = vec![h, m];
            if s != 0 || f != 0 {
                p.push(s);
            }
            if f != 0 {
                p.push(f);
            }
            let p: Vec<String> = p.iter().map(|x| x.to_string()).collect();
            format!("datetime.time({}{})", p.join(", "), tz(off))
        }
        Dt::Delta { us } => {
            let (d, s, f) = (
                us.div_euclid(US_DAY),
                us.rem_euclid(US_DAY) / US_S,
                us.rem_euclid(US_S),
            );
            let mut p = vec![];
            if d != 0 {
                p.push(format!("days={d}"));
            }
            if s != 0 {
                p.push(format!("seconds={s}"));
            }
            if f != 0 {
                p.push(format!("microseconds={f}"));
            }
            if p.is_empty() {
                "datetime.timedelta(0)".into()
            } else {
                format!("datetime.timedelta({})", p.join(", "))
            }
        }
        Dt::Tz { off } => {
            if off == 0 {
                "datetime.timezone.utc".into()
            } else {
                format!("datetime.timezone(datetime.timedelta(seconds={off}))")
            }
        }
    }
}

pub(crate) fn repr_of(v: &Value) -> Option<String> {
    match v {
        Value::Dt(d) => Some(repr(d)),
        _ => None,
    }
}

pub(crate) fn type_name(d: &Dt) -> &'static str {
    match d {
        Dt::DateTime { .. } => "datetime.datetime",
        Dt::Date { .. } => "datetime.date",
        Dt::Time { .. } => "datetime.time",
        Dt::Delta { .. } => "datetime.timedelta",
        Dt::Tz { .. } => "datetime.timezone",
    }
}

pub(crate) fn class_name(d: &Dt) -> &'static str {
    &type_name(d)[9..]
}

/// A comparable key: (kind, instant). Aware datetimes compare as UTC instants.
pub(crate) fn as_dt(_vm: &Vm, v: &Value) -> Option<(u8, bool, i64)> {
    Some(match v {
        Value::Dt(Dt::DateTime { us, off }) => {
            (0, off.is_some(), us - off.unwrap_or(0) as i64 * US_S)
        }
        Value::Dt(Dt::Date { days }) => (1, false, *days),
        Value::Dt(Dt::Time { us, off }) => (2, off.is_some(), us - off.unwrap_or(0) as i64 * US_S),
        Value::Dt(Dt::Delta { us }) => (3, false, *us),
        _ => return None,
    })
}

pub(crate) fn str_of(_vm: &Vm, v: &Value) -> Option<String> {
    match v {
        Value::Dt(d) => Some(iso(d, " ")),
        _ => None,
    }
}

pub(crate) fn format(_vm: &Vm, v: &Value, spec: &str) -> Option<String> {
    match v {
        Value::Dt(d @ (Dt::DateTime { .. } | Dt::Date { .. } | Dt::Time { .. })) => {
            Some(strftime(d, spec))
        }
        _ => None,
    }
}

pub(crate) fn has_attr(n: &str) -> bool {
    matches!(n, "datetime" | "date" | "time" | "timedelta" | "timezone")
}

fn num_f(v: &Value) -> Option<f64> {
    match num(v)? {
        Num::I(i) => Some(i as f64),
        Num::F(f) => Some(f),
    }
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Int(i)) => Some(*i),
        Some(Value::Bool(b)) => Some(*b as i64),
        _ => None,
    }
}

/// Positional-or-keyword arguments by name.
fn bind<'a>(names: &[&str], args: &'a [Slot], kw: &'a Kw) -> Vec<Option<&'a Value>> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            args.get(i)
                .map(|s| &s.0)
                .or_else(|| kw.iter().find(|(k, _)| &**k == *n).map(|(_, s)| &s.0))
        })
        .collect()
}

fn tz_off(v: Option<&Value>) -> Option<Option<i32>> {
    match v {
        None | Some(Value::None) => Some(None),
        Some(Value::Dt(Dt::Tz { off })) => Some(Some(*off)),
        _ => None,
    }
}

pub(crate) fn in_range(vm: &mut Vm, d: Dt, l: Label) -> R<Value> {
    let ok = match d {
        Dt::DateTime { us, .. } => (0..(MAX_DAYS + 1) * US_DAY).contains(&us),
        Dt::Date { days } => (0..=MAX_DAYS).contains(&days),
        Dt::Delta { us } => us.checked_abs().is_some_and(|a| a <= 99_999_999 * US_DAY),
        _ => true,
    };
    if !ok {
        return vm.err("OverflowError", "date value out of range", l);
    }
    Ok(Value::Dt(d))
}

/// `datetime.X(...)` and `datetime.X.method(...)` (names like `datetime.now`).
pub(crate) fn call(vm: &mut Vm, name: &str, args: Vec<Slot>, kw: Kw, l: Label) -> R<Slot> {
    let bad = |vm: &mut Vm, m: &str| -> R<Slot> { vm.err("TypeError", m, l.clone()) };
    let v = match name {
        "datetime" | "date" => {
            let a = bind(&["year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"], &args, &kw);
            let (Some(y), Some(m), Some(d)) = (int(a[0]), int(a[1]), int(a[2])) else {
                return bad(vm, &format!("{name}() requires integer year, month and day"));
            };
            let Some(days) = checked_date(y, m, d) else {
                return vm.err("ValueError", "day is out of range for month", l);
            };
            if name == "date" {
                Value::Dt(Dt::Date { days })
            } else {
                let t: Vec<i64> = (3..7).map(|i| int(a[i]).unwrap_or(0)).collect();
                if t[0] > 23 || t[1] > 59 || t[2] > 59 || t[3] > 999_999 || t.iter().any(|x| *x < 0) {
                    return vm.err("ValueError", "hour, minute, second or microsecond out of range", l);
                }
                let Some(off) = tz_off(a[7]) else { return bad(vm, "tzinfo argument must be None or a timezone") };
                Value::Dt(Dt::DateTime { us: days * US_DAY + ((t[0] * 60 + t[1]) * 60 + t[2]) * US_S + t[3], off })
            }
        }
        "time" => {
            let a = bind(&["hour", "minute", "second", "microsecond", "tzinfo"], &args, &kw);
            let t: Vec<i64> = (0..4).map(|i| int(a[i]).unwrap_or(0)).collect();
            if t[0] > 23 || t[1] > 59 || t[2] > 59 || t[3] > 999_999 || t.iter().any(|x| *x < 0) {
                return vm.err("ValueError", "hour, minute, second or microsecond out of range", l);
            }
            let Some(off) = tz_off(a[4]) else { return bad(vm, "tzinfo argument must be None or a timezone") };
            Value::Dt(Dt::Time { us: ((t[0] * 60 + t[1]) * 60 + t[2]) * US_S + t[3], off })
        }
        "timedelta" => {
            let a = bind(&["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"], &args, &kw);
            let unit = [US_DAY as f64, US_S as f64, 1.0, 1000.0, 60.0 * US_S as f64, 3600.0 * US_S as f64, 7.0 * US_DAY as f64];
            let mut total = 0f64;
            for (i, x) in a.iter().enumerate() {
                if let Some(x) = x {
                    let Some(f) = num_f(x) else { return bad(vm, "unsupported type for timedelta component") };
                    total += f * unit[i];
                }
            }
            if !total.is_finite() || total.abs() > 9.0e19 {
                return vm.err("OverflowError", "timedelta out of range", l);
            }
            in_range(vm, Dt::Delta { us: total.round_ties_even() as i64 }, l.clone())?
        }
        "timezone" => match args.first().map(|s| &s.0) {
            Some(Value::Dt(Dt::Delta { us })) if us.abs() < US_DAY => Value::Dt(Dt::Tz { off: (us / US_S) as i32 }),
            _ => return vm.err("ValueError", "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)", l),
        },
        "datetime.now" | "datetime.today" | "datetime.utcnow" | "date.today" => {
            let us = vm.clock_micros + EPOCH_DAYS * US_DAY;
            let off = tz_off(args.first().map(|s| &s.0).or(kw.first().map(|(_, s)| &s.0))).flatten();
            match name {
                "date.today" => Value::Dt(Dt::Date { days: us.div_euclid(US_DAY) }),
                _ => Value::Dt(Dt::DateTime { us: us + off.unwrap_or(0) as i64 * US_S, off }),
            }
        }
        "datetime.fromtimestamp" | "datetime.utcfromtimestamp" | "date.fromtimestamp" => {
            let Some(ts) = args.first().and_then(|s| num_f(&s.0)) else { return bad(vm, "a number is required") };
            let off = tz_off(args.get(1).map(|s| &s.0).or(kw.first().map(|(_, s)| &s.0))).flatten();
            let us = (ts * US_S as f64).round() as i64 + EPOCH_DAYS * US_DAY + off.unwrap_or(0) as i64 * US_S;
            if name.starts_with("date.") {
                in_range(vm, Dt::Date { days: us.div_euclid(US_DAY) }, l.clone())?
            } else {
                in_range(vm, Dt::DateTime { us, off }, l.clone())?
            }
        }
        "datetime.fromisoformat" | "date.fromisoformat" | "time.fromisoformat" => {
            let Some(Value::Str(s)) = args.first().map(|s| &s.0) else { return bad(vm, "fromisoformat: argument must be str") };
            let kind = name.split('.').next().unwrap_or("datetime");
            match parse_iso(s, kind) {
                Some(d) => Value::Dt(d),
                None => return vm.err("ValueError", format!("Invalid isoformat string: {}", vm.repr_of(&Value::Str(s.clone()))), l),
            }
        }
        "datetime.strptime" => {
            let (Some(Value::Str(s)), Some(Value::Str(f))) = (args.first().map(|s| &s.0), args.get(1).map(|s| &s.0)) else {
                return bad(vm, "strptime() argument must be str");
            };
            match strptime(s, f) {
                Some(d) => Value::Dt(d),
                None => {
                    let (rs, rf) = (vm.repr_of(&Value::Str(s.clone())), vm.repr_of(&Value::Str(f.clone())));
                    return vm.err("ValueError", format!("time data {rs} does not match format {rf}"), l);
                }
            }
        }
        "datetime.combine" => match (args.first().map(|s| &s.0), args.get(1).map(|s| &s.0)) {
            (Some(Value::Dt(Dt::Date { days })), Some(Value::Dt(Dt::Time { us, off }))) => {
                Value::Dt(Dt::DateTime { us: days * US_DAY + us, off: *off })
            }
            _ => return bad(vm, "combine() requires a date and a time"),
        },
        other => return vm.err("AttributeError", format!("module 'datetime' has no attribute '{other}'"), l),
    };
    Ok((v, l))
}

/// Class attributes: `datetime.datetime.now`, `datetime.timezone.utc`, `datetime.timedelta.max`...
pub(crate) fn class_attr(vm: &mut Vm, class: &str, name: &str) -> R<Value> {
    Ok(match (class, name) {
        ("timezone", "utc") => Value::Dt(Dt::Tz { off: 0 }),
        (
            "datetime",
            "now" | "today" | "utcnow" | "fromtimestamp" | "utcfromtimestamp" | "fromisoformat"
            | "strptime" | "combine",
        )
        | ("date", "today" | "fromtimestamp" | "fromisoformat")
        | ("time", "fromisoformat") => Value::ModAttr(1, format!("{class}.{name}").into()),
        ("datetime", "min") => Value::Dt(Dt::DateTime { us: 0, off: None }),
        ("datetime", "max") => Value::Dt(Dt::DateTime {
            us: (MAX_DAYS + 1) * US_DAY - 1,
            off: None,
        }),
        ("date", "min") => Value::Dt(Dt::Date { days: 0 }),
        ("date", "max") => Value::Dt(Dt::Date { days: MAX_DAYS }),
        _ => {
            return vm.err(
                "AttributeError",
                format!("type object '{class}' has no attribute '{name}'"),
                Label::BOTTOM,
            );
        }
    })
}

pub(crate) fn attr(d: &Dt, name: &str, l: Label) -> R<Value> {
    let (days, us, _, _, off) = fields(d);
    let (y, mo, da) = civil_from_days(days);
    let (h, mi, s, f) = hms(us);
    Ok(Value::Int(match (d, name) {
        (Dt::DateTime { .. } | Dt::Date { .. }, "year") => y,
        (Dt::DateTime { .. } | Dt::Date { .. }, "month") => mo,
        (Dt::DateTime { .. } | Dt::Date { .. }, "day") => da,
        (Dt::DateTime { .. } | Dt::Time { .. }, "hour") => h,
        (Dt::DateTime { .. } | Dt::Time { .. }, "minute") => mi,
        (Dt::DateTime { .. } | Dt::Time { .. }, "second") => s,
        (Dt::DateTime { .. } | Dt::Time { .. }, "microsecond") => f,
        (Dt::DateTime { .. } | Dt::Time { .. }, "tzinfo") => {
            return Ok(off
                .map(|o| Value::Dt(Dt::Tz { off: o }))
                .unwrap_or(Value::None));
        }
        (Dt::Delta { us }, "days") => us.div_euclid(US_DAY),
        (Dt::Delta { us }, "seconds") => us.rem_euclid(US_DAY) / US_S,
        (Dt::Delta { us }, "microseconds") => us.rem_euclid(US_S),
        _ => {
            // A method read as a value.
            return Ok(Value::Method(std::rc::Rc::new((
                Value::Dt(*d),
                l,
                name.into(),
            ))));
        }
    }))
}

pub(crate) fn method(vm: &mut Vm, d: Dt, name: &str, args: Vec<Slot>, kw: Kw, l: Label) -> R<Slot> {
    let (days, us, _, _, off) = fields(&d);
    let v = match (d, name) {
        (_, "isoformat") => {
            let sep = match args
                .first()
                .map(|s| &s.0)
                .or(kw.iter().find(|(k, _)| &**k == "sep").map(|(_, s)| &s.0))
            {
                Some(Value::Str(s)) => s.to_string(),
                _ => "T".into(),
            };
            Value::Str(iso(&d, &sep).into())
        }
        (Dt::DateTime { .. } | Dt::Date { .. } | Dt::Time { .. }, "strftime") => {
            match args.first().map(|s| &s.0) {
                Some(Value::Str(f)) => Value::Str(strftime(&d, f).into()),
                _ => return vm.err("TypeError", "strftime() argument 1 must be str", l),
            }
        }
        (Dt::DateTime { .. }, "date") => Value::Dt(Dt::Date { days }),
        (Dt::DateTime { .. }, "time") => Value::Dt(Dt::Time { us, off: None }),
        (Dt::DateTime { .. }, "timetz") => Value::Dt(Dt::Time { us, off }),
        (Dt::DateTime { .. } | Dt::Date { .. }, "weekday") => Value::Int(days.rem_euclid(7)),
        (Dt::DateTime { .. } | Dt::Date { .. }, "isoweekday") => Value::Int(days.rem_euclid(7) + 1),
        (Dt::DateTime { us: w, off }, "timestamp") => {
            let utc = w - off.unwrap_or(0) as i64 * US_S - EPOCH_DAYS * US_DAY;
            Value::Float(utc as f64 / US_S as f64)
        }
        (Dt::DateTime { .. } | Dt::Time { .. }, "utcoffset") => off
            .map(|o| {
                Value::Dt(Dt::Delta {
                    us: o as i64 * US_S,
                })
            })
            .unwrap_or(Value::None),
        (Dt::Delta { us }, "total_seconds") => Value::Float(us as f64 / US_S as f64),
        (
            Dt::DateTime {
                us: w,
                off: Some(o),
            },
            "astimezone",
        ) => {
            let target = tz_off(args.first().map(|s| &s.0)).flatten().unwrap_or(0);
            Value::Dt(Dt::DateTime {
                us: w - o as i64 * US_S + target as i64 * US_S,
                off: Some(target),
            })
        }
        (Dt::DateTime { us: w, off: None }, "astimezone") => {
            // Naive datetimes are taken as UTC (the run clock's zone).
            let target = tz_off(args.first().map(|s| &s.0)).flatten().unwrap_or(0);
            Value::Dt(Dt::DateTime {
                us: w + target as i64 * US_S,
                off: Some(target),
            })
        }
        (Dt::DateTime { .. } | Dt::Date { .. } | Dt::Time { .. }, "replace") => {
            let (y, mo, da) = civil_from_days(days);
            let (h, mi, s, f) = hms(us);
            let mut p = [y, mo, da, h, mi, s, f];
            let names = [
                "year",
                "month",
                "day",
                "hour",
                "minute",
                "second",
                "microsecond",
            ];
            let mut new_off = off;
            for (k, v) in &kw {
                if &**k == "tzinfo" {
                    let Some(o) = tz_off(Some(&v.0)) else {
                        return vm.err("TypeError", "tzinfo must be a timezone", l);
                    };
                    new_off = o;
                    continue;
                }
                let Some(i) = names.iter().position(|n| *n == &**k) else {
                    return vm.err(
                        "TypeError",
                        format!("'{k}' is an invalid keyword argument for replace()"),
                        l,
                    );
                };
                let Some(x) = int(Some(&v.0)) else {
                    return vm.err("TypeError", "an integer is required", l);
                };
                p[i] = x;
            }
            let Some(days) = checked_date(p[0], p[1], p[2]) else {
                return vm.err("ValueError", "day is out of range for month", l);
            };
            if p[3] > 23 || p[4] > 59 || p[5] > 59 || p[6] > 999_999 {
                return vm.err(
                    "ValueError",
                    "hour, minute, second or microsecond out of range",
                    l,
                );
            }
            let t = ((p[3] * 60 + p[4]) * 60 + p[5]) * US_S + p[6];
            Value::Dt(match d {
                Dt::DateTime { .. } => Dt::DateTime {
                    us: days * US_DAY + t,
                    off: new_off,
                },
                Dt::Date { .. } => Dt::Date { days },
                _ => Dt::Time {
                    us: t,
                    off: new_off,
                },
            })
        }
        _ => {
            let t = type_name(&d);
            return vm.err(
                "AttributeError",
                format!("'{t}' object has no attribute '{name}'"),
                l,
            );
        }
    };
    Ok((v, l))
}

pub(crate) fn binop(vm: &mut Vm, op: BinOp, x: &Value, y: &Value, l: Label) -> R<Option<Value>> {
    use Dt::*;
    let (a, b) = match (x, y) {
        (Value::Dt(a), Value::Dt(b)) => (Some(*a), Some(*b)),
        (Value::Dt(a), _) => (Some(*a), None),
        (_, Value::Dt(b)) => (None, Some(*b)),
        _ => return Ok(None),
    };
    let d = match (op, a, b) {
        (BinOp::Add, Some(DateTime { us, off }), Some(Delta { us: d }))
        | (BinOp::Add, Some(Delta { us: d }), Some(DateTime { us, off })) => {
            DateTime { us: us + d, off }
        }
        (BinOp::Sub, Some(DateTime { us, off }), Some(Delta { us: d })) => {
            DateTime { us: us - d, off }
        }
        (BinOp::Sub, Some(DateTime { us: a, off: oa }), Some(DateTime { us: b, off: ob })) => {
            if oa.is_some() != ob.is_some() {
                return vm.err(
                    "TypeError",
                    "can't subtract offset-naive and offset-aware datetimes",
                    l,
                );
            }
            Delta {
                us: (a - oa.unwrap_or(0) as i64 * US_S) - (b - ob.unwrap_or(0) as i64 * US_S),
            }
        }
        (BinOp::Add, Some(Date { days }), Some(Delta { us }))
        | (BinOp::Add, Some(Delta { us }), Some(Date { days })) => Date {
            days: days + us.div_euclid(US_DAY),
        },
        (BinOp::Sub, Some(Date { days }), Some(Delta { us })) => Date {
            days: days - us.div_euclid(US_DAY),
        },
        (BinOp::Sub, Some(Date { days: a }), Some(Date { days: b })) => Delta {
            us: (a - b) * US_DAY,
        },
        (BinOp::Add, Some(Delta { us: a }), Some(Delta { us: b })) => Delta { us: a + b },
        (BinOp::Sub, Some(Delta { us: a }), Some(Delta { us: b })) => Delta { us: a - b },
        (BinOp::Div, Some(Delta { us: a }), Some(Delta { us: b })) => {
            if b == 0 {
                return vm.err("ZeroDivisionError", "division by zero", l);
            }
            return Ok(Some(Value::Float(a as f64 / b as f64)));
        }
        (BinOp::FloorDiv, Some(Delta { us: a }), Some(Delta { us: b })) => {
            if b == 0 {
                return vm.err("ZeroDivisionError", "integer division or modulo by zero", l);
            }
            // Floor division, as Python's (div_euclid differs for a negative divisor).
            let (Some(q), Some(r)) = (a.checked_div(b), a.checked_rem(b)) else {
                return vm.err("OverflowError", "timedelta division overflows", l);
            };
            let q = if r != 0 && (r < 0) != (b < 0) {
                q - 1
            } else {
                q
            };
            return Ok(Some(Value::Int(q)));
        }
        (BinOp::Mod, Some(Delta { us: a }), Some(Delta { us: b })) => {
            if b == 0 {
                return vm.err("ZeroDivisionError", "integer division or modulo by zero", l);
            }
            // The remainder takes the divisor's sign, as Python's.
            let Some(r) = a.checked_rem(b) else {
                return vm.err("OverflowError", "timedelta division overflows", l);
            };
            Delta {
                us: if r != 0 && (r < 0) != (b < 0) {
                    r + b
                } else {
                    r
                },
            }
        }
        (BinOp::Mul, Some(Delta { us }), None) | (BinOp::Mul, None, Some(Delta { us })) => {
            let n = if matches!(x, Value::Dt(_)) { y } else { x };
            let Some(f) = num_f(n) else { return Ok(None) };
            Delta {
                us: (us as f64 * f).round_ties_even() as i64,
            }
        }
        (BinOp::Div | BinOp::FloorDiv, Some(Delta { us }), None) => {
            let Some(f) = num_f(y) else { return Ok(None) };
            if f == 0.0 {
                return vm.err("ZeroDivisionError", "division by zero", l);
            }
            let q = us as f64 / f;
            Delta {
                us: if op == BinOp::FloorDiv {
                    q.floor() as i64
                } else {
                    q.round_ties_even() as i64
                },
            }
        }
        _ => return Ok(None),
    };
    in_range(vm, d, l).map(Some)
}
