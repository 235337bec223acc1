//! One safeguarded root finder for the whole model: Newton steps (Halley's, for XIRR) kept inside
//! a bracket where the function changes sign, bisection whenever a step would leave it.

/// A root of `f` (which returns its value and derivative) in `[low, high]`, where `f(low)` is
/// negative when `low_negative` says so and `f(high)` has the other sign. Stops when a step or the
/// bracket is within `tolerance(x)`, or after 200 steps.
pub fn bracketed_newton(
    mut f: impl FnMut(f64) -> (f64, f64),
    low: f64,
    high: f64,
    low_negative: bool,
    tolerance: impl Fn(f64) -> f64,
) -> f64 {
    bracketed_steps(
        |x| {
            let (value, slope) = f(x);
            (value, newton_step(value, slope))
        },
        low,
        high,
        low_negative,
        0.5 * (low + high),
        tolerance,
    )
}

/// Newton's step, `f / f'`, for `bracketed_steps`.
fn newton_step(value: f64, slope: f64) -> f64 {
    value / slope
}

/// Halley's step, `2 f f' / (2 f'² − f f'')`, for `bracketed_steps`: the error is about cubed at
/// each step where Newton's is squared, so a root from a close start takes one evaluation fewer.
pub fn halley_step(value: f64, slope: f64, curvature: f64) -> f64 {
    2.0 * value * slope / (2.0 * slope * slope - value * curvature)
}

/// The safeguarded iteration: `f` returns the value at `x` and the step it proposes (the next
/// point is `x − step`); a step that is not finite or leaves the bracket is replaced by bisection.
pub fn bracketed_steps(
    mut f: impl FnMut(f64) -> (f64, f64),
    mut low: f64,
    mut high: f64,
    low_negative: bool,
    start: f64,
    tolerance: impl Fn(f64) -> f64,
) -> f64 {
    let mut x = if start > low && start < high { start } else { 0.5 * (low + high) };
    for _ in 0..200 {
        let (value, step) = f(x);
        if value == 0.0 {
            return x;
        }
        if (value < 0.0) == low_negative {
            low = x;
        } else {
            high = x;
        }
        let proposed = x - step;
        let next = if step.is_finite() && proposed > low && proposed < high { proposed } else { 0.5 * (low + high) };
        let within = tolerance(x);
        if (next - x).abs() <= within || high - low <= within {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_square_root_and_survives_a_flat_start() {
        let root = bracketed_newton(|x| (x * x - 2.0, 2.0 * x), 0.0, 2.0, true, |_| 1e-15);
        assert!((root - 2f64.sqrt()).abs() < 1e-15);
        // Zero slope at the midpoint: the first step must bisect.
        let root = bracketed_newton(|x| ((x - 1.0).powi(3), 3.0 * (x - 1.0).powi(2)), -1.0, 3.0, true, |_| 1e-12);
        assert!((root - 1.0).abs() < 1e-4);
    }

    #[test]
    fn halley_finds_a_cube_root_in_fewer_evaluations() {
        let mut calls = [0, 0];
        let newton = bracketed_steps(
            |x| {
                calls[0] += 1;
                let (value, slope) = (x * x * x - 2.0, 3.0 * x * x);
                (value, newton_step(value, slope))
            },
            1.0,
            2.0,
            true,
            1.3,
            |_| 1e-15,
        );
        let halley = bracketed_steps(
            |x| {
                calls[1] += 1;
                let (value, slope, curvature) = (x * x * x - 2.0, 3.0 * x * x, 6.0 * x);
                (value, halley_step(value, slope, curvature))
            },
            1.0,
            2.0,
            true,
            1.3,
            |_| 1e-15,
        );
        let exact = 2f64.cbrt();
        assert!((newton - exact).abs() < 4e-16 && (halley - exact).abs() < 4e-16, "{newton} {halley}");
        assert!(calls[1] < calls[0], "{calls:?}");
    }
}
