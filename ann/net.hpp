#pragma once
// Fully connected ReLU network without biases, trained by mini-batch SGD with momentum and
// dropout: the DeepLearnToolbox fork ("dlt_cnn_map_dropout_nobiasnn") that the MATLAB SRC
// release trains, plus the Python replica's cross-entropy variant as an option.
//
// Weights are stored as (post x pre) row-major matrices, W[l] maps layer l to layer l+1,
// exactly the MATLAB layout, so sleep's Hebbian row updates are contiguous.
// Determinism: every random draw is counter-based (rng.hpp), and every matrix product sums each
// element in one fixed order (gemm.hpp), whatever the CPU and the thread count.
#include <Eigen/Dense>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace snnsim::ann {

using Real = float;
using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

enum class Loss {
  mse_relu,    // MATLAB: ReLU output, 0.5*sum((y-a)^2)/batch, output delta -(y-a)
  xent_linear  // replica: linear logits, softmax cross-entropy
};

enum class Init {
  uniform,  // MATLAB: U(-init_range, init_range) in every layer
  fan_in    // PyTorch nn.Linear default (the replica): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
};

enum class DropoutStyle {
  scale_at_test,  // DeepLearnToolbox: kept units pass unchanged, test activations x (1 - p)
  inverted        // PyTorch: kept units x 1/(1 - p) in training, test activations unchanged
};

struct NetConfig {
  std::vector<int> sizes{784, 1200, 1200, 10};
  Loss loss = Loss::mse_relu;
  double lr = 0.1;
  double momentum = 0.5;
  double dropout = 0.25;  // hidden layers only; test-time activations scaled by (1 - dropout)
  double init_range = 0.01;
  Init init = Init::uniform;
  DropoutStyle dropout_style = DropoutStyle::scale_at_test;
  /// Zero the momentum buffers at the start of every train() call (the replica builds a new
  /// torch optimizer per task); MATLAB carries them across tasks.
  bool fresh_momentum_per_task = false;
  int batch = 100;
  int epochs = 2;
};

struct Net {
  std::vector<int> sizes;
  std::vector<Mat> W;  // W[l]: sizes[l+1] x sizes[l]
  std::vector<Mat> V;  // momentum buffers, same shapes; carried across tasks as in MATLAB
  Loss loss = Loss::mse_relu;
  Real dropout = 0.25f;
  DropoutStyle dropout_style = DropoutStyle::scale_at_test;
  int layers() const { return static_cast<int>(W.size()); }
};

/// Weights uniform in (-r, r) with r = init_range (Init::uniform) or 1/sqrt(fan_in) (Init::fan_in),
/// a function of (seed, layer, index) only.
Net make_net(const NetConfig& cfg, std::uint64_t seed);

/// Sets Eigen's own threading to 1 for the lifetime of the guard and restores the previous
/// value, around the Eigen products that remain (the low-rank method's QR and SVD), so that
/// their bits do not follow the thread count. Training and prediction use gemm() instead.
class EigenSerial {
 public:
  EigenSerial();
  ~EigenSerial();
  EigenSerial(const EigenSerial&) = delete;
  EigenSerial& operator=(const EigenSerial&) = delete;

 private:
  int prev_;
};

/// C = A * B^T, C = A^T * B and C = A * B through gemm() (ann/gemm.hpp): OpenMP-parallel, and
/// the same bits on every CPU and for every thread count.
void mul_abt(const Mat& A, const Mat& B, Mat& C);
void mul_atb(const Mat& A, const Mat& B, Mat& C);
void mul_ab(const Mat& A, const Mat& B, Mat& C);

/// Test-mode forward pass (dropout scaling, no masks). Returns the output layer (n x out).
/// When `layer_max` is given it receives, per weight layer l, the largest activation of layer
/// l+1 over all rows (the statistic of the alpha recursion).
Mat predict(const Net& net, const Mat& X, std::vector<Real>* layer_max = nullptr);
/// Arg-max class of every row (first maximum on ties, as MATLAB's max()).
std::vector<int> classify(const Net& net, const Mat& X);

/// Called after every SGD step with the 0-based global step index.
using BatchHook = std::function<void(Net&, std::int64_t step)>;

struct TrainOptions {
  std::vector<bool> active_outputs;  // empty = all; inactive outputs get no error ("cheat")
  std::vector<BatchHook> hooks;
};

/// Counters that keep dropout masks and shuffles distinct across tasks of one run.
struct TrainCounters {
  std::uint64_t seed = 0;
  std::uint32_t epochs_done = 0;
  std::int64_t steps_done = 0;
};

/// Trains `epochs` epochs of mini-batch SGD on (X, y). Each epoch visits a fresh permutation;
/// the last batch may be short (the mean is over its own size).
void train(Net& net, const NetConfig& cfg, const Mat& X, const std::vector<std::uint8_t>& y, TrainCounters& ctr,
           const TrainOptions& opt = {});

/// One SGD step on the given batch (rows of X already selected) with explicit dropout masks
/// (one per hidden layer, batch x size, entries 0 or the kept factor: 1, or 1/(1-p) for inverted
/// dropout; empty = no dropout). Exposed for tests.
/// Returns the loss of the batch.
double sgd_step(Net& net, const NetConfig& cfg, const Mat& Xb, const Mat& Yb, const std::vector<Mat>& masks,
                const std::vector<bool>& active_outputs = {});

}  // namespace snnsim::ann
