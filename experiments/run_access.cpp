#include "run_access.hpp"

#include <fmt/core.h>

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

experiments::Labelling relabel(const models::DiehlCookParams& p, models::NetworkState& s, std::uint64_t seed,
                               const io::LabelledImages& data, std::size_t count, int threads, bool show,
                               const std::string& what) {
  experiments::Progress progress(what, count, show);
  auto lab = experiments::assign_labels(p, s, seed, data, count, threads,
                                        [&](std::size_t d, std::size_t) { progress.update(d); });
  progress.finish();
  s.labels = std::move(lab.labels);
  s.class_rate_Hz = std::move(lab.class_rate_Hz);
  return lab;
}

StateReport state_report(const models::DiehlCookParams& p, const models::NetworkState& s,
                         const experiments::Labelling* fresh) {
  StateReport r;
  r.neurons = p.n_exc;
  r.labels = models::count_labels(s);
  r.fire_at_rest = models::count_fire_at_rest(p, s);
  r.theta_rest_mV = p.exc.v_rest_mV - p.exc.v_thresh_mV + (p.exc.adaptive_threshold ? p.exc.theta_offset_mV : 0.0);
  if (fresh) r.tied = fresh->tied;
  return r;
}

void add_state_report(nlohmann::json& j, const StateReport& r) {
  j["neurons_labelled"] = r.labels.labelled;
  j["neurons_unlabelled_silent"] = r.labels.silent;
  j["neurons_unlabelled_flat"] = r.labels.flat;
  if (r.tied) j["neurons_tied_first_class"] = *r.tied;
  j["neurons_fire_at_rest"] = r.fire_at_rest;
}

std::string labelled_text(const StateReport& r) {
  std::string t = fmt::format("{} of {} neurons labelled", r.labels.labelled, r.neurons);
  if (r.labels.silent || r.labels.flat)
    t += fmt::format(" ({} silent, {} class-flat unlabelled)", r.labels.silent, r.labels.flat);
  return t;
}

void warn_fire_at_rest(const std::string& command, const std::string& state, const StateReport& r) {
  if (r.fire_at_rest == 0) return;
  fmt::print(stderr,
             "snnsim {}: warning: {} of {} exc neurons of {} fire at rest (exc_v_thresh_mV + theta - "
             "exc_theta_offset_mV < exc_v_rest_mV, i.e. theta < {:g} mV): put at rest for a frozen "
             "presentation they spike whatever the input\n",
             command, r.fire_at_rest, r.neurons, state, r.theta_rest_mV);
}

}  // namespace snnsim::experiments
