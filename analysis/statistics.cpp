#include "statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace snnsim::analysis {

double neighbourhood_variance(std::span<const float> image, std::size_t rows, std::size_t cols) {
  if (image.size() != rows * cols || rows == 0 || cols == 0) throw std::invalid_argument("image size mismatch");
  double total = 0.0;
  const auto R = static_cast<long>(rows), C = static_cast<long>(cols);
  for (long r = 0; r < R; ++r)
    for (long c = 0; c < C; ++c) {
      double s = 0.0, s2 = 0.0;
      int n = 0;
      for (long dr = -1; dr <= 1; ++dr)
        for (long dc = -1; dc <= 1; ++dc) {
          const long rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= R || cc < 0 || cc >= C) continue;
          const double v = image[static_cast<std::size_t>(rr * C + cc)];
          s += v;
          s2 += v * v;
          ++n;
        }
      const double m = s / n;
      total += std::max(0.0, s2 / n - m * m);
    }
  return total / static_cast<double>(rows * cols);
}

std::vector<double> receptive_field_variance(std::span<const float> weights, std::size_t n_input, std::size_t n_exc) {
  const auto side = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(n_input))));
  if (side * side != n_input) throw std::invalid_argument("receptive fields need a square input");
  std::vector<double> out(n_exc);
  std::vector<float> column(n_input);
  for (std::size_t j = 0; j < n_exc; ++j) {
    for (std::size_t i = 0; i < n_input; ++i) column[i] = weights[i * n_exc + j];
    out[j] = neighbourhood_variance(column, side, side);
  }
  return out;
}

namespace {
Correlation with_p(double r, std::size_t n) {
  Correlation c{r, 1.0, n};
  if (n < 3 || !std::isfinite(r)) return c;
  if (std::abs(r) >= 1.0) {
    c.p_two_sided = 0.0;
    return c;
  }
  const double df = static_cast<double>(n - 2);
  const double t = r * std::sqrt(df / (1.0 - r * r));
  boost::math::students_t dist(df);
  c.p_two_sided = 2.0 * boost::math::cdf(boost::math::complement(dist, std::abs(t)));
  return c;
}
}  // namespace

Correlation pearson(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("pearson: sizes differ");
  const std::size_t n = x.size();
  if (n < 2) return {0.0, 1.0, n};
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t k = 0; k < n; ++k) {
    sxy += (x[k] - mx) * (y[k] - my);
    sxx += (x[k] - mx) * (x[k] - mx);
    syy += (y[k] - my) * (y[k] - my);
  }
  if (sxx == 0 || syy == 0) return {0.0, 1.0, n};
  return with_p(sxy / std::sqrt(sxx * syy), n);
}

std::vector<double> ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t k = 0; k < order.size();) {
    std::size_t m = k;
    while (m + 1 < order.size() && x[order[m + 1]] == x[order[k]]) ++m;
    const double avg = (static_cast<double>(k) + static_cast<double>(m)) / 2.0 + 1.0;
    for (std::size_t q = k; q <= m; ++q) r[order[q]] = avg;
    k = m + 1;
  }
  return r;
}

Correlation spearman(std::span<const double> x, std::span<const double> y) {
  const auto rx = ranks(x), ry = ranks(y);
  return pearson(rx, ry);
}

MeanSd mean_sd(std::span<const double> x) {
  MeanSd m;
  m.n = x.size();
  if (x.empty()) return m;
  m.mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  if (x.size() > 1) {
    double s = 0;
    for (double v : x) s += (v - m.mean) * (v - m.mean);
    m.sd = std::sqrt(s / static_cast<double>(x.size() - 1));
  }
  return m;
}

}  // namespace snnsim::analysis
