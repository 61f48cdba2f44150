#include "incremental.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "analysis/statistics.hpp"
#include "frozen.hpp"
#include "presentation.hpp"
#include "sim/rng.hpp"
#include "sweep.hpp"
#include "task_split.hpp"
#include "train.hpp"
#include "within_step.hpp"

namespace snnsim::experiments {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

io::LabelledImages subset(const io::LabelledImages& d, const std::vector<std::uint32_t>& idx) {
  io::LabelledImages s;
  s.images.rows = d.images.rows;
  s.images.cols = d.images.cols;
  s.images.count = idx.size();
  const std::size_t n = d.images.pixels_per_image();
  s.images.pixels.resize(idx.size() * n);
  s.labels.reserve(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const auto img = d.images.image(idx[k]);
    std::copy(img.begin(), img.end(), s.images.pixels.begin() + static_cast<std::ptrdiff_t>(k * n));
    s.labels.push_back(d.labels[idx[k]]);
  }
  return s;
}

void shuffle(std::vector<std::uint32_t>& v, sim::RandomStream rng) {
  for (std::size_t k = v.size(); k > 1; --k) std::swap(v[k - 1], v[rng.below(static_cast<std::uint32_t>(k))]);
}

std::vector<std::uint32_t> concat(const std::vector<std::vector<std::uint32_t>>& parts, std::size_t upto) {
  std::vector<std::uint32_t> out;
  for (std::size_t k = 0; k < upto && k < parts.size(); ++k) out.insert(out.end(), parts[k].begin(), parts[k].end());
  return out;
}

std::uint64_t task_sleep_seed(std::uint64_t seed, std::size_t task) {
  sim::RandomStream rng(seed, kStreamTaskSleepSeed, static_cast<std::uint32_t>(task));
  const std::uint64_t lo = rng.next_u32();
  return lo | (static_cast<std::uint64_t>(rng.next_u32()) << 32);
}

std::size_t sleep_units(const SleepOptions& s) { return static_cast<std::size_t>(std::ceil(s.duration_s * 2.0)); }

}  // namespace

IncrementalOptions::IncrementalOptions() : tasks(class_incremental_tasks()) {}

std::string to_string(IncrementalMethod m) {
  switch (m) {
    case IncrementalMethod::sequential: return "sequential";
    case IncrementalMethod::sleep: return "sleep";
    case IncrementalMethod::interleaved: return "interleaved";
    case IncrementalMethod::replay: return "replay";
  }
  return "?";
}

IncrementalMethod incremental_method_from_string(const std::string& s) {
  for (auto m : {IncrementalMethod::sequential, IncrementalMethod::sleep, IncrementalMethod::interleaved,
                 IncrementalMethod::replay})
    if (s == to_string(m)) return m;
  throw std::invalid_argument("unknown method '" + s + "' (sequential, sleep, interleaved, replay)");
}

TaskImages split_tasks(const io::LabelledImages& train, const IncrementalOptions& o) {
  TaskImages t;
  for (const auto& cls : o.tasks) {
    auto tr = class_indices(train.labels, cls, 0, o.images_per_task);
    auto ho = class_indices(train.labels, cls, o.images_per_task, o.label_images);
    if (tr.size() < o.images_per_task || ho.size() < o.label_images)
      throw std::invalid_argument(
          fmt::format("task ({}) has {} training images, fewer than --images-per-task {} + --label-images {}",
                      fmt::join(cls, ","), tr.size() + ho.size(), o.images_per_task, o.label_images));
    t.train.push_back(std::move(tr));
    t.held_out.push_back(std::move(ho));
  }
  return t;
}

io::LabelledImages validation_images(const io::LabelledImages& train, const IncrementalOptions& o, std::size_t per_task) {
  std::vector<std::uint32_t> idx;
  for (const auto& cls : o.tasks) {
    const auto v = class_indices(train.labels, cls, o.images_per_task + o.label_images, per_task);
    if (v.size() < per_task)
      throw std::invalid_argument(fmt::format(
          "task ({}) has {} images left for validation after --images-per-task {} + --label-images {}; {} needed",
          fmt::join(cls, ","), v.size(), o.images_per_task, o.label_images, per_task));
    idx.insert(idx.end(), v.begin(), v.end());
  }
  return subset(train, idx);
}

std::vector<std::vector<std::uint32_t>> training_schedule(IncrementalMethod m, const TaskImages& t,
                                                          const IncrementalOptions& o, std::uint64_t seed) {
  const std::size_t n_tasks = t.train.size();
  std::vector<std::vector<std::uint32_t>> s;
  switch (m) {
    case IncrementalMethod::sequential:
    case IncrementalMethod::sleep:
      return t.train;
    case IncrementalMethod::interleaved: {
      auto all = concat(t.train, n_tasks);
      shuffle(all, sim::RandomStream(seed, kStreamInterleaveOrder, 0));
      std::size_t at = 0;
      for (const auto& task : t.train) {
        s.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(at),
                       all.begin() + static_cast<std::ptrdiff_t>(at + task.size()));
        at += task.size();
      }
      return s;
    }
    case IncrementalMethod::replay:
      for (std::size_t k = 0; k < n_tasks; ++k) {
        auto images = t.train[k];
        if (k > 0 && o.replay_buffer > 0) {
          auto pool = concat(t.train, k);
          if (o.replay_buffer > pool.size())
            throw std::invalid_argument(fmt::format("--replay-buffer {} exceeds the {} images of task 1",
                                                    o.replay_buffer, pool.size()));
          // Partial Fisher-Yates: the first M of a seeded permutation of the earlier images.
          sim::RandomStream rng(seed, kStreamReplayDraw, static_cast<std::uint32_t>(k));
          for (std::size_t j = 0; j < o.replay_buffer; ++j) {
            const std::size_t r = j + rng.below(static_cast<std::uint32_t>(pool.size() - j));
            std::swap(pool[j], pool[r]);
          }
          images.insert(images.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(o.replay_buffer));
          shuffle(images, sim::RandomStream(seed, kStreamReplayOrder, static_cast<std::uint32_t>(k)));
        }
        s.push_back(std::move(images));
      }
      return s;
  }
  return s;
}

std::vector<std::int16_t> keep_labels(const std::vector<std::int16_t>& kept, const std::vector<std::int16_t>& fresh) {
  if (kept.empty()) return fresh;
  if (kept.size() != fresh.size()) throw std::invalid_argument("keep_labels: sizes differ");
  std::vector<std::int16_t> out(kept);
  for (std::size_t j = 0; j < out.size(); ++j)
    if (out[j] < 0) out[j] = fresh[j];
  return out;
}

ClSummary summarize(const std::vector<double>& acc, std::size_t T) {
  ClSummary s;
  if (T == 0 || acc.size() != T * T) return s;
  const auto a = [&](std::size_t after, std::size_t task) { return acc[after * T + task]; };
  for (std::size_t i = 0; i < T; ++i) s.average_accuracy += a(T - 1, i) / static_cast<double>(T);
  if (T < 2) return s;
  for (std::size_t i = 0; i + 1 < T; ++i) {
    double best = -1.0;
    for (std::size_t l = i; l + 1 < T; ++l) best = std::max(best, a(l, i));
    s.forgetting += (best - a(T - 1, i)) / static_cast<double>(T - 1);
    s.bwt += (a(T - 1, i) - a(i, i)) / static_cast<double>(T - 1);
  }
  return s;
}

std::size_t incremental_work(const IncrementalOptions& o, const TaskImages& t, IncrementalMethod m) {
  std::size_t w = 0;
  const std::size_t n_tasks = t.train.size();
  for (std::size_t k = 0; k < n_tasks; ++k) {
    w += t.train[k].size() + o.test_images;
    if (m == IncrementalMethod::replay && k > 0) w += o.replay_buffer;
    if (m == IncrementalMethod::sleep) w += sleep_units(o.sleep);
    w += (m == IncrementalMethod::interleaved ? n_tasks : k + 1) * o.label_images;
  }
  return w;
}

IncrementalResult run_incremental(const models::DiehlCookParams& p, const io::LabelledImages& train,
                                  const io::LabelledImages& test, const IncrementalOptions& o, const TaskImages& t,
                                  IncrementalMethod m, std::uint64_t seed,
                                  const std::function<void(std::size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto report = [&](std::size_t units) {
    if (progress) progress(units);
  };
  const std::size_t T = t.train.size();
  if (o.test_images > test.size()) throw std::invalid_argument("--test-images exceeds the test set");
  IncrementalResult r;
  r.method = m;
  r.seed = seed;
  r.n_tasks = T;
  r.schedule = training_schedule(m, t, o, seed);
  r.acc_relabelled.assign(T * T, 0.0);
  r.acc_kept.assign(T * T, 0.0);
  std::vector<int> test_task(o.test_images);
  std::vector<double> per_task_n(T, 0.0);
  for (std::size_t k = 0; k < o.test_images; ++k) {
    test_task[k] = task_of(o.tasks, test.labels[k]);
    if (test_task[k] >= 0) per_task_n[static_cast<std::size_t>(test_task[k])] += 1.0;
  }

  auto state = models::initial_state(p, seed);  // the same for every method
  std::vector<std::int16_t> kept;
  for (std::size_t k = 0; k < T; ++k) {
    // Train on this task's schedule: a network built from the state so far (at rest, as a
    // run resumed from a saved state), its input streams continuing the presentation counter.
    const auto data = subset(train, r.schedule[k]);
    {
      models::DiehlCookNetwork net(p, state, seed);
      set_within_step_threads(net, o.threads);
      TrainOptions topt;
      topt.train_images = data.size();
      topt.seed = seed;
      topt.log_window = std::clamp<std::size_t>(data.size() / 4, 50, 1000);
      TrainCursor cursor;
      const auto tr = experiments::train(net, data, topt, cursor);
      if (!tr.stopped.empty())
        throw std::runtime_error(fmt::format("{} seed {} task {}: training stopped: {}", to_string(m), seed, k + 1, tr.stopped));
      r.capped_images += tr.capped_images;
      auto next = net.state(state);
      next.samples_seen = state.samples_seen + cursor.next_sample;
      state = std::move(next);
    }
    report(data.size());
    if (m == IncrementalMethod::sleep) {
      const auto src = o.sleep_input == SleepSource::task ? t.train[k] : concat(t.train, k + 1);
      const auto mean = mean_image(subset(train, src).images, src.size());
      auto so = o.sleep;
      so.threads = o.threads;
      so.seed = task_sleep_seed(seed, k);
      auto rep = sleep(p, state, mean, so, /*record_exc=*/false, /*record_inh=*/false);
      state = std::move(rep.state);
      report(sleep_units(o.sleep));
    }
    // Relabel from held-out training images of the classes seen so far (interleaved has seen all).
    const auto pool_idx = concat(t.held_out, m == IncrementalMethod::interleaved ? T : k + 1);
    const auto pool = subset(train, pool_idx);
    auto lab = assign_labels(p, state, seed, pool, pool.size(), o.threads);
    state.labels = std::move(lab.labels);
    state.class_rate_Hz = std::move(lab.class_rate_Hz);
    kept = keep_labels(kept, state.labels);
    report(pool.size());
    // Score all test images once; both readouts use the same responses.
    const auto resp = frozen_responses(p, state, seed, test.images, o.test_images, models::kStreamEvalInput, o.threads);
    std::vector<double> ok_rel(T, 0.0), ok_kept(T, 0.0);
    double all_rel = 0, all_kept = 0;
    std::uint32_t silent = 0;
    for (std::size_t i = 0; i < o.test_images; ++i) {
      const int y = test.labels[i];
      const int pr = predict_class(resp[i].counts, state.labels);
      const int pk = predict_class(resp[i].counts, kept);
      silent += pr < 0;
      all_rel += pr == y;
      all_kept += pk == y;
      if (test_task[i] >= 0) {
        ok_rel[static_cast<std::size_t>(test_task[i])] += pr == y;
        ok_kept[static_cast<std::size_t>(test_task[i])] += pk == y;
      }
    }
    for (std::size_t i = 0; i < T; ++i) {
      r.acc_relabelled[k * T + i] = per_task_n[i] > 0 ? ok_rel[i] / per_task_n[i] : kNaN;
      r.acc_kept[k * T + i] = per_task_n[i] > 0 ? ok_kept[i] / per_task_n[i] : kNaN;
    }
    const double n = static_cast<double>(std::max<std::size_t>(o.test_images, 1));
    r.overall_relabelled.push_back(all_rel / n);
    r.overall_kept.push_back(all_kept / n);
    r.silent.push_back(silent);
    r.states.push_back({state.weights, state.theta_mV, state.labels, kept});
    report(o.test_images);
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string encode_incremental(const IncrementalResult& r) {
  ByteWriter w;
  w.put<std::uint32_t>(static_cast<std::uint32_t>(r.method));
  w.put(r.seed);
  w.put<std::uint64_t>(r.n_tasks);
  w.put_vec(r.acc_relabelled);
  w.put_vec(r.acc_kept);
  w.put_vec(r.overall_relabelled);
  w.put_vec(r.overall_kept);
  w.put_vec(r.silent);
  w.put<std::uint64_t>(r.schedule.size());
  for (const auto& s : r.schedule) w.put_vec(s);
  w.put<std::uint64_t>(r.states.size());
  for (const auto& s : r.states) {
    w.put_vec(s.weights);
    w.put_vec(s.theta_mV);
    w.put_vec(s.labels);
    w.put_vec(s.kept);
  }
  w.put(r.capped_images);
  w.put(r.wall_s);
  return w.take();
}

IncrementalResult decode_incremental(std::string_view bytes) {
  ByteReader b(bytes);
  IncrementalResult r;
  r.method = static_cast<IncrementalMethod>(b.get<std::uint32_t>());
  r.seed = b.get<std::uint64_t>();
  r.n_tasks = b.get<std::uint64_t>();
  r.acc_relabelled = b.get_vec<double>();
  r.acc_kept = b.get_vec<double>();
  r.overall_relabelled = b.get_vec<double>();
  r.overall_kept = b.get_vec<double>();
  r.silent = b.get_vec<std::uint32_t>();
  r.schedule.resize(b.get<std::uint64_t>());
  for (auto& s : r.schedule) s = b.get_vec<std::uint32_t>();
  r.states.resize(b.get<std::uint64_t>());
  for (auto& s : r.states) {
    s.weights = b.get_vec<float>();
    s.theta_mV = b.get_vec<double>();
    s.labels = b.get_vec<std::int16_t>();
    s.kept = b.get_vec<std::int16_t>();
  }
  r.capped_images = b.get<std::uint64_t>();
  r.wall_s = b.get<double>();
  if (!b.done()) throw std::runtime_error("incremental result message: trailing bytes");
  return r;
}

// --- study file ---

std::string incremental_condition_name(IncrementalMethod m, std::uint64_t seed) {
  return fmt::format("{}_seed{}", to_string(m), seed);
}

void write_incremental_condition(const h5::Group& root, const IncrementalResult& r, const models::DiehlCookParams& p) {
  const std::string name = "conditions/" + incremental_condition_name(r.method, r.seed);
  root.remove(name);
  auto g = root.create_group(name);
  const hsize_t T = r.n_tasks, n = p.n_exc, ni = p.n_input;
  g.write<double>("accuracy_relabelled", r.acc_relabelled, {T, T});
  g.write<double>("accuracy_kept", r.acc_kept, {T, T});
  g.write<double>("overall_relabelled", r.overall_relabelled, {T});
  g.write<double>("overall_kept", r.overall_kept, {T});
  g.write<std::uint32_t>("silent_test_images", r.silent, {T});
  std::vector<std::uint32_t> idx;
  std::vector<std::uint64_t> ends;
  for (const auto& s : r.schedule) {
    idx.insert(idx.end(), s.begin(), s.end());
    ends.push_back(idx.size());
  }
  const h5::Compression iz{!idx.empty(), {std::min<hsize_t>(std::max<hsize_t>(idx.size(), 1), 16384)}, 4};
  g.write<std::uint32_t>("train_index", idx, {idx.size()}, iz);
  g.write<std::uint64_t>("task_end", ends, {ends.size()});
  const h5::Compression wz{true, {ni, std::min<hsize_t>(n, 64)}, 4};
  for (std::size_t k = 0; k < r.states.size(); ++k) {
    const auto& s = r.states[k];
    auto a = g.create_group(fmt::format("after_task{}", k + 1));
    a.write<float>("weight", s.weights, {ni, n}, wz);
    a.write<double>("theta_mV", s.theta_mV, {n});
    a.write<std::int16_t>("label", s.labels, {n});
    a.write<std::int16_t>("label_kept", s.kept, {n});
  }
  for (const auto& [readout, acc] : {std::pair{std::string("relabelled"), &r.acc_relabelled}, {"kept", &r.acc_kept}}) {
    const auto s = summarize(*acc, r.n_tasks);
    g.set_attr<double>("average_accuracy_" + readout, s.average_accuracy);
    g.set_attr<double>("forgetting_" + readout, s.forgetting);
    g.set_attr<double>("bwt_" + readout, s.bwt);
  }
  g.set_attr("method", to_string(r.method));
  g.set_attr<std::uint64_t>("seed", r.seed);
  g.set_attr<std::uint64_t>("capped_images", r.capped_images);
  g.set_attr<double>("wall_s", r.wall_s);
  g.set_attr<std::uint8_t>("complete", 1);
}

namespace {

bool condition_done(const h5::Group& root, const std::string& name) {
  if (!root.has("conditions")) return false;
  auto c = root.open_group("conditions");
  if (!c.has(name)) return false;
  auto g = c.open_group(name);
  return g.has_attr("complete") && g.get_attr<std::uint8_t>("complete") == 1;
}

}  // namespace

std::string rebuild_incremental_results(const h5::Group& root, const std::vector<IncrementalMethod>& methods,
                                        const std::vector<std::uint64_t>& seeds, std::size_t T) {
  const std::size_t M = methods.size(), S = seeds.size();
  std::vector<double> acc[2], overall[2], avg[2], forg[2], bwt[2];
  for (int r = 0; r < 2; ++r) {
    acc[r].assign(M * S * T * T, kNaN);
    overall[r].assign(M * S * T, kNaN);
    avg[r].assign(M * S, kNaN);
    forg[r].assign(M * S, kNaN);
    bwt[r].assign(M * S, kNaN);
  }
  const char* readouts[2] = {"relabelled", "kept"};
  std::string csv = "method,seed,readout,quantity,after_task,task,value\n";
  for (std::size_t mi = 0; mi < M; ++mi)
    for (std::size_t si = 0; si < S; ++si) {
      const auto name = incremental_condition_name(methods[mi], seeds[si]);
      if (!condition_done(root, name)) continue;
      auto g = root.open_group("conditions/" + name);
      for (int r = 0; r < 2; ++r) {
        const std::string ro = readouts[r];
        const auto a = g.read_shaped<double>("accuracy_" + ro, {T, T});
        const auto o = g.read_shaped<double>("overall_" + ro, {T});
        std::copy(a.begin(), a.end(), acc[r].begin() + static_cast<std::ptrdiff_t>((mi * S + si) * T * T));
        std::copy(o.begin(), o.end(), overall[r].begin() + static_cast<std::ptrdiff_t>((mi * S + si) * T));
        const auto s = summarize(a, T);
        avg[r][mi * S + si] = s.average_accuracy;
        forg[r][mi * S + si] = s.forgetting;
        bwt[r][mi * S + si] = s.bwt;
        const auto m = to_string(methods[mi]);
        for (std::size_t l = 0; l < T; ++l) {
          for (std::size_t i = 0; i < T; ++i)
            csv += fmt::format("{},{},{},accuracy,{},{},{:.6f}\n", m, seeds[si], ro, l + 1, i + 1, a[l * T + i]);
          csv += fmt::format("{},{},{},overall,{},all,{:.6f}\n", m, seeds[si], ro, l + 1, o[l]);
        }
        csv += fmt::format("{},{},{},average_accuracy,{},all,{:.6f}\n", m, seeds[si], ro, T, s.average_accuracy);
        csv += fmt::format("{},{},{},forgetting,{},all,{:.6f}\n", m, seeds[si], ro, T, s.forgetting);
        csv += fmt::format("{},{},{},bwt,{},all,{:.6f}\n", m, seeds[si], ro, T, s.bwt);
      }
    }
  root.remove("results");
  auto res = root.create_group("results");
  std::vector<std::string> names;
  for (auto m : methods) names.push_back(to_string(m));
  res.set_attr("methods", fmt::format("{}", fmt::join(names, ",")));
  res.set_attr_array<std::uint64_t>("seeds", seeds);
  res.set_attr("axes", "accuracy_*: [method][seed][after_task][task]; overall_*: [method][seed][after_task]; "
                       "summaries: [method][seed]; NaN = condition not done");
  for (int r = 0; r < 2; ++r) {
    const std::string ro = readouts[r];
    res.write<double>("accuracy_" + ro, acc[r], {M, S, T, T});
    res.write<double>("overall_" + ro, overall[r], {M, S, T});
    res.write<double>("average_accuracy_" + ro, avg[r], {M, S});
    res.write<double>("forgetting_" + ro, forg[r], {M, S});
    res.write<double>("bwt_" + ro, bwt[r], {M, S});
  }
  return csv;
}

IncrementalTable incremental_table(const h5::Group& root, const std::vector<IncrementalMethod>& methods,
                                   const std::vector<std::uint64_t>& seeds, std::size_t T) {
  IncrementalTable t;
  const char* readouts[2] = {"relabelled", "kept"};
  auto row_of = [](const std::string& method, const std::string& ro, const std::vector<ClSummary>& v) {
    IncrementalTableRow row{method, ro, v.size()};
    std::vector<double> a, f, b;
    for (const auto& s : v) {
      a.push_back(s.average_accuracy);
      f.push_back(s.forgetting);
      b.push_back(s.bwt);
    }
    const auto ma = analysis::mean_sd(a), mf = analysis::mean_sd(f), mb = analysis::mean_sd(b);
    row.acc_mean = ma.mean, row.acc_sd = ma.sd, row.forg_mean = mf.mean, row.forg_sd = mf.sd;
    row.bwt_mean = mb.mean, row.bwt_sd = mb.sd;
    return row;
  };
  auto load = [&](IncrementalMethod m, std::uint64_t seed, const std::string& ro, ClSummary& out) {
    const auto name = incremental_condition_name(m, seed);
    if (!condition_done(root, name)) return false;
    out = summarize(root.open_group("conditions/" + name).read_shaped<double>("accuracy_" + ro, {T, T}), T);
    return true;
  };
  for (const char* ro : readouts) {
    for (auto m : methods) {
      std::vector<ClSummary> v;
      for (auto s : seeds) {
        ClSummary c;
        if (load(m, s, ro, c)) v.push_back(c);
      }
      if (!v.empty()) t.rows.push_back(row_of(to_string(m), ro, v));
    }
    std::vector<ClSummary> diff;
    for (auto s : seeds) {
      ClSummary a, b;
      if (load(IncrementalMethod::sleep, s, ro, a) && load(IncrementalMethod::sequential, s, ro, b))
        diff.push_back({a.average_accuracy - b.average_accuracy, a.forgetting - b.forgetting, a.bwt - b.bwt});
    }
    if (!diff.empty()) t.paired.push_back(row_of("sleep-sequential", ro, diff));
  }
  return t;
}

std::string to_markdown(const IncrementalTable& t) {
  std::string s =
      "| method | readout | seeds | final average accuracy | average forgetting | backward transfer |\n"
      "|---|---|---|---|---|---|\n";
  auto line = [&](const IncrementalTableRow& r) {
    s += fmt::format("| {} | {} | {} | {:.3f} +- {:.3f} | {:.3f} +- {:.3f} | {:+.3f} +- {:.3f} |\n", r.method, r.readout,
                     r.n, r.acc_mean, r.acc_sd, r.forg_mean, r.forg_sd, r.bwt_mean, r.bwt_sd);
  };
  for (const auto& r : t.rows) line(r);
  for (const auto& r : t.paired) line(r);
  return s;
}

}  // namespace snnsim::experiments
