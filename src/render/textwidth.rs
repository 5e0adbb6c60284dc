//! How wide a text will be drawn, without a browser: the SVG pictures are
//! written at build time and must fit their labels in their boxes.
//!
//! The table holds the advance widths of DejaVu Sans, the widest of the
//! common sans-serif fonts that the stylesheet's `system-ui, …, sans-serif`
//! can end in (Debian's default; measured in Chromium for printable ASCII).
//! A text that fits in DejaVu Sans fits in the narrower Segoe UI, Roboto,
//! Helvetica or Arial too, so a box may be a little roomy, never overrun.

/// Advance widths of `' '..='~'` in hundredths of an em, regular weight.
const REGULAR: [u8; 95] = [
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84,
    84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69,
    61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63,
    59, 82, 59, 59, 52, 64, 34, 64, 84,
];

/// The same for bold (the graph's focus node).
const BOLD: [u8; 95] = [
    35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40, 40,
    84, 84, 84, 58, 100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 77, 64, 100, 84, 85, 73, 85, 77, 72, 68, 81, 77, 110,
    77, 72, 73, 46, 37, 46, 84, 50, 50, 67, 72, 59, 72, 68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72, 72, 49, 60,
    48, 71, 65, 92, 65, 65, 58, 71, 37, 71, 84,
];

/// One character's width in hundredths of an em. Outside ASCII, a wide
/// allowance: accented Latin is about 0.7 em, CJK and symbols a full em.
fn advance(c: char, bold: bool) -> u32 {
    match c {
        ' '..='~' => {
            let table = if bold { &BOLD } else { &REGULAR };
            u32::from(table[c as usize - 0x20])
        }
        '\u{0}'..='\u{2e7f}' => {
            if bold {
                90
            } else {
                85
            }
        }
        _ => 110,
    }
}

/// The width of `text` in pixels at `size` pixels.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let hundredths: u32 = text.chars().map(|c| advance(c, bold)).sum();
    f64::from(hundredths) * size / 100.0
}

/// `text` as it fits in `max` pixels: whole, or cut at a character and ended
/// with an ellipsis (the caller shows the whole text as a tooltip).
pub fn fit(text: &str, size: f64, bold: bool, max: f64) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let budget = max - width("…", size, bold);
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        let w = f64::from(advance(c, bold)) * size / 100.0;
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_add_up_per_character() {
        assert_eq!(width("", 13.0, false), 0.0);
        // 'i' is narrow, 'W' wide: the table, not a count of characters.
        assert!(width("iiii", 13.0, false) < width("WW", 13.0, false));
        assert!(width("Payroll", 13.0, true) > width("Payroll", 13.0, false));
        assert!((width("M", 100.0, false) - 86.0).abs() < 1e-9);
    }

    #[test]
    fn fit_keeps_short_text_and_cuts_long_text_within_the_width() {
        assert_eq!(fit("Payroll", 13.0, false, 150.0), "Payroll");
        let long = "Customer relationship management platform";
        let cut = fit(long, 13.0, false, 150.0);
        assert!(cut.ends_with('…') && cut.len() < long.len(), "{cut}");
        assert!(width(&cut, 13.0, false) <= 150.0, "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')), "{cut}");
        let wide = fit("顧客関係管理プラットフォーム", 13.0, true, 100.0);
        assert!(width(&wide, 13.0, true) <= 100.0, "{wide}");
    }
}
