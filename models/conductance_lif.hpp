#pragma once
// Conductance-based leaky integrate-and-fire neurons (Diehl & Cook 2015), optionally with an
// adaptive threshold theta. Conductances are in units of the leak conductance:
//   tau_m dv/dt = k_L (E_rest - v) + g_e (E_exc - v) + g_i (E_inh - v)
// k_L (leak_gain) is 1 when awake; the sleep regime raises it.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/population.hpp"

namespace snnsim::models {

enum class Integrator {
  exponential_euler,  // v relaxes exactly toward v_inf with g held over the step: stable for any g
  forward_euler,      // Brian 1's: every variable, g and theta too (g *= 1 - dt/tau); v diverges
                      // once g_e + g_i > 2 tau_m/dt - 1 (kept for comparison)
};

struct LifParams {
  double tau_m_ms = 100.0;
  double v_rest_mV = -65.0;
  double v_reset_mV = -65.0;
  double v_thresh_mV = -52.0;
  double e_exc_mV = 0.0;
  double e_inh_mV = -100.0;
  double tau_ge_ms = 1.0;
  double tau_gi_ms = 2.0;
  double refractory_ms = 5.0;   // v clamped at reset for this long after a spike
  double spike_block_ms = 0.0;  // no spike for this long after a spike (Brian 2 ports: 50 ms)
  double v_init_mV = -105.0;    // v at the very start (D&C: v_rest - 40 mV)
  double leak_gain = 1.0;
  // Adaptive threshold: spike when v > v_thresh + theta - theta_offset.
  bool adaptive_threshold = false;
  double theta_plus_mV = 0.05;
  double tau_theta_ms = 1e7;
  double theta_init_mV = 20.0;
  double theta_offset_mV = 20.0;
  Integrator integrator = Integrator::exponential_euler;
};

/// Throws std::invalid_argument naming the first field that is out of range.
void validate(const LifParams& p, const std::string& prefix);

/// Whether a neuron with this theta fires when put at rest without input: its threshold
/// v_thresh + theta - theta_offset (theta and offset only with adaptive_threshold) lies below
/// v_rest, so the crossing test v > threshold holds on the first step. The same arithmetic as
/// ConductanceLif::update.
bool fires_at_rest(const LifParams& p, double theta_mV);

class ConductanceLif final : public sim::Population {
 public:
  ConductanceLif(std::string name, std::size_t size, const LifParams& params, double dt_ms);

  void update(sim::Step now) override;
  /// Within-step threads (see sim::Population): integration, threshold decay, the refractory
  /// clamp and the spike pass of a contiguous range of neurons per part, each on the thread
  /// that owns the range; finish_update joins the parts' spike lists in part order, which is
  /// id order.
  void set_parallelism(const sim::Parallelism& p) override;
  int parts() const override { return static_cast<int>(parts_.size()); }
  void update_part(sim::Step now, int part) override;
  void finish_update(sim::Step now) override;
  const std::vector<sim::NeuronId>& part_spikes(int part) const override {
    return parts_[static_cast<std::size_t>(part)].spikes;
  }
  double* receptor(sim::Receptor r) override { return r == sim::Receptor::excitatory ? ge_.data() : gi_.data(); }
  void reset_dynamics() override;
  std::string check_state() const override;
  std::string model() const override { return params_.adaptive_threshold ? "conductance_lif_adaptive" : "conductance_lif"; }

  /// Membrane at rest, conductances zero, not refractory (used between independent trials).
  void rest();
  /// Off: theta neither grows on spikes nor decays (test mode).
  void set_theta_plastic(bool on) { theta_plastic_ = on; }
  void set_leak_gain(double k) { params_.leak_gain = k; }
  const LifParams& params() const { return params_; }
  /// v crosses threshold above threshold_base() + theta.
  double threshold_base() const {
    return params_.v_thresh_mV - params_.theta_offset_mV * (params_.adaptive_threshold ? 1.0 : 0.0);
  }

  std::vector<double>& v_mV() { return v_; }
  std::vector<double>& ge() { return ge_; }
  std::vector<double>& gi() { return gi_; }
  std::vector<double>& theta_mV() { return theta_; }
  const std::vector<double>& theta_mV() const { return theta_; }
  std::vector<sim::Step>& refractory_until() { return refractory_until_; }
  std::vector<sim::Step>& blocked_until() { return blocked_until_; }

 private:
  LifParams params_;
  // Constants derived from dt once.
  double dt_over_tau_, decay_ge_, decay_gi_, decay_theta_;
  sim::Step refractory_steps_, block_steps_;
  bool theta_plastic_ = true;
  // State, structure of arrays.
  std::vector<double> v_, ge_, gi_, theta_;
  std::vector<sim::Step> refractory_until_, blocked_until_;
  // Per part, written only by the thread that updates it (a cache line each, so the threads'
  // writes do not share one): the part's spikes of this step, in id order.
  struct alignas(64) Part {
    std::vector<sim::NeuronId> spikes;
  };
  std::vector<Part> parts_ = std::vector<Part>(1);
  /// Spike pass over neurons [lo, hi), in id order, appending their ids to `out`.
  void spike_pass(sim::Step now, std::size_t lo, std::size_t hi, std::vector<sim::NeuronId>& out);
};

}  // namespace snnsim::models
