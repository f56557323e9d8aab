//! Liquid 5's numbers: `Utils.to_number` reads floats as `BigDecimal`, so
//! `plus`, `minus`, `times`, `round`, `ceil`, `floor` and `abs` are exact
//! in decimal (`1.1 | times: 3` is `3.3`, `1.005 | round: 2` is `1.01`),
//! integers stay integers, and results print as Ruby prints floats.

use serde_json::Value;

/// A decimal: `mant / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dec {
    mant: i128,
    scale: u32,
}

/// A Liquid number: an integer, or a decimal that came from a float.
#[derive(Clone, Copy, Debug)]
pub enum Num {
    Int(i64),
    Dec(Dec),
}

const MAX_SCALE: u32 = 30;

fn parse_dec(s: &str) -> Option<Dec> {
    let (m, e) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (s, 0),
    };
    let neg = m.starts_with('-');
    let m = m.trim_start_matches(['-', '+']);
    let (int, frac) = m.split_once('.').unwrap_or((m, ""));
    let digits = format!("{int}{frac}");
    let mut mant: i128 = digits.parse().ok()?;
    let mut scale = frac.len() as i32 - e;
    while scale < 0 {
        mant = mant.checked_mul(10)?;
        scale += 1;
    }
    if scale as u32 > MAX_SCALE {
        return None;
    }
    Some(Dec {
        mant: if neg { -mant } else { mant },
        scale: scale as u32,
    })
}

/// Ruby's `String#to_i`: leading blanks, a sign, digits; 0 when none.
pub fn ruby_to_i(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(|c| *c != '_')
        .collect();
    let n: i64 = digits.parse().unwrap_or(0);
    if neg {
        -n
    } else {
        n
    }
}

impl Dec {
    fn to_f64(self) -> f64 {
        format!("{}e-{}", self.mant, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn rescale(self, scale: u32) -> Option<Dec> {
        let k = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        Some(Dec {
            mant: self.mant.checked_mul(k)?,
            scale,
        })
    }

    /// Rounded to `digits` decimals, half away from zero (BigDecimal's default).
    fn round(self, digits: u32) -> Dec {
        if digits >= self.scale {
            return self;
        }
        Dec {
            mant: self.round_by(10i128.pow(self.scale - digits)),
            scale: digits,
        }
    }

    /// The mantissa divided by `k`, half away from zero.
    fn round_by(self, k: i128) -> i128 {
        let (q, r) = (self.mant / k, self.mant % k);
        if r.abs() * 2 >= k {
            q + r.signum()
        } else {
            q
        }
    }

    fn floor(self) -> i128 {
        let k = 10i128.pow(self.scale);
        self.mant.div_euclid(k)
    }
}

impl Num {
    /// `Utils.to_number`: floats and `-1.5`-like strings are decimals, other
    /// strings their leading integer, anything else 0.
    pub fn of(v: &Value) -> Num {
        match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Num::Int(i),
                None => n
                    .as_f64()
                    .and_then(|f| parse_dec(&format!("{f:?}")))
                    .map_or(Num::Int(0), Num::Dec),
            },
            Value::String(s) => {
                let t = s.trim();
                let is_dec = t.split_once('.').is_some_and(|(a, b)| {
                    let a = a.strip_prefix('-').unwrap_or(a);
                    !a.is_empty()
                        && !b.is_empty()
                        && a.bytes().all(|c| c.is_ascii_digit())
                        && b.bytes().all(|c| c.is_ascii_digit())
                });
                match is_dec.then(|| parse_dec(t)).flatten() {
                    Some(d) => Num::Dec(d),
                    None => Num::Int(ruby_to_i(t)),
                }
            }
            _ => Num::Int(0),
        }
    }

    fn dec(self) -> Dec {
        match self {
            Num::Int(i) => Dec {
                mant: i as i128,
                scale: 0,
            },
            Num::Dec(d) => d,
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec(d) => d.to_f64(),
        }
    }

    /// The value a filter returns: decimals become floats, as Liquid's `to_f`.
    pub fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::from(i),
            Num::Dec(d) => float(d.to_f64()),
        }
    }
}

/// A float value (NaN and infinities, which JSON cannot hold, become nil).
pub fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// `plus`, `minus`, `times`: exact on integers and on decimals.
pub fn arith(op: char, a: &Value, b: &Value) -> Value {
    let (x, y) = (Num::of(a), Num::of(b));
    if let (Num::Int(i), Num::Int(j)) = (x, y) {
        let r = match op {
            '+' => i.checked_add(j),
            '-' => i.checked_sub(j),
            _ => i.checked_mul(j),
        };
        if let Some(r) = r {
            return Value::from(r);
        }
    }
    let (p, q) = (x.dec(), y.dec());
    let exact = match op {
        '*' => p.mant.checked_mul(q.mant).and_then(|m| {
            let scale = p.scale + q.scale;
            (scale <= MAX_SCALE).then_some(Dec { mant: m, scale })
        }),
        _ => {
            let s = p.scale.max(q.scale);
            p.rescale(s).zip(q.rescale(s)).and_then(|(p, q)| {
                let m = if op == '+' {
                    p.mant.checked_add(q.mant)
                } else {
                    p.mant.checked_sub(q.mant)
                };
                m.map(|mant| Dec { mant, scale: s })
            })
        }
    };
    match exact {
        Some(d) => float(d.to_f64()),
        None => {
            let (f, g) = (x.to_f64(), y.to_f64());
            float(match op {
                '+' => f + g,
                '-' => f - g,
                _ => f * g,
            })
        }
    }
}

/// `divided_by` and `modulo`: integer division floors and the remainder
/// takes the divisor's sign (Ruby's); nil when dividing by zero.
pub fn divide(modulo: bool, a: &Value, b: &Value) -> Value {
    match (Num::of(a), Num::of(b)) {
        (Num::Int(_), Num::Int(0)) => Value::Null,
        (Num::Int(i), Num::Int(j)) => {
            let (q, r) = (i.wrapping_div(j), i.wrapping_rem(j));
            let fix = r != 0 && (r < 0) != (j < 0);
            Value::from(match (modulo, fix) {
                (false, true) => q - 1,
                (false, false) => q,
                (true, true) => r + j,
                (true, false) => r,
            })
        }
        (x, y) => {
            let (f, g) = (x.to_f64(), y.to_f64());
            // BigDecimal's remainder is exact: `183.357 | modulo: 12` is 3.357.
            let (p, q) = (x.dec(), y.dec());
            let s = p.scale.max(q.scale);
            if let (true, Some(p), Some(q)) = (modulo, p.rescale(s), q.rescale(s)) {
                if q.mant != 0 {
                    let r = p.mant % q.mant;
                    let r = if r != 0 && (r < 0) != (q.mant < 0) {
                        r + q.mant
                    } else {
                        r
                    };
                    return float(Dec { mant: r, scale: s }.to_f64());
                }
            }
            if modulo {
                let r = f % g;
                float(if r != 0.0 && (r < 0.0) != (g < 0.0) {
                    r + g
                } else {
                    r
                })
            } else {
                float(f / g)
            }
        }
    }
}

/// `round: n` (n = 0: an integer), `ceil`, `floor`, `abs`.
/// A negative `n` rounds to tens, hundreds, ... and gives an integer (Ruby's
/// `round(-2)`: 1234.5 gives 1200).
pub fn round(a: &Value, digits: &Value) -> Value {
    let n = match Num::of(digits) {
        Num::Int(i) => i.clamp(-(MAX_SCALE as i64), MAX_SCALE as i64),
        // Ruby's `to_int`: toward zero.
        Num::Dec(d) => {
            let f = d.floor() + i128::from(d.mant < 0 && d.mant % 10i128.pow(d.scale) != 0);
            f.clamp(-(MAX_SCALE as i128), MAX_SCALE as i128) as i64
        }
    };
    if n < 0 {
        let d = match Num::of(a) {
            Num::Int(i) => Dec {
                mant: i128::from(i),
                scale: 0,
            },
            Num::Dec(d) => d,
        };
        let places = n.unsigned_abs() as u32;
        let Some(k) = 10i128.checked_pow(d.scale + places) else {
            return Value::from(0);
        };
        return int_value(d.round_by(k).saturating_mul(10i128.pow(places)));
    }
    let n = n as u32;
    match Num::of(a) {
        Num::Int(i) => Value::from(i),
        Num::Dec(d) if n == 0 => int_value(d.round(0).mant),
        Num::Dec(d) => float(d.round(n).to_f64()),
    }
}

fn int_value(i: i128) -> Value {
    i64::try_from(i).map_or_else(|_| float(i as f64), Value::from)
}

pub fn ceil_floor(ceil: bool, a: &Value) -> Value {
    match Num::of(a) {
        Num::Int(i) => Value::from(i),
        Num::Dec(d) => {
            let f = d.floor();
            let exact = d.mant % 10i128.pow(d.scale) == 0;
            int_value(if ceil && !exact { f + 1 } else { f })
        }
    }
}

pub fn abs(a: &Value) -> Value {
    match Num::of(a) {
        Num::Int(i) => i
            .checked_abs()
            .map_or_else(|| float((i as f64).abs()), Value::from),
        Num::Dec(d) => float(d.to_f64().abs()),
    }
}

/// `at_least` / `at_most`: the larger / smaller of two numbers, as numbers.
pub fn bound(at_least: bool, a: &Value, b: &Value) -> Value {
    let (x, y) = (Num::of(a), Num::of(b));
    let pick_x = if at_least {
        x.to_f64() >= y.to_f64()
    } else {
        x.to_f64() <= y.to_f64()
    };
    if pick_x {
        x.value()
    } else {
        y.value()
    }
}

/// Ruby's `Float#to_s`: `3.0`, `0.1`, `1.0e+17`, `1.0e-05`.
pub fn ruby_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = f.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        return format!("{f:?}");
    }
    let e = format!("{f:e}");
    let (m, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let m = if m.contains('.') {
        m.to_string()
    } else {
        format!("{m}.0")
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{m}e{sign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn liquid_five_arithmetic() {
        let s = |v: Value| super::super::filters::to_s(&v);
        assert_eq!(s(arith('*', &json!(1.1), &json!(3))), "3.3");
        assert_eq!(s(arith('+', &json!(0.1), &json!(0.2))), "0.3");
        assert_eq!(s(arith('+', &json!("3"), &json!("4"))), "7");
        assert_eq!(s(divide(false, &json!(-7), &json!(2))), "-4");
        assert_eq!(s(divide(false, &json!(7), &json!(-2))), "-4");
        assert_eq!(s(divide(true, &json!(-7), &json!(3))), "2");
        assert_eq!(s(divide(true, &json!(7), &json!(-3))), "-2");
        assert_eq!(s(round(&json!(1.005), &json!(2))), "1.01");
        assert_eq!(s(round(&json!(2.5), &Value::Null)), "3");
        assert_eq!(s(round(&json!(-1.5), &Value::Null)), "-2");
        assert_eq!(s(divide(true, &json!(183.357), &json!(12))), "3.357");
        assert_eq!(ruby_float(1e17), "1.0e+17");
        assert_eq!(ruby_float(0.00001), "1.0e-05");
        assert_eq!(ruby_float(3.0), "3.0");
    }
}
