#pragma once
// Datasets for the ANN experiments: IDX images as float rows in [0, 1] (pixel / 255), labels
// 0..9, and the class-incremental task split.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "ann/net.hpp"

namespace snnsim::ann {

struct Dataset {
  Mat X;
  std::vector<std::uint8_t> y;
  std::size_t size() const { return y.size(); }
};

/// Loads the train or test split of an MNIST-format directory (raw or .gz IDX).
Dataset load_dataset(const std::filesystem::path& dir, bool train, std::size_t max_count = 0);

/// Rows `idx` of `d`, in that order.
Dataset select(const Dataset& d, const std::vector<std::size_t>& idx);

/// Indices (in file order) of the images whose label is in `classes`, skipping the first
/// `skip` such images and keeping at most `max_count` (0 = all).
std::vector<std::size_t> class_indices(const Dataset& d, const std::vector<int>& classes, std::size_t skip = 0,
                                       std::size_t max_count = 0);

/// The five class-incremental tasks (0,1) (2,3) (4,5) (6,7) (8,9).
std::vector<std::vector<int>> default_tasks();

/// Task index of a label under `tasks` (-1 when the label is in none).
int task_of(const std::vector<std::vector<int>>& tasks, int label);

/// Mean row of X (double accumulation).
Vec mean_image(const Mat& X);

struct Accuracy {
  std::vector<double> per_task;  // fraction correct on the test images of each task
  double overall = 0;            // fraction correct on all test images
};
Accuracy evaluate(const Net& net, const Dataset& test, const std::vector<std::vector<int>>& tasks);

}  // namespace snnsim::ann
