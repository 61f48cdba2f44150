#pragma once
// The class-incremental task split, shared by the spiking network's `experiment incremental`
// and (by agreement, tested in tests/ann/test_task_split.cpp) the ANN's `snnsim src`: five
// tasks of two classes each, (0,1) (2,3) (4,5) (6,7) (8,9), and per task the images of its
// classes in file order. ann/ keeps its own copy (it is a library that knows no experiments/),
// and the test holds the two together.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace snnsim::experiments {

/// The five class-incremental tasks (0,1) (2,3) (4,5) (6,7) (8,9), as ann::default_tasks().
std::vector<std::vector<int>> class_incremental_tasks();

/// Task index of `label` under `tasks` (-1 when the label is in none), as ann::task_of.
int task_of(const std::vector<std::vector<int>>& tasks, int label);

/// Indices (file order) of the images whose label is in `classes`, skipping the first `skip`
/// such images and keeping at most `max_count` (0 = all), as ann::class_indices.
std::vector<std::uint32_t> class_indices(const std::vector<std::uint8_t>& labels, const std::vector<int>& classes,
                                         std::size_t skip = 0, std::size_t max_count = 0);

}  // namespace snnsim::experiments
