//! The statistics trends rest on, written out so every number can be checked by hand: log-gamma
//! (Lanczos), exact binomial probabilities and tails, the conditional test of two Poisson rates,
//! its exact (Clopper-Pearson) confidence interval for the rate ratio, and the Benjamini-Hochberg
//! false-discovery-rate adjustment.
//!
//! Why the conditional binomial test: incident counts in two periods are modelled as Poisson with
//! rates per day; given their sum n = k1 + k0, the current count is Binomial(n, t1 / (t1 + t0))
//! when the rates are equal. The test is exact for any count, which matters because most cells
//! of a briefing hold a handful of incidents.

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, 9 coefficients; relative error about
/// 1e-15), with the reflection formula below 0.5.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Γ(x) Γ(1 - x) = π / sin(πx)
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ln of the binomial coefficient C(n, k).
pub fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// P(X = k) for X ~ Binomial(n, p).
pub fn binom_pmf(k: u64, n: u64, p: f64) -> f64 {
    if k > n {
        return 0.0;
    }
    if p <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    (ln_choose(n, k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp()
}

/// P(X >= k) for X ~ Binomial(n, p).
pub fn binom_sf(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    binom_range_sum(k, n, n, p).min(1.0)
}

/// P(X <= k) for X ~ Binomial(n, p).
pub fn binom_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    binom_range_sum(0, k, n, p).min(1.0)
}

/// The most likely value of Binomial(n, p): floor((n + 1) p), at most n.
fn binom_mode(n: u64, p: f64) -> u64 {
    (((n + 1) as f64) * p).floor().clamp(0.0, n as f64) as u64
}

/// How small a term must be, relative to the sum so far, to end a walk: below this it no longer
/// changes the sum in double precision, and every term further from the mode is smaller still.
const NEGLIGIBLE: f64 = 1e-17;

/// Σ P(X = i) for lo <= i <= hi, X ~ Binomial(n, p), 0 < p < 1.
///
/// Why not term by term from ln Γ: a tail of a large count has thousands of terms, and a
/// confidence interval evaluates tails some ninety times. The probabilities rise to the mode and
/// fall after it, so the largest term of the range is at the mode or at the range's end nearest
/// it. Only that term comes from ln Γ; the others come from it by the ratio of neighbours,
/// P(i+1)/P(i) = (n - i)/(i + 1) · p/(1 - p), walking away from it until the terms are
/// negligible. Every term is relative to the largest, so none overflows.
fn binom_range_sum(lo: u64, hi: u64, n: u64, p: f64) -> f64 {
    if lo > hi {
        return 0.0;
    }
    let start = binom_mode(n, p).clamp(lo, hi);
    let odds = p / (1.0 - p);
    let mut sum = 1.0;
    let (mut term, mut i) = (1.0f64, start);
    while i < hi {
        term *= (n - i) as f64 / (i + 1) as f64 * odds;
        i += 1;
        sum += term;
        if term < sum * NEGLIGIBLE {
            break;
        }
    }
    let (mut term, mut i) = (1.0f64, start);
    while i > lo {
        term *= i as f64 / ((n - i + 1) as f64 * odds);
        i -= 1;
        sum += term;
        if term < sum * NEGLIGIBLE {
            break;
        }
    }
    binom_pmf(start, n, p) * sum
}

/// Which alternative a test is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// The rates differ (either way).
    TwoSided,
    /// The current rate is higher.
    Increase,
}

/// Exact binomial test p-value of k successes in n trials with success probability p.
///
/// Two-sided: the sum of the probabilities of all outcomes no more likely than the observed one
/// (the "minlike" rule of R's `binom.test` and SciPy's `binomtest`), with a relative tolerance of
/// 1e-7 so ties are not lost to rounding. The outcomes are visited from the mode outwards, as in
/// `binom_range_sum` (private).
pub fn binom_test(k: u64, n: u64, p: f64, alternative: Alternative) -> f64 {
    match alternative {
        Alternative::Increase => binom_sf(k, n, p),
        Alternative::TwoSided => {
            if k > n {
                return 0.0;
            }
            if p <= 0.0 || p >= 1.0 {
                // One outcome is certain: the observed one has p-value 1, any other 0.
                return binom_pmf(k, n, p);
            }
            let mode = binom_mode(n, p);
            let top = binom_pmf(mode, n, p);
            let bar = binom_pmf(k, n, p) * (1.0 + 1e-7) / top;
            let odds = p / (1.0 - p);
            let mut sum = if 1.0 <= bar { 1.0 } else { 0.0 };
            let (mut term, mut i) = (1.0f64, mode);
            while i < n {
                term *= (n - i) as f64 / (i + 1) as f64 * odds;
                i += 1;
                if term <= bar {
                    sum += term;
                    if term < sum * NEGLIGIBLE {
                        break;
                    }
                }
            }
            let (mut term, mut i) = (1.0f64, mode);
            while i > 0 {
                term *= i as f64 / ((n - i + 1) as f64 * odds);
                i -= 1;
                if term <= bar {
                    sum += term;
                    if term < sum * NEGLIGIBLE {
                        break;
                    }
                }
            }
            (top * sum).min(1.0)
        }
    }
}

/// Exact (Clopper-Pearson) confidence interval for a binomial proportion, at level 1 - alpha:
/// the bounds solve P(X >= k; lower) = alpha/2 and P(X <= k; upper) = alpha/2, found by bisection
/// on the exact tails (no incomplete-beta inversion needed).
pub fn clopper_pearson(k: u64, n: u64, alpha: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let half = alpha / 2.0;
    let lower = if k == 0 {
        0.0
    } else {
        // P(X >= k; p) increases with p.
        bisect(|p| binom_sf(k, n, p) - half)
    };
    let upper = if k == n {
        1.0
    } else {
        // P(X <= k; p) decreases with p: negate to make it increasing.
        bisect(|p| half - binom_cdf(k, n, p))
    };
    (lower, upper)
}

/// The root in (0, 1) of an increasing function.
fn bisect(f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The comparison of a current count with a baseline count, each over its exposure.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateTest {
    /// Incidents in the current period.
    pub k1: u64,
    /// Exposure of the current period (days).
    pub t1: f64,
    /// Incidents in the baseline.
    pub k0: u64,
    /// Exposure of the baseline (days).
    pub t0: f64,
    /// The rate ratio (k1/t1) / (k0/t0); None when the baseline count is zero (infinite).
    pub rate_ratio: Option<f64>,
    /// Lower bound of the 95% exact confidence interval of the rate ratio.
    pub ci_low: f64,
    /// Upper bound of the 95% exact confidence interval; None when unbounded.
    pub ci_high: Option<f64>,
    /// The p-value of the exact conditional test.
    pub p_value: f64,
    /// The alternative tested.
    pub alternative: Alternative,
}

/// Tests whether the rate k1/t1 differs from (or exceeds) k0/t0: under equal rates,
/// k1 ~ Binomial(k1 + k0, t1 / (t1 + t0)). The 95% interval of the rate ratio comes from the
/// Clopper-Pearson interval (pL, pU) of that proportion: R = p/(1 - p) · t0/t1.
pub fn rate_ratio_test(k1: u64, t1: f64, k0: u64, t0: f64, alternative: Alternative) -> RateTest {
    let n = k1 + k0;
    let p0 = t1 / (t1 + t0);
    let p_value = if n == 0 {
        1.0
    } else {
        binom_test(k1, n, p0, alternative)
    };
    let scale = t0 / t1;
    let to_ratio = |p: f64| p / (1.0 - p) * scale;
    let (pl, pu) = clopper_pearson(k1, n, 0.05);
    let (ci_low, ci_high) = if n == 0 {
        (0.0, None)
    } else {
        (
            if k1 == 0 { 0.0 } else { to_ratio(pl) },
            if k0 == 0 { None } else { Some(to_ratio(pu)) },
        )
    };
    RateTest {
        k1,
        t1,
        k0,
        t0,
        rate_ratio: (k0 > 0).then(|| (k1 as f64 / t1) / (k0 as f64 / t0)),
        ci_low,
        ci_high,
        p_value,
        alternative,
    }
}

/// One source's part in a [`share_test`]: a cell's incidents and all of the source's incidents in
/// each period.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stratum {
    /// The source.
    pub source: String,
    /// The cell's incidents from this source in the current period.
    pub k1: u64,
    /// In the baseline.
    pub k0: u64,
    /// All of this source's counted incidents in the current period.
    pub n1: u64,
    /// In the baseline.
    pub n0: u64,
}

/// Whether a cell's share of what each source reports changed between the periods: the test of a
/// count against each source's own volume of reporting, so that a source reporting less (or
/// more) of everything moves no cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShareTest {
    /// Per source, the counts the test rests on.
    pub strata: Vec<Stratum>,
    /// The cell's incidents in the current period, over the strata.
    pub k1: u64,
    /// In the baseline.
    pub k0: u64,
    /// The current count expected were the cell's share of each source's reporting unchanged:
    /// Σ (k1 + k0) · n1 / (n1 + n0).
    pub expected: f64,
    /// The Mantel-Haenszel estimate of the ratio of the cell's share in the current period to
    /// its share in the baseline, Σ k1·n0/N ÷ Σ k0·n1/N (N = n1 + n0); None when the baseline
    /// share is zero.
    pub share_ratio: Option<f64>,
    /// The variance of the current count under unchanged shares: Σ (k1 + k0) · p · (1 - p).
    pub variance: f64,
    /// The p-value of the conditional test.
    pub p_value: f64,
    /// Whether the p-value is exact, or the normal approximation (see [`share_test`]).
    pub exact: bool,
    /// The alternative tested.
    pub alternative: Alternative,
    /// How much of the current period's reporting counts for the cell, relative to the
    /// baseline's: 1, but for attribution lag ([`weighted_share_test`]).
    #[serde(default = "unweighted")]
    pub current_weight: f64,
}

fn unweighted() -> f64 {
    1.0
}

/// Above this variance of the summed count, and with more than one source, [`share_test`] uses
/// the normal approximation: the exact convolution costs the square of the distribution's width
/// (about eighteen standard deviations), per cell, and at a standard deviation of 20 the
/// approximation with its continuity correction is within a few percent of the exact p-value.
pub const SHARE_TEST_EXACT_VARIANCE: f64 = 400.0;

/// The stratified test of a cell's share: given each source's cell count over both periods
/// (k1 + k0), its current count is Binomial(k1 + k0, n1 / (n1 + n0)) when the cell keeps its
/// share of that source's reporting, and the sources are independent, so the total current count
/// follows the convolution of those binomials. The p-value is computed on that exact
/// distribution: two-sided, the probability of every total no more likely than the observed one
/// (the rule of [`binom_test`]); `Increase`, the upper tail. With one source it is
/// [`binom_test`]. With several and a variance above [`SHARE_TEST_EXACT_VARIANCE`] it is the
/// normal approximation with continuity correction (the Mantel-Haenszel test): two-sided
/// erfc(max(0, |k1 - E| - 1/2) / sqrt(2V)), `Increase` erfc((k1 - E - 1/2) / sqrt(2V)) / 2.
/// A source with no incident in one period has no share to compare and is left out by the
/// caller.
pub fn share_test(strata: Vec<Stratum>, alternative: Alternative) -> ShareTest {
    weighted_share_test(strata, 1.0, alternative)
}

/// [`share_test`] where only a part of the current period's reporting can show the cell yet,
/// `current_weight` of the baseline's (the cell's incidents are attributed later than they are
/// reported: [`crate::lag`]): each source's current volume counts `current_weight` times, so an
/// unchanged share gives Binomial(k1 + k0, w·n1 / (w·n1 + n0)).
pub fn weighted_share_test(
    strata: Vec<Stratum>,
    current_weight: f64,
    alternative: Alternative,
) -> ShareTest {
    let (mut k1, mut k0, mut expected, mut variance) = (0u64, 0u64, 0.0f64, 0.0f64);
    let (mut num, mut den) = (0.0f64, 0.0f64);
    let mut sources = 0;
    for s in &strata {
        let m = s.k1 + s.k0;
        let n1 = s.n1 as f64 * current_weight;
        let total = n1 + s.n0 as f64;
        k1 += s.k1;
        k0 += s.k0;
        if total == 0.0 {
            continue;
        }
        let p = n1 / total;
        expected += m as f64 * p;
        variance += m as f64 * p * (1.0 - p);
        num += (s.k1 * s.n0) as f64 / total;
        den += s.k0 as f64 * n1 / total;
        if m > 0 {
            sources += 1;
        }
    }
    let exact = sources <= 1 || variance <= SHARE_TEST_EXACT_VARIANCE;
    let p_value = if exact {
        exact_share_p(&strata, current_weight, k1, alternative)
    } else {
        let sd2 = (2.0 * variance).sqrt();
        let d = k1 as f64 - expected;
        match alternative {
            Alternative::TwoSided => libm::erfc((d.abs() - 0.5).max(0.0) / sd2),
            Alternative::Increase => 0.5 * libm::erfc((d - 0.5) / sd2),
        }
        .min(1.0)
    };
    ShareTest {
        strata,
        k1,
        k0,
        expected,
        share_ratio: (den > 0.0).then(|| num / den),
        variance,
        p_value,
        exact,
        alternative,
        current_weight,
    }
}

/// The exact p-value of [`share_test`]: the convolution of the sources' binomials.
fn exact_share_p(
    strata: &[Stratum],
    current_weight: f64,
    k1: u64,
    alternative: Alternative,
) -> f64 {
    let mut dist = vec![1.0f64];
    let mut offset = 0u64;
    for s in strata.iter().filter(|s| s.n1 + s.n0 > 0) {
        let n1 = s.n1 as f64 * current_weight;
        let p = n1 / (n1 + s.n0 as f64);
        let (lo, pmf) = binom_pmf_support(s.k1 + s.k0, p);
        dist = convolve(&dist, &pmf);
        offset += lo;
    }
    match alternative {
        Alternative::Increase => match k1.checked_sub(offset) {
            None => 1.0,
            Some(from) => dist.iter().skip(from as usize).sum::<f64>().min(1.0),
        },
        Alternative::TwoSided => {
            let at = k1
                .checked_sub(offset)
                .and_then(|i| dist.get(i as usize).copied())
                .unwrap_or(0.0);
            let bar = at * (1.0 + 1e-7);
            dist.iter().filter(|&&v| v <= bar).sum::<f64>().min(1.0)
        }
    }
}

/// The probabilities of Binomial(n, p) that are not negligible: the first value they start at,
/// and P(X = first), P(X = first + 1), ... Walked from the mode by the ratio of neighbours, as in
/// [`binom_range_sum`], and normalised to sum to one.
fn binom_pmf_support(n: u64, p: f64) -> (u64, Vec<f64>) {
    if p <= 0.0 {
        return (0, vec![1.0]);
    }
    if p >= 1.0 {
        return (n, vec![1.0]);
    }
    let mode = binom_mode(n, p);
    let odds = p / (1.0 - p);
    let mut up = Vec::new();
    let (mut term, mut i) = (1.0f64, mode);
    while i < n {
        term *= (n - i) as f64 / (i + 1) as f64 * odds;
        i += 1;
        if term < NEGLIGIBLE {
            break;
        }
        up.push(term);
    }
    let mut down = Vec::new();
    let (mut term, mut i) = (1.0f64, mode);
    while i > 0 {
        term *= i as f64 / ((n - i + 1) as f64 * odds);
        i -= 1;
        if term < NEGLIGIBLE {
            break;
        }
        down.push(term);
    }
    let first = mode - down.len() as u64;
    let mut pmf: Vec<f64> = down.into_iter().rev().collect();
    pmf.push(1.0);
    pmf.extend(up);
    let sum: f64 = pmf.iter().sum();
    pmf.iter_mut().for_each(|v| *v /= sum);
    (first, pmf)
}

/// The distribution of the sum of two independent counts, each given from its first value.
fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// Benjamini-Hochberg adjusted p-values (q-values), in the input order: q_(i) = min over j >= i
/// of p_(j) · m / j, capped at 1. A cell is a discovery at FDR level α when q <= α.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![1.0; m];
    let mut running = 1.0f64;
    for rank in (0..m).rev() {
        let i = order[rank];
        let v = (p[i] * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(v);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) {
        assert!(
            (a - b).abs() <= rel * b.abs().max(1e-300),
            "{a} is not within {rel} of {b}"
        );
    }

    #[test]
    fn ln_gamma_matches_python_math_lgamma() {
        // Values from python3: math.lgamma(x).
        for (x, want) in [
            (0.5, 0.5723649429247004),
            (1.5, -0.12078223763524543),
            (2.5, 0.2846828704729196),
            (10.0, 12.801827480081467),
            (30.2, 71.93460296839497),
            (100.5, 361.4355404677776),
            (1000.0, 5905.220423209181),
            (0.001, 6.907178885383854),
        ] {
            close(ln_gamma(x), want, 1e-12);
        }
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!(ln_gamma(2.0).abs() < 1e-14);
        // ln(20!) exactly: ln(2432902008176640000)
        close(ln_gamma(21.0), 42.335616460753485, 1e-13);
    }

    #[test]
    fn binomial_tails_match_exact_sums() {
        // python3: sum(math.comb(21, i) for i in range(14, 22)) / 2**21
        close(binom_sf(14, 21, 0.5), 0.09462356567382812, 1e-12);
        // python3: sum(math.comb(10, i) * 0.3**i * 0.7**(10-i) for i in range(0, 3))
        close(binom_cdf(2, 10, 0.3), 0.3827827864, 1e-9);
        close(binom_pmf(0, 5, 0.0), 1.0, 0.0);
        assert_eq!(binom_sf(0, 5, 0.2), 1.0);
    }

    #[test]
    fn tails_of_thousands_match_exact_rational_sums() {
        // python3 with fractions.Fraction and math.comb: every term exact, then one rounding.
        close(binom_sf(2100, 4000, 0.5), 0.0008246331875678499, 1e-11);
        close(binom_cdf(1850, 4000, 0.5), 1.124191797559058e-06, 1e-11);
        close(binom_sf(700, 3000, 0.2), 4.124406945615125e-06, 1e-11);
        close(
            binom_test(2100, 4000, 0.5, Alternative::TwoSided),
            0.0016492663751356998,
            1e-11,
        );
        // Asymmetric, observed below and above the mode of Binomial(3000, 0.2) (600).
        close(
            binom_test(520, 3000, 0.2, Alternative::TwoSided),
            0.00021689952501338154,
            1e-10,
        );
        close(
            binom_test(700, 3000, 0.2, Alternative::TwoSided),
            7.589107603916037e-06,
            1e-10,
        );
    }

    #[test]
    fn walks_from_the_mode_agree_with_term_by_term_sums() {
        for n in [1u64, 2, 7, 30, 151, 999] {
            for p in [0.013, 0.2, 0.5, 0.77, 0.999] {
                for k in (0..=n).step_by((n as usize / 9).max(1)) {
                    let sf: f64 = (k..=n).map(|i| binom_pmf(i, n, p)).sum();
                    let cdf: f64 = (0..=k).map(|i| binom_pmf(i, n, p)).sum();
                    let bar = binom_pmf(k, n, p) * (1.0 + 1e-7);
                    let two: f64 = (0..=n)
                        .map(|i| binom_pmf(i, n, p))
                        .filter(|&q| q <= bar)
                        .sum();
                    for (got, want) in [
                        (binom_sf(k, n, p), sf.min(1.0)),
                        (binom_cdf(k, n, p), cdf.min(1.0)),
                        (binom_test(k, n, p, Alternative::TwoSided), two.min(1.0)),
                    ] {
                        assert!(
                            (got - want).abs() <= 1e-10 * want + 1e-300,
                            "n {n} p {p} k {k}: {got} against {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn two_sided_test_matches_r_binom_test() {
        // python3 (exact sum with math.comb), as R binom.test(14, 21)$p.value: 2 x the one-sided tail.
        close(
            binom_test(14, 21, 0.5, Alternative::TwoSided),
            0.18924713134765625,
            1e-10,
        );
        // Asymmetric: python3 minlike sum over Binomial(10, 0.3) with P(i) <= P(6):
        // i in {6..10} and i = 0 -> 0.0473489874 + 0.0282475249 = 0.0755965123 (see below).
        let want: f64 = [0u64, 6, 7, 8, 9, 10]
            .iter()
            .map(|&i| binom_pmf(i, 10, 0.3))
            .sum();
        close(binom_test(6, 10, 0.3, Alternative::TwoSided), want, 1e-12);
        close(want, 0.07559651230000001, 1e-9);
    }

    #[test]
    fn clopper_pearson_matches_known_intervals() {
        // R: binom.test(7, 20)$conf.int = 0.1539092 0.5921885
        let (lo, hi) = clopper_pearson(7, 20, 0.05);
        close(lo, 0.1539092, 1e-5);
        close(hi, 0.5921885, 1e-5);
        // k = 0: upper = 1 - 0.025^(1/n)
        let (lo, hi) = clopper_pearson(0, 10, 0.05);
        assert_eq!(lo, 0.0);
        close(hi, 1.0 - 0.025f64.powf(0.1), 1e-9);
    }

    #[test]
    fn rate_ratio_of_equal_exposures() {
        let t = rate_ratio_test(14, 91.0, 7, 91.0, Alternative::TwoSided);
        close(t.rate_ratio.unwrap(), 2.0, 1e-12);
        close(t.p_value, 0.18924713134765625, 1e-10);
        // From the Clopper-Pearson interval of 14/21 (R: 0.4303245 0.8541231): p/(1-p).
        close(t.ci_low, 0.4303245 / (1.0 - 0.4303245), 1e-4);
        close(t.ci_high.unwrap(), 0.8541231 / (1.0 - 0.8541231), 1e-4);
        let none = rate_ratio_test(3, 30.0, 0, 30.0, Alternative::Increase);
        assert_eq!(none.rate_ratio, None);
        assert_eq!(none.ci_high, None);
        close(none.p_value, 0.125, 1e-12);
    }

    #[test]
    fn benjamini_hochberg_matches_r_p_adjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "BH") = 0.025 0.05 0.05 0.025 0.2
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.2]);
        for (a, b) in q.iter().zip([0.025, 0.05, 0.05, 0.025, 0.2]) {
            close(*a, b, 1e-12);
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    fn stratum(k1: u64, k0: u64, n1: u64, n0: u64) -> Stratum {
        Stratum {
            source: String::new(),
            k1,
            k0,
            n1,
            n0,
        }
    }

    #[test]
    fn share_test_matches_exact_rational_convolutions() {
        // Python with fractions.Fraction: the exact distribution of the summed binomials,
        // two-sided by the minlike rule, and its upper tail.
        let two = |s: Vec<Stratum>| share_test(s, Alternative::TwoSided).p_value;
        close(
            two(vec![stratum(6, 30, 26, 50), stratum(2, 3, 10, 10)]),
            0.03216472851766426,
            1e-9,
        );
        close(
            share_test(
                vec![stratum(6, 30, 26, 50), stratum(2, 3, 10, 10)],
                Alternative::Increase,
            )
            .p_value,
            0.9938239481141163,
            1e-9,
        );
        close(
            two(vec![stratum(9, 1, 12, 40)]),
            1.4706014644499436e-05,
            1e-9,
        );
        close(
            two(vec![stratum(20, 20, 26, 50)]),
            0.044500183393509106,
            1e-9,
        );
        close(
            two(vec![stratum(20, 20, 26, 50), stratum(0, 5, 3, 9)]),
            0.11426468906240958,
            1e-9,
        );
    }

    #[test]
    fn large_share_tests_use_a_close_normal_approximation() {
        let strata = vec![stratum(900, 800, 1000, 1000), stratum(40, 50, 100, 120)];
        let t = share_test(strata.clone(), Alternative::TwoSided);
        assert!(!t.exact && t.variance > SHARE_TEST_EXACT_VARIANCE);
        let exact = exact_share_p(&strata, 1.0, t.k1, Alternative::TwoSided);
        assert!(exact < 0.05, "{exact}");
        // Within a few percent of the exact value (here 0.0216 against 0.0205).
        close(t.p_value, exact, 0.08);
        let up = share_test(strata.clone(), Alternative::Increase);
        close(
            up.p_value,
            exact_share_p(&strata, 1.0, t.k1, Alternative::Increase),
            0.08,
        );
    }

    /// Where only half the current period's attributions are public yet, a source's current
    /// volume counts half: one source is the binomial test at w·n1 / (w·n1 + n0).
    #[test]
    fn a_weighted_share_test_counts_the_current_volume_by_its_weight() {
        let t = weighted_share_test(vec![stratum(10, 30, 100, 100)], 0.5, Alternative::TwoSided);
        close(t.expected, 40.0 / 3.0, 1e-12);
        close(
            t.p_value,
            binom_test(10, 40, 1.0 / 3.0, Alternative::TwoSided),
            1e-9,
        );
        // Mantel-Haenszel with the weighted volume: (10·100/150) / (30·50/150).
        close(t.share_ratio.unwrap(), 2.0 / 3.0, 1e-12);
        assert_eq!(t.current_weight, 0.5);
        let unweighted = share_test(vec![stratum(10, 30, 100, 100)], Alternative::TwoSided);
        assert_eq!(unweighted.current_weight, 1.0);
        close(unweighted.expected, 20.0, 1e-12);
    }

    #[test]
    fn one_source_share_test_is_the_binomial_test() {
        for (k1, k0, n1, n0) in [(3, 40, 300, 500), (120, 80, 1500, 1400), (0, 9, 10, 10)] {
            let t = share_test(vec![stratum(k1, k0, n1, n0)], Alternative::TwoSided);
            let p = n1 as f64 / (n1 + n0) as f64;
            close(
                t.p_value,
                binom_test(k1, k1 + k0, p, Alternative::TwoSided),
                1e-9,
            );
            close(t.expected, (k1 + k0) as f64 * p, 1e-12);
        }
    }

    #[test]
    fn a_source_reporting_less_of_everything_moves_no_share() {
        // A source whose reporting fell by two thirds, the cell with it: no change of share.
        let t = share_test(vec![stratum(10, 30, 100, 300)], Alternative::TwoSided);
        close(t.share_ratio.unwrap(), 1.0, 1e-12);
        assert!(t.p_value > 0.5, "{}", t.p_value);
        // The same counts against a steady source: a clear fall of share.
        let t = share_test(vec![stratum(10, 30, 300, 300)], Alternative::TwoSided);
        close(t.share_ratio.unwrap(), 1.0 / 3.0, 1e-12);
        assert!(t.p_value < 0.01, "{}", t.p_value);
    }
}
