// Summary statistics of Monte Carlo samples: mean, its standard error, percentiles.
#pragma once
#include <vector>

namespace airtp {

struct Summary {
  long count = 0;      // finite samples used
  double mean = 0;
  double stderr_ = 0;  // standard error of the mean, s / sqrt(count)
  std::vector<double> percentiles;  // at the requested levels (linear interpolation)
};

// Summarises `x` (samples that are not finite are skipped: the caller counts them).
// Percentile levels in [0, 100]. With no finite sample every field is NaN-free: count = 0,
// mean = stderr = 0 and percentiles are +inf (an all-outage point is reported as such).
Summary summarize(const std::vector<double>& x, const std::vector<double>& levels);

}  // namespace airtp
