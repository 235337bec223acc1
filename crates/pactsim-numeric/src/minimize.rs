//! One unconstrained minimiser for the whole model: BFGS with an analytic gradient and a
//! backtracking (Armijo) line search (Nocedal & Wright, *Numerical Optimization*, 2nd ed.,
//! algorithm 6.1, with the initial inverse-Hessian scaling of eq. 6.20).
//!
//! Constrained problems (such as a GARCH likelihood) are handed to it in a transformed, unbounded
//! parameter space. Convergence is judged on the gradient, never on the number of steps alone: a
//! result says whether the largest gradient component fell below the tolerance.

/// When to stop.
#[derive(Debug, Clone, Copy)]
pub struct BfgsOptions {
    /// Converged when every gradient component is at most this in absolute value.
    pub gradient_tolerance: f64,
    pub max_iterations: usize,
}

/// Where the search stopped.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    /// The largest absolute gradient component at `x`.
    pub gradient_norm: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Minimises `f`, which returns the value at `x` and writes the gradient into its second
/// argument; a non-finite value marks `x` as outside the function's domain (the line search steps
/// back). Starts from `x0`, which must have a finite value.
pub fn bfgs(mut f: impl FnMut(&[f64], &mut [f64]) -> f64, x0: &[f64], options: BfgsOptions) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    // The inverse Hessian approximation, row-major.
    let mut h = identity(n);
    let mut scaled = false;
    let (mut x_new, mut g_new, mut direction) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut iterations = 0;
    let mut restarted = false;
    while iterations < options.max_iterations {
        if !value.is_finite() || max_abs(&g) <= options.gradient_tolerance {
            break;
        }
        iterations += 1;
        for i in 0..n {
            direction[i] = -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = direction.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope >= 0.0 {
            // Not a descent direction (the approximation went bad): steepest descent.
            h = identity(n);
            direction.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = -g.iter().map(|g| g * g).sum::<f64>();
        }
        // Before the first update the direction is the raw gradient: keep its first trial step
        // no longer than 1 in the largest coordinate.
        let mut step = if scaled { 1.0 } else { (1.0 / max_abs(&direction)).min(1.0) };
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * direction[i];
            }
            let trial = f(&x_new, &mut g_new);
            if trial.is_finite() && trial <= value + 1e-4 * step * slope {
                value = trial;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No decrease along the direction: retry once from steepest descent, then give up.
            if restarted {
                break;
            }
            restarted = true;
            h = identity(n);
            scaled = false;
            continue;
        }
        restarted = false;
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let sy: f64 = s.iter().zip(&y).map(|(s, y)| s * y).sum();
        // Update only under positive curvature, which keeps the approximation positive definite.
        if sy > 1e-300 {
            if !scaled {
                let yy: f64 = y.iter().map(|y| y * y).sum();
                h = identity(n);
                h.iter_mut().for_each(|v| *v *= sy / yy);
                scaled = true;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
    }
    let gradient_norm = max_abs(&g);
    Minimum {
        converged: value.is_finite() && gradient_norm <= options.gradient_tolerance,
        x,
        value,
        gradient_norm,
        iterations,
    }
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / yᵀs.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum()).collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(y, hy)| y * hy).sum();
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: BfgsOptions = BfgsOptions { gradient_tolerance: 1e-10, max_iterations: 500 };

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_valley() {
        let rosenbrock = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let minimum = bfgs(rosenbrock, &[-1.2, 1.0], OPTIONS);
        assert!(minimum.converged, "{minimum:?}");
        assert!((minimum.x[0] - 1.0).abs() < 1e-8 && (minimum.x[1] - 1.0).abs() < 1e-8, "{minimum:?}");
    }

    #[test]
    fn a_quadratic_is_solved_exactly_and_an_unbounded_function_is_not_converged() {
        // f = ½ xᵀAx − bᵀx with A = [[4, 1], [1, 3]], b = [1, 2]: minimum at A⁻¹b = (1/11, 7/11).
        let quadratic = |x: &[f64], g: &mut [f64]| {
            g[0] = 4.0 * x[0] + x[1] - 1.0;
            g[1] = x[0] + 3.0 * x[1] - 2.0;
            0.5 * (4.0 * x[0] * x[0] + 2.0 * x[0] * x[1] + 3.0 * x[1] * x[1]) - x[0] - 2.0 * x[1]
        };
        let minimum = bfgs(quadratic, &[5.0, -5.0], OPTIONS);
        assert!(minimum.converged);
        assert!((minimum.x[0] - 1.0 / 11.0).abs() < 1e-10 && (minimum.x[1] - 7.0 / 11.0).abs() < 1e-10);
        let falling = |x: &[f64], g: &mut [f64]| {
            g[0] = -1.0;
            -x[0]
        };
        let options = BfgsOptions { gradient_tolerance: 1e-8, max_iterations: 50 };
        assert!(!bfgs(falling, &[0.0], options).converged);
    }
}
