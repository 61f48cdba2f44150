#include "ann/sleep.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "ann/rng.hpp"

namespace snnsim::ann {

double gate_value(Gate g, double w) {
  if (g == Gate::matlab) return 2.0 / (1.0 + std::exp(1000.0 * w));
  return 1.0 / (1.0 + std::exp(-w));
}

std::vector<double> alpha_from_scales(const std::vector<double>& s, double alpha_scale) {
  std::vector<double> alpha(s.size());
  double previous = 1.0;
  for (std::size_t l = 0; l < s.size(); ++l) {
    const double applied_inv = s[l] / previous;  // f_l = s_l / f_{l-1}
    alpha[l] = alpha_scale / applied_inv;
    previous = applied_inv;
  }
  return alpha;
}

std::vector<double> data_alpha(const Net& net, const Mat& X, double alpha_scale, std::vector<double>* s_out) {
  std::vector<Real> amax;
  predict(net, X, &amax);
  std::vector<double> s(net.layers());
  for (int l = 0; l < net.layers(); ++l) {
    const double wmax = std::max<double>(0.0, net.W[l].maxCoeff());
    s[l] = std::max(wmax, std::max<double>(0.0, amax[l]));
    if (!(s[l] > 0)) throw std::runtime_error("alpha: layer " + std::to_string(l) + " has no positive weight or activation");
  }
  if (s_out) *s_out = s;
  return alpha_from_scales(s, alpha_scale);
}

namespace {

// In-place Hebbian update of one post-synaptic row: w += c_j * g(w_j), c_j = inc (pre spiked)
// or -dec (pre silent).
inline void hebbian_row(Real* w, const Real* c, Eigen::Index n, Gate gate) {
  Eigen::Map<Eigen::Array<Real, Eigen::Dynamic, 1>> row(w, n);
  Eigen::Map<const Eigen::Array<Real, Eigen::Dynamic, 1>> coef(c, n);
  if (gate == Gate::matlab)
    row += coef * (Real(2) / (Real(1) + (Real(1000) * row).exp()));
  else
    row += coef * (Real(1) / (Real(1) + (-row).exp()));
}

struct LayerScratch {
  std::vector<std::uint8_t> spk;          // spikes of this layer
  std::vector<int> list;                  // indices of spiking neurons
  std::vector<Real> coef;                 // per pre neuron: inc or -dec (for the next layer's rows)
  std::vector<Real> impulse;
};

class Simulator {
 public:
  Simulator(Net& net, const SleepParams& p, const std::vector<double>& alpha) : net_(net), p_(p), alpha_(alpha) {
    const int L = net.layers();
    if (static_cast<int>(p.beta.size()) != L) throw std::invalid_argument("sleep: need one beta per weight layer");
    if (static_cast<int>(alpha.size()) != L) throw std::invalid_argument("sleep: need one alpha per weight layer");
    v_.resize(L);
    layer_.resize(L + 1);
    for (int l = 0; l <= L; ++l) {
      layer_[l].spk.assign(net.sizes[l], 0);
      layer_[l].coef.assign(net.sizes[l], 0);
      layer_[l].impulse.assign(net.sizes[l], 0);
      layer_[l].list.reserve(net.sizes[l]);
      if (l > 0) v_[l - 1] = Vec::Zero(net.sizes[l]);
    }
    counts_.assign(L + 1, 0);
    sums_.resize(L + 1);
    for (int l = 0; l <= L; ++l) sums_[l].assign(net.sizes[l], 0);
  }

  std::vector<Vec>& membranes() { return v_; }
  const std::vector<std::int64_t>& counts() const { return counts_; }
  const std::vector<std::vector<std::int64_t>>& sums() const { return sums_; }
  std::vector<std::uint8_t>& input() { return layer_[0].spk; }
  const std::vector<std::uint8_t>& spikes(int l) const { return layer_[l].spk; }

  // Propagates the spikes already in layer 0 through all layers. Serial except for the two
  // loops that can be large (impulses when many pre neurons spiked, Hebbian rows when many post
  // neurons spiked): per-step work is usually tens of microseconds, and a barrier per step on a
  // loaded machine costs more than that. Every row is computed by one thread in a fixed order,
  // so results do not depend on the thread count.
  void propagate() {
    const int L = net_.layers();
    {
      auto& in = layer_[0];
      in.list.clear();
      for (int j = 0; j < static_cast<int>(in.spk.size()); ++j)
        if (in.spk[j]) in.list.push_back(j);
      counts_[0] += static_cast<std::int64_t>(in.list.size());
      for (int j : in.list) ++sums_[0][j];
    }
    for (int l = 0; l < L; ++l) {
      Mat& W = net_.W[l];
      auto& pre = layer_[l];
      auto& post = layer_[l + 1];
      Vec& v = v_[l];
      const Real a = static_cast<Real>(alpha_[l]);
      const Eigen::Index npost = W.rows(), npre = W.cols();
      // impulse_i = alpha * sum_{j spiking} W_ij
      const bool big = static_cast<double>(npost) * static_cast<double>(pre.list.size()) > 5.0e4;
#pragma omp parallel for schedule(static) if (big)
      for (Eigen::Index i = 0; i < npost; ++i) {
        const Real* w = W.data() + i * npre;
        Real s = 0;
        for (int j : pre.list) s += w[j];
        post.impulse[i] = a * s;
      }
      if (p_.w_inh != 0.0) {
        double mean = 0;
        for (Eigen::Index i = 0; i < npost; ++i) mean += post.impulse[i];
        mean /= static_cast<double>(npost);
        for (Eigen::Index i = 0; i < npost; ++i) post.impulse[i] -= static_cast<Real>(mean * p_.w_inh);
      }
      const Real thr = static_cast<Real>(p_.threshold * p_.beta[l]);
      const Real decay = static_cast<Real>(p_.decay);
      post.list.clear();
      for (Eigen::Index i = 0; i < npost; ++i) {
        v[i] = decay * v[i] + post.impulse[i];
        const bool s = v[i] >= thr;
        post.spk[i] = s;
        if (s) post.list.push_back(static_cast<int>(i));
      }
      counts_[l + 1] += static_cast<std::int64_t>(post.list.size());
      for (int i : post.list) ++sums_[l + 1][i];
      const int nspk = static_cast<int>(post.list.size());
      if (nspk > 0) {
        const Real inc = static_cast<Real>(p_.inc), dec = static_cast<Real>(-p_.dec);
        for (Eigen::Index j = 0; j < npre; ++j) pre.coef[j] = pre.spk[j] ? inc : dec;
        const bool many = static_cast<double>(nspk) * static_cast<double>(npre) > 2.0e4;
#pragma omp parallel for schedule(dynamic, 2) if (many)
        for (int k = 0; k < nspk; ++k) {
          const int i = post.list[k];
          hebbian_row(W.data() + static_cast<Eigen::Index>(i) * npre, pre.coef.data(), npre, p_.gate);
        }
        for (int i : post.list) v[i] = 0;  // reset
      }
    }
  }

 private:
  Net& net_;
  const SleepParams& p_;
  const std::vector<double>& alpha_;
  std::vector<Vec> v_;
  std::vector<LayerScratch> layer_;
  std::vector<std::int64_t> counts_;
  std::vector<std::vector<std::int64_t>> sums_;
};

}  // namespace

std::vector<std::vector<std::uint8_t>> sleep_step(Net& net, const SleepParams& p, const std::vector<double>& alpha,
                                                  std::vector<Vec>& v, const std::vector<std::uint8_t>& input_spikes) {
  Simulator sim(net, p, alpha);
  sim.membranes() = v;
  sim.input() = input_spikes;
  sim.propagate();
  v = sim.membranes();
  std::vector<std::vector<std::uint8_t>> out;
  for (int l = 0; l <= net.layers(); ++l) out.push_back(sim.spikes(l));
  return out;
}

SleepStats sleep(Net& net, const SleepParams& p, const std::vector<double>& alpha, const Vec& mean_image, int steps,
                 std::uint64_t seed, std::uint32_t sleep_id, const std::vector<SleepObserver>& observers,
                 const StepSample& per_step) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n_in = net.sizes[0];
  if (per_step.active()) {
    if (per_step.pool->cols() != n_in || per_step.pool->rows() == 0)
      throw std::invalid_argument("sleep: the per-step sample pool is empty or its image size does not match the input layer");
  } else if (mean_image.size() != n_in) {
    throw std::invalid_argument("sleep: mean image size does not match the input layer");
  }
  std::vector<const Real*> sample_rows(per_step.active() ? static_cast<std::size_t>(per_step.count) : 0);
  const auto pool_rows = per_step.active() ? static_cast<std::uint64_t>(per_step.pool->rows()) : 0;
  // The image value a pixel spikes against this step.
  auto image_at = [&](int pix) -> double {
    if (sample_rows.empty()) return static_cast<double>(mean_image[pix]);
    double sum = 0;
    for (const Real* r : sample_rows) sum += static_cast<double>(r[pix]);
    return static_cast<double>(static_cast<Real>(sum / static_cast<double>(sample_rows.size())));
  };
  int side = 0;
  if (p.input == SleepInput::window) {
    side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(n_in))));
    if (side * side != n_in) throw std::invalid_argument("sleep: window input needs a square image");
    if (p.window < 1 || p.window > side) throw std::invalid_argument("sleep: window larger than the image");
  }
  std::vector<Mat> w_old;
  if (p.norm_w) w_old = net.W;
  Simulator sim(net, p, alpha);
  // MATLAB: spike iff rand * rescale/2 <= x, rescale = 1/(dt*max_rate)
  const double half_rescale = 0.5 / (p.dt * p.max_rate);
  const int positions = side - p.window + 1;

  auto notify = [&](int step) {
    for (const auto& o : observers)
      if (o.fn && (step == 0 || step == steps || (o.every > 0 && step % o.every == 0))) o.fn(step, net);
  };
  notify(0);
  int done = 0;
  // Run in chunks between observer calls so observers see a consistent network outside the
  // parallel region.
  int chunk = steps;
  for (const auto& o : observers)
    if (o.every > 0) chunk = std::min(chunk, o.every);
  chunk = std::max(chunk, 1);
  while (done < steps) {
    const int t_end = std::min(steps, done + chunk);
    {
      for (int t = done; t < t_end; ++t) {
        {
          auto& in = sim.input();
          std::fill(in.begin(), in.end(), 0);
          for (std::size_t k = 0; k < sample_rows.size(); ++k) {
            const auto sb = philox(seed, Stream::sleep_sample, sleep_id, static_cast<std::uint32_t>(t),
                                   static_cast<std::uint32_t>(k));
            sample_rows[k] = per_step.pool->row(static_cast<Eigen::Index>((sb.v[0] * pool_rows) >> 32)).data();
          }
          auto draw = [&](int pix) {
            const auto blk = philox(seed, Stream::sleep_input, sleep_id, static_cast<std::uint32_t>(t),
                                    static_cast<std::uint32_t>(pix));
            const double u = (static_cast<double>(blk.v[0] >> 8) + 0.5) / 16777216.0;  // (0,1) like MATLAB rand
            return u * half_rescale <= image_at(pix);
          };
          if (p.input == SleepInput::window) {
            const auto wb = philox(seed, Stream::sleep_window, sleep_id, static_cast<std::uint32_t>(t), 0);
            const int x0 = static_cast<int>((static_cast<std::uint64_t>(wb.v[0]) * positions) >> 32);
            const int y0 = static_cast<int>((static_cast<std::uint64_t>(wb.v[1]) * positions) >> 32);
            for (int r = x0; r < x0 + p.window; ++r)
              for (int c = y0; c < y0 + p.window; ++c) {
                const int pix = r * side + c;
                in[pix] = draw(pix);
              }
          } else {
            for (int pix = 0; pix < n_in; ++pix) {
              const auto mb = philox(seed, Stream::sleep_window, sleep_id, static_cast<std::uint32_t>(t),
                                     static_cast<std::uint32_t>(pix) + 1u);
              if (u01f(mb.v[0]) < p.pixel_fraction) in[pix] = draw(pix);
            }
          }
        }
        sim.propagate();
      }
    }
    done = t_end;
    notify(done);
  }
  if (p.norm_w) {
    for (int l = 0; l < net.layers(); ++l) {
      const double r_old = w_old[l].maxCoeff() - w_old[l].minCoeff();
      const double r_new = net.W[l].maxCoeff() - net.W[l].minCoeff();
      if (r_new > 0) net.W[l] *= static_cast<Real>(p.gamma * r_old / r_new);
    }
  }
  SleepStats st;
  st.alpha = alpha;
  st.steps = steps;
  st.spikes = sim.counts();
  st.sum_spikes = sim.sums();
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::vector<float> synaptic_snapshot(const Net& net) {
  const Mat& W = net.W.front();
  Eigen::Matrix<Real, 1, Eigen::Dynamic> m = W.colwise().mean();
  return std::vector<float>(m.data(), m.data() + m.size());
}

double stable_rank(const Mat& W) {
  if (W.size() == 0) return 0.0;
  const Eigen::MatrixXd A = W.cast<double>();
  const double fro2 = A.squaredNorm();
  if (fro2 == 0) return 0.0;
  // Power iteration on A^T A from a fixed start (all ones plus a ramp: never orthogonal in practice).
  Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(A.cols(), 1.0, 2.0);
  x.normalize();
  double lambda = 0;
  for (int it = 0; it < 500; ++it) {
    Eigen::VectorXd y = A.transpose() * (A * x);
    const double nl = y.norm();
    if (nl == 0) return 0.0;
    x = y / nl;
    if (std::abs(nl - lambda) <= 1e-10 * nl) {
      lambda = nl;
      break;
    }
    lambda = nl;
  }
  return fro2 / lambda;  // ||A||_2^2 = lambda_max(A^T A)
}

}  // namespace snnsim::ann
