#include "src_wire.hpp"

#include <stdexcept>

#include "experiments/sweep.hpp"

namespace snnsim::cli {
namespace {

using experiments::ByteReader;
using experiments::ByteWriter;

void put_acc(ByteWriter& w, const ann::Accuracy& a) {
  w.put_vec(a.per_task);
  w.put(a.overall);
}
ann::Accuracy get_acc(ByteReader& r) {
  ann::Accuracy a;
  a.per_task = r.get_vec<double>();
  a.overall = r.get<double>();
  return a;
}

void put_net(ByteWriter& w, const ann::Net& n) {
  w.put_vec(n.sizes);
  w.put(n.loss);
  w.put(n.dropout);
  w.put(n.dropout_style);
  w.put<std::uint64_t>(n.W.size());
  for (const auto& W : n.W) {
    w.put<std::int64_t>(W.rows());
    w.put<std::int64_t>(W.cols());
    w.put_vec(std::vector<ann::Real>(W.data(), W.data() + W.size()));
  }
}
ann::Net get_net(ByteReader& r) {
  ann::Net n;
  n.sizes = r.get_vec<int>();
  n.loss = r.get<ann::Loss>();
  n.dropout = r.get<ann::Real>();
  n.dropout_style = r.get<ann::DropoutStyle>();
  const auto layers = r.get<std::uint64_t>();
  for (std::uint64_t l = 0; l < layers; ++l) {
    const auto rows = r.get<std::int64_t>(), cols = r.get<std::int64_t>();
    const auto v = r.get_vec<ann::Real>();
    if (rows < 0 || cols < 0 || static_cast<std::size_t>(rows * cols) != v.size())
      throw std::runtime_error("result message: bad weight matrix");
    n.W.push_back(Eigen::Map<const ann::Mat>(v.data(), rows, cols));
  }
  return n;
}

}  // namespace

std::string encode_src_run(const ann::RunResult& r) {
  ByteWriter w;
  w.put_str(r.method);
  w.put(r.seed);
  w.put(r.fraction);
  put_acc(w, r.final_acc);
  w.put<std::uint64_t>(r.evals.size());
  for (const auto& e : r.evals) {
    w.put_str(e.method);
    w.put(e.seed);
    w.put(e.after_task);
    w.put_str(e.phase);
    put_acc(w, e.acc);
  }
  w.put<std::uint64_t>(r.ranks.size());
  for (const auto& x : r.ranks) {
    w.put_str(x.method);
    w.put(x.seed);
    w.put(x.task);
    w.put_str(x.phase);
    w.put(x.layer);
    w.put(x.value);
  }
  w.put<std::uint64_t>(r.sleeps.size());
  for (const auto& s : r.sleeps) {
    w.put(s.task);
    w.put_vec(s.stats.alpha);
    w.put(s.stats.steps);
    w.put_vec(s.stats.spikes);
    w.put<std::uint64_t>(s.stats.sum_spikes.size());
    for (const auto& v : s.stats.sum_spikes) w.put_vec(v);
    w.put(s.stats.seconds);
    w.put_vec(s.s);
    w.put_vec(s.snapshot_steps);
    w.put_vec(s.snapshots);
    w.put_vec(s.trajectory_steps);
    w.put<std::uint64_t>(s.trajectory.size());
    for (const auto& a : s.trajectory) put_acc(w, a);
  }
  w.put<std::uint64_t>(r.timing.size());
  for (const auto& [k, v] : r.timing) {
    w.put_str(k);
    w.put(v);
  }
  w.put<std::uint64_t>(r.states.size());
  for (const auto& [k, n] : r.states) {
    w.put_str(k);
    put_net(w, n);
  }
  w.put_vec(r.norms.steps);
  w.put<std::uint64_t>(r.norms.layers.size());
  for (const auto& v : r.norms.layers) w.put_vec(v);
  return w.take();
}

ann::RunResult decode_src_run(const std::string& bytes) {
  ByteReader rd(bytes);
  ann::RunResult r;
  // Element counts come from the message; each element takes at least one byte, so a count
  // above the message size is a corrupt message, not a huge allocation.
  auto count = [&] {
    const auto n = rd.get<std::uint64_t>();
    if (n > bytes.size()) throw std::runtime_error("result message truncated");
    return static_cast<std::size_t>(n);
  };
  r.method = rd.get_str();
  r.seed = rd.get<std::uint64_t>();
  r.fraction = rd.get<double>();
  r.final_acc = get_acc(rd);
  r.evals.resize(count());
  for (auto& e : r.evals) {
    e.method = rd.get_str();
    e.seed = rd.get<std::uint64_t>();
    e.after_task = rd.get<int>();
    e.phase = rd.get_str();
    e.acc = get_acc(rd);
  }
  r.ranks.resize(count());
  for (auto& x : r.ranks) {
    x.method = rd.get_str();
    x.seed = rd.get<std::uint64_t>();
    x.task = rd.get<int>();
    x.phase = rd.get_str();
    x.layer = rd.get<int>();
    x.value = rd.get<double>();
  }
  r.sleeps.resize(count());
  for (auto& s : r.sleeps) {
    s.task = rd.get<int>();
    s.stats.alpha = rd.get_vec<double>();
    s.stats.steps = rd.get<int>();
    s.stats.spikes = rd.get_vec<std::int64_t>();
    s.stats.sum_spikes.resize(count());
    for (auto& v : s.stats.sum_spikes) v = rd.get_vec<std::int64_t>();
    s.stats.seconds = rd.get<double>();
    s.s = rd.get_vec<double>();
    s.snapshot_steps = rd.get_vec<int>();
    s.snapshots = rd.get_vec<float>();
    s.trajectory_steps = rd.get_vec<int>();
    s.trajectory.resize(count());
    for (auto& a : s.trajectory) a = get_acc(rd);
  }
  r.timing.resize(count());
  for (auto& [k, v] : r.timing) {
    k = rd.get_str();
    v = rd.get<double>();
  }
  r.states.resize(count());
  for (auto& [k, n] : r.states) {
    k = rd.get_str();
    n = get_net(rd);
  }
  r.norms.steps = rd.get_vec<std::int64_t>();
  r.norms.layers.resize(count());
  for (auto& v : r.norms.layers) v = rd.get_vec<float>();
  if (!rd.done()) throw std::runtime_error("result message has trailing bytes");
  return r;
}

}  // namespace snnsim::cli
