// The Python module `snnsim` (issue 22): the same library the CLI runs, bound with pybind11.
// Every protocol is the library's (experiments::train, assign_labels, evaluate, corrupt, sleep,
// write_trained_run, load_run); this file only converts arrays, options and errors, releases the
// GIL while simulating and polls for Ctrl-C. docs/python.md describes the API.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "experiments/frozen.hpp"
#include "experiments/noise.hpp"
#include "experiments/run_access.hpp"
#include "experiments/run_file.hpp"
#include "experiments/sleep.hpp"
#include "experiments/train.hpp"
#include "experiments/train_job.hpp"
#include "experiments/within_step.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "models/param_table.hpp"
#include "snnsim_version.hpp"
#ifdef SNNSIM_HAVE_ANN
#include "experiments/cli/src_command.hpp"
#endif

namespace py = pybind11;
using namespace snnsim;

namespace {

// ---- arrays ------------------------------------------------------------------------------

/// A numpy array that owns `v` (moved, not copied).
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, heap->data(), owner);
}
template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v, std::vector<py::ssize_t> shape) {
  return to_numpy(std::vector<T>(v), std::move(shape));
}

/// (K, P) or (K, rows, cols) uint8 -> ImageSet (one copy: the library keeps images in a vector).
/// A 2-D array of P = r*r pixels gets rows = cols = r, as MNIST's 784 = 28 x 28 (blur needs it).
io::ImageSet to_images(const py::object& obj, std::size_t n_input) {
  py::array a = py::array::ensure(obj);
  if (!a) throw std::invalid_argument("images must be an array");
  if (a.ndim() != 2 && a.ndim() != 3)
    throw std::invalid_argument("images must be a (K, " + std::to_string(n_input) + ") or (K, rows, cols) array");
  auto arr = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!arr) throw std::invalid_argument("images must be convertible to uint8");
  // Pixels outside 0..255 would wrap silently in a cast: refuse non-uint8 values out of range.
  if (!py::isinstance<py::array_t<std::uint8_t>>(a)) {
    auto d = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
    const double* p = d.data();
    for (py::ssize_t i = 0; i < d.size(); ++i)
      if (!(p[i] >= 0.0 && p[i] <= 255.0) || p[i] != std::floor(p[i]))
        throw std::invalid_argument("images must hold integer pixel values in 0..255");
  }
  io::ImageSet s;
  s.count = static_cast<std::size_t>(arr.shape(0));
  if (arr.ndim() == 3) {
    s.rows = static_cast<std::size_t>(arr.shape(1));
    s.cols = static_cast<std::size_t>(arr.shape(2));
  } else {
    const auto px = static_cast<std::size_t>(arr.shape(1));
    const auto r = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(px))));
    if (r * r == px) s.rows = s.cols = r;
    else s.rows = 1, s.cols = px;
  }
  if (s.pixels_per_image() != n_input)
    throw std::invalid_argument("images have " + std::to_string(s.pixels_per_image()) + " pixels; n_input is " +
                                std::to_string(n_input));
  if (s.count == 0) throw std::invalid_argument("images is empty");
  s.pixels.assign(arr.data(), arr.data() + arr.size());
  return s;
}

io::LabelledImages to_labelled(const py::object& images, const py::object& labels, std::size_t n_input) {
  io::LabelledImages d;
  d.images = to_images(images, n_input);
  if (labels.is_none()) {
    d.labels.assign(d.images.count, 0);  // training needs none (only its running accuracy reads them)
    return d;
  }
  auto l = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(labels);
  if (!l || l.ndim() != 1 || static_cast<std::size_t>(l.shape(0)) != d.images.count)
    throw std::invalid_argument("labels must be a 1-D array with one label per image (" +
                                std::to_string(d.images.count) + ")");
  d.labels.resize(d.images.count);
  for (std::size_t k = 0; k < d.images.count; ++k) {
    const auto v = l.data()[k];
    if (v < 0 || v > 9) throw std::invalid_argument("labels must lie in 0..9 (label " + std::to_string(v) + " at " + std::to_string(k) + ")");
    d.labels[k] = static_cast<std::uint8_t>(v);
  }
  return d;
}

int resolve_threads(int requested) {  // as the CLI's --threads: 0 = all cores
  if (requested < 0) throw UsageError("--threads must be >= 0");
  if (requested > 1024) throw UsageError("--threads must be <= 1024");
  return requested == 0 ? omp_get_num_procs() : requested;
}

// ---- model parameters through the one table ------------------------------------------------

void set_param(models::DiehlCookParams& p, const std::string& key, const py::handle& value) {
  for (auto& f : models::param_fields(p)) {
    if (f.key != key) continue;
    const std::string text = py::str(value);
    auto bad = [&] { return UsageError("the argument ('" + text + "') for option '--" + key + "' is invalid"); };
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, models::Integrator>) {
            if (!py::isinstance<py::str>(value)) throw bad();
            try {
              *ptr = models::integrator_from_string(text);
            } catch (const std::invalid_argument& e) {
              throw UsageError("--" + key + ": " + e.what());
            }
          } else if constexpr (std::is_same_v<T, bool>) {
            if (py::isinstance<py::bool_>(value)) *ptr = value.cast<bool>();
            else if (py::isinstance<py::int_>(value) && (value.cast<long long>() == 0 || value.cast<long long>() == 1))
              *ptr = value.cast<long long>() != 0;
            else throw bad();
          } else if constexpr (std::is_same_v<T, double>) {
            if (py::isinstance<py::bool_>(value) || !(py::isinstance<py::float_>(value) || py::isinstance<py::int_>(value) ||
                                                     py::hasattr(value, "__float__")))
              throw bad();
            *ptr = value.cast<double>();
          } else {
            if (py::isinstance<py::bool_>(value) || !py::hasattr(value, "__index__")) throw bad();
            const auto v = py::reinterpret_borrow<py::object>(value).attr("__index__")().cast<long long>();
            if (v < 0 || static_cast<unsigned long long>(v) > std::numeric_limits<T>::max()) throw bad();
            *ptr = static_cast<T>(v);
          }
        },
        f.target);
    return;
  }
  throw UsageError("unrecognised option '--" + key + "' (see snnsim train --help)");
}

py::dict params_dict(const models::DiehlCookParams& p0) {
  auto p = p0;
  py::dict d;
  for (auto& f : models::param_fields(p))
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, models::Integrator>) d[f.key.c_str()] = models::to_string(*ptr);
          else d[f.key.c_str()] = *ptr;
        },
        f.target);
  return d;
}

// ---- interrupts and callbacks from inside a GIL-free simulation ----------------------------

/// Called from the simulating thread: every ~0.1 s it takes the GIL, runs the user's progress
/// callable and PyErr_CheckSignals (Ctrl-C). A Python error is kept and stops the loop; it is
/// raised once the library call has returned and the GIL is back.
class Poll {
 public:
  explicit Poll(py::object progress) : progress_(std::move(progress)) {}
  template <typename Call>
  bool due_and_stop(bool last, Call&& call_progress) {
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - last_ < std::chrono::milliseconds(100)) return false;
    last_ = now;
    py::gil_scoped_acquire gil;
    try {
      if (!progress_.is_none()) call_progress(progress_);
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (py::error_already_set& e) {
      error_ = std::make_unique<py::error_already_set>(std::move(e));
      return true;
    }
    return false;
  }
  /// Raises the kept error (call with the GIL held).
  void rethrow() {
    if (error_) {
      auto e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }
  bool failed() const { return static_cast<bool>(error_); }
  ~Poll() {
    if (error_) {
      py::gil_scoped_acquire gil;
      error_.reset();
    }
  }

 private:
  py::object progress_;
  std::chrono::steady_clock::time_point last_{};
  std::unique_ptr<py::error_already_set> error_;
};

// ---- Network ---------------------------------------------------------------------------

class Network {
 public:
  Network(const models::DiehlCookParams& p, std::uint64_t seed, const models::NetworkState& init,
          const models::NetworkState& current)
      : p_(p), seed_(seed), init_(init), meta_(current) {
    net_ = std::make_unique<models::DiehlCookNetwork>(p_, current, seed_);
    meta_.weights.clear();  // they live in net_
    meta_.theta_mV.clear();
    meta_.delay_steps.clear();
  }

  static std::unique_ptr<Network> create(std::size_t neurons, std::uint64_t seed, const py::kwargs& kw) {
    models::DiehlCookParams p;
    if (neurons == 0) throw UsageError("--neurons must be positive");
    p.n_exc = neurons;
    for (auto item : kw) {
      const auto key = py::str(item.first).cast<std::string>();
      if (key == "n_exc") throw UsageError("unrecognised option '--n_exc' (use neurons=)");
      set_param(p, key, item.second);
    }
    try {
      models::validate(p);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("invalid model parameter: ") + e.what());
    }
    const auto init = models::initial_state(p, seed);
    return std::make_unique<Network>(p, seed, init, init);
  }

  static std::unique_ptr<Network> open(const std::string& path, const std::string& state) {
    auto run = experiments::load_run(path, state);
    models::NetworkState init = run.state;
    {
      auto f = h5::File::open(path, h5::File::Mode::read_only);
      if (state != "init" && io::has_state(f.root(), "init")) init = io::read_state(f.root(), "init", run.params);
    }
    auto n = std::make_unique<Network>(run.params, run.seed, init, run.state);
    n->data_dir_ = run.data_dir;
    n->train_images_ = run.train_images;
    n->phase_ = state;
    return n;
  }

  models::NetworkState current() const {
    auto s = net_->state(meta_);
    s.samples_seen = meta_.samples_seen;
    return s;
  }

  py::dict train(const py::object& images, const py::object& labels, std::size_t epochs, bool shuffle,
                 const py::object& progress, int threads, std::uint32_t max_capped_in_a_row) {
    Busy busy(*this);
    if (epochs == 0) throw UsageError("--epochs must be positive");
    if (epochs > 1000) throw UsageError("--epochs must be at most 1000");
    const int t = resolve_threads(threads);
    auto data = to_labelled(images, labels, p_.n_input);
    experiments::TrainOptions o;
    o.train_images = data.size();
    o.epochs = epochs;
    o.shuffle = shuffle;
    o.seed = seed_;
    o.log_window = std::clamp<std::size_t>(o.train_images * epochs / 4, 50, 1000);  // as `snnsim train`
    o.max_capped_in_a_row = max_capped_in_a_row;
    experiments::TrainCursor cursor;
    experiments::TrainHooks hooks;
    Poll poll(progress);
    const std::uint64_t total = o.train_images * epochs;
    hooks.after_sample = [&](const experiments::TrainCursor& c) {
      return poll.due_and_stop(c.next_sample == total, [&](py::object& f) {
        f(c.next_sample, total);
      });
    };
    experiments::TrainReport rep;
    const auto t0 = std::chrono::steady_clock::now();
    {
      py::gil_scoped_release nogil;
      experiments::set_within_step_threads(*net_, t);  // honours SNNSIM_MIN_NEURONS_PER_THREAD like the CLI
      rep = experiments::train(*net_, data, o, cursor, hooks);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Whatever happened, the network holds every sample completed so far (a sample boundary):
    // it stays usable; its old labels no longer describe it.
    meta_.samples_seen += cursor.next_sample;
    meta_.labels.clear();
    meta_.class_rate_Hz.clear();
    append_log(rep.log);
    train_data_ = std::move(data);
    train_images_ = train_data_.size();
    epochs_ = epochs;
    shuffle_ = shuffle;
    threads_ = t;
    wall_s_ += wall;
    phase_ = "train";
    poll.rethrow();
    if (!rep.stopped.empty()) throw SimulationStopped("stopped: " + rep.stopped);
    py::dict r;
    r["images"] = total;
    r["presentations"] = rep.presentations;
    r["retries"] = rep.presentations - total;
    r["capped_images"] = rep.capped_images;
    r["exc_spikes"] = rep.exc_spikes;
    r["wall_s"] = wall;
    r["images_per_s"] = static_cast<double>(total) / wall;
    r["threads"] = t;
    return r;
  }

  py::dict label(const py::object& images, const py::object& labels, const py::object& progress, int threads) {
    Busy busy(*this);
    const int t = resolve_threads(threads);
    auto data = to_labelled(images, labels, p_.n_input);
    auto s = current();
    Poll poll(progress);
    experiments::Labelling lab;
    {
      py::gil_scoped_release nogil;
      lab = experiments::assign_labels(p_, s, seed_, data, data.size(), t, [&](std::size_t d, std::size_t total) {
        poll.due_and_stop(d == total, [&](py::object& f) { f(d, total); });
      });
    }
    poll.rethrow();
    s.labels = lab.labels;
    s.class_rate_Hz = lab.class_rate_Hz;
    meta_.labels = std::move(lab.labels);
    meta_.class_rate_Hz = std::move(lab.class_rate_Hz);
    label_data_ = std::move(data);
    label_images_ = label_data_.size();
    auto report = experiments::state_report(p_, s, &lab);
    py::dict r;
    r["label_images"] = label_images_;
    r["neurons_labelled"] = report.labels.labelled;
    r["neurons_unlabelled_silent"] = report.labels.silent;
    r["neurons_unlabelled_flat"] = report.labels.flat;
    r["neurons_tied_first_class"] = lab.tied;
    r["neurons_fire_at_rest"] = report.fire_at_rest;
    return r;
  }

  py::dict evaluate(const py::object& images, const py::object& labels, const py::object& noise, double level,
                    std::uint64_t noise_seed, bool record_spikes, const py::object& progress, int threads) {
    Busy busy(*this);
    const int t = resolve_threads(threads);
    if (meta_.labels.size() != p_.n_exc)
      throw RunFileError("network has no labels (call label() first, as snnsim label)");
    auto data = to_labelled(images, labels, p_.n_input);
    experiments::NoiseType type = experiments::NoiseType::none;
    std::string noise_name = "none";
    if (!noise.is_none()) {
      noise_name = py::str(noise).cast<std::string>();
      try {
        type = experiments::noise_from_string(noise_name);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--noise: ") + e.what());
      }
    }
    if (type != experiments::NoiseType::none && !(std::isfinite(level) && level >= 0.0))
      throw UsageError("--levels: '" + py::str(py::float_(level)).cast<std::string>() + "' is not a number in [0, inf]");
    const auto s = current();
    Poll poll(progress);
    experiments::Evaluation e;
    {
      py::gil_scoped_release nogil;
      if (type != experiments::NoiseType::none) {
        io::LabelledImages noisy;
        noisy.images = experiments::corrupt(data.images, data.size(), type, level, noise_seed);
        noisy.labels = data.labels;
        data = std::move(noisy);
      }
      e = experiments::evaluate(
          p_, s, seed_, data, data.size(), t,
          [&](std::size_t d, std::size_t total) { poll.due_and_stop(d == total, [&](py::object& f) { f(d, total); }); },
          record_spikes, /*keep_counts=*/true);
    }
    poll.rethrow();
    const auto K = static_cast<py::ssize_t>(e.n_samples), N = static_cast<py::ssize_t>(p_.n_exc);
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(K * N));
    for (std::size_t k = 0; k < e.responses.size(); ++k)
      std::copy(e.responses[k].counts.begin(), e.responses[k].counts.end(), counts.begin() + static_cast<std::ptrdiff_t>(k * p_.n_exc));
    py::dict r;
    r["accuracy"] = e.accuracy();
    r["n_samples"] = e.n_samples;
    r["n_correct"] = e.n_correct;
    r["n_silent"] = e.n_silent;
    r["capped_images"] = e.capped;
    r["noise_type"] = noise_name;
    r["noise_level"] = type == experiments::NoiseType::none ? 0.0 : level;
    r["predictions"] = to_numpy(std::move(e.predictions), {K});
    r["spike_counts"] = to_numpy(std::move(counts), {K, N});
    r["confusion"] = to_numpy(std::vector<std::uint32_t>(e.confusion.begin(), e.confusion.end()), {10, 10});
    if (record_spikes) {
      std::vector<std::uint32_t> img, step, id;
      for (std::size_t k = 0; k < e.responses.size(); ++k)
        for (std::size_t q = 0; q < e.responses[k].spike_step.size(); ++q) {
          img.push_back(static_cast<std::uint32_t>(k));
          step.push_back(e.responses[k].spike_step[q]);
          id.push_back(e.responses[k].spike_id[q]);
        }
      py::dict sp;
      const auto n = static_cast<py::ssize_t>(img.size());
      std::vector<double> t_ms(step.size());
      for (std::size_t q = 0; q < step.size(); ++q) t_ms[q] = step[q] * p_.dt_ms;
      sp["image"] = to_numpy(std::move(img), {n});
      sp["t_ms"] = to_numpy(std::move(t_ms), {n});
      sp["node_id"] = to_numpy(std::move(id), {n});
      r["spikes"] = sp;
    }
    return r;
  }

  py::dict sleep(double duration_s, double leak_scale, double exc_scale, double inh_scale, double input_rate_scale,
                 const std::string& input, const py::object& record, const py::object& images,
                 const py::object& seed, bool relabel, const py::object& progress, int threads) {
    Busy busy(*this);
    experiments::SleepOptions o;
    o.duration_s = duration_s;
    o.leak_scale = leak_scale;
    o.exc_scale = exc_scale;
    o.inh_scale = inh_scale;
    o.input_rate_scale = input_rate_scale;
    o.threads = resolve_threads(threads);
    o.seed = seed.is_none() ? seed_ : seed.cast<std::uint64_t>();
    if (input == "mean-image") o.input = experiments::SleepInput::mean_image;
    else if (input == "window") o.input = experiments::SleepInput::window;
    else throw UsageError("--input must be mean-image or window, not '" + input + "'");
    std::string rec = "none";
    if (py::isinstance<py::bool_>(record)) rec = record.cast<bool>() ? "exc" : "none";
    else rec = py::str(record).cast<std::string>();
    try {
      experiments::record_spikes_from_string(rec);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--record-spikes: ") + e.what());
    }
    try {
      experiments::validate(o);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--") + e.what());
    }
    // The mean image: of `images`, else of the images last trained on (as `snnsim sleep`: the
    // first K training images).
    io::ImageSet source;
    const io::ImageSet* src = &train_data_.images;
    if (!images.is_none()) {
      source = to_images(images, p_.n_input);
      src = &source;
    } else if (train_data_.images.count == 0) {
      throw UsageError("sleep needs images= (its mean image) for a network not trained in this session");
    }
    const auto awake = current();
    Poll poll(progress);
    experiments::SleepHooks hooks;
    hooks.after_bin = [&](double done_s, const std::function<experiments::SleepCursor()>&) {
      return poll.due_and_stop(false, [&](py::object& f) { f(done_s, o.duration_s); });
    };
    experiments::SleepReport rep;
    std::vector<double> mean;
    const auto t0 = std::chrono::steady_clock::now();
    {
      py::gil_scoped_release nogil;
      mean = experiments::mean_image(*src, src->count);
      rep = experiments::sleep(p_, awake, mean, o, rec != "none", rec == "all", hooks);
    }
    poll.rethrow();
    if (rep.interrupted) throw std::logic_error("sleep stopped without a reason");  // only Poll stops a sleep
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Relabel from the images last labelled with (as `snnsim sleep` relabels from the run's training images).
    const bool do_relabel = relabel && label_data_.size() > 0;
    if (do_relabel) {
      py::gil_scoped_release nogil;
      auto lab = experiments::assign_labels(p_, rep.state, seed_, label_data_, label_data_.size(), o.threads);
      rep.state.labels = std::move(lab.labels);
      rep.state.class_rate_Hz = std::move(lab.class_rate_Hz);
    }
    rep.state.samples_seen = meta_.samples_seen;
    meta_ = rep.state;
    meta_.weights.clear();
    meta_.theta_mV.clear();
    meta_.delay_steps.clear();
    net_ = std::make_unique<models::DiehlCookNetwork>(p_, rep.state, seed_);
    phase_ = "sleep";
    std::size_t rose = 0, fell = 0;
    for (double d : rep.theta_change_mV) (d > 0 ? rose : fell) += d != 0;
    py::dict r;
    r["duration_s"] = o.duration_s;
    r["wall_s"] = wall;
    r["exc_spikes"] = rep.exc_spikes;
    r["theta_rose"] = rose;
    r["theta_fell"] = fell;
    r["relabelled"] = do_relabel;
    const auto bins = static_cast<py::ssize_t>(rep.exc_rate_Hz.size());
    r["exc_rate_Hz"] = to_numpy(std::move(rep.exc_rate_Hz), {bins});
    r["rate_bin_ms"] = o.rate_bin_ms;
    r["theta_change_mV"] = to_numpy(std::move(rep.theta_change_mV), {static_cast<py::ssize_t>(p_.n_exc)});
    r["weight_change_abs_mean"] = to_numpy(std::move(rep.weight_change_abs), {static_cast<py::ssize_t>(p_.n_exc)});
    r["mean_image"] = to_numpy(std::move(mean), {static_cast<py::ssize_t>(p_.n_input)});
    auto spikes = [&](std::vector<std::int64_t>& steps, std::vector<std::uint32_t>& ids) {
      const auto n = static_cast<py::ssize_t>(steps.size());
      std::vector<double> t_ms(steps.size());
      for (std::size_t q = 0; q < steps.size(); ++q) t_ms[q] = static_cast<double>(steps[q]) * p_.dt_ms;
      py::dict d;
      d["t_ms"] = to_numpy(std::move(t_ms), {n});
      d["node_id"] = to_numpy(std::move(ids), {n});
      return d;
    };
    if (rec != "none") r["spikes_exc"] = spikes(rep.spike_steps, rep.spike_ids);
    if (rec == "all") r["spikes_inh"] = spikes(rep.inh_spike_steps, rep.inh_spike_ids);
    return r;
  }

  void save(const std::string& path, const std::string& state, bool force, const py::object& data_dir) {
    Busy busy(*this);
    if (state.empty() || state == "init") throw UsageError("state must be a name other than 'init'");
    // /config's data_dir: the images' IDX directory when the caller names it (as snnsim train
    // records --data, made absolute); else the run file's it came from; else none ("": the CLI's
    // sleep then asks for --data).
    if (!data_dir.is_none()) {
      const std::string dir = py::str(data_dir);
      data_dir_ = dir.empty() ? "" : std::filesystem::absolute(dir).string();
    }
    experiments::TrainedRun w;
    w.params = p_;
    w.command_line = "python: snnsim.Network.save";
    w.data_dir = data_dir_;
    w.seed = seed_;
    w.train_images = train_images_;
    w.epochs = epochs_;
    w.label_images = meta_.labels.empty() ? 0 : label_images_;
    w.shuffle = shuffle_;
    w.threads = threads_;
    w.init = init_;
    w.state = current();
    w.state_name = state;
    w.info = phase_ == "sleep" ? io::StateInfo{"sleep", ""} : io::StateInfo{"train", "init"};
    w.log = log_;
    w.wall_s = wall_s_;
    py::gil_scoped_release nogil;
    experiments::write_trained_run(path, force, w);
  }

  // --- state --------------------------------------------------------------------------
  py::array_t<float> weights() const {
    auto s = current();
    return to_numpy(std::move(s.weights), {static_cast<py::ssize_t>(p_.n_input), static_cast<py::ssize_t>(p_.n_exc)});
  }
  py::array_t<double> theta() const {
    auto s = current();
    return to_numpy(std::move(s.theta_mV), {static_cast<py::ssize_t>(p_.n_exc)});
  }
  py::object labels() const {
    if (meta_.labels.empty()) return py::none();
    return to_numpy(meta_.labels, {static_cast<py::ssize_t>(p_.n_exc)});
  }
  py::object class_rates() const {
    if (meta_.class_rate_Hz.empty()) return py::none();
    return to_numpy(meta_.class_rate_Hz, {static_cast<py::ssize_t>(p_.n_exc), 10});
  }
  py::array_t<std::uint8_t> delays() const {
    auto s = current();
    return to_numpy(std::move(s.delay_steps), {static_cast<py::ssize_t>(p_.n_input), static_cast<py::ssize_t>(p_.n_exc)});
  }
  py::array_t<float> receptive_fields() const {
    const auto s = current();
    const auto r = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(p_.n_input))));
    std::vector<float> rf(p_.n_input * p_.n_exc);
    for (std::size_t i = 0; i < p_.n_input; ++i)
      for (std::size_t j = 0; j < p_.n_exc; ++j) rf[j * p_.n_input + i] = s.weights[i * p_.n_exc + j];
    const auto N = static_cast<py::ssize_t>(p_.n_exc);
    if (r * r == p_.n_input)
      return to_numpy(std::move(rf), {N, static_cast<py::ssize_t>(r), static_cast<py::ssize_t>(r)});
    return to_numpy(std::move(rf), {N, static_cast<py::ssize_t>(p_.n_input)});
  }
  py::dict train_log() const {
    py::dict d;
    const auto n = static_cast<py::ssize_t>(log_.sample_index.size());
    d["sample_index"] = to_numpy(log_.sample_index, {n});
    d["image_index"] = to_numpy(log_.image_index, {n});
    d["label"] = to_numpy(log_.label, {n});
    d["tries"] = to_numpy(log_.tries, {n});
    d["exc_spikes"] = to_numpy(log_.exc_spikes, {n});
    d["input_intensity"] = to_numpy(log_.input_intensity, {n});
    d["running_accuracy"] = to_numpy(log_.running_accuracy, {n});
    return d;
  }

  const models::DiehlCookParams& params() const { return p_; }
  std::uint64_t seed() const { return seed_; }
  const std::string& data_dir() const { return data_dir_; }
  std::uint64_t samples_seen() const { return meta_.samples_seen; }
  std::uint64_t presentations() const { return net_->presentations(); }

  struct SimulationStopped : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

 private:
  /// The GIL is released while simulating: a second thread must not use the same network.
  struct Busy {
    explicit Busy(Network& n) : n_(n) {
      if (n_.busy_.exchange(true)) throw std::logic_error("this Network is in use by another thread");
    }
    ~Busy() { n_.busy_ = false; }
    Network& n_;
  };

  void append_log(const std::vector<experiments::TrainLogRow>& rows) {
    const std::uint64_t base = log_.sample_index.empty() ? 0 : log_.sample_index.back() + 1;
    experiments::append_train_log_rows(log_, rows, base);
  }

  models::DiehlCookParams p_;
  std::uint64_t seed_;
  models::NetworkState init_;
  models::NetworkState meta_;  // labels, class rates, samples_seen (weights and theta live in net_)
  std::unique_ptr<models::DiehlCookNetwork> net_;
  io::LabelledImages train_data_, label_data_;
  io::TrainLogColumns log_;
  std::string data_dir_, phase_ = "init";
  std::size_t train_images_ = 0, epochs_ = 0, label_images_ = 0;
  bool shuffle_ = false;
  int threads_ = 1;
  double wall_s_ = 0;
  std::atomic<bool> busy_{false};

};

py::tuple load_idx(const std::string& dir, const std::string& split, std::size_t max_count) {
  io::Split sp;
  if (split == "train") sp = io::Split::train;
  else if (split == "test" || split == "t10k") sp = io::Split::test;
  else throw UsageError("split must be 'train' or 'test', not '" + split + "'");
  io::LabelledImages d;
  {
    py::gil_scoped_release nogil;
    d = io::load_split(dir, sp, max_count);
  }
  const auto K = static_cast<py::ssize_t>(d.size());
  const auto P = static_cast<py::ssize_t>(d.images.pixels_per_image());
  return py::make_tuple(to_numpy(std::move(d.images.pixels), {K, P}), to_numpy(std::move(d.labels), {K}));
}

#ifdef SNNSIM_HAVE_ANN
// ---- SRC: snnsim.src.run(**options) is `snnsim src` ----------------------------------------

/// A keyword argument's value as the CLI would read it: lists and tuples comma-joined
/// (method=["sequential", "src"], hidden=(1200, 1200), beta=[...]), numbers by Python's
/// round-trip repr, anything else by str() (pathlib.Path).
std::string option_text(const py::handle& v) {
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    std::string s;
    for (auto item : v) s += (s.empty() ? "" : ",") + option_text(item);
    return s;
  }
  if (py::isinstance<py::float_>(v)) return py::repr(py::float_(py::reinterpret_borrow<py::object>(v))).cast<std::string>();  // numpy floats too
  return py::str(v).cast<std::string>();
}

/// Keyword arguments -> the `snnsim src` command line (name_with_underscores -> --name-with-dashes,
/// True -> a switch, None -> the CLI's default), then the CLI's own parsing, checks and run
/// (cli::run_src_command) with the GIL released. Returns what `snnsim src --json` prints.
py::object src_run(const py::kwargs& kw) {
  std::vector<std::string> args;
  bool quiet_given = false;
  for (auto item : kw) {
    std::string name = py::str(item.first).cast<std::string>();
    std::replace(name.begin(), name.end(), '_', '-');
    const py::handle v = item.second;
    if (name == "quiet") quiet_given = true;
    if (v.is_none()) continue;
    const auto takes_value = cli::src_option_takes_value(name);
    const bool is_bool = py::isinstance<py::bool_>(v);
    auto invalid = [&] {
      return UsageError("the argument ('" + py::str(v).cast<std::string>() + "') for option '--" + name +
                        "' is invalid (see snnsim src --help)");
    };
    if (takes_value && !*takes_value) {  // a switch: True or False
      if (!is_bool) throw invalid();
      if (v.cast<bool>()) args.push_back("--" + name);
      continue;
    }
    if (takes_value && is_bool) throw invalid();
    args.push_back("--" + name);  // an unknown name: the CLI's parser says so
    args.push_back(option_text(v));
  }
  if (!quiet_given) args.push_back("--quiet");  // no progress or announcements on stderr unless quiet=False
  cli::SrcOutcome r;
  {
    py::gil_scoped_release nogil;
    r = cli::run_src_command(args, /*out_optional=*/true);
  }
  if (!r.ran) return py::none();  // help=True printed the help
  return py::module_::import("json").attr("loads")(r.report.dump());
}
#endif

}  // namespace

PYBIND11_MODULE(snnsim, m) {
  m.doc() = "snnsim: the Diehl & Cook spiking network and its sleep regime (the C++ library the CLI runs)";
  m.attr("__version__") = snnsim::kVersion;
  m.attr("git_commit") = snnsim::kGitCommit;

  // Errors: the CLI's exit-code classes, each with the CLI's one-line message.
  // Kept for the life of the process (never destroyed after the interpreter is gone).
  static PyObject* data_error =
      PyErr_NewExceptionWithDoc("snnsim.DataError", "bad or missing data set (CLI exit 3)", PyExc_OSError, nullptr);
  static PyObject* run_error =
      PyErr_NewExceptionWithDoc("snnsim.RunFileError", "bad run file or state (CLI exit 4)", PyExc_OSError, nullptr);
  static PyObject* output_error = PyErr_NewExceptionWithDoc(
      "snnsim.OutputError", "output exists or cannot be written (CLI exit 5)", PyExc_OSError, nullptr);
  static PyObject* stopped = PyErr_NewExceptionWithDoc(
      "snnsim.SimulationStopped", "a guard stopped the simulation (CLI exit 1)", PyExc_RuntimeError, nullptr);
  m.attr("DataError") = py::handle(data_error);
  m.attr("RunFileError") = py::handle(run_error);
  m.attr("OutputError") = py::handle(output_error);
  m.attr("SimulationStopped") = py::handle(stopped);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const DataError& e) {
      PyErr_SetString(data_error, e.what());
    } catch (const RunFileError& e) {
      PyErr_SetString(run_error, e.what());
    } catch (const OutputError& e) {
      PyErr_SetString(output_error, e.what());
    } catch (const Network::SimulationStopped& e) {
      PyErr_SetString(stopped, e.what());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::logic_error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  m.def("load_idx", &load_idx, py::arg("dir"), py::arg("split") = "train", py::arg("max_count") = 0,
        "IDX images and labels (MNIST layout, raw or .gz) -> (images uint8 (K, rows*cols), labels uint8 (K,))");
  m.def("parameters", [] { return params_dict(models::DiehlCookParams{}); },
        "Every model parameter (names as in snnsim train --help and the run file's /config) with its default");

  py::class_<Network>(m, "Network")
      .def(py::init(&Network::create), py::arg("neurons") = 400, py::arg("seed") = 1,
           "A new network (initial state from `seed`, as snnsim train --seed); keyword arguments set model "
           "parameters named as in snnsim train --help")
      .def("train", &Network::train, py::arg("images"), py::arg("labels") = py::none(), py::arg("epochs") = 1,
           py::arg("shuffle") = false, py::arg("progress") = py::none(), py::arg("threads") = 0,
           py::arg("max_capped_in_a_row") = 10,
           "Train (STDP on) on all images for `epochs` passes, as snnsim train; clears the labels")
      .def("label", &Network::label, py::arg("images"), py::arg("labels"), py::arg("progress") = py::none(),
           py::arg("threads") = 0, "Assign labels from a frozen pass over the images, as snnsim label")
      .def("evaluate", &Network::evaluate, py::arg("images"), py::arg("labels"), py::arg("noise") = py::none(),
           py::arg("level") = 0.0, py::arg("noise_seed") = 1, py::arg("record_spikes") = false,
           py::arg("progress") = py::none(), py::arg("threads") = 0,
           "Accuracy, predictions, per-image spike counts and confusion with weights and theta frozen, as snnsim eval")
      .def("sleep", &Network::sleep, py::kw_only(), py::arg("duration_s") = 10.0, py::arg("leak_scale") = 1.0,
           py::arg("exc_scale") = 1.0, py::arg("inh_scale") = 0.5, py::arg("input_rate_scale") = 1.0,
           py::arg("input") = "mean-image", py::arg("record_spikes") = false, py::arg("images") = py::none(),
           py::arg("seed") = py::none(), py::arg("relabel") = true, py::arg("progress") = py::none(),
           py::arg("threads") = 0, "The sleep regime, as snnsim sleep; relabels from the last label() images")
      .def("save", &Network::save, py::arg("path"), py::arg("state") = "trained", py::arg("force") = false,
           py::arg("data_dir") = py::none(),
           "Write a run file (states init and `state`) that every snnsim command reads; data_dir: the IDX "
           "directory of the images it was trained on, recorded in /config (default: the opened run's, else none)")
      .def_property_readonly("data_dir", [](const Network& n) { return n.data_dir(); },
                             "the data directory save() records ('' when none)")
      .def_property_readonly("weights", &Network::weights, "input->exc weights (n_input, N) float32 (a copy)")
      .def_property_readonly("theta_mV", &Network::theta)
      .def_property_readonly("labels", &Network::labels, "(N,) int16, -1 unlabelled; None before label()")
      .def_property_readonly("class_rate_Hz", &Network::class_rates)
      .def_property_readonly("delay_steps", &Network::delays)
      .def_property_readonly("train_log", &Network::train_log)
      .def_property_readonly("neurons", [](const Network& n) { return n.params().n_exc; })
      .def_property_readonly("seed", &Network::seed)
      .def_property_readonly("samples_seen", &Network::samples_seen)
      .def_property_readonly("presentations", &Network::presentations)
      .def_property_readonly("params", [](const Network& n) { return params_dict(n.params()); })
      .def("receptive_fields", &Network::receptive_fields, "(N, rows, cols) float32 input weights of each neuron")
      .def("__repr__", [](const Network& n) {
        return "<snnsim.Network N=" + std::to_string(n.params().n_exc) + " seed=" + std::to_string(n.seed()) +
               " samples_seen=" + std::to_string(n.samples_seen()) + ">";
      });

  m.def("open_run", &Network::open, py::arg("path"), py::arg("state") = "trained",
        "A Network from a run file any snnsim command wrote (its /config, master seed and the named state)");

#ifdef SNNSIM_HAVE_ANN
  auto src = m.def_submodule("src", "Sleep Replay Consolidation for ANNs (snnsim src, docs/src.md)");
  src.def("run", &src_run,
          "snnsim src with keyword arguments named as its options (method=, seed=, seeds=, preset=, threads=, "
          "data=, out=, per_task=, hidden=, ...; lists for comma-separated values, True for switches); out= is "
          "optional (no run file without it). Returns what snnsim src --json prints: config, summary, accuracy "
          "and per_task (one method), runs");
#endif
}
