// The class-incremental split exists twice, in ann/ (a library that knows no experiments/) and
// in experiments/task_split (for `experiment incremental`): the two must agree exactly.
#include <gtest/gtest.h>

#include "ann/data.hpp"
#include "experiments/task_split.hpp"

namespace snnsim {
namespace {

TEST(TaskSplit, ExperimentsMirrorsAnn) {
  EXPECT_EQ(experiments::class_incremental_tasks(), ann::default_tasks());
  ann::Dataset d;
  for (int k = 0; k < 257; ++k) d.y.push_back(static_cast<std::uint8_t>((k * 7 + k / 13) % 10));
  d.X = ann::Mat::Zero(static_cast<Eigen::Index>(d.y.size()), 4);
  for (const auto& cls : ann::default_tasks()) {
    for (int label = 0; label < 10; ++label)
      EXPECT_EQ(experiments::task_of(ann::default_tasks(), label), ann::task_of(ann::default_tasks(), label));
    for (std::size_t skip : {0u, 3u, 30u})
      for (std::size_t max : {0u, 1u, 7u, 1000u}) {
        const auto a = ann::class_indices(d, cls, skip, max);
        const auto e = experiments::class_indices(d.y, cls, skip, max);
        ASSERT_EQ(a.size(), e.size());
        for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], e[k]);
      }
  }
}

}  // namespace
}  // namespace snnsim
