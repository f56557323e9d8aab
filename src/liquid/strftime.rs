//! Ruby's `Time#strftime` and `Time.parse`, as Liquid's `date` filter and
//! Jekyll's `date_to_*` filters use them.
//!
//! chrono's own `format` differs from Ruby in the flags authors write from
//! Ruby's documentation (`%^a`, `%#p`, `%-10A`, `%3N`, `%P`, `%:z`), and
//! leaves unknown directives as errors where Ruby prints them as they are;
//! so the directives are read here and only the calendar comes from chrono.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

/// How one directive pads: Ruby's `-` (none), `_` (spaces), `0` (zeros).
#[derive(Clone, Copy, PartialEq)]
enum Pad {
    Default,
    None,
    Space,
    Zero,
}

struct Spec {
    pad: Pad,
    upper: bool,
    swap: bool,
    width: Option<usize>,
    colons: usize,
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
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

fn num(n: i64, width: usize, def: Pad, s: &Spec) -> String {
    let pad = if s.pad == Pad::Default { def } else { s.pad };
    let w = s.width.unwrap_or(width);
    let digits = n.abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    match pad {
        Pad::None => format!("{sign}{digits}"),
        Pad::Space => format!("{:>w$}", format!("{sign}{digits}"), w = w),
        _ => format!("{sign}{digits:0>w$}", w = w.saturating_sub(sign.len())),
    }
}

fn text(t: &str, s: &Spec) -> String {
    let t = if s.upper {
        t.to_uppercase()
    } else if s.swap {
        // `#` swaps case: Ruby lowercases names that are capitalised.
        if t.chars().any(|c| c.is_lowercase()) {
            t.to_uppercase()
        } else {
            t.to_lowercase()
        }
    } else {
        t.to_string()
    };
    match s.width {
        _ if s.pad == Pad::None => t,
        Some(w) if s.pad == Pad::Zero => format!("{t:0>w$}"),
        Some(w) => format!("{t:>w$}"),
        None => t,
    }
}

fn zone(d: &DateTime<FixedOffset>, s: &Spec) -> String {
    let off = d.offset().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let (h, m, sec) = (off.abs() / 3600, off.abs() / 60 % 60, off.abs() % 60);
    match s.colons {
        0 => format!("{sign}{h:02}{m:02}"),
        1 => format!("{sign}{h:02}:{m:02}"),
        _ => format!("{sign}{h:02}:{m:02}:{sec:02}"),
    }
}

/// Ruby's `strftime(fmt)` of `d`.
pub fn strftime(d: &DateTime<FixedOffset>, fmt: &str) -> String {
    let mut out = String::new();
    let mut it = fmt.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec {
            pad: Pad::Default,
            upper: false,
            swap: false,
            width: None,
            colons: 0,
        };
        let mut end = start + 1;
        let mut conv = None;
        while let Some(&(i, ch)) = it.peek() {
            it.next();
            end = i + ch.len_utf8();
            match ch {
                '-' => spec.pad = Pad::None,
                '_' => spec.pad = Pad::Space,
                '0' if spec.width.is_none() => spec.pad = Pad::Zero,
                '^' => spec.upper = true,
                '#' => spec.swap = true,
                ':' => spec.colons += 1,
                '0'..='9' => {
                    let dgt = ch as usize - '0' as usize;
                    spec.width = Some(spec.width.unwrap_or(0) * 10 + dgt);
                }
                _ => {
                    conv = Some(ch);
                    break;
                }
            }
        }
        match conv.and_then(|c| directive(d, c, &spec)) {
            Some(s) => out.push_str(&s),
            // Ruby prints an unknown directive as it is written.
            None => out.push_str(&fmt[start..end]),
        }
    }
    out
}

fn directive(d: &DateTime<FixedOffset>, c: char, s: &Spec) -> Option<String> {
    let hour12 = |h: u32| if h.is_multiple_of(12) { 12 } else { h % 12 } as i64;
    let ampm = if d.hour() < 12 { "AM" } else { "PM" };
    let wd = d.weekday().num_days_from_sunday() as usize;
    let mo = d.month0() as usize;
    let nanos = d.nanosecond() as i64 % 1_000_000_000;
    Some(match c {
        'Y' => num(d.year() as i64, 1, Pad::Zero, s),
        'C' => num(d.year().div_euclid(100) as i64, 2, Pad::Zero, s),
        'y' => num(d.year().rem_euclid(100) as i64, 2, Pad::Zero, s),
        'm' => num(d.month() as i64, 2, Pad::Zero, s),
        'B' => text(MONTHS[mo], s),
        'b' | 'h' => text(&MONTHS[mo][..3], s),
        'd' => num(d.day() as i64, 2, Pad::Zero, s),
        'e' => num(d.day() as i64, 2, Pad::Space, s),
        'j' => num(d.ordinal() as i64, 3, Pad::Zero, s),
        'H' => num(d.hour() as i64, 2, Pad::Zero, s),
        'k' => num(d.hour() as i64, 2, Pad::Space, s),
        'I' => num(hour12(d.hour()), 2, Pad::Zero, s),
        'l' => num(hour12(d.hour()), 2, Pad::Space, s),
        'P' => text(&ampm.to_lowercase(), s),
        'p' => {
            // `%#p` gives lower case, as `%P` does.
            let t = if s.swap {
                ampm.to_lowercase()
            } else {
                ampm.into()
            };
            text(&t, &Spec { swap: false, ..*s })
        }
        'M' => num(d.minute() as i64, 2, Pad::Zero, s),
        'S' => num(d.second() as i64, 2, Pad::Zero, s),
        'L' | 'N' => {
            let w = s.width.unwrap_or(if c == 'L' { 3 } else { 9 });
            let digits = format!("{nanos:09}");
            if w <= 9 {
                digits[..w].to_string()
            } else {
                format!("{digits:0<w$}")
            }
        }
        'z' => zone(d, s),
        'Z' => text(
            if d.offset().local_minus_utc() == 0 {
                "UTC"
            } else {
                ""
            },
            s,
        ),
        'A' => text(DAYS[wd], s),
        'a' => text(&DAYS[wd][..3], s),
        'u' => num(d.weekday().number_from_monday() as i64, 1, Pad::Zero, s),
        'w' => num(wd as i64, 1, Pad::Zero, s),
        'G' => num(d.iso_week().year() as i64, 1, Pad::Zero, s),
        'g' => num(d.iso_week().year().rem_euclid(100) as i64, 2, Pad::Zero, s),
        'V' => num(d.iso_week().week() as i64, 2, Pad::Zero, s),
        'U' => num(
            ((d.ordinal0() + 7 - d.weekday().num_days_from_sunday()) / 7) as i64,
            2,
            Pad::Zero,
            s,
        ),
        'W' => num(
            ((d.ordinal0() + 7 - d.weekday().num_days_from_monday()) / 7) as i64,
            2,
            Pad::Zero,
            s,
        ),
        's' => num(d.timestamp(), 1, Pad::Zero, s),
        'n' => "\n".into(),
        't' => "\t".into(),
        '%' => "%".into(),
        'c' => text(&strftime(d, "%a %b %e %H:%M:%S %Y"), s),
        'D' | 'x' => text(&strftime(d, "%m/%d/%y"), s),
        'F' => text(&strftime(d, "%Y-%m-%d"), s),
        'T' | 'X' => text(&strftime(d, "%H:%M:%S"), s),
        'R' => text(&strftime(d, "%H:%M"), s),
        'r' => text(&strftime(d, "%I:%M:%S %p"), s),
        'v' => text(&strftime(d, "%e-%^b-%Y"), s),
        '+' => text(&strftime(d, "%a %b %e %H:%M:%S %Z %Y"), s),
        _ => return None,
    })
}

/// Liquid's `Utils.to_date`: a time from a number of seconds, `now`/`today`,
/// or a date string as Ruby's `Time.parse` reads the common forms (ISO 8601,
/// `2024-03-05 14:07:09 +0100`, `March 5, 2024`, `5 Mar 2024`). Times
/// without a zone are in UTC, the zone of the builds Jekyll is compared with.
pub fn to_date(v: &serde_json::Value) -> Option<DateTime<FixedOffset>> {
    use serde_json::Value;
    let stamp = |t: i64| Utc.timestamp_opt(t, 0).single().map(|d| d.fixed_offset());
    match v {
        Value::Number(n) => n.as_i64().and_then(stamp),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            if s.bytes().all(|b| b.is_ascii_digit()) {
                return s.parse().ok().and_then(stamp);
            }
            let low = s.to_lowercase();
            if low == "now" || low == "today" {
                return Some(Utc::now().fixed_offset());
            }
            parse_time(s)
        }
        _ => None,
    }
}

fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    const ZONED: &[&str] = &[
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M %z",
        "%a, %d %b %Y %H:%M:%S %z",
    ];
    const NAIVE: &[&str] = &[
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%B %d, %Y %H:%M:%S",
    ];
    const DATES: &[&str] = &[
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%B %d %Y",
        "%b %d, %Y",
        "%b %d %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%a, %d %b %Y",
    ];
    let s = s
        .strip_suffix('Z')
        .map_or(s.to_string(), |x| format!("{x}+00:00"));
    ZONED
        .iter()
        .find_map(|f| DateTime::parse_from_str(&s, f).ok())
        .or_else(|| DateTime::parse_from_rfc3339(&s).ok())
        .or_else(|| {
            NAIVE
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
                .map(|d| d.and_utc().fixed_offset())
        })
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(&s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().fixed_offset())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_directives_and_flags() {
        let d = parse_time("2024-03-05 04:07:09").unwrap();
        let cases = [
            ("%-d/%-m", "5/3"),
            ("%e|%_m", " 5| 3"),
            ("%^a %^B", "TUE MARCH"),
            ("%#p %P", "am am"),
            ("%10A|%-I", "   Tuesday|4"),
            ("%j %U %W %V %G", "065 09 10 10 2024"),
            ("%3N %L", "000 000"),
            ("%:z %z %%", "+00:00 +0000 %"),
            ("%Q", "%Q"),
        ];
        for (f, want) in cases {
            assert_eq!(strftime(&d, f), want, "{f}");
        }
    }
}
