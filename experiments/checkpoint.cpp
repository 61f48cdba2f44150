#include "checkpoint.hpp"

#include "io/error.hpp"

namespace snnsim::experiments {
namespace {

template <typename T>
void put(const h5::Group& g, const std::string& name, const std::vector<T>& v) {
  g.write<T>(name, v, {v.size()});
}

template <typename T>
std::vector<T> get(const h5::Group& g, const std::string& name, std::size_t expect) {
  auto v = g.read<T>(name);
  if (expect != static_cast<std::size_t>(-1) && v.size() != expect)
    g.fail(name, "has " + std::to_string(v.size()) + " entries, expected " + std::to_string(expect));
  return v;
}
constexpr std::size_t kAny = static_cast<std::size_t>(-1);

}  // namespace

void write_dynamic(const h5::Group& d, const models::DynamicState& y) {
  d.set_attr<std::int64_t>("now", y.now);
  put(d, "exc_v_mV", y.exc_v);
  put(d, "exc_ge", y.exc_ge);
  put(d, "exc_gi", y.exc_gi);
  put(d, "inh_v_mV", y.inh_v);
  put(d, "inh_ge", y.inh_ge);
  put(d, "inh_gi", y.inh_gi);
  put(d, "exc_refractory_until", y.exc_refractory_until);
  put(d, "exc_blocked_until", y.exc_blocked_until);
  put(d, "inh_refractory_until", y.inh_refractory_until);
  put(d, "inh_blocked_until", y.inh_blocked_until);
  put(d, "stdp_last_post", y.stdp_last_post);
  put(d, "input_spike_history", y.input_spike_history);
  put(d, "in_flight_projection", y.in_flight_projection);
  put(d, "in_flight_step", y.in_flight_step);
  put(d, "in_flight_id", y.in_flight_id);
}

models::DynamicState read_dynamic(const h5::Group& d, std::size_t n) {
  models::DynamicState y;
  y.now = d.get_attr<std::int64_t>("now");
  y.exc_v = get<double>(d, "exc_v_mV", n);
  y.exc_ge = get<double>(d, "exc_ge", n);
  y.exc_gi = get<double>(d, "exc_gi", n);
  y.inh_v = get<double>(d, "inh_v_mV", n);
  y.inh_ge = get<double>(d, "inh_ge", n);
  y.inh_gi = get<double>(d, "inh_gi", n);
  y.exc_refractory_until = get<std::int64_t>(d, "exc_refractory_until", n);
  y.exc_blocked_until = get<std::int64_t>(d, "exc_blocked_until", n);
  y.inh_refractory_until = get<std::int64_t>(d, "inh_refractory_until", n);
  y.inh_blocked_until = get<std::int64_t>(d, "inh_blocked_until", n);
  y.stdp_last_post = get<std::int64_t>(d, "stdp_last_post", n);
  y.input_spike_history = get<std::int64_t>(d, "input_spike_history", kAny);
  y.in_flight_projection = get<std::uint8_t>(d, "in_flight_projection", kAny);
  y.in_flight_step = get<std::int64_t>(d, "in_flight_step", y.in_flight_projection.size());
  y.in_flight_id = get<std::uint32_t>(d, "in_flight_id", y.in_flight_projection.size());
  return y;
}

std::filesystem::path checkpoint_path(const std::filesystem::path& run_file) {
  return std::filesystem::path(run_file.string() + ".ckpt");
}

void write_checkpoint(const std::filesystem::path& file, const TrainCheckpoint& c) {
  auto txn = io::RunFileTransaction::create(file, /*force=*/true);
  auto root = txn.root();
  io::write_header(root, c.command_line);
  root.set_attr("checkpoint_of", "snnsim train");
  io::write_config(root, c.params, c.config_text);
  auto k = root.create_group("checkpoint");
  k.set_attr<std::uint64_t>("master_seed", c.options.seed);
  k.set_attr<std::uint64_t>("train_images", c.options.train_images);
  k.set_attr<std::uint64_t>("epochs", c.options.epochs);
  k.set_attr<std::uint8_t>("shuffle", c.options.shuffle ? 1 : 0);
  k.set_attr<std::uint64_t>("log_window", c.options.log_window);
  k.set_attr<std::uint64_t>("label_images", c.label_images);
  k.set_attr<std::uint8_t>("no_label", c.no_label ? 1 : 0);
  k.set_attr<std::uint8_t>("epoch_files", c.epoch_files ? 1 : 0);
  k.set_attr<std::uint64_t>("checkpoint_every", c.checkpoint_every);
  k.set_attr<std::uint64_t>("next_sample", c.cursor.next_sample);
  k.set_attr<std::uint64_t>("capped_images", c.capped_images);
  k.set_attr<std::uint64_t>("presentations", c.presentations);
  k.set_attr<std::uint64_t>("exc_spikes", c.exc_spikes);
  k.set_attr<double>("train_wall_s", c.train_wall_s);
  io::write_state(root, "init", c.init, {"init", ""}, io::kCheckpointStorage);
  io::write_state(root, "current", c.current, {"train", "init"}, io::kCheckpointStorage);
  write_dynamic(root.create_group("dynamic"), c.dynamic);
  auto r = root.create_group("running_accuracy");
  const auto& ra = c.cursor.running;
  put(r, "response", ra.response);
  put(r, "class_count", std::vector<std::uint32_t>(ra.class_count.begin(), ra.class_count.end()));
  put(r, "labels", ra.labels);
  r.set_attr<std::uint64_t>("seen", ra.seen);
  r.set_attr<std::uint64_t>("scored", ra.scored);
  r.set_attr<std::uint64_t>("correct", ra.correct);
  if (!c.cursor.neuron.spikes.empty()) {
    auto nc = root.create_group("neuron_counts");
    put(nc, "spikes", c.cursor.neuron.spikes);
    put(nc, "active_samples", c.cursor.neuron.active_samples);
    nc.set_attr<std::uint64_t>("counted_from", c.cursor.neuron.counted_from);
  }
  if (!c.log.sample_index.empty()) io::append_train_log(root, c.log);
  txn.commit();
}

TrainCheckpoint read_checkpoint(const std::filesystem::path& file) {
  auto f = h5::File::open(file, h5::File::Mode::read_only);
  auto root = f.root();
  if (!root.has_attr("checkpoint_of")) root.fail("@checkpoint_of", "not an snnsim training checkpoint");
  TrainCheckpoint c;
  c.params = io::read_config(root);
  c.config_text = root.open_group("config").read_string("source_text");
  c.command_line = root.get_attr_string("command_line");
  auto k = root.open_group("checkpoint");
  c.options.seed = k.get_attr<std::uint64_t>("master_seed");
  c.options.train_images = k.get_attr<std::uint64_t>("train_images");
  c.options.epochs = k.get_attr<std::uint64_t>("epochs");
  c.options.shuffle = k.get_attr<std::uint8_t>("shuffle") != 0;
  c.options.log_window = k.get_attr<std::uint64_t>("log_window");
  c.label_images = k.get_attr<std::uint64_t>("label_images");
  c.no_label = k.get_attr<std::uint8_t>("no_label") != 0;
  // Absent from checkpoints written before --epoch-files.
  c.epoch_files = k.has_attr("epoch_files") && k.get_attr<std::uint8_t>("epoch_files") != 0;
  // Absent from checkpoints written before it was kept (a resumed run then checkpointed only on a signal).
  c.checkpoint_every = k.has_attr("checkpoint_every") ? k.get_attr<std::uint64_t>("checkpoint_every") : 0;
  c.cursor.next_sample = k.get_attr<std::uint64_t>("next_sample");
  c.capped_images = k.get_attr<std::uint64_t>("capped_images");
  c.presentations = k.get_attr<std::uint64_t>("presentations");
  c.exc_spikes = k.get_attr<std::uint64_t>("exc_spikes");
  c.train_wall_s = k.get_attr<double>("train_wall_s");
  if (c.cursor.next_sample > c.options.train_images * c.options.epochs)
    k.fail("@next_sample", "beyond the end of the run");
  c.init = io::read_state(root, "init", c.params);
  c.current = io::read_state(root, "current", c.params);
  c.dynamic = read_dynamic(root.open_group("dynamic"), c.params.n_exc);
  const std::size_t n = c.params.n_exc;
  auto r = root.open_group("running_accuracy");
  auto& ra = c.cursor.running;
  ra.response = get<double>(r, "response", kAny);
  if (!ra.response.empty() && ra.response.size() != n * 10) r.fail("response", "expected n_exc x 10 entries");
  const auto cc = get<std::uint32_t>(r, "class_count", 10);
  std::copy(cc.begin(), cc.end(), ra.class_count.begin());
  ra.labels = get<std::int16_t>(r, "labels", kAny);
  ra.seen = r.get_attr<std::uint64_t>("seen");
  ra.scored = r.get_attr<std::uint64_t>("scored");
  ra.correct = r.get_attr<std::uint64_t>("correct");
  // Absent from checkpoints written before per-neuron counts: train() starts them at the resume.
  if (root.has("neuron_counts")) {
    auto g = root.open_group("neuron_counts");
    c.cursor.neuron.spikes = get<std::uint64_t>(g, "spikes", n);
    c.cursor.neuron.active_samples = get<std::uint64_t>(g, "active_samples", n);
    c.cursor.neuron.counted_from = g.get_attr<std::uint64_t>("counted_from");
    if (c.cursor.neuron.counted_from > c.cursor.next_sample) g.fail("@counted_from", "beyond next_sample");
  }
  if (root.has("train/log")) {
    auto g = root.open_group("train/log");
    c.log.sample_index = g.read<std::uint64_t>("sample_index");
    const auto rows = c.log.sample_index.size();
    c.log.image_index = get<std::uint32_t>(g, "image_index", rows);
    c.log.label = get<std::uint8_t>(g, "label", rows);
    c.log.tries = get<std::uint8_t>(g, "tries", rows);
    c.log.exc_spikes = get<std::uint32_t>(g, "exc_spikes", rows);
    c.log.input_intensity = get<float>(g, "input_intensity", rows);
    c.log.running_accuracy = get<float>(g, "running_accuracy", rows);
  }
  if (c.log.sample_index.size() != c.cursor.next_sample)
    root.fail("train/log", "holds " + std::to_string(c.log.sample_index.size()) + " rows but the checkpoint is at sample " +
                               std::to_string(c.cursor.next_sample));
  return c;
}

}  // namespace snnsim::experiments
