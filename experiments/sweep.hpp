#pragma once
// Scale-out of independent work items (study conditions, tuning candidates) over MPI ranks.
//
// Started without a launcher (no mpirun/srun environment) nothing here touches MPI: one
// process, the items run in order on the calling thread, exactly as before. Under mpirun or
// srun, rank 0 schedules the items dynamically (largest cost first; a rank that finishes takes
// the next), runs items itself on a second thread, and is the only rank that writes: every
// result travels to it as bytes and commit() runs there, one at a time, on the calling thread.
// Layout of the MPI calls and the fault model: docs/mpi.md.
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace snnsim::experiments {

/// One per process, made first thing in main(). Calls MPI_Init_thread only when the process
/// was started by an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK in the
/// environment); otherwise MPI stays untouched (no singleton init, no daemon). Ranks other than
/// 0 send stdout to /dev/null: only rank 0 reports. The destructor finalises.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

int mpi_rank();   // 0 without MPI
int mpi_size();   // 1 without MPI
inline bool mpi_parallel() { return mpi_size() > 1; }
inline bool mpi_root() { return mpi_rank() == 0; }

/// Maps an exception to (error line, exit code); main() registers the one mapping it has.
using ErrorFormatter = std::function<std::pair<std::string, int>(std::exception_ptr)>;
void set_error_formatter(ErrorFormatter f);

/// Prints the error line of `e` on stderr and returns its exit code. Under MPI with several
/// ranks it never returns: ranks other than 0 wait a moment first (an error every rank hits,
/// such as a bad option, is then printed once, by rank 0, whose abort ends the others) and tag
/// the line with their rank; then MPI_Abort(code) ends the whole job with that exit code.
int error_exit(std::exception_ptr e);

/// Runs `run(i)` for every i in `todo` and hands each result to `commit(i, bytes)`.
/// One process: in the order of `todo`, run then commit, on the calling thread.
/// Several ranks: `todo` and `cost` are read on rank 0 only (other ranks may pass anything);
/// items go out largest cost first (ties in `todo` order); commit runs on rank 0 only, in
/// completion order. Consecutive sweeps are fine (rank 0 hears from a rank only until it has
/// told it that this sweep is over). An exception on any rank ends the job through error_exit. On rank 0 a
/// SIGTERM (mpirun stopping the job because a rank died, or scancel) ends the job with one line
/// saying how many items were committed; what was committed stays committed.
void sweep(const std::vector<std::size_t>& todo, const std::function<double(std::size_t)>& cost,
           const std::function<std::string(std::size_t)>& run,
           const std::function<void(std::size_t, const std::string&)>& commit, const std::string& what = "items");

/// Rank 0's `bytes` on every rank (a no-op in one process): ranks other than 0 wait for it and
/// replace theirs. Every rank must call it at the same point, as with sweep(); a sweep followed
/// by a broadcast of what rank 0 gathered lets every rank go on from the same results.
void broadcast(std::string& bytes);

/// A flat little-endian-as-in-memory byte archive for sending results between ranks of the
/// same binary (same ABI on every node: it is not a file format).
class ByteWriter {
 public:
  template <typename T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <typename T>
  void put_vec(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void put_str(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes_.append(s);
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view b) : b_(b) {}
  template <typename T>
  T get() {
    T v;
    std::memcpy(&v, need(sizeof(T)), sizeof(T));
    return v;
  }
  template <typename T>
  std::vector<T> get_vec() {
    const auto n = get<std::uint64_t>();
    if (n > b_.size() / sizeof(T)) throw std::runtime_error("result message truncated");
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), need(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  std::string get_str() {
    const auto n = get<std::uint64_t>();
    return std::string(need(n), n);
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  const char* need(std::size_t n) {
    if (n > b_.size() - pos_) throw std::runtime_error("result message truncated");
    const char* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string_view b_;
  std::size_t pos_ = 0;
};

}  // namespace snnsim::experiments
