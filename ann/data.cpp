#include "ann/data.hpp"

#include <algorithm>

#include "io/error.hpp"
#include "io/idx.hpp"

namespace snnsim::ann {

Dataset load_dataset(const std::filesystem::path& dir, bool train, std::size_t max_count) {
  auto li = io::load_split(dir, train ? io::Split::train : io::Split::test, max_count);
  Dataset d;
  const std::size_t n = li.size(), px = li.images.pixels_per_image();
  if (n == 0) throw DataError("no images in " + dir.string());
  d.X.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(px));
  for (std::size_t k = 0; k < n; ++k) {
    auto img = li.images.image(k);
    for (std::size_t j = 0; j < px; ++j)
      d.X(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = static_cast<Real>(img[j]) / Real(255);
  }
  d.y = std::move(li.labels);
  return d;
}

Dataset select(const Dataset& d, const std::vector<std::size_t>& idx) {
  Dataset s;
  s.X.resize(static_cast<Eigen::Index>(idx.size()), d.X.cols());
  s.y.resize(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    s.X.row(static_cast<Eigen::Index>(k)) = d.X.row(static_cast<Eigen::Index>(idx[k]));
    s.y[k] = d.y[idx[k]];
  }
  return s;
}

std::vector<std::size_t> class_indices(const Dataset& d, const std::vector<int>& classes, std::size_t skip,
                                       std::size_t max_count) {
  std::vector<std::size_t> idx;
  std::size_t seen = 0;
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (std::find(classes.begin(), classes.end(), static_cast<int>(d.y[k])) == classes.end()) continue;
    if (seen++ < skip) continue;
    idx.push_back(k);
    if (max_count && idx.size() == max_count) break;
  }
  return idx;
}

std::vector<std::vector<int>> default_tasks() { return {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}}; }

int task_of(const std::vector<std::vector<int>>& tasks, int label) {
  for (std::size_t t = 0; t < tasks.size(); ++t)
    if (std::find(tasks[t].begin(), tasks[t].end(), label) != tasks[t].end()) return static_cast<int>(t);
  return -1;
}

Vec mean_image(const Mat& X) {
  Eigen::VectorXd acc = Eigen::VectorXd::Zero(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) acc += X.row(i).transpose().cast<double>();
  if (X.rows() > 0) acc /= static_cast<double>(X.rows());
  return acc.cast<Real>();
}

Accuracy evaluate(const Net& net, const Dataset& test, const std::vector<std::vector<int>>& tasks) {
  const auto pred = classify(net, test.X);
  Accuracy a;
  std::vector<double> correct(tasks.size(), 0), total(tasks.size(), 0);
  double c_all = 0;
  for (std::size_t k = 0; k < test.size(); ++k) {
    const bool ok = pred[k] == test.y[k];
    c_all += ok;
    const int t = task_of(tasks, test.y[k]);
    if (t >= 0) {
      correct[t] += ok;
      total[t] += 1;
    }
  }
  a.overall = test.size() ? c_all / static_cast<double>(test.size()) : 0.0;
  for (std::size_t t = 0; t < tasks.size(); ++t) a.per_task.push_back(total[t] > 0 ? correct[t] / total[t] : 0.0);
  return a;
}

}  // namespace snnsim::ann
