#include "sleep.hpp"

#include <cmath>
#include <stdexcept>

#include "sim/rng.hpp"
#include "within_step.hpp"

namespace snnsim::experiments {

std::vector<double> mean_image(const io::ImageSet& images, std::size_t count) {
  if (count == 0 || count > images.count) throw std::invalid_argument("mean image needs 1..count images");
  std::vector<double> m(images.pixels_per_image(), 0.0);
  for (std::size_t k = 0; k < count; ++k) {
    auto img = images.image(k);
    for (std::size_t i = 0; i < m.size(); ++i) m[i] += img[i];
  }
  for (auto& x : m) x /= static_cast<double>(count);
  return m;
}

bool on_rate_bins(const SleepOptions& o, double t_s) {
  const double bins = t_s / (o.rate_bin_ms * 1e-3);
  return t_s > 0 && std::isfinite(bins) && std::fabs(bins - std::round(bins)) <= 1e-6;
}

void validate(const SleepOptions& o) {
  auto positive = [](double x, const char* name) {
    if (!(x > 0.0) || !std::isfinite(x)) throw std::invalid_argument(std::string(name) + " must be positive");
  };
  positive(o.duration_s, "duration-s");
  positive(o.leak_scale, "leak-scale");
  if (!(o.exc_scale >= 0.0) || !std::isfinite(o.exc_scale)) throw std::invalid_argument("exc-scale must be >= 0");
  if (!(o.inh_scale >= 0.0) || !std::isfinite(o.inh_scale)) throw std::invalid_argument("inh-scale must be >= 0");
  if (!(o.input_rate_scale >= 0.0) || !std::isfinite(o.input_rate_scale))
    throw std::invalid_argument("input-rate-scale must be >= 0");
  positive(o.block_ms, "block-ms");
  positive(o.window_ms, "window-ms");
  positive(o.rate_bin_ms, "rate-bin-ms");
  if (o.duration_s > 1e5) throw std::invalid_argument("duration-s must be at most 1e5");
}

SleepReport sleep(const models::DiehlCookParams& wake, const models::NetworkState& awake,
                  const std::vector<double>& mean, const SleepOptions& o, bool record_exc, bool record_inh,
                  const SleepHooks& hooks) {
  validate(o);
  if (mean.size() != wake.n_input) throw std::invalid_argument("mean image size differs from n_input");
  models::DiehlCookParams p = wake;
  p.exc.leak_gain = wake.exc.leak_gain * o.leak_scale;
  p.input_exc_gain = wake.input_exc_gain * o.exc_scale;
  p.inh_exc_gain = wake.inh_exc_gain * o.inh_scale;
  const SleepCursor* resume = hooks.resume_from;
  models::DiehlCookNetwork net(p, resume ? resume->state : awake, o.seed);
  if (resume) {
    net.restore_dynamic(resume->dynamic);
  } else {
    net.rest();
  }
  net.set_learning(true);
  set_within_step_threads(net, o.threads);
  net.exc_recorder().enable(record_exc);
  net.inh_recorder().enable(record_inh);

  const double dt = p.dt_ms;
  const auto total_steps = static_cast<sim::Step>(std::llround(o.duration_s * 1000.0 / dt));
  const auto block_steps = std::max<sim::Step>(1, static_cast<sim::Step>(std::llround(o.block_ms / dt)));
  const auto window_steps = std::max<sim::Step>(1, static_cast<sim::Step>(std::llround(o.window_ms / dt)));
  const auto bin_steps = std::max<sim::Step>(1, static_cast<sim::Step>(std::llround(o.rate_bin_ms / dt)));
  const double rate_per_pixel = p.input_rate_per_intensity_Hz * p.input_intensity_start * o.input_rate_scale;
  std::vector<double> rates(mean.size());
  for (std::size_t i = 0; i < mean.size(); ++i) rates[i] = mean[i] * rate_per_pixel;
  const std::size_t side = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(mean.size()))));

  SleepReport r;
  r.exc_rate_Hz.reserve(static_cast<std::size_t>(total_steps / bin_steps + 1));
  const sim::Step start = resume ? resume->start : net.engine().now();
  std::uint64_t bin_spikes = 0;
  std::uint32_t chunk = resume ? resume->chunk : 0;
  sim::Step done = resume ? resume->done : 0;
  if (resume) {
    if (done % bin_steps != 0 || done >= total_steps || resume->exc_rate_Hz.size() != static_cast<std::size_t>(done / bin_steps))
      throw std::invalid_argument("sleep cursor does not sit on a rate-bin boundary of this sleep");
    r.exc_rate_Hz = resume->exc_rate_Hz;
    r.exc_spikes = resume->exc_spikes;
  }
  // What earlier invocations recorded, then this one's recorders (steps from sleep start).
  static const SleepCursor kNothingYet;
  const SleepCursor& before = resume ? *resume : kNothingYet;
  auto take = [&](const sim::SpikeRecorder& rec, const std::vector<std::int64_t>& before_steps,
                  const std::vector<std::uint32_t>& before_ids, std::vector<std::int64_t>& steps,
                  std::vector<std::uint32_t>& ids) {
    steps = before_steps;
    ids = before_ids;
    for (auto s : rec.steps()) steps.push_back(s - start);
    ids.insert(ids.end(), rec.ids().begin(), rec.ids().end());
  };
  auto take_spikes = [&](std::vector<std::int64_t>& exc_steps, std::vector<std::uint32_t>& exc_ids,
                         std::vector<std::int64_t>& inh_steps, std::vector<std::uint32_t>& inh_ids) {
    take(net.exc_recorder(), before.spike_steps, before.spike_ids, exc_steps, exc_ids);
    take(net.inh_recorder(), before.inh_spike_steps, before.inh_spike_ids, inh_steps, inh_ids);
  };
  std::vector<double> window_rates(mean.size());
  auto& counter = net.exc_counter();
  while (done < total_steps) {
    if (done % block_steps == 0 && o.normalize) net.normalize_weights();
    // Run up to the next block, window or bin boundary with fixed input rates.
    sim::Step next = std::min({total_steps, (done / block_steps + 1) * block_steps, (done / bin_steps + 1) * bin_steps});
    const std::vector<double>* input = &rates;
    if (o.input == SleepInput::window && side * side == mean.size() && side >= 11) {
      next = std::min(next, (done / window_steps + 1) * window_steps);
      sim::RandomStream rng(o.seed, models::kStreamSleepInput, 1u << 31 | (chunk & 0x7fffffffu), 0);
      const std::size_t r0 = rng.below(static_cast<std::uint32_t>(side - 10));
      const std::size_t c0 = rng.below(static_cast<std::uint32_t>(side - 10));
      std::fill(window_rates.begin(), window_rates.end(), 0.0);
      for (std::size_t rr = r0; rr < r0 + 11; ++rr)
        for (std::size_t cc = c0; cc < c0 + 11; ++cc) window_rates[rr * side + cc] = rates[rr * side + cc];
      input = &window_rates;
    }
    counter.clear();
    net.run_input(*input, next - done, models::kStreamSleepInput, chunk++);
    bin_spikes += counter.total();
    r.exc_spikes += counter.total();
    done = next;
    if (done % bin_steps == 0 || done == total_steps) {
      const sim::Step len = done % bin_steps == 0 ? bin_steps : done % bin_steps;
      r.exc_rate_Hz.push_back(static_cast<float>(static_cast<double>(bin_spikes) /
                                                 (static_cast<double>(p.n_exc) * static_cast<double>(len) * dt * 1e-3)));
      bin_spikes = 0;
      net.check_state();
      const double done_s = static_cast<double>(done) * dt * 1e-3;
      if (hooks.progress) hooks.progress(done_s, o.duration_s);
      if (hooks.after_bin && done < total_steps) {
        const auto cursor = [&] {
          SleepCursor c;
          c.start = start;
          c.done = done;
          c.chunk = chunk;
          c.exc_spikes = r.exc_spikes;
          c.exc_rate_Hz = r.exc_rate_Hz;
          take_spikes(c.spike_steps, c.spike_ids, c.inh_spike_steps, c.inh_spike_ids);
          c.state = net.state(awake);
          c.dynamic = net.dynamic_state();
          return c;
        };
        if (hooks.after_bin(done_s, cursor)) {
          r.interrupted = true;
          return r;
        }
      }
    }
  }
  r.state = net.state(awake);
  r.state.labels.clear();
  r.state.class_rate_Hz.clear();
  r.theta_change_mV.resize(p.n_exc);
  for (std::size_t j = 0; j < p.n_exc; ++j) r.theta_change_mV[j] = r.state.theta_mV[j] - awake.theta_mV[j];
  r.weight_change_abs.assign(p.n_exc, 0.0);
  for (std::size_t i = 0; i < p.n_input; ++i)
    for (std::size_t j = 0; j < p.n_exc; ++j)
      r.weight_change_abs[j] += std::abs(static_cast<double>(r.state.weights[i * p.n_exc + j]) - awake.weights[i * p.n_exc + j]);
  for (auto& x : r.weight_change_abs) x /= static_cast<double>(p.n_input);
  take_spikes(r.spike_steps, r.spike_ids, r.inh_spike_steps, r.inh_spike_ids);
  return r;
}

}  // namespace snnsim::experiments
