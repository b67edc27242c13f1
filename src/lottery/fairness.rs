//! Fairness figures over what people served: mean, coefficient of variation, above or below.
//! Pure numbers; `rotation stats` gathers the counts.

/// The mean of the values; 0 for none.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Standard deviation over the mean, population form (every member counts, including those who
/// never served): 0 when the values are equal, or there are none, or they are all 0. The same
/// figure `SimReport::coefficient_of_variation` gives the fairness simulation.
pub fn coefficient_of_variation(values: &[f64]) -> f64 {
    let m = mean(values);
    if m == 0.0 {
        return 0.0;
    }
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64;
    var.sqrt() / m
}

/// Where one value stands against the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    Above,
    Even,
    Below,
}

/// `value` against `mean`, with a tolerance for floating-point noise.
pub fn standing(value: f64, mean: f64) -> Standing {
    const EPS: f64 = 1e-9;
    if value > mean + EPS {
        Standing::Above
    } else if value < mean - EPS {
        Standing::Below
    } else {
        Standing::Even
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficient_of_variation_is_the_population_deviation_over_the_mean() {
        // Mean 2, deviations -2, 0, 2: variance 8/3.
        let cv = coefficient_of_variation(&[0.0, 2.0, 4.0]);
        assert!((cv - (8.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12, "{cv}");
        assert_eq!(coefficient_of_variation(&[3.0, 3.0, 3.0]), 0.0);
        assert_eq!(coefficient_of_variation(&[]), 0.0);
        assert_eq!(coefficient_of_variation(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn standing_says_above_even_or_below() {
        assert_eq!(standing(3.0, 2.0), Standing::Above);
        assert_eq!(standing(2.0, 2.0), Standing::Even);
        assert_eq!(standing(1.0, 2.0), Standing::Below);
        assert_eq!(standing(0.1 + 0.2, 0.3), Standing::Even);
    }
}
