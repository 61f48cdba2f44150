#include "run_access.hpp"

#include "frozen.hpp"
#include "progress.hpp"

namespace snnsim::experiments {

LoadedRun load_run(const std::string& path, const std::string& state) {
  auto file = h5::File::open(path, h5::File::Mode::read_only);
  auto root = file.root();
  LoadedRun r;
  r.params = io::read_config(root);
  r.state = io::read_state(root, state, r.params);
  auto cfg = root.open_group("config");
  r.seed = cfg.has_attr("master_seed") ? cfg.get_attr<std::uint64_t>("master_seed") : 0;
  r.data_dir = cfg.has_attr("data_dir") ? cfg.get_attr_string("data_dir") : "";
  r.train_images = cfg.has_attr("train_images") ? cfg.get_attr<std::uint64_t>("train_images") : 0;
  return r;
}

void relabel(const models::DiehlCookParams& p, models::NetworkState& s, std::uint64_t seed,
             const io::LabelledImages& data, std::size_t count, int threads, bool show, const std::string& what) {
  Progress progress(what, count, show);
  auto lab = assign_labels(p, s, seed, data, count, threads,
                                        [&](std::size_t d, std::size_t) { progress.update(d); });
  progress.finish();
  s.labels = std::move(lab.labels);
  s.class_rate_Hz = std::move(lab.class_rate_Hz);
}

}  // namespace snnsim::experiments
