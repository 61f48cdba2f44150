#include "run_access.hpp"

namespace snnsim::cli {

LoadedRun load_run(const std::string& path, const std::string& state) {
  auto file = h5::File::open(path, h5::File::Mode::read_only);
  auto root = file.root();
  LoadedRun r;
  r.params = io::read_config(root);
  r.state = io::read_state(root, state, r.params);
  auto cfg = root.open_group("config");
  r.seed = cfg.has_attr("master_seed") ? cfg.get_attr<std::uint64_t>("master_seed") : 0;
  r.data_dir = cfg.has_attr("data_dir") ? cfg.get_attr_string("data_dir") : "";
  return r;
}

}  // namespace snnsim::cli
