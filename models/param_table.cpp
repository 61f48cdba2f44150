#include "param_table.hpp"

#include <stdexcept>

namespace snnsim::models {
namespace {
void add_lif(std::vector<ParamField>& f, LifParams& l, const std::string& pop) {
  const std::string p = pop + "_";
  f.push_back({p + "tau_m_ms", &l.tau_m_ms, "membrane time constant"});
  f.push_back({p + "v_rest_mV", &l.v_rest_mV, "resting potential"});
  f.push_back({p + "v_reset_mV", &l.v_reset_mV, "reset potential"});
  f.push_back({p + "v_thresh_mV", &l.v_thresh_mV, "base threshold"});
  f.push_back({p + "e_exc_mV", &l.e_exc_mV, "excitatory reversal potential"});
  f.push_back({p + "e_inh_mV", &l.e_inh_mV, "inhibitory reversal potential"});
  f.push_back({p + "tau_ge_ms", &l.tau_ge_ms, "excitatory conductance decay"});
  f.push_back({p + "tau_gi_ms", &l.tau_gi_ms, "inhibitory conductance decay"});
  f.push_back({p + "refractory_ms", &l.refractory_ms, "v clamped at reset after a spike"});
  f.push_back({p + "spike_block_ms", &l.spike_block_ms, "no spike after a spike (Brian 2 ports: 50)"});
  f.push_back({p + "v_init_mV", &l.v_init_mV, "membrane potential at start"});
  f.push_back({p + "leak_gain", &l.leak_gain, "gain on the leak term (sleep raises it)"});
  f.push_back({p + "integrator", &l.integrator, "exponential_euler | forward_euler"});
  if (pop == "exc") {
    f.push_back({p + "adaptive_threshold", &l.adaptive_threshold, "adaptive threshold theta on/off"});
    f.push_back({p + "theta_plus_mV", &l.theta_plus_mV, "theta increment per spike"});
    f.push_back({p + "tau_theta_ms", &l.tau_theta_ms, "theta decay time constant"});
    f.push_back({p + "theta_init_mV", &l.theta_init_mV, "theta at start"});
    f.push_back({p + "theta_offset_mV", &l.theta_offset_mV, "threshold = v_thresh + theta - offset"});
  }
}
}  // namespace

std::vector<ParamField> param_fields(DiehlCookParams& p) {
  std::vector<ParamField> f = {
      {"n_input", &p.n_input, "input sources (pixels)"},
      {"n_exc", &p.n_exc, "excitatory neurons (= inhibitory neurons)"},
      {"dt_ms", &p.dt_ms, "time step"},
      {"t_present_ms", &p.t_present_ms, "input window per presentation"},
      {"t_rest_ms", &p.t_rest_ms, "silent rest after each presentation"},
      {"w_exc_inh", &p.w_exc_inh, "exc -> inh partner weight (leak units)"},
      {"w_inh_exc", &p.w_inh_exc, "inh -> other exc weight (leak units)"},
      {"w_init_scale", &p.w_init_scale, "initial input weights (U[0,1)+offset)*scale"},
      {"w_init_offset", &p.w_init_offset, "initial input weight offset"},
      {"delay_max_ms", &p.delay_max_ms, "input->exc delays U[0,max) ms (0 = one step)"},
      {"weight_norm_total", &p.weight_norm_total, "per-neuron input weight sum after normalisation"},
      {"input_rate_per_intensity_Hz", &p.input_rate_per_intensity_Hz, "rate = pixel*intensity*this"},
      {"input_intensity_start", &p.input_intensity_start, "intensity of a first presentation"},
      {"input_intensity_step", &p.input_intensity_step, "intensity added per retry"},
      {"min_exc_spikes", &p.min_exc_spikes, "retry when the exc layer fires fewer spikes"},
      {"max_tries", &p.max_tries, "cap on presentations per image (1 = no retry)"},
      {"frozen_chain_images", &p.frozen_chain_images,
       "labelling/testing: images in a row with the rest between them, no reset (the authors' test mode), "
       "each chain from rest; 1 = every image from rest",
       true},
      {"input_exc_gain", &p.input_exc_gain, "gain on input->exc conductance"},
      {"inh_exc_gain", &p.inh_exc_gain, "gain on inh->exc conductance"},
      {"stdp_tau_pre_ms", &p.stdp.tau_pre_ms, "presynaptic trace"},
      {"stdp_tau_post1_ms", &p.stdp.tau_post1_ms, "postsynaptic trace for depression"},
      {"stdp_tau_post2_ms", &p.stdp.tau_post2_ms, "slow postsynaptic trace for potentiation"},
      {"stdp_nu_pre", &p.stdp.nu_pre, "depression rate"},
      {"stdp_nu_post", &p.stdp.nu_post, "potentiation rate"},
      {"stdp_w_min", &p.stdp.w_min, "lower weight bound"},
      {"stdp_w_max", &p.stdp.w_max, "upper weight bound"},
      {"stdp_flipped_depression", &p.stdp.flipped_depression,
       "Brian 2 port's sign: pre arrival adds nu_pre*x_post1 (comparisons only)", true},
  };
  add_lif(f, p.exc, "exc");
  add_lif(f, p.inh, "inh");
  return f;
}

std::string to_string(Integrator i) {
  return i == Integrator::exponential_euler ? "exponential_euler" : "forward_euler";
}

Integrator integrator_from_string(const std::string& s) {
  if (s == "exponential_euler") return Integrator::exponential_euler;
  if (s == "forward_euler") return Integrator::forward_euler;
  throw std::invalid_argument("unknown integrator '" + s + "' (exponential_euler | forward_euler)");
}

}  // namespace snnsim::models
