#pragma once
// All-to-all projection with a weight and a delay per synapse. Arrival processing walks a
// source's row, so weights are stored pre-major; inside a row they are sorted by delay (slot k
// of row i is the synapse to post_by_delay_[i][k]), so a step touches exactly the synapses
// whose spikes arrive now, and reads and updates their weights contiguously. The outside sees
// the natural [n_pre][n_post] order (weights(), View::weight). A plasticity Rule is a template
// parameter so the hot loop has no virtual calls; NoPlasticity compiles the learning code away.
//
// When a synapse last received a spike (what a presynaptic trace needs) is not stored per
// synapse: it follows from the source's recent spike times and the synapse's delay, so each
// source keeps its last few spike steps. That saves a store per synaptic event and n_pre*n_post
// int32 of memory.
//
// With several threads (set_parallelism), the targets are cut into contiguous blocks and each
// row holds block after block, each sorted by delay: block b of every row occupies the slots of
// its own target range, so one thread can own a block's conductances, weights and traces. Each
// synapse still sees the same arrivals in the same order, so the numbers do not change.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "dense_kernels.hpp"
#include "projection.hpp"
#include "spike_ring.hpp"

namespace snnsim::sim {

struct NoPlasticity {
  static constexpr bool kPlastic = false;
};

/// Rule concept (see models/stdp_diehl_cook.hpp). The targets are cut into parts (the
/// projection's blocks); calls for different parts may run concurrently, each touching only its
/// own targets' state:
///   static constexpr bool kPlastic = true;
///   void set_parts(const std::vector<size_t>& begin);       // part p is [begin[p], begin[p+1])
///   void prepare_arrivals(Step now, int part);  // once per step with arrivals for the part
///   void on_arrivals(double* g, double gain, float* w, const std::uint16_t* post,
///                    const Bucket* buckets, std::size_t n_buckets);
///                          // spikes reach the synapses of each bucket in order (w[k] of the
///                          // synapse to post[k]): add gain * w[k] to g[post[k]] with the weight
///                          // as it arrived, then learn
///   void on_post(NeuronId post, Step now, const View& v, int part);  // post spike: walk its column
///   void reset_dynamics();
///   const std::vector<NeuronId>& recent(int part) const;  // targets whose arrivals may change
///                                                 // their weights (arrivals leave the others'
///                                                 // in-range weights as they are)
///   bool keeps_on_arrival(float w) const;          // an arrival to a target not in recent()
///                                                 // leaves weight w as it is
template <typename Rule>
class DenseProjection final : public Projection {
 public:
  /// Index of a target within a source's row. 16 bits halve the ids a spike walks (with the
  /// weights they are what an arrival reads from memory) at the cost of a 65535-target limit.
  using PostIndex = std::uint16_t;
  static constexpr std::size_t kMaxTargets = 65535;
  /// delays_steps: one per synapse, pre-major, each in [1, 255].
  DenseProjection(std::string name, Population& source, Population& target, Receptor r,
                  std::vector<float> weights, std::vector<std::uint8_t> delays_steps, Rule rule = {})
      : Projection(std::move(name), source, target, r),
        n_pre_(source.size()),
        n_post_(target.size()),
        delays_(std::move(delays_steps)),
        rule_(std::move(rule)) {
    if (n_post_ > kMaxTargets)
      throw std::invalid_argument("dense projection: at most " + std::to_string(kMaxTargets) +
                                  " targets (per-row indices are 16-bit)");
    if (weights.size() != n_pre_ * n_post_ || delays_.size() != weights.size())
      throw std::invalid_argument("dense projection: weight/delay size must be n_pre * n_post");
    max_delay_ = 1;
    for (auto d : delays_) {
      if (d < 1) throw std::invalid_argument("dense projection: delays must be >= 1 step");
      max_delay_ = std::max<int>(max_delay_, d);
    }
    ring_ = SpikeRing(static_cast<std::size_t>(max_delay_) + 1);
    history_len_ = std::bit_ceil(static_cast<std::size_t>(max_delay_) + 2);
    set_blocks(1);
    set_weights(weights);
    reset_history();
  }

  void deliver(Step now) override {
    for (int b = 0; b < parts(); ++b) deliver_part(now, b);
  }
  /// One block of targets (see top); the engine runs the blocks of a step concurrently.
  int parts() const override { return static_cast<int>(block_begin_.size()) - 1; }
  void deliver_part(Step now, int part) override {
    deliver_block(now, static_cast<std::size_t>(part), target_channel(), gain());
  }

  /// Cuts the targets into one block per thread when the projection is large enough; the
  /// weights are moved into the new layout.
  void set_parallelism(const Parallelism& p) override {
    const int parts = p.parts(n_post_);
    if (static_cast<std::size_t>(parts) + 1 == block_begin_.size()) return;
    const auto w = weights();
    set_blocks(parts);
    set_weights(w);
  }

  void propagate(Step now) override {
    const auto& spikes = source().spikes();
    ring_.push(now, spikes);
    if constexpr (Rule::kPlastic) {
      for (NeuronId i : spikes) {
        const std::size_t k = (head_[i] + 1) & (history_len_ - 1);
        history_[i * history_len_ + k] = now;
        head_[i] = static_cast<std::uint32_t>(k);
      }
      if (!learning_ || post_split()) return;
      for (NeuronId j : target().spikes()) learn_from_post(j, now, rule_.part_of(j));
    }
  }

  /// The target's parts are this projection's blocks: each part's post spikes walk only that
  /// block's weight slots, so the parts can learn concurrently, each on its own thread.
  bool post_split() const override {
    if constexpr (Rule::kPlastic) return parts() > 1 && target().parts() == parts();
    return false;
  }
  /// Post-spike plasticity of the target's part p (this step's spikes of that part). It runs
  /// before propagate() enters this step's source spikes into the history; the synapses'
  /// last arrivals (at or before now) come from earlier spikes, so they are the same.
  void post_part(Step now, int part) override {
    if constexpr (Rule::kPlastic) {
      if (!learning_) return;
      for (NeuronId j : target().part_spikes(part)) learn_from_post(j, now, part);
    }
  }

  void reset_dynamics() override {
    ring_.clear();
    reset_history();
    if constexpr (Rule::kPlastic) rule_.reset_dynamics();
  }

  std::string rule() const override { return "all_to_all"; }
  std::vector<std::pair<Step, NeuronId>> in_flight() const override { return ring_.entries(); }
  void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& s) override { ring_.restore(s); }
  int max_delay_steps() const override { return max_delay_; }

  /// What a rule sees when a post spike walks its column.
  class View {
   public:
    explicit View(DenseProjection* p) : p_(p) {}
    std::size_t n_pre() const { return p_->n_pre_; }
    float& weight(std::size_t pre, std::size_t post) const { return p_->weights_[p_->slot(pre, post)]; }
    /// Step at which synapse (pre, post) last received a spike, at or before `now`.
    std::optional<Step> last_arrival(std::size_t pre, std::size_t post, Step now) const {
      return p_->last_arrival(pre, p_->delays_[pre * p_->n_post_ + post], now);
    }

   private:
    DenseProjection* p_;
  };

  /// Weights in natural order, [n_pre][n_post].
  std::vector<float> weights() const {
    std::vector<float> out(weights_.size());
    for (std::size_t i = 0; i < n_pre_; ++i)
      for (std::size_t j = 0; j < n_post_; ++j) out[i * n_post_ + j] = weights_[slot(i, j)];
    return out;
  }
  void set_weights(std::span<const float> w) {
    if (w.size() != weights_.size()) throw std::invalid_argument("dense projection: weight size must be n_pre * n_post");
    for (std::size_t i = 0; i < n_pre_; ++i)
      for (std::size_t j = 0; j < n_post_; ++j) weights_[slot(i, j)] = w[i * n_post_ + j];
    settled_.assign(n_post_, 0);
  }
  float weight(std::size_t pre, std::size_t post) const { return weights_[slot(pre, post)]; }
  /// Synaptic scaling: each target neuron's incoming weights are multiplied so that they sum to
  /// `total` (a target whose weights sum to 0 is left alone). Sums run over sources in order.
  ///
  /// A column that the last scaling to the same total left as it was, and that nothing has
  /// written since, is settled: its sum, hence its factor, would be the same again, and so
  /// would the (unchanged) weights, so it is skipped. In D&C training only the columns of
  /// neurons that spiked recently are not settled (a few per cent at N = 6400); the others sit at
  /// the fixed point float(w * factor) == w after one or two scalings. Every write to a
  /// column unsettles it: set_weights, a post spike's rule (propagate), an arrival to a target
  /// in the rule's recent() (deliver), or an arrival that would clip a weight out of the
  /// rule's range (a column scaled out of range stays unsettled).
  void scale_columns_to_sum(double total) {
    if (total != settled_total_) {
      std::fill(settled_.begin(), settled_.end(), std::uint8_t{0});
      settled_total_ = total;
    }
    std::size_t unsettled = 0;
    for (auto s : settled_) unsettled += !s;
    if (unsettled == 0) return;
    // Many columns to do (a fresh or restored network): the row-wise kernels over every column,
    // with a pass that finds which columns the scaling left as they were.
    if (unsettled * 4 > n_post_) {
      std::vector<double> column_sum(n_post_, 0.0);
      std::vector<double> factor(n_post_, 1.0);
      auto scale_block = [&](std::size_t b) {
        const std::size_t lo = block_begin_[b], hi = block_begin_[b + 1];
        for (std::size_t i = 0; i < n_pre_; ++i)
          add_gathered(column_sum.data() + lo, weights_.data() + i * n_post_, slot_of_.data() + i * n_post_ + lo, hi - lo);
        for (std::size_t j = lo; j < hi; ++j)
          if (column_sum[j] > 0.0) factor[j] = total / column_sum[j];
        for (std::size_t j = lo; j < hi; ++j) settled_[j] = 1;
        for (std::size_t i = 0; i < n_pre_; ++i) {
          float* w = weights_.data() + i * n_post_;
          const PostIndex* post = post_by_delay_.data() + i * n_post_;
          for (std::size_t k = lo; k < hi; ++k) old_row_[b][k - lo] = w[k];
          scale_gathered(w + lo, post + lo, factor.data(), hi - lo);
          for (std::size_t k = lo; k < hi; ++k)
            if (!same_and_kept(old_row_[b][k - lo], w[k])) settled_[post[k]] = 0;
        }
      };
      for (auto& r : old_row_) r.resize(n_post_);
      for_each_block(scale_block);
      return;
    }
    // A few columns: the same sums and products over a list of them, row by row (sources in
    // order), touching only their weights; block by block, each on its own thread as in the
    // arrivals, so a block's weight lines stay with the thread that delivers to them.
    auto scale_listed = [&](std::size_t b) {
      auto& list = unsettled_list_[b];
      list.clear();
      for (std::size_t j = block_begin_[b]; j < block_begin_[b + 1]; ++j)
        if (!settled_[j]) list.push_back(static_cast<PostIndex>(j));
      auto& sum = list_sum_[b];
      sum.assign(list.size(), 0.0);
      for (std::size_t i = 0; i < n_pre_; ++i) {
        const float* w = weights_.data() + i * n_post_;
        const PostIndex* slot_of = slot_of_.data() + i * n_post_;
        for (std::size_t q = 0; q < list.size(); ++q) sum[q] += static_cast<double>(w[slot_of[list[q]]]);
      }
      for (std::size_t q = 0; q < list.size(); ++q) {
        sum[q] = sum[q] > 0.0 ? total / sum[q] : 1.0;  // now the factor
        settled_[list[q]] = 1;
      }
      for (std::size_t i = 0; i < n_pre_; ++i) {
        float* w = weights_.data() + i * n_post_;
        const PostIndex* slot_of = slot_of_.data() + i * n_post_;
        for (std::size_t q = 0; q < list.size(); ++q) {
          float& x = w[slot_of[list[q]]];
          const float old = x;
          x = static_cast<float>(static_cast<double>(old) * sum[q]);
          if (!same_and_kept(old, x)) settled_[list[q]] = 0;
        }
      }
    };
    for_each_block(scale_listed);
  }
  /// Targets whose columns the next scale_columns_to_sum will scale (tests, benchmarks).
  std::size_t unsettled_columns() const {
    std::size_t n = 0;
    for (auto s : settled_) n += !s;
    return n;
  }
  std::span<const std::uint8_t> delays() const { return delays_; }
  std::size_t n_pre() const { return n_pre_; }
  std::size_t n_post() const { return n_post_; }
  Rule& plasticity() { return rule_; }
  const Rule& plasticity() const { return rule_; }
  /// Off: weights are frozen (arrivals still deliver conductance).
  void set_learning(bool on) { learning_ = on; }
  bool learning() const { return learning_; }

  /// Each source's recent spike steps, oldest first ([n_pre][history_length], kNoSpike-padded),
  /// for exact checkpoint/resume.
  static constexpr Step kNoSpike = std::numeric_limits<Step>::min() / 2;
  std::size_t history_length() const { return history_len_; }
  std::vector<Step> spike_history() const {
    std::vector<Step> out(n_pre_ * history_len_);
    for (std::size_t i = 0; i < n_pre_; ++i)
      for (std::size_t k = 0; k < history_len_; ++k)
        out[i * history_len_ + k] = history_[i * history_len_ + ((head_[i] + 1 + k) & (history_len_ - 1))];
    return out;
  }
  void set_spike_history(std::span<const Step> h) {
    if (h.size() != n_pre_ * history_len_) throw std::invalid_argument("spike history size mismatch");
    std::copy(h.begin(), h.end(), history_.begin());
    std::fill(head_.begin(), head_.end(), static_cast<std::uint32_t>(history_len_ - 1));
  }

 private:
  std::size_t slot(std::size_t pre, std::size_t post) const {
    return pre * n_post_ + slot_of_[pre * n_post_ + post];
  }

  std::optional<Step> last_arrival(std::size_t pre, std::uint8_t delay, Step now) const {
    const Step* h = history_.data() + pre * history_len_;
    // At most one spike per step, so the latest spike old enough to have arrived is among the
    // last delay+2 <= history_len spikes.
    for (std::size_t k = 0; k < history_len_; ++k) {
      const Step s = h[(head_[pre] + history_len_ - k) & (history_len_ - 1)];
      if (s == kNoSpike) return std::nullopt;
      if (s + delay <= now) return s + delay;
    }
    return std::nullopt;
  }

  void reset_history() {
    history_.assign(n_pre_ * history_len_, kNoSpike);
    head_.assign(n_pre_, 0);
  }

  // Lays each row out as `parts` blocks of targets, each sorted by delay (see top).
  void set_blocks(int parts) {
    block_begin_.resize(static_cast<std::size_t>(parts) + 1);
    for (int p = 0; p <= parts; ++p) block_begin_[static_cast<std::size_t>(p)] = range_begin(n_post_, parts, p);
    if constexpr (Rule::kPlastic) rule_.set_parts(block_begin_);
    arrivals_.assign(static_cast<std::size_t>(parts), {});
    old_row_.assign(static_cast<std::size_t>(parts), {});
    unsettled_list_.assign(static_cast<std::size_t>(parts), {});
    list_sum_.assign(static_cast<std::size_t>(parts), {});
    const std::size_t stride = bucket_stride();
    bucket_.assign(n_pre_ * static_cast<std::size_t>(parts) * stride, 0);
    weights_.assign(delays_.size(), 0.0f);
    post_by_delay_.resize(delays_.size());
    slot_of_.resize(delays_.size());
    std::vector<std::uint32_t> cursor(stride);
    for (std::size_t i = 0; i < n_pre_; ++i) {
      for (std::size_t blk = 0; blk < static_cast<std::size_t>(parts); ++blk) {
        const std::size_t lo = block_begin_[blk], hi = block_begin_[blk + 1];
        PostIndex* b = bucket_.data() + (i * static_cast<std::size_t>(parts) + blk) * stride;
        b[0] = static_cast<PostIndex>(lo);
        for (std::size_t j = lo; j < hi; ++j) ++b[delays_[i * n_post_ + j] + 1];
        for (std::size_t d = 1; d < stride; ++d) b[d] += b[d - 1];
        std::copy(b, b + stride, cursor.begin());
        for (std::size_t j = lo; j < hi; ++j) {
          const std::uint32_t k = cursor[delays_[i * n_post_ + j]]++;
          post_by_delay_[i * n_post_ + k] = static_cast<PostIndex>(j);
          slot_of_[i * n_post_ + j] = static_cast<PostIndex>(k);
        }
      }
    }
  }
  std::size_t bucket_stride() const { return static_cast<std::size_t>(max_delay_) + 2; }

  // f(b) for every target block, one thread per block when there are several.
  template <typename F>
  void for_each_block(F&& f) {
    const std::size_t blocks = block_begin_.size() - 1;
    if (blocks == 1) {
      f(std::size_t{0});
      return;
    }
#pragma omp parallel for num_threads(static_cast<int>(blocks)) schedule(static, 1)
    for (std::size_t b = 0; b < blocks; ++b) f(b);
  }

  void learn_from_post(NeuronId j, Step now, int part) {
    settled_[j] = 0;  // the rule walks column j
    rule_.on_post(j, now, View{this}, part);
  }

  // Whether a weight scaled from `before` to `after` came out the same (bit for bit) and is one
  // an arrival without depression keeps (the rule's range).
  bool same_and_kept(float before, float after) const {
    if (std::bit_cast<std::uint32_t>(before) != std::bit_cast<std::uint32_t>(after)) return false;
    if constexpr (Rule::kPlastic) return rule_.keeps_on_arrival(after);
    return true;
  }

  // The arrivals of one step for the targets of block b. The buckets are listed first, so that
  // one kernel call delivers them all and can prefetch a few buckets ahead. Every block sees the
  // buckets in the same order (delay, then ring order), so each synapse's sequence is fixed.
  void deliver_block(Step now, std::size_t b, double* g, double gain_now) {
    const std::size_t stride = bucket_stride();
    const std::size_t blocks = block_begin_.size() - 1;
    auto& arrivals = arrivals_[b];
    arrivals.clear();
    for (int d = 1; d <= max_delay_; ++d) {
      for (NeuronId i : ring_.at(now - d)) {
        const PostIndex* bk = bucket_.data() + (std::size_t{i} * blocks + b) * stride;
        const std::size_t first = std::size_t{i} * n_post_ + bk[d];
        const std::size_t count = bk[d + 1] - bk[d];
        if (count > 0) arrivals.push_back({first, count});
      }
    }
    if (arrivals.empty()) return;
    if constexpr (Rule::kPlastic) {
      if (learning_) {
        const int part = static_cast<int>(b);
        for (const NeuronId j : rule_.recent(part)) settled_[j] = 0;  // their arrivals depress
        rule_.prepare_arrivals(now, part);
        rule_.on_arrivals(g, gain_now, weights_.data(), post_by_delay_.data(), arrivals.data(), arrivals.size());
        return;
      }
    }
    add_conductance(g, gain_now, weights_.data(), post_by_delay_.data(), arrivals.data(), arrivals.size());
  }

  std::size_t n_pre_, n_post_;
  std::vector<std::uint8_t> delays_;          // natural order
  std::vector<float> weights_;                // per row in delay-bucket order (see top)
  Rule rule_;
  int max_delay_ = 1;
  SpikeRing ring_{2};
  std::vector<std::size_t> block_begin_;      // target blocks: block b is [begin[b], begin[b+1])
  std::vector<PostIndex> bucket_;             // [n_pre][block][max_delay+2] offsets into a row
  std::vector<PostIndex> post_by_delay_;      // per row: post ids sorted by delay (slot -> post)
  std::vector<PostIndex> slot_of_;            // per row: post -> slot
  std::size_t history_len_ = 0;               // power of two >= max_delay + 2
  std::vector<Step> history_;                 // [n_pre][history_len] ring of spike steps
  std::vector<std::uint32_t> head_;           // per source: slot of its latest spike
  bool learning_ = true;
  std::vector<std::vector<Bucket>> arrivals_;  // per block: this step's buckets (capacity kept)
  std::vector<std::uint8_t> settled_;          // per target: column skipped by scale_columns_to_sum
  double settled_total_ = std::numeric_limits<double>::quiet_NaN();  // total it was scaled to
  std::vector<std::vector<float>> old_row_;    // per block: scratch of scale_columns_to_sum
  std::vector<std::vector<PostIndex>> unsettled_list_;  // per block: scratch of scale_columns_to_sum
  std::vector<std::vector<double>> list_sum_;           // per block: scratch of scale_columns_to_sum
};

}  // namespace snnsim::sim
