#pragma once
// The container part of snnsim's HDF5 outputs, knowing no model: the write transaction
// (every update is made on a temporary copy that replaces the file only when complete, so a
// crash never leaves a half-written file) and the root header (format, version, command line).
// What a Diehl & Cook run file holds (config, states, logs, evaluations) is in
// experiments/run_file.hpp; the layout is documented in docs/run-file.md.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h5.hpp"

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

/// Writes a text file (a study's CSV copy) as run files are written: into a temporary sibling,
/// fsynced, renamed onto `target`, the directory fsynced. Any failure (a missing directory, a
/// full disk, a file-size limit) throws OutputError naming `target`, removes the temporary file
/// and leaves an existing `target` as it was.
void write_text_atomic(const std::filesystem::path& target, std::string_view text);

/// Root attributes: format, format_version, snnsim_version, git_commit, created_utc, hdf5_version, command_line.
void write_header(const h5::Group& root, const std::string& command_line);
/// The provenance part of the header, for every snnsim output file (run files, SRC results):
/// snnsim_version, git_commit, git_dirty, created_utc (SOURCE_DATE_EPOCH when set), hdf5_version,
/// command_line.
void write_provenance(const h5::Group& root, const std::string& command_line);
/// Throws RunFileError unless the root says snnsim-run with a supported major version.
void check_header(const h5::Group& root);

}  // namespace snnsim::io
