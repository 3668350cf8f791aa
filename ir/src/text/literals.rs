//! Numeric literals of the text format: printing and reading integers and floats. Pure
//! functions from text to bits and back; they know nothing of tokens, positions or the IR
//! (callers attach positions to the error strings).

//!
//! Integers: decimal with an optional `-`, or `0x` hex taken as a bit pattern of the type's
//! width. Floats: Rust's shortest round-trip form (`{:?}`), `inf`, `-inf`, `nan` (the
//! default quiet NaN) and `nan:0x…` (any other NaN, as its bit pattern).

use super::error::shorten;

/// The default quiet NaNs, printed as plain `nan`.
const F32_NAN: u32 = 0x7fc0_0000;
const F64_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Prints a float constant. `f32`s are the low 32 bits of `bits`.
pub(crate) fn format_float(bits: u64, is_f32: bool) -> String {
    // The two widths print separately: widening an f32 to f64 would change its shortest form.
    if is_f32 {
        let b = bits as u32;
        let x = f32::from_bits(b);
        if x.is_nan() {
            nan_text(b == F32_NAN, u64::from(b))
        } else if x.is_infinite() {
            inf_text(x > 0.0)
        } else {
            format!("{x:?}")
        }
    } else {
        let x = f64::from_bits(bits);
        if x.is_nan() {
            nan_text(bits == F64_NAN, bits)
        } else if x.is_infinite() {
            inf_text(x > 0.0)
        } else {
            format!("{x:?}")
        }
    }
}

fn nan_text(default: bool, bits: u64) -> String {
    if default {
        "nan".into()
    } else {
        format!("nan:{bits:#x}")
    }
}

fn inf_text(positive: bool) -> String {
    if positive { "inf" } else { "-inf" }.into()
}

/// Reads `inf`, `-inf`, `nan` or a decimal float (`-?D+(.D+)?([eE][+-]?D+)?`) and returns its
/// bits (an `f32` as its 32 bits). A finite literal too large for the type is an error.
pub(crate) fn parse_float(text: &str, is_f32: bool) -> Result<u64, String> {
    let ty = if is_f32 { "f32" } else { "f64" };
    let special = match text {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(x) = special {
        return Ok(if x.is_nan() {
            if is_f32 {
                u64::from(F32_NAN)
            } else {
                F64_NAN
            }
        } else if is_f32 {
            u64::from((x as f32).to_bits())
        } else {
            x.to_bits()
        });
    }
    if !is_decimal_float(text) {
        let hint = if text.starts_with("-nan") { " (a NaN with the sign bit set is written `nan:0x…`)" } else { "" };
        return Err(format!("invalid float literal `{}`{hint}", shorten(text)));
    }
    // Rust's parser rounds correctly for each width; parsing an f32 via f64 would round twice.
    let (bits, finite) = if is_f32 {
        let x: f32 = text.parse().map_err(|_| format!("invalid float literal `{}`", shorten(text)))?;
        (u64::from(x.to_bits()), x.is_finite())
    } else {
        let x: f64 = text.parse().map_err(|_| format!("invalid float literal `{}`", shorten(text)))?;
        (x.to_bits(), x.is_finite())
    };
    if !finite {
        return Err(format!("float literal `{}` is out of range for {ty}", shorten(text)));
    }
    Ok(bits)
}

/// Reads the hex bit pattern after `nan:`; it must be a NaN of the type's width.
pub(crate) fn parse_nan_bits(hex_text: &str, is_f32: bool) -> Result<u64, String> {
    let bits = parse_hex(hex_text)
        .ok_or_else(|| format!("expected a hex bit pattern after `nan:`, found `{}`", shorten(hex_text)))?;
    let is_nan = if is_f32 {
        u32::try_from(bits).is_ok_and(|b| f32::from_bits(b).is_nan())
    } else {
        f64::from_bits(bits).is_nan()
    };
    if !is_nan {
        let ty = if is_f32 { "f32" } else { "f64" };
        return Err(format!("`{}` is not the bit pattern of an {ty} NaN", shorten(hex_text)));
    }
    Ok(bits)
}

/// `-?D+(.D+)?([eE][+-]?D+)?`: the decimal forms `{:?}` prints (`1.5`, `-0.0`, `1e-7`).
fn is_decimal_float(text: &str) -> bool {
    fn digits(s: &str) -> (usize, &str) {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (n, s.get(n..).unwrap_or(""))
    }
    let s = text.strip_prefix('-').unwrap_or(text);
    let (n, mut s) = digits(s);
    if n == 0 {
        return false;
    }
    if let Some(rest) = s.strip_prefix('.') {
        let (n, rest) = digits(rest);
        if n == 0 {
            return false;
        }
        s = rest;
    }
    if let Some(rest) = s.strip_prefix(['e', 'E']) {
        let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        let (n, rest) = digits(rest);
        if n == 0 {
            return false;
        }
        s = rest;
    }
    s.is_empty()
}

/// `0x` followed by hex digits, as a number if it fits in 64 bits.
fn parse_hex(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))?;
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 16 {
        return None;
    }
    // At most 16 hex digits: fits in a u64 (an empty string means zero).
    if significant.is_empty() {
        Some(0)
    } else {
        u64::from_str_radix(significant, 16).ok()
    }
}

/// Reads an integer literal for a type `width` bits wide (1 to 64), named `ty` in errors.
/// Decimal literals may be signed (`-2^(w-1)`…) or unsigned (…`2^w - 1`) and are kept as
/// written, so any value printed from the IR reads back unchanged (a `u64` above `i64::MAX`
/// is kept as its bit pattern). Hex literals are bit patterns of the width and are stored
/// sign-extended from it.
pub(crate) fn parse_int(text: &str, width: u32, ty: &str) -> Result<i64, String> {
    let width = width.clamp(1, 64);
    let out_of_range = || format!("integer literal `{}` is out of range for {ty}", shorten(text));
    if text.starts_with("-0x") || text.starts_with("-0X") {
        return Err(format!("hex literal `{}` can't have a sign: it is a bit pattern", shorten(text)));
    }
    if text.starts_with("0x") || text.starts_with("0X") {
        let Some(bits) = parse_hex(text) else {
            let fits = text.get(2..).is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_hexdigit()));
            return Err(if fits { out_of_range() } else { format!("invalid integer literal `{}`", shorten(text)) });
        };
        if width < 64 && bits >> width != 0 {
            return Err(out_of_range());
        }
        let shift = 64 - width;
        return Ok(((bits << shift) as i64) >> shift);
    }
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid integer literal `{}`", shorten(text)));
    }
    let mut v: i128 = 0;
    for d in digits.bytes() {
        v = v.checked_mul(10).and_then(|v| v.checked_add(i128::from(d - b'0'))).ok_or_else(out_of_range)?;
    }
    if neg {
        v = -v;
    }
    let min = -(1i128 << (width - 1));
    let max = (1i128 << width) - 1;
    if v < min || v > max {
        return Err(out_of_range());
    }
    // In range: either fits an i64, or (width 64 only) is a u64 kept as its bit pattern.
    Ok(i64::try_from(v).unwrap_or(v as u64 as i64))
}

/// Reads an unsigned integer (decimal or `0x` hex) no larger than `max`.
pub(crate) fn parse_uint(text: &str, max: u64, what: &str) -> Result<u64, String> {
    let v = if text.starts_with("0x") || text.starts_with("0X") {
        parse_hex(text)
    } else if !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit()) {
        // Digits only: the sole failure is overflow.
        Some(text.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        return Err(format!("expected {what}, found `{}`", shorten(text)));
    };
    match v {
        Some(v) if v <= max => Ok(v),
        _ => Err(format!("{what} `{}` is out of range (at most {max})", shorten(text))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip() {
        for x in [0.0f32, -0.0, 1.5, 0.1, 1e-7, 3.4028235e38, 1e-45, f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            let s = format_float(u64::from(x.to_bits()), true);
            assert_eq!(parse_float(&s, true), Ok(u64::from(x.to_bits())), "{s}");
        }
        for x in [0.0f64, -0.0, 1.5, 0.1, 1e-300, 1e16, 123456789.125, f64::MAX, f64::MIN_POSITIVE] {
            let s = format_float(x.to_bits(), false);
            assert_eq!(parse_float(&s, false), Ok(x.to_bits()), "{s}");
        }
        assert_eq!(format_float(u64::from(f32::NAN.to_bits()), true), "nan");
        assert_eq!(format_float(0x7fc0_0001, true), "nan:0x7fc00001");
        assert_eq!(format_float(0xfff8_0000_0000_0000, false), "nan:0xfff8000000000000");
        assert_eq!(parse_nan_bits("0x7fc00001", true), Ok(0x7fc0_0001));
        assert!(parse_nan_bits("0x3f800000", true).is_err());
        assert!(parse_nan_bits("0x7ff8000000000000", true).is_err());
    }

    #[test]
    fn bad_floats() {
        for s in ["1.", ".5", "1e", "1.5.2", "0x10", "--1", "1e+", "infinity", "NaN", "-nan", "1_0"] {
            assert!(parse_float(s, false).is_err(), "{s}");
        }
        assert_eq!(parse_float("1e39", true), Err("float literal `1e39` is out of range for f32".into()));
        assert!(parse_float("1e39", false).is_ok());
        assert_eq!(parse_float("1e-50", true), Ok(0));
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("-5", 32, "i32"), Ok(-5));
        assert_eq!(parse_int("255", 8, "i8"), Ok(255));
        assert_eq!(parse_int("-128", 8, "i8"), Ok(-128));
        assert_eq!(parse_int("0xff", 8, "i8"), Ok(-1));
        assert_eq!(parse_int("0x7f", 8, "i8"), Ok(127));
        assert_eq!(parse_int("0xffffffffffffffff", 64, "i64"), Ok(-1));
        assert_eq!(parse_int("18446744073709551615", 64, "i64"), Ok(-1));
        assert_eq!(parse_int("-9223372036854775808", 64, "i64"), Ok(i64::MIN));
        assert_eq!(parse_int("256", 8, "i8"), Err("integer literal `256` is out of range for i8".into()));
        assert!(parse_int("-129", 8, "i8").is_err());
        assert!(parse_int("0x100", 8, "i8").is_err());
        assert!(parse_int("0x10000000000000000", 64, "i64").is_err());
        assert!(parse_int("99999999999999999999999999999999999999999999", 64, "i64").is_err());
        assert!(parse_int("-0x1", 64, "i64").is_err());
        assert!(parse_int("1.5", 64, "i64").is_err());
        assert!(parse_int("0x", 64, "i64").is_err());
        assert_eq!(parse_uint("0x10", 255, "a lane index"), Ok(16));
        assert!(parse_uint("256", 255, "a lane index").is_err());
        assert!(parse_uint("-1", 255, "a lane index").is_err());
        assert!(parse_uint("99999999999999999999999", u64::from(u32::MAX), "a size").is_err());
    }
}
