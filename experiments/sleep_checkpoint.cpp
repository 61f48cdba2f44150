// Sleep checkpoints (see checkpoint.hpp): written atomically like every snnsim file.
#include "checkpoint.hpp"
#include "io/error.hpp"

namespace snnsim::experiments {

std::filesystem::path sleep_checkpoint_path(const std::filesystem::path& run_file, const std::string& to) {
  return std::filesystem::path(run_file.string() + ".sleep-" + to + ".ckpt");
}

void write_sleep_checkpoint(const std::filesystem::path& file, const SleepCheckpoint& c) {
  auto txn = io::RunFileTransaction::create(file, /*force=*/true);
  auto root = txn.root();
  io::write_header(root, c.command_line);
  root.set_attr("checkpoint_of", "snnsim sleep");
  io::write_config(root, c.params, "");
  auto k = root.create_group("checkpoint");
  const auto& o = c.options;
  k.set_attr<double>("duration_s", o.duration_s);
  k.set_attr<double>("leak_scale", o.leak_scale);
  k.set_attr<double>("exc_scale", o.exc_scale);
  k.set_attr<double>("inh_scale", o.inh_scale);
  k.set_attr<double>("input_rate_scale", o.input_rate_scale);
  k.set_attr<double>("block_ms", o.block_ms);
  k.set_attr<double>("window_ms", o.window_ms);
  k.set_attr<double>("rate_bin_ms", o.rate_bin_ms);
  k.set_attr<std::uint8_t>("normalize", o.normalize ? 1 : 0);
  k.set_attr<std::uint64_t>("seed", o.seed);
  k.set_attr("from", c.from);
  k.set_attr("to", c.to);
  k.set_attr("input", c.input);
  k.set_attr("record", c.record);
  k.set_attr<std::uint64_t>("mean_images", c.mean_images);
  k.set_attr<std::uint64_t>("label_images", c.label_images);
  k.set_attr<std::uint8_t>("no_relabel", c.no_relabel ? 1 : 0);
  k.set_attr<double>("sleep_wall_s", c.sleep_wall_s);
  k.set_attr<double>("checkpoint_every_s", c.checkpoint_every_s);
  const auto& u = c.cursor;
  k.set_attr<std::int64_t>("start_step", u.start);
  k.set_attr<std::int64_t>("done_steps", u.done);
  k.set_attr<std::uint32_t>("chunk", u.chunk);
  k.set_attr<std::uint64_t>("exc_spikes", u.exc_spikes);
  k.write<float>("exc_rate_Hz", u.exc_rate_Hz, {u.exc_rate_Hz.size()});
  k.write<std::int64_t>("exc_spike_steps", u.spike_steps, {u.spike_steps.size()});
  k.write<std::uint32_t>("exc_spike_ids", u.spike_ids, {u.spike_ids.size()});
  k.write<std::int64_t>("inh_spike_steps", u.inh_spike_steps, {u.inh_spike_steps.size()});
  k.write<std::uint32_t>("inh_spike_ids", u.inh_spike_ids, {u.inh_spike_ids.size()});
  io::write_state(root, "awake", c.awake, {"checkpoint", c.from}, io::kCheckpointStorage);
  auto current = u.state;
  current.labels.clear();
  current.class_rate_Hz.clear();
  io::write_state(root, "current", current, {"sleep", "awake"}, io::kCheckpointStorage);
  write_dynamic(root.create_group("dynamic"), u.dynamic);
  txn.commit();
}

SleepCheckpoint read_sleep_checkpoint(const std::filesystem::path& file) {
  auto f = h5::File::open(file, h5::File::Mode::read_only);
  auto root = f.root();
  if (!root.has_attr("checkpoint_of") || root.get_attr_string("checkpoint_of") != "snnsim sleep")
    root.fail("@checkpoint_of", "not an snnsim sleep checkpoint");
  SleepCheckpoint c;
  c.params = io::read_config(root);
  c.command_line = root.get_attr_string("command_line");
  auto k = root.open_group("checkpoint");
  auto& o = c.options;
  o.duration_s = k.get_attr<double>("duration_s");
  o.leak_scale = k.get_attr<double>("leak_scale");
  o.exc_scale = k.get_attr<double>("exc_scale");
  o.inh_scale = k.get_attr<double>("inh_scale");
  o.input_rate_scale = k.get_attr<double>("input_rate_scale");
  o.block_ms = k.get_attr<double>("block_ms");
  o.window_ms = k.get_attr<double>("window_ms");
  o.rate_bin_ms = k.get_attr<double>("rate_bin_ms");
  o.normalize = k.get_attr<std::uint8_t>("normalize") != 0;
  o.seed = k.get_attr<std::uint64_t>("seed");
  c.from = k.get_attr_string("from");
  c.to = k.get_attr_string("to");
  c.input = k.get_attr_string("input");
  if (c.input == "mean-image") o.input = SleepInput::mean_image;
  else if (c.input == "window") o.input = SleepInput::window;
  else k.fail("@input", "must be mean-image or window");
  c.record = k.get_attr_string("record");
  c.mean_images = k.get_attr<std::uint64_t>("mean_images");
  c.label_images = k.get_attr<std::uint64_t>("label_images");
  c.no_relabel = k.get_attr<std::uint8_t>("no_relabel") != 0;
  c.sleep_wall_s = k.get_attr<double>("sleep_wall_s");
  // Absent from checkpoints written before it was kept (a resumed sleep then checkpointed only on a signal).
  c.checkpoint_every_s = k.has_attr("checkpoint_every_s") ? k.get_attr<double>("checkpoint_every_s") : 0.0;
  try {
    validate(o);
  } catch (const std::invalid_argument& e) {
    k.fail("", std::string("holds a bad sleep setting: ") + e.what());
  }
  auto& u = c.cursor;
  u.start = k.get_attr<std::int64_t>("start_step");
  u.done = k.get_attr<std::int64_t>("done_steps");
  u.chunk = k.get_attr<std::uint32_t>("chunk");
  u.exc_spikes = k.get_attr<std::uint64_t>("exc_spikes");
  u.exc_rate_Hz = k.read<float>("exc_rate_Hz");
  u.spike_steps = k.read<std::int64_t>("exc_spike_steps");
  u.spike_ids = k.read<std::uint32_t>("exc_spike_ids");
  u.inh_spike_steps = k.read<std::int64_t>("inh_spike_steps");
  u.inh_spike_ids = k.read<std::uint32_t>("inh_spike_ids");
  if (u.spike_steps.size() != u.spike_ids.size() || u.inh_spike_steps.size() != u.inh_spike_ids.size())
    k.fail("exc_spike_ids", "spike steps and ids differ in length");
  if (u.done < 0 || u.start < 0) k.fail("@done_steps", "must not be negative");
  c.awake = io::read_state(root, "awake", c.params);
  u.state = io::read_state(root, "current", c.params);
  u.dynamic = read_dynamic(root.open_group("dynamic"), c.params.n_exc);
  return c;
}

}  // namespace snnsim::experiments
