#include <gtest/gtest.h>

#include <cmath>

#include "analysis/statistics.hpp"
#include "experiments/noise.hpp"

using namespace snnsim;

TEST(Statistics, PearsonAndSpearmanMatchHandComputedValues) {
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 1, 4, 3, 5};
  const auto p = analysis::pearson(x, y);
  EXPECT_NEAR(p.r, 0.8, 1e-12);  // sxy = 8, sxx = syy = 10
  // t = 0.8 sqrt(3 / 0.36) = 2.3094, two-sided p with 3 df = 0.1041
  EXPECT_NEAR(p.p_two_sided, 0.1041, 5e-4);
  const std::vector<double> z = {1, 4, 9, 16, 25};  // monotone in x
  EXPECT_NEAR(analysis::spearman(x, z).r, 1.0, 1e-12);
  EXPECT_LT(analysis::pearson(x, z).r, 1.0);
}

TEST(Statistics, TiesShareTheirAverageRank) {
  EXPECT_EQ(analysis::ranks(std::vector<double>{10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
}

TEST(Statistics, NeighbourhoodVarianceIsZeroForFlatAndHighForNoise) {
  std::vector<float> flat(9, 0.5f);
  EXPECT_NEAR(analysis::neighbourhood_variance(flat, 3, 3), 0.0, 1e-12);
  std::vector<float> one = {0, 1, 0, 1, 0, 1, 0, 1, 0};
  const double v = analysis::neighbourhood_variance(one, 3, 3);
  EXPECT_GT(v, 0.2);
  EXPECT_LT(v, 0.26);
}

TEST(Noise, GaussianIsSeededClippedAndScalesWithVariance) {
  std::vector<std::uint8_t> img(784, 128), a(784), b(784), c(784);
  experiments::add_gaussian(img, a, 0.1, 7, 3);
  experiments::add_gaussian(img, b, 0.1, 7, 3);
  experiments::add_gaussian(img, c, 0.1, 7, 4);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double s2 = 0;
  for (int i = 0; i < 784; ++i) s2 += std::pow(a[i] / 255.0 - 128 / 255.0, 2);
  EXPECT_NEAR(s2 / 784, 0.1, 0.03);  // clipping at 0 and 1 trims it a little
  std::vector<std::uint8_t> zero(784, 0), d(784);
  experiments::add_gaussian(zero, d, 0.5, 1, 0);
  for (auto p : d) EXPECT_LE(p, 255);
}

TEST(Noise, BlurPreservesFlatInteriorAndSpreadsAPoint) {
  std::vector<std::uint8_t> point(49, 0), out(49);
  point[24] = 255;
  experiments::gaussian_blur(point, out, 7, 7, 1.0);
  EXPECT_LT(out[24], 255);
  EXPECT_GT(out[23], 0);
  EXPECT_EQ(out[23], out[25]);
  EXPECT_EQ(out[17], out[31]);
  std::vector<std::uint8_t> same(49);
  experiments::gaussian_blur(point, same, 7, 7, 0.0);
  EXPECT_EQ(same, point);
  // 1-D kernel weight at offset 0 for sigma 1: 1 / sum(exp(-k^2/2), k=-3..3) = 0.39905; squared for 2-D.
  EXPECT_EQ(out[24], std::lround(255 * 0.39905 * 0.39905));
}

TEST(Noise, SaltAndPepperHitsTheRequestedFraction) {
  std::vector<std::uint8_t> img(10000, 100), out(10000);
  experiments::salt_and_pepper(img, out, 0.2, 3, 0);
  int changed = 0, white = 0;
  for (auto p : out) {
    changed += p != 100;
    white += p == 255;
  }
  EXPECT_NEAR(changed / 10000.0, 0.2, 0.02);
  EXPECT_NEAR(white / static_cast<double>(changed), 0.5, 0.05);
}
