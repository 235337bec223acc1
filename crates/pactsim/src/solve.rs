//! One safeguarded root finder for the whole model: Newton steps kept inside a bracket where the
//! function changes sign, bisection whenever a Newton step would leave it.

/// A root of `f` (which returns its value and derivative) in `[low, high]`, where `f(low)` is
/// negative when `low_negative` says so and `f(high)` has the other sign. Stops when a step or the
/// bracket is within `tolerance(x)`, or after 200 steps.
pub fn bracketed_newton(
    f: impl FnMut(f64) -> (f64, f64),
    low: f64,
    high: f64,
    low_negative: bool,
    tolerance: impl Fn(f64) -> f64,
) -> f64 {
    bracketed_newton_from(f, low, high, low_negative, 0.5 * (low + high), tolerance)
}

/// `bracketed_newton` with the first step taken from `start` (within the bracket) rather than
/// its midpoint.
pub fn bracketed_newton_from(
    mut f: impl FnMut(f64) -> (f64, f64),
    mut low: f64,
    mut high: f64,
    low_negative: bool,
    start: f64,
    tolerance: impl Fn(f64) -> f64,
) -> f64 {
    let mut x = if start > low && start < high { start } else { 0.5 * (low + high) };
    for _ in 0..200 {
        let (value, slope) = f(x);
        if value == 0.0 {
            return x;
        }
        if (value < 0.0) == low_negative {
            low = x;
        } else {
            high = x;
        }
        let newton = x - value / slope;
        let next = if slope != 0.0 && newton > low && newton < high { newton } else { 0.5 * (low + high) };
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
}
