//! Percentiles and medians of measured samples.

use std::time::Duration;

/// The `q`-quantile (0.0 to 1.0) of `samples` (nearest rank); zero for no samples.
///
/// ```
/// use std::time::Duration;
/// let mut s: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
/// assert_eq!(kassa_bench::stats::percentile(&mut s, 0.5), Duration::from_micros(50));
/// assert_eq!(kassa_bench::stats::percentile(&mut s, 0.99), Duration::from_micros(99));
/// ```
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = (q * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// The median of `values` (the mean of the middle two for an even count); NaN for none.
///
/// ```
/// assert_eq!(kassa_bench::stats::median(&mut [3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(kassa_bench::stats::median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
/// ```
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
