#pragma once
// The run file (run.h5): config, saved network states, training log and evaluation rows.
// Layout documented in docs/run-file.md. Every update is made on a temporary copy that
// replaces the file only when complete, so a crash never leaves a half-written run file.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "h5.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::io {

inline constexpr const char* kRunFormat = "snnsim-run";
inline constexpr std::array<std::uint32_t, 2> kRunFormatVersion = {1, 0};

/// Removes `target.tmp-<pid>-*` siblings left by processes that no longer exist (a SIGKILL
/// mid-write); RunFileTransaction does this before every write of the same target.
void remove_orphaned_temps(const std::filesystem::path& target);

/// A temporary sibling file that becomes `target` on commit() (fsync + rename) and is
/// deleted if the transaction is dropped without commit.
class RunFileTransaction {
 public:
  /// A new run file. Refuses to replace an existing one unless `force`.
  static RunFileTransaction create(const std::filesystem::path& target, bool force);
  /// The checks create() makes, without creating anything (to fail before a long run).
  static void check_target(const std::filesystem::path& target, bool force);
  /// A copy of an existing run file (checked to be an snnsim run of a supported version).
  static RunFileTransaction update(const std::filesystem::path& target);
  /// A copy of any HDF5 file (no run-file header check), e.g. a study file.
  static RunFileTransaction update_any(const std::filesystem::path& target);
  RunFileTransaction(RunFileTransaction&&) noexcept;
  RunFileTransaction& operator=(RunFileTransaction&&) = delete;
  ~RunFileTransaction();

  h5::Group root() const { return file_->root(); }
  void commit();
  const std::filesystem::path& target() const { return target_; }

 private:
  RunFileTransaction(std::filesystem::path target, std::filesystem::path temp, h5::File file);
  std::filesystem::path target_, temp_;
  std::optional<h5::File> file_;
  bool committed_ = false;
};

/// Root attributes: format, format_version, snnsim_version, git_commit, created_utc, hdf5_version, command_line.
void write_header(const h5::Group& root, const std::string& command_line);
/// Throws RunFileError unless the root says snnsim-run with a supported major version.
void check_header(const h5::Group& root);

/// /config: one attribute per model parameter (param_table names) plus `source_text`.
void write_config(const h5::Group& root, const models::DiehlCookParams& p, const std::string& config_text);
models::DiehlCookParams read_config(const h5::Group& root);

struct StateInfo {
  std::string phase;   // train | label | sleep
  std::string parent;  // state this one was derived from ("" for none)
};
void write_state(const h5::Group& root, const std::string& name, const models::NetworkState& s, const StateInfo& info);
/// Reads and validates shapes, types and values (no NaN/Inf, weights and theta finite).
models::NetworkState read_state(const h5::Group& root, const std::string& name, const models::DiehlCookParams& p);
bool has_state(const h5::Group& root, const std::string& name);
std::vector<std::string> state_names(const h5::Group& root);

struct TrainLogColumns {
  std::vector<std::uint64_t> sample_index;
  std::vector<std::uint32_t> image_index;
  std::vector<std::uint8_t> label, tries;
  std::vector<std::uint32_t> exc_spikes;
  std::vector<float> input_intensity, running_accuracy;
};
void append_train_log(const h5::Group& root, const TrainLogColumns& rows);

struct EvalRow {
  std::string state, noise_type = "none";
  double noise_level = 0.0;
  std::uint64_t noise_seed = 0;
  std::uint32_t n_samples = 0, n_correct = 0, n_silent = 0;
  double accuracy = 0.0, wall_s = 0.0;
  std::string spikes_file;
};
/// Appends one row to /eval/results, its confusion matrix and its predictions.
void append_eval(const h5::Group& root, const EvalRow& row, const std::array<std::uint32_t, 100>& confusion,
                 const std::vector<std::int8_t>& predictions);

}  // namespace snnsim::io
