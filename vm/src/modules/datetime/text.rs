//! Text forms of dates: `strftime`, `strptime` and `fromisoformat` (C-locale directives).

use super::{Dt, US_DAY, US_S, civil_from_days, days_from_civil, hms, iso, month_days, off_str};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) fn fields(d: &Dt) -> (i64, i64, i64, i64, Option<i32>) {
    match *d {
        Dt::DateTime { us, off } => (us.div_euclid(US_DAY), us.rem_euclid(US_DAY), 0, 0, off),
        Dt::Date { days } => (days, 0, 0, 0, None),
        Dt::Time { us, off } => (0, us, 0, 0, off),
        _ => (0, 0, 0, 0, None),
    }
}

pub(crate) fn strftime(d: &Dt, fmt: &str) -> String {
    let (days, us, _, _, off) = fields(d);
    let (y, mo, da) = civil_from_days(days);
    let (h, mi, s, f) = hms(us);
    let wd = days.rem_euclid(7) as usize; // 0001-01-01 was a Monday
    let yday = days - days_from_civil(y, 1, 1) + 1;
    let mut out = String::new();
    let mut it = fmt.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('Y') => out.push_str(&format!("{y:04}")),
            Some('y') => out.push_str(&format!("{:02}", y % 100)),
            Some('m') => out.push_str(&format!("{mo:02}")),
            Some('d') => out.push_str(&format!("{da:02}")),
            Some('H') => out.push_str(&format!("{h:02}")),
            Some('I') => out.push_str(&format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 })),
            Some('p') => out.push_str(if h < 12 { "AM" } else { "PM" }),
            Some('M') => out.push_str(&format!("{mi:02}")),
            Some('S') => out.push_str(&format!("{s:02}")),
            Some('f') => out.push_str(&format!("{f:06}")),
            Some('a') => out.push_str(&DAYS[wd][..3]),
            Some('A') => out.push_str(DAYS[wd]),
            Some('w') => out.push_str(&((wd + 1) % 7).to_string()),
            Some('u') => out.push_str(&(wd + 1).to_string()),
            Some('b') | Some('h') => out.push_str(&MONTHS[(mo - 1) as usize][..3]),
            Some('B') => out.push_str(MONTHS[(mo - 1) as usize]),
            Some('j') => out.push_str(&format!("{yday:03}")),
            // Week of the year (C: Sunday- resp. Monday-first; days before the first are week 0).
            Some('U') => out.push_str(&format!("{:02}", (yday + 6 - ((wd as i64 + 1) % 7)) / 7)),
            Some('W') => out.push_str(&format!("{:02}", (yday + 6 - wd as i64) / 7)),
            Some('z') => out.push_str(&off.map(|o| off_str(o, false)).unwrap_or_default()),
            Some(':') if it.clone().next() == Some('z') => {
                it.next();
                out.push_str(&off.map(|o| off_str(o, true)).unwrap_or_default());
            }
            Some('Z') => {
                out.push_str(&off.map(|o| iso(&Dt::Tz { off: o }, "")).unwrap_or_default())
            }
            Some('c') => out.push_str(&strftime(d, "%a %b %e %H:%M:%S %Y")),
            Some('e') => out.push_str(&format!("{da:>2}")),
            Some('x') => out.push_str(&strftime(d, "%m/%d/%y")),
            Some('X') => out.push_str(&strftime(d, "%H:%M:%S")),
            Some('F') => out.push_str(&strftime(d, "%Y-%m-%d")),
            Some('T') => out.push_str(&strftime(d, "%H:%M:%S")),
            Some('%') => out.push('%'),
            Some(o) => {
                out.push('%');
                out.push(o);
            }
            None => out.push('%'),
        }
    }
    out
}

fn parse_digits(s: &[char], i: &mut usize, max: usize) -> Option<i64> {
    let st = *i;
    while *i < s.len() && *i - st < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == st {
        None
    } else {
        s[st..*i].iter().collect::<String>().parse().ok()
    }
}

fn parse_off(s: &[char], i: &mut usize) -> Option<i32> {
    if *i < s.len() && (s[*i] == 'Z' || s[*i] == 'z') {
        *i += 1;
        return Some(0);
    }
    let sign = match s.get(*i) {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    *i += 1;
    let h = parse_digits(s, i, 2)?;
    if s.get(*i) == Some(&':') {
        *i += 1;
    }
    let m = parse_digits(s, i, 2).unwrap_or(0);
    Some(sign * (h * 3600 + m * 60) as i32)
}

/// `strptime` with the C-locale directives `%Y %m %d %H %M %S %f %y %b %B %a %A %p %I %j %z %%`.
pub(super) fn strptime(text: &str, fmt: &str) -> Option<Dt> {
    let s: Vec<char> = text.chars().collect();
    let f: Vec<char> = fmt.chars().collect();
    let (mut i, mut j) = (0, 0);
    let (mut y, mut mo, mut d, mut h, mut mi, mut se, mut us, mut off, mut pm) =
        (1900, 1, 1, 0, 0, 0, 0, None, None);
    while j < f.len() {
        if f[j] != '%' {
            if f[j].is_whitespace() {
                while i < s.len() && s[i].is_whitespace() {
                    i += 1;
                }
            } else if s.get(i) != Some(&f[j]) {
                return None;
            } else {
                i += 1;
            }
            j += 1;
            continue;
        }
        let dch = *f.get(j + 1)?;
        j += 2;
        match dch {
            'Y' => y = parse_digits(&s, &mut i, 4)?,
            'y' => y = 2000 + parse_digits(&s, &mut i, 2)?,
            'm' => mo = parse_digits(&s, &mut i, 2)?,
            'd' => d = parse_digits(&s, &mut i, 2)?,
            'H' | 'I' => h = parse_digits(&s, &mut i, 2)?,
            'M' => mi = parse_digits(&s, &mut i, 2)?,
            'S' => se = parse_digits(&s, &mut i, 2)?,
            'f' => {
                let st = i;
                let v = parse_digits(&s, &mut i, 6)?;
                us = v * 10i64.pow((6 - (i - st)) as u32);
            }
            'j' => {
                let yd = parse_digits(&s, &mut i, 3)?;
                let (yy, m2, d2) = civil_from_days(days_from_civil(y, 1, 1) + yd - 1);
                (y, mo, d) = (yy, m2, d2);
            }
            'b' | 'B' | 'h' => {
                let rest: String = s[i..].iter().collect::<String>().to_lowercase();
                let k = MONTHS.iter().position(|m| {
                    rest.starts_with(&m.to_lowercase()) && dch == 'B'
                        || rest.starts_with(&m[..3].to_lowercase()) && dch != 'B'
                })?;
                i += if dch == 'B' { MONTHS[k].len() } else { 3 };
                mo = k as i64 + 1;
            }
            'a' | 'A' => {
                let rest: String = s[i..].iter().collect::<String>().to_lowercase();
                let k = DAYS.iter().position(|w| {
                    rest.starts_with(&w.to_lowercase()) && dch == 'A'
                        || rest.starts_with(&w[..3].to_lowercase()) && dch == 'a'
                })?;
                i += if dch == 'A' { DAYS[k].len() } else { 3 };
            }
            'p' => {
                let rest: String = s[i..(i + 2).min(s.len())]
                    .iter()
                    .collect::<String>()
                    .to_uppercase();
                pm = Some(rest == "PM");
                i += 2;
            }
            'z' => off = Some(parse_off(&s, &mut i)?),
            '%' => {
                if s.get(i) != Some(&'%') {
                    return None;
                }
                i += 1;
            }
            _ => return None,
        }
    }
    if i != s.len() {
        return None;
    }
    if let Some(p) = pm {
        h = h % 12 + if p { 12 } else { 0 };
    }
    let days = checked_date(y, mo, d)?;
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(Dt::DateTime {
        us: days * US_DAY + ((h * 60 + mi) * 60 + se) * US_S + us,
        off,
    })
}

pub(super) fn checked_date(y: i64, m: i64, d: i64) -> Option<i64> {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > month_days(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `fromisoformat`: `YYYY-MM-DD`, then `T` or a space and `HH:MM[:SS[.ffffff]]`, then an offset.
pub(super) fn parse_iso(text: &str, kind: &str) -> Option<Dt> {
    let s: Vec<char> = text.chars().collect();
    let mut i = 0;
    let time_part = |s: &[char], i: &mut usize| -> Option<(i64, Option<i32>)> {
        let h = parse_digits(s, i, 2)?;
        let mut m = 0;
        let mut sec = 0;
        let mut us = 0;
        if s.get(*i) == Some(&':') {
            *i += 1;
            m = parse_digits(s, i, 2)?;
            if s.get(*i) == Some(&':') {
                *i += 1;
                sec = parse_digits(s, i, 2)?;
                if matches!(s.get(*i), Some('.') | Some(',')) {
                    *i += 1;
                    let st = *i;
                    let v = parse_digits(s, i, 9)?;
                    let n = *i - st;
                    us = if n >= 6 {
                        v / 10i64.pow((n - 6) as u32)
                    } else {
                        v * 10i64.pow((6 - n) as u32)
                    };
                }
            }
        }
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        let off = if *i < s.len() {
            Some(parse_off(s, i)?)
        } else {
            None
        };
        Some((((h * 60 + m) * 60 + sec) * US_S + us, off))
    };
    if kind == "time" {
        let (us, off) = time_part(&s, &mut i)?;
        return (i == s.len()).then_some(Dt::Time { us, off });
    }
    let y = parse_digits(&s, &mut i, 4)?;
    if s.get(i) == Some(&'-') {
        i += 1;
    }
    let m = parse_digits(&s, &mut i, 2)?;
    if s.get(i) == Some(&'-') {
        i += 1;
    }
    let d = parse_digits(&s, &mut i, 2)?;
    let days = checked_date(y, m, d)?;
    if kind == "date" {
        return (i == s.len()).then_some(Dt::Date { days });
    }
    if i == s.len() {
        return Some(Dt::DateTime {
            us: days * US_DAY,
            off: None,
        });
    }
    if !matches!(s.get(i), Some('T') | Some('t') | Some(' ')) {
        return None;
    }
    i += 1;
    let (us, off) = time_part(&s, &mut i)?;
    (i == s.len()).then_some(Dt::DateTime {
        us: days * US_DAY + us,
        off,
    })
}
