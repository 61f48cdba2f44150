#pragma once
// Receptive-field quality and correlation statistics for the threshold analysis.
#include <cstddef>
#include <span>
#include <vector>

namespace snnsim::analysis {

/// Mean over pixels of the variance of each 3x3 neighbourhood (edges use the pixels inside)
/// of one neuron's rows x cols weight image. Low = smooth, well-formed field.
double neighbourhood_variance(std::span<const float> image, std::size_t rows, std::size_t cols);

/// neighbourhood_variance of every column of a [n_input][n_exc] weight matrix.
std::vector<double> receptive_field_variance(std::span<const float> weights, std::size_t n_input, std::size_t n_exc);

struct Correlation {
  double r = 0.0;
  double p_two_sided = 1.0;
  std::size_t n = 0;
};
/// Pearson r with the t-test p-value (n - 2 degrees of freedom).
Correlation pearson(std::span<const double> x, std::span<const double> y);
/// Spearman rho (Pearson on average ranks, ties shared) with the same t approximation.
Correlation spearman(std::span<const double> x, std::span<const double> y);
/// Average ranks (1-based), ties get the mean of their ranks.
std::vector<double> ranks(std::span<const double> x);

struct MeanSd {
  double mean = 0.0, sd = 0.0;  // sd with n - 1
  std::size_t n = 0;
};
MeanSd mean_sd(std::span<const double> x);

}  // namespace snnsim::analysis
