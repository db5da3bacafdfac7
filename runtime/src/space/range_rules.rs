//! The rules a range domain follows, each with its message, written once: every check
//! of a range runs these functions.
//!
//! - [`Domain`](crate::space::Domain) validation runs [`check_float`] or [`check_int`] on every
//!   space, however it was built (by the macros, at run time, from JSON).
//! - The code `#[tunable]` and `space!` generate runs the same rules in a const item on
//!   the parts of a range the compiler knows (literal bounds, and const bounds on
//!   primitive numeric fields). A broken range panics there with [`RangeError::message`],
//!   which rustc reports as a compile error at the user's tokens.
//!
//! Why const evaluation, and not the macro itself: the macro crate cannot use this crate
//! (a proc macro is compiled for the host before the runtime, and would drag the runtime's
//! dependencies into every build), and a copy of the rules inside the macro is how the
//! compile-time and run-time checks used to drift apart. Const items give the rules one
//! home, and they see integer bounds as integers (`i128`, which holds every `i64` and
//! `u64`), never as `f64`.
//!
//! Each rule is its own `const fn` over just the values it needs, so that generated code
//! can run exactly the rules whose inputs are known at compile time (the lower bound of
//! `0..=n, log` is checked even when `n` is a run-time value). [`check_float`] and
//! [`check_int`] run them all, in the order generated code follows too; the first broken
//! rule is the one reported.

use std::fmt::Display;

const I64_MIN: i128 = i64::MIN as i128;
const I64_MAX: i128 = i64::MAX as i128;

/// A broken range rule. [`message`](Self::message) and [`explain`](Self::explain) say
/// what is wrong and what to write instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// A float bound is NaN or infinite.
    NotFinite,
    /// An integer bound or step is outside `i64`, the type of integer parameters.
    OutsideI64,
    /// `low > high`.
    Reversed,
    /// `log` on a float range whose `low <= 0`.
    LogFloatLow,
    /// `log` on an integer range whose `low < 1`.
    LogIntLow,
    /// A `step <= 0` (or NaN).
    StepNotPositive,
    /// A `step` wider than `high - low`.
    StepTooWide,
    /// `log` together with a `step` (other than 1 on an integer range).
    LogWithStep,
    /// A `step` whose grid `low, low + step, ...` misses `high`. A compile-time error
    /// when the macros know the range; at run time the domain's `high` is lowered to
    /// the last grid point instead, with a warning (as Optuna does).
    StepNotDividing,
}

/// One piece of a message: fixed text, or a part of the range as the caller shows it.
#[derive(Clone, Copy)]
enum Piece {
    Text(&'static str),
    Low,
    High,
    Step,
    /// The suggested fix (the last grid point, for [`RangeError::StepNotDividing`]).
    Fix,
}

impl RangeError {
    /// The message, with `{low}`, `{high}` and `{step}` left as holes.
    const fn pieces(self) -> &'static [Piece] {
        use Piece::{Fix, High, Low, Step, Text};
        match self {
            RangeError::NotFinite => &[
                Text("bounds must be finite numbers, got low = "),
                Low,
                Text(", high = "),
                High,
                Text("; use finite bounds"),
            ],
            RangeError::OutsideI64 => &[
                Text("the range does not fit in an i64 parameter: low = "),
                Low,
                Text(", high = "),
                High,
                Text("; keep the bounds and the step within i64::MIN..=i64::MAX"),
            ],
            RangeError::Reversed => &[
                Text("range is reversed: low = "),
                Low,
                Text(" is above high = "),
                High,
                Text("; swap the bounds: `"),
                High,
                Text("..="),
                Low,
                Text("`"),
            ],
            RangeError::LogFloatLow => &[
                Text("a log scale needs low > 0, got low = "),
                Low,
                Text("; raise low or drop `log`"),
            ],
            RangeError::LogIntLow => &[
                Text("a log scale needs low >= 1, got low = "),
                Low,
                Text("; raise low or drop `log`"),
            ],
            RangeError::StepNotPositive => &[
                Text("step must be > 0, got step = "),
                Step,
                Text("; use a positive step"),
            ],
            RangeError::StepTooWide => &[
                Text("step = "),
                Step,
                Text(" is wider than the range "),
                Low,
                Text("..="),
                High,
                Text("; use a step of at most high - low"),
            ],
            RangeError::LogWithStep => &[Text("`log` and `step` cannot be combined; keep one")],
            RangeError::StepNotDividing => &[
                Text("step = "),
                Step,
                Text(" does not divide the range "),
                Low,
                Text("..="),
                High,
                Text(": its last grid point is "),
                Fix,
                Text("; end the range there: `"),
                Low,
                Text("..="),
                Fix,
                Text(", step = "),
                Step,
                Text("`"),
            ],
        }
    }

    /// The message with the parts of the range as the caller writes them: what generated
    /// const checks panic with, given the source text of the bounds (`"0.5"`, `"MAX_LR"`).
    /// `step` is only shown by the step rules; pass `""` when there is none. `fix` is
    /// only shown by [`RangeError::StepNotDividing`]: the last grid point (see
    /// [`int_last_point`] and [`IntText`]); pass `""` for the other rules.
    pub const fn message(self, low: &str, high: &str, step: &str, fix: &str) -> RangeMessage {
        let pieces = self.pieces();
        let mut message = RangeMessage::new();
        let mut i = 0;
        while i < pieces.len() {
            message = message.push(match pieces[i] {
                Piece::Text(text) => text,
                Piece::Low => low,
                Piece::High => high,
                Piece::Step => step,
                Piece::Fix => fix,
            });
            i += 1;
        }
        message
    }

    /// The message with the values of the range, at run time.
    pub fn explain<T: Display>(self, low: T, high: T, step: Option<T>) -> String {
        self.explain_with_fix(low, high, step, "")
    }

    /// [`explain`](Self::explain) with the suggested fix (the last grid point).
    pub fn explain_with_fix<T: Display>(
        self,
        low: T,
        high: T,
        step: Option<T>,
        fix: impl Display,
    ) -> String {
        let step = step.map(|s| s.to_string()).unwrap_or_default();
        let (low, high, fix) = (low.to_string(), high.to_string(), fix.to_string());
        self.message(&low, &high, &step, &fix).as_str().to_owned()
    }
}

/// A message built during const evaluation, where nothing allocates: a fixed buffer.
/// Text beyond its capacity is cut at a character boundary.
pub struct RangeMessage {
    bytes: [u8; RangeMessage::CAPACITY],
    len: usize,
}

impl RangeMessage {
    const CAPACITY: usize = 1024;

    const fn new() -> Self {
        RangeMessage {
            bytes: [0; RangeMessage::CAPACITY],
            len: 0,
        }
    }

    const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let room = RangeMessage::CAPACITY - self.len;
        let mut end = bytes.len();
        if end > room {
            end = room;
            // Back up to the start of a character (continuation bytes are 0b10xx_xxxx).
            while end > 0 && bytes[end] & 0xC0 == 0x80 {
                end -= 1;
            }
        }
        let mut i = 0;
        while i < end {
            self.bytes[self.len + i] = bytes[i];
            i += 1;
        }
        self.len += end;
        self
    }

    /// The message.
    pub const fn as_str(&self) -> &str {
        match std::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "",
        }
    }
}

/// Float bounds are finite numbers.
pub const fn float_finite(low: f64, high: f64) -> Result<(), RangeError> {
    if low.is_finite() && high.is_finite() {
        Ok(())
    } else {
        Err(RangeError::NotFinite)
    }
}

/// Integer bounds and step fit in `i64`, the type of integer parameters.
pub const fn int_fits_i64(low: i128, high: i128, step: Option<i128>) -> Result<(), RangeError> {
    let step_fits = match step {
        Some(step) => fits_i64(step),
        None => true,
    };
    if fits_i64(low) && fits_i64(high) && step_fits {
        Ok(())
    } else {
        Err(RangeError::OutsideI64)
    }
}

const fn fits_i64(value: i128) -> bool {
    I64_MIN <= value && value <= I64_MAX
}

/// `low <= high`: `low == high` is a domain of one value (as in Optuna), which lets a
/// bound computed at run time (`1..=n` with `n = 1`) collapse to that value.
pub const fn float_order(low: f64, high: f64) -> Result<(), RangeError> {
    if low > high {
        Err(RangeError::Reversed)
    } else {
        Ok(())
    }
}

/// `low <= high`: `low == high` is a domain of one value.
pub const fn int_order(low: i128, high: i128) -> Result<(), RangeError> {
    if low > high {
        Err(RangeError::Reversed)
    } else {
        Ok(())
    }
}

/// A log scale needs `low > 0`.
pub const fn float_log_low(log: bool, low: f64) -> Result<(), RangeError> {
    if log && (low <= 0.0 || low.is_nan()) {
        Err(RangeError::LogFloatLow)
    } else {
        Ok(())
    }
}

/// A log scale needs `low >= 1`.
pub const fn int_log_low(log: bool, low: i128) -> Result<(), RangeError> {
    if log && low < 1 {
        Err(RangeError::LogIntLow)
    } else {
        Ok(())
    }
}

/// A step is `> 0` (a NaN step is refused too).
pub const fn float_step_positive(step: Option<f64>) -> Result<(), RangeError> {
    match step {
        Some(step) if step <= 0.0 || step.is_nan() => Err(RangeError::StepNotPositive),
        _ => Ok(()),
    }
}

/// A step is `> 0`.
pub const fn int_step_positive(step: Option<i128>) -> Result<(), RangeError> {
    match step {
        Some(step) if step <= 0 => Err(RangeError::StepNotPositive),
        _ => Ok(()),
    }
}

/// A step is at most `high - low` (checked on ranges the rules above accept).
pub const fn float_step_width(low: f64, high: f64, step: Option<f64>) -> Result<(), RangeError> {
    match step {
        Some(step) if low < high && step > 0.0 && step > high - low => Err(RangeError::StepTooWide),
        _ => Ok(()),
    }
}

/// A step is at most `high - low` (checked on ranges the rules above accept).
pub const fn int_step_width(low: i128, high: i128, step: Option<i128>) -> Result<(), RangeError> {
    match step {
        Some(step) if low < high && step > 0 && step > high - low => Err(RangeError::StepTooWide),
        _ => Ok(()),
    }
}

/// A float range has either a log scale or a step.
pub const fn float_log_with_step(log: bool, has_step: bool) -> Result<(), RangeError> {
    if log && has_step {
        Err(RangeError::LogWithStep)
    } else {
        Ok(())
    }
}

/// An integer range on a log scale has no step other than 1 (every integer is a grid point).
pub const fn int_log_with_step(log: bool, step: Option<i128>) -> Result<(), RangeError> {
    match step {
        Some(step) if log && step != 1 => Err(RangeError::LogWithStep),
        _ => Ok(()),
    }
}

/// The step's grid ends on `high` (checked on ranges the rules above accept). Not part
/// of [`check_int`]: at run time a range it refuses is not invalid, its `high` is lowered
/// to [`int_last_point`].
pub const fn int_step_divides(low: i128, high: i128, step: Option<i128>) -> Result<(), RangeError> {
    match step {
        Some(step) if low < high && step > 0 && (high - low) % step != 0 => {
            Err(RangeError::StepNotDividing)
        }
        _ => Ok(()),
    }
}

/// The last point of the grid `low + k * step` within `high` (`low` for a step `<= 0`).
pub const fn int_last_point(low: i128, high: i128, step: i128) -> i128 {
    if step <= 0 || high < low {
        low
    } else {
        low + (high - low) / step * step
    }
}

/// The relative tolerance of "the float grid ends on `high`": the same one the grid's
/// length and its on-grid check allow for rounding.
pub const FLOAT_GRID_TOLERANCE: f64 = 1e-9;

/// The step's grid ends on `high`, within rounding (`0.0..=1.0, step = 0.1` does; `0.0..=1.0,
/// step = 0.3` does not). Grids of more than 2^53 points always pass: floats are too
/// coarse there to tell. Not part of [`check_float`], for the reason given at
/// [`int_step_divides`]; [`float_last_index`] gives the last grid point.
pub const fn float_step_divides(low: f64, high: f64, step: Option<f64>) -> Result<(), RangeError> {
    let Some(step) = step else {
        return Ok(());
    };
    if low.is_nan() || high.is_nan() || low >= high || step.is_nan() || step <= 0.0 {
        return Ok(());
    }
    let n = (high - low) / step;
    if !n.is_finite() || n > 9_007_199_254_740_992.0 {
        return Ok(());
    }
    let last = float_last_index(low, high, step) as f64;
    // Besides the relative tolerance, the rounding of the bounds themselves (the same
    // allowance the on-grid check makes).
    let slack = FLOAT_GRID_TOLERANCE * if n > 1.0 { n } else { 1.0 }
        + 4.0 * f64::EPSILON * (high.abs() + low.abs()) / step;
    if n - last <= slack {
        Ok(())
    } else {
        Err(RangeError::StepNotDividing)
    }
}

/// The index `k` of the last grid point `low + k * step` within `high`, tolerant to
/// rounding (`0.0..=1.0, step = 0.1` gives 10); 0 for grids this cannot count (a step
/// `<= 0`, more than 2^127 points).
pub const fn float_last_index(low: f64, high: f64, step: f64) -> u128 {
    // Written so that a NaN step or bound also returns 0.
    if step.is_nan() || step <= 0.0 || high.is_nan() || low.is_nan() || high < low {
        return 0;
    }
    let n = (high - low) / step;
    if !n.is_finite() {
        return 0;
    }
    let n = n + FLOAT_GRID_TOLERANCE * if n > 1.0 { n } else { 1.0 };
    // `as` truncates toward zero (n >= 0) and saturates.
    n as u128
}

/// An integer as decimal text, built during const evaluation: the fix a generated check
/// shows for [`RangeError::StepNotDividing`].
pub struct IntText {
    bytes: [u8; 40],
    start: usize,
}

impl IntText {
    /// The digits of `value`.
    pub const fn new(value: i128) -> Self {
        let mut bytes = [0u8; 40];
        let mut start = 40;
        let negative = value < 0;
        let mut rest = value.unsigned_abs();
        loop {
            start -= 1;
            bytes[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if negative {
            start -= 1;
            bytes[start] = b'-';
        }
        IntText { bytes, start }
    }

    /// The text.
    pub const fn as_str(&self) -> &str {
        match std::str::from_utf8(self.bytes.split_at(self.start).1) {
            Ok(text) => text,
            Err(_) => "",
        }
    }
}

/// Stops at the first broken rule.
macro_rules! first_broken {
    ($($rule:expr,)*) => {{
        $(if let Err(error) = $rule {
            return Err(error);
        })*
        Ok(())
    }};
}

/// Every rule of a float range, in order.
pub const fn check_float(
    low: f64,
    high: f64,
    log: bool,
    step: Option<f64>,
) -> Result<(), RangeError> {
    first_broken!(
        float_finite(low, high),
        float_order(low, high),
        float_log_low(log, low),
        float_step_positive(step),
        float_step_width(low, high, step),
        float_log_with_step(log, step.is_some()),
    )
}

/// Every rule of an integer range, in order.
pub const fn check_int(
    low: i128,
    high: i128,
    log: bool,
    step: Option<i128>,
) -> Result<(), RangeError> {
    first_broken!(
        int_fits_i64(low, high, step),
        int_order(low, high),
        int_log_low(log, low),
        int_step_positive(step),
        int_step_width(low, high, step),
        int_log_with_step(log, step),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_compare_as_integers_over_the_whole_i64_and_u64_range() {
        let max = i128::from(i64::MAX);
        assert_eq!(check_int(max - 7, max, false, None), Ok(()));
        assert_eq!(
            check_int(max - 1, max, false, Some(2)),
            Err(RangeError::StepTooWide)
        );
        assert_eq!(check_int(i128::from(i64::MIN), max, false, None), Ok(()));
        assert_eq!(
            check_int(0, i128::from(u64::MAX), false, None),
            Err(RangeError::OutsideI64)
        );
        assert_eq!(check_int(1, 8, true, Some(1)), Ok(()));
        assert_eq!(check_int(1, 8, true, Some(2)), Err(RangeError::LogWithStep));
    }

    #[test]
    fn float_rules_refuse_nan_and_go_in_order() {
        assert_eq!(
            check_float(f64::NAN, 1.0, false, None),
            Err(RangeError::NotFinite)
        );
        assert_eq!(
            check_float(0.0, 1.0, false, Some(f64::NAN)),
            Err(RangeError::StepNotPositive)
        );
        assert_eq!(
            check_float(1.0, 0.0, false, Some(5.0)),
            Err(RangeError::Reversed)
        );
        assert_eq!(
            check_float(0.0, 1.0, true, Some(0.5)),
            Err(RangeError::LogFloatLow)
        );
        assert_eq!(
            check_float(0.5, 1.0, true, Some(0.5)),
            Err(RangeError::LogWithStep)
        );
    }

    #[test]
    fn messages_fill_in_the_parts_of_the_range() {
        assert_eq!(
            RangeError::Reversed.message("0.5", "0.1", "", "").as_str(),
            "range is reversed: low = 0.5 is above high = 0.1; swap the bounds: `0.1..=0.5`"
        );
        assert_eq!(
            RangeError::StepTooWide.explain(1, 4, Some(8)),
            "step = 8 is wider than the range 1..=4; use a step of at most high - low"
        );
        let long = "é".repeat(RangeMessage::CAPACITY);
        let cut = RangeError::Reversed.message(&long, "", "", "");
        assert!(cut.as_str().starts_with("range is reversed: low = é"));
        assert!(cut.as_str().len() <= RangeMessage::CAPACITY);
    }

    /// Hardening item 3: `low == high` is one value; a step that misses `high` is
    /// found, and the message gives the range that ends on the last grid point.
    #[test]
    fn one_value_ranges_pass_and_steps_that_miss_high_are_found() {
        assert_eq!(check_int(1, 1, false, None), Ok(()));
        assert_eq!(check_int(1, 1, true, Some(3)), Err(RangeError::LogWithStep));
        assert_eq!(check_int(4, 4, false, Some(3)), Ok(()));
        assert_eq!(check_float(0.5, 0.5, true, None), Ok(()));
        assert_eq!(check_float(0.5, 0.5, false, Some(0.1)), Ok(()));
        assert_eq!(int_step_divides(0, 9, Some(3)), Ok(()));
        assert_eq!(
            int_step_divides(0, 10, Some(3)),
            Err(RangeError::StepNotDividing)
        );
        assert_eq!(int_step_divides(4, 4, Some(3)), Ok(()));
        assert_eq!(int_last_point(0, 10, 3), 9);
        assert_eq!(int_last_point(-10, 10, 3), 8);
        assert_eq!(float_step_divides(0.0, 1.0, Some(0.1)), Ok(()));
        assert_eq!(float_step_divides(0.0, 0.3, Some(0.1)), Ok(()));
        assert_eq!(float_step_divides(0.0, 0.9, Some(0.3)), Ok(()));
        assert_eq!(float_step_divides(-1.2, 2.0, Some(0.1)), Ok(()));
        assert_eq!(
            float_step_divides(0.0, 1.0, Some(0.3)),
            Err(RangeError::StepNotDividing)
        );
        assert_eq!(float_last_index(0.0, 1.0, 0.3), 3);
        assert_eq!(float_last_index(0.0, 1.0, 0.1), 10);
        assert_eq!(float_step_divides(0.0, 1.0, Some(1e-300)), Ok(()));
        let fix = IntText::new(int_last_point(0, 10, 3));
        assert_eq!(
            RangeError::StepNotDividing
                .message("0", "10", "3", fix.as_str())
                .as_str(),
            "step = 3 does not divide the range 0..=10: its last grid point is 9; \
             end the range there: `0..=9, step = 3`"
        );
        for value in [0, 7, -7, 1234567890, i128::MIN, i128::MAX] {
            assert_eq!(IntText::new(value).as_str(), value.to_string());
        }
    }

    #[test]
    fn the_rules_run_in_const_evaluation() {
        const REVERSED: Result<(), RangeError> = check_int(8, 1, false, None);
        const LOG: Result<(), RangeError> = check_float(0.0, 1.0, true, None);
        assert_eq!(REVERSED, Err(RangeError::Reversed));
        assert_eq!(LOG, Err(RangeError::LogFloatLow));
    }
}
