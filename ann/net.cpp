#include "ann/net.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "ann/gemm.hpp"
#include "ann/rng.hpp"

namespace snnsim::ann {

namespace {

// What a kept unit is multiplied by in training: 1 (DeepLearnToolbox) or 1/(1-p) (inverted).
Real kept_factor(const Net& net) {
  return net.dropout_style == DropoutStyle::inverted ? Real(1) / (Real(1) - net.dropout) : Real(1);
}

// Below this many multiply-adds a loop runs on one thread: a parallel region costs more than
// it saves, and much more on an oversubscribed machine. Every result bit is the same either way.
constexpr double kParallelFlops = 2.0e6;
bool worth(double a, double b, double c) { return a * b * c > kParallelFlops; }

// M^T, with its rows padded with zero columns up to a multiple of 16 (gemm's widest vector):
// the padding only adds outputs that are dropped.
Mat transposed_padded(const Mat& M) {
  const Eigen::Index cols = (M.rows() + 15) / 16 * 16;
  Mat T = Mat::Zero(M.cols(), cols);
  T.leftCols(M.rows()) = M.transpose();
  return T;
}
}  // namespace

EigenSerial::EigenSerial() : prev_(Eigen::nbThreads()) { Eigen::setNbThreads(1); }
EigenSerial::~EigenSerial() { Eigen::setNbThreads(prev_); }

// All three go through gemm() (gemm.hpp), whose bits depend neither on the CPU nor on the
// thread count. The transposes touch only the small activation and delta matrices, never W.
void mul_abt(const Mat& A, const Mat& B, Mat& C) {
  // C^T = B * A^T, so the weight matrix B is read row by row as gemm's left operand.
  const Mat At = transposed_padded(A);
  Mat Ct(B.rows(), At.cols());
  gemm(B.data(), B.cols(), At.data(), At.cols(), Ct.data(), Ct.cols(), B.rows(), At.cols(), B.cols());
  C = Ct.leftCols(A.rows()).transpose();
}

void mul_atb(const Mat& A, const Mat& B, Mat& C) {
  const Mat At = A.transpose();
  C.resize(A.cols(), B.cols());
  gemm(At.data(), At.cols(), B.data(), B.cols(), C.data(), C.cols(), At.rows(), B.cols(), At.cols());
}

void mul_ab(const Mat& A, const Mat& B, Mat& C) {
  C.resize(A.rows(), B.cols());
  gemm(A.data(), A.cols(), B.data(), B.cols(), C.data(), C.cols(), A.rows(), B.cols(), A.cols());
}

Net make_net(const NetConfig& cfg, std::uint64_t seed) {
  if (cfg.sizes.size() < 2) throw std::invalid_argument("network needs at least an input and an output layer");
  Net net;
  net.sizes = cfg.sizes;
  net.loss = cfg.loss;
  net.dropout = static_cast<Real>(cfg.dropout);
  net.dropout_style = cfg.dropout_style;
  for (std::size_t l = 0; l + 1 < cfg.sizes.size(); ++l) {
    const int post = cfg.sizes[l + 1], pre = cfg.sizes[l];
    Mat w(post, pre);
    const double r = cfg.init == Init::fan_in ? 1.0 / std::sqrt(static_cast<double>(pre)) : cfg.init_range;
#pragma omp parallel for schedule(static) if (worth(post, pre, 8))
    for (int i = 0; i < post; ++i) {
      for (int j = 0; j < pre; j += 4) {
        auto blk = philox(seed, Stream::init, static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(i),
                          static_cast<std::uint32_t>(j / 4));
        for (int q = 0; q < 4 && j + q < pre; ++q) {
          // MATLAB: (rand - 0.5) * 0.01 * 2 with rand in (0,1)
          const double u = (static_cast<double>(blk.v[q] >> 8) + 0.5) / 16777216.0;
          w(i, j + q) = static_cast<Real>((u - 0.5) * 2.0 * r);
        }
      }
    }
    net.W.push_back(std::move(w));
    net.V.push_back(Mat::Zero(post, pre));
  }
  return net;
}

Mat predict(const Net& net, const Mat& X, std::vector<Real>* layer_max) {
  if (X.cols() != net.sizes.front()) throw std::invalid_argument("input width does not match the network");
  const int L = net.layers();
  if (layer_max) layer_max->assign(L, 0.0f);
  // Chunks bound the memory of the activations (alpha runs over up to 60k images), and at 256
  // rows a k-chunk of their transpose stays in L2, so each weight matrix is read once per chunk.
  constexpr Eigen::Index kChunk = 256;
  Mat out(X.rows(), net.sizes.back());
  Mat a, z;
  for (Eigen::Index r0 = 0; r0 < X.rows(); r0 += kChunk) {
    const Eigen::Index n = std::min(kChunk, X.rows() - r0);
    a = X.middleRows(r0, n);
    for (int l = 0; l < L; ++l) {
      mul_abt(a, net.W[l], z);
      const bool hidden = l + 1 < L;
      if (hidden) {
        z = z.cwiseMax(Real(0));
        if (net.dropout > 0 && net.dropout_style == DropoutStyle::scale_at_test) z *= (Real(1) - net.dropout);
      } else if (net.loss == Loss::mse_relu) {
        z = z.cwiseMax(Real(0));
      }
      if (layer_max && z.size() > 0) (*layer_max)[l] = std::max((*layer_max)[l], z.maxCoeff());
      a.swap(z);
    }
    out.middleRows(r0, n) = a;
  }
  return out;
}

std::vector<int> classify(const Net& net, const Mat& X) {
  Mat out = predict(net, X);
  std::vector<int> c(out.rows());
  for (Eigen::Index i = 0; i < out.rows(); ++i) {
    Eigen::Index k;
    out.row(i).maxCoeff(&k);
    c[i] = static_cast<int>(k);
  }
  return c;
}

double sgd_step(Net& net, const NetConfig& cfg, const Mat& Xb, const Mat& Yb, const std::vector<Mat>& masks,
                const std::vector<bool>& active) {
  const int L = net.layers();
  const Eigen::Index B = Xb.rows();
  std::vector<Mat> A(L + 1);
  A[0] = Xb;
  for (int l = 0; l < L; ++l) {
    mul_abt(A[l], net.W[l], A[l + 1]);
    if (l + 1 < L) {
      A[l + 1] = A[l + 1].cwiseMax(Real(0));
      if (!masks.empty()) A[l + 1] = A[l + 1].cwiseProduct(masks[l]);
    } else if (net.loss == Loss::mse_relu) {
      A[l + 1] = A[l + 1].cwiseMax(Real(0));
    }
  }
  // Output delta.
  Mat d = A[L];
  double loss = 0;
  const Eigen::Index K = d.cols();
  std::vector<bool> act = active.empty() ? std::vector<bool>(K, true) : active;
  if (net.loss == Loss::mse_relu) {
    d -= Yb;  // -(y - a)
    for (Eigen::Index k = 0; k < K; ++k)
      if (!act[k]) d.col(k).setZero();
    loss = 0.5 * static_cast<double>(d.squaredNorm()) / static_cast<double>(B);
  } else {
    for (Eigen::Index i = 0; i < B; ++i) {
      Real m = -std::numeric_limits<Real>::infinity();
      for (Eigen::Index k = 0; k < K; ++k)
        if (act[k]) m = std::max(m, d(i, k));
      double s = 0;
      for (Eigen::Index k = 0; k < K; ++k)
        if (act[k]) s += std::exp(static_cast<double>(d(i, k) - m));
      for (Eigen::Index k = 0; k < K; ++k) {
        if (!act[k]) {
          d(i, k) = 0;
          continue;
        }
        const double p = std::exp(static_cast<double>(d(i, k) - m)) / s;
        if (Yb(i, k) > 0) loss -= static_cast<double>(Yb(i, k)) * std::log(std::max(p, 1e-300));
        d(i, k) = static_cast<Real>(p) - Yb(i, k);
      }
    }
    loss /= static_cast<double>(B);
  }
  // Back-propagate; the gradient of layer l is d_{l+1}^T a_l / B.
  std::vector<Mat> dW(L);
  for (int l = L - 1; l >= 0; --l) {
    mul_atb(d, A[l], dW[l]);
    if (l > 0) {
      Mat dn;
      mul_ab(d, net.W[l], dn);
      // ReLU derivative on the (masked) activation; dropped units have a = 0 so d = 0, kept
      // units carry the mask's factor (1/(1-p) for inverted dropout).
      dn = dn.cwiseProduct((A[l].array() > Real(0)).cast<Real>().matrix());
      if (!masks.empty() && net.dropout_style == DropoutStyle::inverted) dn *= kept_factor(net);
      d.swap(dn);
    }
  }
  const Real lr = static_cast<Real>(cfg.lr), mom = static_cast<Real>(cfg.momentum), invB = Real(1) / Real(B);
  for (int l = 0; l < L; ++l) {
    Mat& W = net.W[l];
    Mat& V = net.V[l];
    const Mat& G = dW[l];
#pragma omp parallel for schedule(static) if (worth(W.rows(), W.cols(), 8))
    for (Eigen::Index i = 0; i < W.rows(); ++i) {
      // DLT nnapplygrads: dW = lr*dW; vW = mom*vW + dW; W = W - vW
      V.row(i) = mom * V.row(i) + (lr * invB) * G.row(i);
      W.row(i) -= V.row(i);
    }
  }
  return loss;
}

void train(Net& net, const NetConfig& cfg, const Mat& X, const std::vector<std::uint8_t>& y, TrainCounters& ctr,
           const TrainOptions& opt) {
  const Eigen::Index n = X.rows();
  if (n == 0) return;
  if (static_cast<Eigen::Index>(y.size()) != n) throw std::invalid_argument("labels and images differ in count");
  const int L = net.layers();
  const int K = net.sizes.back();
  const Eigen::Index B = std::max(1, cfg.batch);
  std::vector<std::uint32_t> perm(n);
  Mat Xb, Yb;
  std::vector<Mat> masks;
  if (cfg.fresh_momentum_per_task)
    for (auto& V : net.V) V.setZero();
  const Real kept = kept_factor(net);
  for (int e = 0; e < cfg.epochs; ++e) {
    const std::uint32_t epoch_id = ctr.epochs_done++;
    std::iota(perm.begin(), perm.end(), 0u);
    PhiloxStream rs(ctr.seed, Stream::shuffle, epoch_id);
    for (Eigen::Index i = n - 1; i > 0; --i) std::swap(perm[i], perm[rs.below(static_cast<std::uint32_t>(i + 1))]);
    for (Eigen::Index b0 = 0; b0 < n; b0 += B) {
      const Eigen::Index nb = std::min(B, n - b0);
      Xb.resize(nb, X.cols());
      Yb.setZero(nb, K);
      for (Eigen::Index r = 0; r < nb; ++r) {
        Xb.row(r) = X.row(perm[b0 + r]);
        Yb(r, y[perm[b0 + r]]) = Real(1);
      }
      masks.clear();
      if (net.dropout > 0) {
        const auto step = static_cast<std::uint64_t>(ctr.steps_done);
        for (int l = 0; l + 1 < L; ++l) {
          Mat m(nb, net.sizes[l + 1]);
          const Eigen::Index cols = m.cols();
#pragma omp parallel for schedule(static) if (worth(nb, cols, 16))
          for (Eigen::Index r = 0; r < nb; ++r) {
            for (Eigen::Index c = 0; c < cols; c += 4) {
              auto blk = philox(ctr.seed, Stream::dropout, static_cast<std::uint32_t>(step),
                                static_cast<std::uint32_t>((step >> 32) << 8 | static_cast<std::uint64_t>(l)),
                                static_cast<std::uint32_t>(r * ((cols + 3) / 4) + c / 4));
              for (int q = 0; q < 4 && c + q < cols; ++q)
                m(r, c + q) = u01f(blk.v[q]) > net.dropout ? kept : Real(0);  // MATLAB: rand > p
            }
          }
          masks.push_back(std::move(m));
        }
      }
      sgd_step(net, cfg, Xb, Yb, masks, opt.active_outputs);
      for (const auto& h : opt.hooks) h(net, ctr.steps_done);
      ++ctr.steps_done;
    }
  }
}

}  // namespace snnsim::ann
