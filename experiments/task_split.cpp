#include "task_split.hpp"

#include <algorithm>

namespace snnsim::experiments {

std::vector<std::vector<int>> class_incremental_tasks() { return {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}; }

int task_of(const std::vector<std::vector<int>>& tasks, int label) {
  for (std::size_t t = 0; t < tasks.size(); ++t)
    if (std::find(tasks[t].begin(), tasks[t].end(), label) != tasks[t].end()) return static_cast<int>(t);
  return -1;
}

std::vector<std::uint32_t> class_indices(const std::vector<std::uint8_t>& labels, const std::vector<int>& classes,
                                         std::size_t skip, std::size_t max_count) {
  std::vector<std::uint32_t> out;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (std::find(classes.begin(), classes.end(), static_cast<int>(labels[i])) == classes.end()) continue;
    if (seen++ < skip) continue;
    out.push_back(static_cast<std::uint32_t>(i));
    if (max_count && out.size() == max_count) break;
  }
  return out;
}

}  // namespace snnsim::experiments
