#pragma once
// The input->exc STDP rule as the authors' Brian 1 code runs it (not the paper's power law):
// nearest-spike traces set to 1 (not incremented) and decaying exactly;
//   presynaptic arrival (after the axonal delay):  x_pre = 1;  w <- clip(w - nu_pre * x_post1)
//   postsynaptic spike:  w <- clip(w + nu_post * x_pre * x_post2(before));  x_post1 = x_post2 = 1
// The Brian 2 port flipped the depression sign; the sign here is the original's.
// x_pre lives per synapse (delays are per synapse), kept lazily as the last arrival step.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/dense_projection.hpp"

namespace snnsim::models {

struct StdpParams {
  double tau_pre_ms = 20.0;
  double tau_post1_ms = 20.0;
  double tau_post2_ms = 40.0;
  double nu_pre = 1e-4;
  double nu_post = 1e-2;
  double w_min = 0.0;
  double w_max = 1.0;
  /// The Brian 2 port's sign (zxzhijia/Brian2STDPMNIST and forks): a presynaptic arrival adds
  /// nu_pre * x_post1 instead of subtracting it. Off = the authors' rule. For comparisons only.
  bool flipped_depression = false;
};

/// Exact exponential decay exp(-k dt / tau) by step count k, tabulated until it drops below
/// 1e-12 (then 0: far below float32 weight resolution).
class TraceTable {
 public:
  TraceTable() = default;
  TraceTable(double tau_ms, double dt_ms) {
    const double per_step = std::exp(-dt_ms / tau_ms);
    for (double x = 1.0; x >= 1e-12; x *= per_step) values_.push_back(x);
    values_.push_back(0.0);  // every k past the end reads this
  }
  double operator()(sim::Step k) const { return k >= 0 && k < last() ? values_[static_cast<std::size_t>(k)] : 0.0; }
  sim::Step last() const { return static_cast<sim::Step>(values_.size()) - 1; }

 private:
  std::vector<double> values_;
};

/// w clipped to [w_min, w_max], as float (Brian clips at every update).
inline float clip_weight(double w, double w_min, double w_max) {
  w = w < w_min ? w_min : w;
  return static_cast<float>(w > w_max ? w_max : w);
}

/// For each bucket in order, over its synapses k: g[post[k]] += gain * w[k], then
/// w[k] <- clip(w[k] - depression[post[k]], w_min, w_max) (stdp_diehl_cook.cpp). The post ids
/// within a bucket are distinct.
void deliver_and_depress(double* g, double gain, float* w, const std::uint16_t* post, const sim::Bucket* buckets,
                         std::size_t n_buckets, const double* depression, double w_min, double w_max);
namespace detail {
/// The two versions deliver_and_depress chooses between, for the test that they agree. The
/// AVX-512 one exists on x86-64 builds and may be called only where avx512_kernels_available().
void deliver_and_depress_scalar(double* g, double gain, float* w, const std::uint16_t* post,
                                const sim::Bucket* buckets, std::size_t n_buckets, const double* depression,
                                double w_min, double w_max);
void deliver_and_depress_avx512(double* g, double gain, float* w, const std::uint16_t* post,
                                const sim::Bucket* buckets, std::size_t n_buckets, const double* depression,
                                double w_min, double w_max);
}  // namespace detail

class DiehlCookStdp {
 public:
  static constexpr bool kPlastic = true;
  static constexpr sim::Step kNeverSpiked = std::numeric_limits<sim::Step>::min() / 2;

  DiehlCookStdp() = default;
  DiehlCookStdp(const StdpParams& p, double dt_ms, std::size_t n_post)
      : p_(p),
        pre_(p.tau_pre_ms, dt_ms),
        post1_(p.tau_post1_ms, dt_ms),
        post2_(p.tau_post2_ms, dt_ms),
        last_post_(n_post, kNeverSpiked),
        depression_(n_post, 0.0),
        is_recent_(n_post, 0),
        part_begin_{0, n_post} {}

  /// The post neurons cut into parts (part p is [begin[p], begin[p+1])): each part keeps its
  /// own list of recent neurons, so that parts on different threads touch only their own.
  void set_parts(const std::vector<std::size_t>& begin) {
    part_begin_ = begin;
    recent_.assign(begin.size() - 1, {});
    for (std::size_t j = 0; j < is_recent_.size(); ++j)
      if (is_recent_[j]) recent_[static_cast<std::size_t>(part_of(j))].push_back(static_cast<sim::NeuronId>(j));
  }

  /// Once per step before arrivals: the depression nu_pre * x_post1(now) of the part's post
  /// neurons. Parts may be prepared on different threads. Only neurons that spiked within the
  /// trace table's length can have a non-zero trace; the others' entries stay 0, which is what
  /// the table gives them, so this is the full computation at a fraction of the cost (at
  /// N = 400 a few dozen neurons instead of all). A neuron whose trace has run out but that is
  /// still listed gets 0 the same way.
  void prepare_arrivals(sim::Step now, int part) {
    const double scale = p_.flipped_depression ? -p_.nu_pre : p_.nu_pre;
    for (const sim::NeuronId j : recent_[static_cast<std::size_t>(part)])
      depression_[j] = scale * post1_(now - last_post_[j]);
  }
  void on_arrivals(double* g, double gain, float* w, const std::uint16_t* post, const sim::Bucket* buckets,
                   std::size_t n_buckets) const {
    deliver_and_depress(g, gain, w, post, buckets, n_buckets, depression_.data(), p_.w_min, p_.w_max);
  }

  /// `part`: the part that `post` lies in; parts may learn on different threads.
  template <typename View>
  void on_post(sim::NeuronId post, sim::Step now, const View& v, int part) {
    const double x_post2 = post2_(now - last_post_[post]);  // value just before this spike
    const double scale = p_.nu_post * x_post2;
    for (std::size_t i = 0; i < v.n_pre(); ++i) {
      const auto last = v.last_arrival(i, post, now);
      const double x_pre = last ? pre_(now - *last) : 0.0;
      // Brian clips at every update, so a weight left above w_max by normalisation is clipped here.
      float& w = v.weight(i, post);
      w = clip(static_cast<double>(w) + scale * x_pre);
    }
    last_post_[post] = now;
    auto& recent = recent_[static_cast<std::size_t>(part)];
    forget_expired(now, recent);
    if (!is_recent_[post]) {
      is_recent_[post] = 1;
      recent.push_back(post);
    }
  }

  void reset_dynamics() { set_last_post(std::vector<sim::Step>(last_post_.size(), kNeverSpiked)); }
  const std::vector<sim::Step>& last_post() const { return last_post_; }
  /// Restores the post spike steps (checkpoints); every neuron that ever spiked counts as recent
  /// until its trace is found to have expired.
  void set_last_post(std::vector<sim::Step> last) {
    last_post_ = std::move(last);
    is_recent_.assign(last_post_.size(), 0);
    std::fill(depression_.begin(), depression_.end(), 0.0);
    for (std::size_t j = 0; j < last_post_.size(); ++j) is_recent_[j] = last_post_[j] != kNeverSpiked;
    set_parts(part_begin_);
  }
  const StdpParams& params() const { return p_; }
  /// Post neurons of a part whose arrivals may change weights: those with a depression that can
  /// be non-zero (the others' depression is 0, and w - 0 clipped is w for w in [w_min, w_max]).
  const std::vector<sim::NeuronId>& recent(int part) const { return recent_[static_cast<std::size_t>(part)]; }
  /// The part that post neuron j lies in.
  int part_of(std::size_t j) const {
    return static_cast<int>(std::upper_bound(part_begin_.begin(), part_begin_.end(), j) - part_begin_.begin()) - 1;
  }
  bool keeps_on_arrival(float w) const {
    const double x = static_cast<double>(w);
    return x >= p_.w_min && x <= p_.w_max;
  }

 private:
  float clip(double w) const { return clip_weight(w, p_.w_min, p_.w_max); }

  // Drops a part's neurons whose x_post1 is 0 from now on and zeroes their depression. Runs
  // with the part's post spikes (after the step's arrivals), so no prepare_arrivals of the part
  // is running. Which step a neuron is dropped at changes no number: until then its depression
  // is computed as 0 from the table.
  void forget_expired(sim::Step now, std::vector<sim::NeuronId>& recent) {
    std::size_t kept = 0;
    for (const sim::NeuronId j : recent) {
      if (now - last_post_[j] >= post1_.last()) {
        is_recent_[j] = 0;
        depression_[j] = 0.0;
      } else {
        recent[kept++] = j;
      }
    }
    recent.resize(kept);
  }

  StdpParams p_;
  TraceTable pre_, post1_, post2_;
  std::vector<sim::Step> last_post_;
  std::vector<double> depression_;
  std::vector<std::uint8_t> is_recent_;  // per post neuron: listed in recent_
  std::vector<std::size_t> part_begin_ = {0, 0};              // parts of the post neurons
  std::vector<std::vector<sim::NeuronId>> recent_ = {{}};    // per part: post neurons whose x_post1 may be non-zero
};

}  // namespace snnsim::models
