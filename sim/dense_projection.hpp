#pragma once
// All-to-all projection with a weight and a delay per synapse. Weights are stored pre-major
// ([n_pre][n_post], the D&C XeAe orientation) because arrival processing walks a row; each
// source's targets are pre-bucketed by delay, so a step touches exactly the synapses whose
// spikes arrive now. A plasticity Rule is a template parameter so the hot loop has no
// virtual calls; NoPlasticity compiles the learning code away.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include "projection.hpp"
#include "spike_ring.hpp"

namespace snnsim::sim {

/// Steps since a synapse last received a spike, stored relative to a moving base so that
/// int32 suffices for any run length. kNever marks "no arrival yet".
inline constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min();

struct NoPlasticity {
  static constexpr bool kPlastic = false;
};

/// Rule concept (see models/stdp_diehl_cook.hpp):
///   static constexpr bool kPlastic = true;
///   void on_arrival(float& w, NeuronId post, Step now);            // after last_arrival is set
///   void on_post(NeuronId post, Step now, DenseView view);          // post spike: walk column
///   void reset_dynamics();
template <typename Rule>
class DenseProjection final : public Projection {
 public:
  /// delays_steps: one per synapse, pre-major, each in [1, max_delay].
  DenseProjection(std::string name, Population& source, Population& target, Receptor r,
                  std::vector<float> weights, std::vector<std::uint8_t> delays_steps, Rule rule = {})
      : Projection(std::move(name), source, target, r),
        n_pre_(source.size()),
        n_post_(target.size()),
        weights_(std::move(weights)),
        delays_(std::move(delays_steps)),
        rule_(std::move(rule)) {
    if (weights_.size() != n_pre_ * n_post_ || delays_.size() != weights_.size())
      throw std::invalid_argument("dense projection: weight/delay size must be n_pre * n_post");
    max_delay_ = 1;
    for (auto d : delays_) {
      if (d < 1) throw std::invalid_argument("dense projection: delays must be >= 1 step");
      max_delay_ = std::max<int>(max_delay_, d);
    }
    ring_ = SpikeRing(static_cast<std::size_t>(max_delay_) + 1);
    build_buckets();
    last_arrival_.assign(weights_.size(), kNever);
  }

  void deliver(Step now) override {
    maybe_rebase(now);
    double* g = target_channel();
    const double gain_now = gain();
    const std::size_t stride = static_cast<std::size_t>(max_delay_) + 2;
    for (int d = 1; d <= max_delay_; ++d) {
      for (NeuronId i : ring_.at(now - d)) {
        const std::size_t row = std::size_t{i} * n_post_;
        const std::uint32_t* begin = post_by_delay_.data() + row + bucket_[i * stride + d];
        const std::uint32_t* end = post_by_delay_.data() + row + bucket_[i * stride + d + 1];
        float* w = weights_.data() + row;
        if constexpr (Rule::kPlastic) {
          if (learning_) {
            std::int32_t* last = last_arrival_.data() + row;
            const auto rel = static_cast<std::int32_t>(now - base_);
            for (const std::uint32_t* p = begin; p != end; ++p) {
              const std::uint32_t j = *p;
              g[j] += gain_now * static_cast<double>(w[j]);
              last[j] = rel;
              rule_.on_arrival(w[j], j, now);
            }
            continue;
          }
        }
        for (const std::uint32_t* p = begin; p != end; ++p) g[*p] += gain_now * static_cast<double>(w[*p]);
      }
    }
  }

  void propagate(Step now) override {
    ring_.push(now, source().spikes());
    if constexpr (Rule::kPlastic) {
      if (!learning_) return;
      for (NeuronId j : target().spikes()) rule_.on_post(j, now, view());
    }
  }

  void reset_dynamics() override {
    ring_.clear();
    std::fill(last_arrival_.begin(), last_arrival_.end(), kNever);
    if constexpr (Rule::kPlastic) rule_.reset_dynamics();
  }

  std::string rule() const override { return "all_to_all"; }
  int max_delay_steps() const override { return max_delay_; }

  /// What a rule sees when a post spike walks its column.
  struct View {
    float* weights;
    const std::int32_t* last_arrival;
    std::size_t n_pre, n_post;
    Step base;  // last_arrival values are relative to this step
  };
  View view() { return {weights_.data(), last_arrival_.data(), n_pre_, n_post_, base_}; }

  std::span<float> weights() { return weights_; }
  std::span<const float> weights() const { return weights_; }
  std::span<const std::uint8_t> delays() const { return delays_; }
  std::size_t n_pre() const { return n_pre_; }
  std::size_t n_post() const { return n_post_; }
  Rule& plasticity() { return rule_; }
  const Rule& plasticity() const { return rule_; }
  /// Off: weights are frozen (arrivals still deliver conductance).
  void set_learning(bool on) { learning_ = on; }
  bool learning() const { return learning_; }

  /// Per-synapse arrival bookkeeping, for exact resume (int64 min = never).
  void set_last_arrival_absolute(std::span<const std::int64_t> steps, Step now) {
    if (steps.size() != last_arrival_.size()) throw std::invalid_argument("last-arrival size mismatch");
    base_ = now;
    for (std::size_t k = 0; k < steps.size(); ++k)
      last_arrival_[k] = steps[k] == std::numeric_limits<std::int64_t>::min()
                             ? kNever
                             : static_cast<std::int32_t>(std::max<Step>(steps[k] - now, -(Step{1} << 29)));
  }
  std::vector<std::int64_t> last_arrival_absolute() const {
    std::vector<std::int64_t> out(last_arrival_.size());
    for (std::size_t k = 0; k < out.size(); ++k)
      out[k] = last_arrival_[k] == kNever ? std::numeric_limits<std::int64_t>::min() : base_ + last_arrival_[k];
    return out;
  }

 private:
  void build_buckets() {
    const std::size_t stride = static_cast<std::size_t>(max_delay_) + 2;
    bucket_.assign(n_pre_ * stride, 0);
    post_by_delay_.resize(weights_.size());
    for (std::size_t i = 0; i < n_pre_; ++i) {
      std::uint32_t* b = bucket_.data() + i * stride;
      for (std::size_t j = 0; j < n_post_; ++j) ++b[delays_[i * n_post_ + j] + 1];
      for (std::size_t d = 1; d < stride; ++d) b[d] += b[d - 1];
      std::vector<std::uint32_t> cursor(b, b + stride - 1);
      for (std::size_t j = 0; j < n_post_; ++j)
        post_by_delay_[i * n_post_ + cursor[delays_[i * n_post_ + j]]++] = static_cast<std::uint32_t>(j);
    }
  }

  // Keeps now - base_ well inside int32; arrivals older than that carry no trace anyway.
  void maybe_rebase(Step now) {
    if constexpr (Rule::kPlastic) {
      constexpr Step kLimit = Step{1} << 30;
      if (now - base_ < kLimit) return;
      const Step shift = now - base_ - (Step{1} << 20);
      for (auto& l : last_arrival_)
        if (l != kNever) l = static_cast<std::int32_t>(std::max<Step>(Step{l} - shift, -(Step{1} << 29)));
      base_ += shift;
    }
  }

  std::size_t n_pre_, n_post_;
  std::vector<float> weights_;
  std::vector<std::uint8_t> delays_;
  Rule rule_;
  int max_delay_ = 1;
  SpikeRing ring_{2};
  std::vector<std::uint32_t> bucket_;         // [n_pre][max_delay+2] offsets into a row
  std::vector<std::uint32_t> post_by_delay_;  // per row: post ids sorted by delay
  std::vector<std::int32_t> last_arrival_;    // per synapse, relative to base_
  Step base_ = 0;
  bool learning_ = true;
};

}  // namespace snnsim::sim
