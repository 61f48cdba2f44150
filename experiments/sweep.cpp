#include "sweep.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "io/error.hpp"
#include "mpi_api.hpp"

namespace snnsim::experiments {
namespace {

int g_rank = 0, g_size = 1;
const snnsim_mpi_api* g_mpi = nullptr;  // set once MPI is initialised
ErrorFormatter g_formatter;

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

std::pair<std::string, int> format_error(std::exception_ptr e) {
  if (g_formatter) return g_formatter(e);
  try {
    std::rethrow_exception(e);
  } catch (const Error& x) {
    return {fmt::format("snnsim: error: {}", x.what()), x.code()};
  } catch (const std::exception& x) {
    return {fmt::format("snnsim: error: {}", x.what()), kExitRuntime};
  } catch (...) {
    return {"snnsim: error: unknown exception", kExitRuntime};
  }
}

[[noreturn]] void abort_job(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (g_mpi) g_mpi->abort(code);
  std::_Exit(code);
}

// Rank 0's line for a SIGTERM (mpirun stopping the job because a rank died, or scancel), kept
// ready by the sweep and written by the handler itself, which then ends the process: whatever
// rank 0 is doing at that moment, it must not wait for it. mpirun follows its SIGTERM with a
// SIGKILL one second later (odls_base_sigkill_timeout), and rank 0 can be stuck for good in an
// MPI receive from the rank that died mid-message (Open MPI's shared-memory single copy fails,
// "Read -1, expected N, errno = 3", and the receive never completes), or be in a commit longer
// than that. A commit cut off this way leaves only its temporary sibling.
struct TermLine {
  char text[2][1024];
  std::size_t len[2];
  int code[2];
};
TermLine g_term_line;
volatile std::sig_atomic_t g_term_which = -1;  // -1: no line armed (the handler then only records)
volatile std::sig_atomic_t g_term = 0;
extern "C" void on_term(int sig) {
  g_term = sig;
  const int w = g_term_which;
  if (w < 0) return;
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, g_term_line.text[w], g_term_line.len[w]);
  ::_exit(g_term_line.code[w]);
}
// Prepares the line in the buffer the handler is not reading, then switches to it.
void arm_term_line(const std::pair<std::string, int>& line) {
  const int w = g_term_which == 0 ? 1 : 0;
  const auto n = std::min(line.first.size(), sizeof g_term_line.text[w] - 2);
  std::memcpy(g_term_line.text[w], line.first.data(), n);
  g_term_line.text[w][n] = '\n';
  g_term_line.len[w] = n + 1;
  g_term_line.code[w] = line.second;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_term_which = w;
}

enum Tag : int { kReady = 1, kResult = 2, kTask = 3, kBroadcast = 4 };

// Waits for a message without spinning a core (OpenMPI's blocking receive busy-polls, which on
// an oversubscribed node takes the CPU from the ranks that compute).
struct Message {
  int source = 0, tag = 0, bytes = 0;
};

bool probe(int source, int tag, Message& m) {
  int flag = 0;
  g_mpi->probe(source, tag, &flag, &m.source, &m.tag, &m.bytes);
  return flag != 0;
}

Message wait_message(int source, int tag) {
  int us = 200;
  Message m;
  while (!probe(source, tag, m)) {
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    us = std::min(us * 2, 20000);
  }
  return m;
}

std::string receive(const Message& m) {
  std::string b(static_cast<std::size_t>(m.bytes), '\0');
  g_mpi->recv(b.data(), m.bytes, m.source, m.tag);
  return b;
}

void send(const std::string& b, int dest, int tag) {
  if (b.size() > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error(fmt::format("a result of {} bytes is over MPI's 2 GiB message limit", b.size()));
  g_mpi->send(b.data(), static_cast<int>(b.size()), dest, tag);
}

void worker(const std::function<std::string(std::size_t)>& run) {
  send({}, 0, kReady);
  for (;;) {
    const auto msg = receive(wait_message(0, kTask));
    ByteReader r(msg);
    const auto i = r.get<std::int64_t>();
    if (i < 0) return;
    ByteWriter w;
    w.put<std::uint64_t>(static_cast<std::uint64_t>(i));
    auto out = w.take();
    out += run(static_cast<std::size_t>(i));
    send(out, 0, kResult);
  }
}

void root(const std::vector<std::size_t>& todo, const std::function<double(std::size_t)>& cost,
          const std::function<std::string(std::size_t)>& run,
          const std::function<void(std::size_t, const std::string&)>& commit, const std::string& what) {
  std::vector<std::size_t> order = todo;
  std::vector<double> c(order.size());
  for (std::size_t q = 0; q < order.size(); ++q) c[q] = cost(order[q]);
  std::vector<std::size_t> idx(order.size());
  for (std::size_t q = 0; q < idx.size(); ++q) idx[q] = q;
  std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return c[a] > c[b]; });

  std::mutex mu;
  std::deque<std::size_t> queue;
  for (auto q : idx) queue.push_back(order[q]);
  struct Local {
    std::size_t i;
    std::string bytes;
    std::exception_ptr error;
  };
  std::deque<Local> finished;
  std::atomic<bool> stop{false};
  auto next = [&]() -> std::optional<std::size_t> {
    std::lock_guard lock(mu);
    if (queue.empty() || stop) return std::nullopt;
    const auto i = queue.front();
    queue.pop_front();
    return i;
  };
  // Rank 0 computes too, on a thread of its own, so this thread stays free to hand out items
  // and commit results while it does. Only this thread calls MPI (MPI_THREAD_FUNNELED).
  std::thread local([&] {
    while (auto i = next()) {
      Local r{*i, {}, nullptr};
      try {
        r.bytes = run(*i);
      } catch (...) {
        r.error = std::current_exception();
      }
      const bool failed = r.error != nullptr;
      std::lock_guard lock(mu);
      finished.push_back(std::move(r));
      if (failed) return;
    }
  });
  std::size_t pending = order.size(), committed = 0;
  auto stopped = [&] {
    return Error(kExitTerminated, fmt::format("stopped by SIGTERM (a rank died, or the job was cancelled) with {} of {} {} "
                                              "committed; run the same command again to do the rest",
                                              committed, order.size(), what));
  };
  arm_term_line(format_error(std::make_exception_ptr(stopped())));
  auto old_term = std::signal(SIGTERM, on_term);
  int remote = g_size - 1, next_src = 0;
  std::vector<char> live(static_cast<std::size_t>(g_size), 1);
  auto fail = [&](std::exception_ptr e) {
    stop = true;
    local.detach();  // error_exit aborts the job; the local item dies with it
    error_exit(e);
    std::_Exit(kExitRuntime);
  };
  int us = 200;
  while (pending > 0 || remote > 0) {
    bool progressed = false;
    for (;;) {
      std::optional<Local> r;
      {
        std::lock_guard lock(mu);
        if (!finished.empty()) {
          r = std::move(finished.front());
          finished.pop_front();
        }
      }
      if (!r) break;
      if (r->error) fail(r->error);
      try {
        commit(r->i, r->bytes);
      } catch (...) {
        fail(std::current_exception());
      }
      --pending, ++committed, progressed = true;
      arm_term_line(format_error(std::make_exception_ptr(stopped())));
    }
    // Only ranks still in this sweep: one already told that it is over may have sent its
    // kReady for the next sweep, which is not this sweep's to take.
    Message st;
    bool got = false;
    for (int q = 0; q < g_size - 1 && !got; ++q) {
      const int src = 1 + (next_src + q) % (g_size - 1);
      if (live[static_cast<std::size_t>(src)] && probe(src, -1, st)) got = true;
    }
    if (got) {
      next_src = st.source % (g_size - 1);  // start the next round after this rank (fairness)
      const auto msg = receive(st);
      if (st.tag == kResult) {
        try {
          ByteReader r(std::string_view(msg).substr(0, 8));
          const auto i = static_cast<std::size_t>(r.get<std::uint64_t>());
          commit(i, msg.substr(8));
        } catch (...) {
          fail(std::current_exception());
        }
        --pending, ++committed;
        arm_term_line(format_error(std::make_exception_ptr(stopped())));
      }
      ByteWriter w;
      const auto i = next();
      w.put<std::int64_t>(i ? static_cast<std::int64_t>(*i) : -1);
      if (!i) --remote, live[static_cast<std::size_t>(st.source)] = 0;
      send(w.take(), st.source, kTask);
      progressed = true;
    }
    if (g_term) fail(std::make_exception_ptr(stopped()));  // only if the handler had no line
    if (progressed) {
      us = 200;
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      us = std::min(us * 2, 20000);
    }
  }
  local.join();
  std::signal(SIGTERM, old_term);
  g_term_which = -1;
}

// The plugin beside the binary (then the loader's search path); see mpi_api.hpp.
const snnsim_mpi_api* load_plugin() {
  std::string dir;
  char exe[4096];
  const auto n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    dir.assign(exe, static_cast<std::size_t>(n));
    dir = dir.substr(0, dir.find_last_of('/') + 1);
  }
  std::string why;
  for (const auto& path : {dir + kSnnsimMpiPlugin, std::string(kSnnsimMpiPlugin)}) {
    // RTLD_GLOBAL: Open MPI's own components resolve symbols of libmpi.
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
      why = ::dlerror();
      continue;
    }
    auto fn = reinterpret_cast<snnsim_mpi_api_fn>(::dlsym(h, kSnnsimMpiEntry));
    const auto* api = fn ? fn() : nullptr;
    if (api && api->version == kSnnsimMpiApiVersion) return api;
    why = path + ": not a snnsim MPI plugin of this version";
  }
  throw Error(kExitUsage, "started by an MPI launcher, but MPI support cannot be loaded (" + why +
                              "); build with -DSNNSIM_WITH_MPI=ON, or run snnsim without mpirun/srun");
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  const snnsim_mpi_api* api = nullptr;
  try {
    api = load_plugin();
  } catch (const Error& e) {
    fmt::print(stderr, "snnsim: error: {}\n", e.what());
    std::_Exit(e.code());
  }
  if (api->init(argc, argv, &g_rank, &g_size) != 0) {
    fmt::print(stderr, "snnsim: error: MPI_Init_thread failed\n");
    std::_Exit(kExitRuntime);
  }
  g_mpi = api;
  if (g_rank != 0) {
    const int fd = ::open("/dev/null", O_WRONLY);
    if (fd >= 0) {
      std::fflush(stdout);
      ::dup2(fd, STDOUT_FILENO);
      ::close(fd);
    }
  }
}

MpiSession::~MpiSession() {
  if (g_mpi) g_mpi->finalize();
}

int mpi_rank() { return g_rank; }
int mpi_size() { return g_size; }

void set_error_formatter(ErrorFormatter f) { g_formatter = std::move(f); }

int error_exit(std::exception_ptr e) {
  g_term_which = -1;  // this line, not the SIGTERM line, when MPI_Abort's SIGTERM comes back
  auto [line, code] = format_error(e);
  if (g_size > 1) {
    if (g_rank != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      line += fmt::format(" (rank {} of {})", g_rank, g_size);
    }
    fmt::print(stderr, "{}\n", line);
    abort_job(code);
  }
  fmt::print(stderr, "{}\n", line);
  return code;
}

void broadcast(std::string& bytes) {
  if (g_size <= 1) return;
  if (g_rank == 0) {
    for (int r = 1; r < g_size; ++r) send(bytes, r, kBroadcast);
  } else {
    bytes = receive(wait_message(0, kBroadcast));
  }
}

void sweep(const std::vector<std::size_t>& todo, const std::function<double(std::size_t)>& cost,
           const std::function<std::string(std::size_t)>& run,
           const std::function<void(std::size_t, const std::string&)>& commit, const std::string& what) {
  if (g_size > 1) {
    if (g_rank == 0) root(todo, cost, run, commit, what);
    else worker(run);
    return;
  }
  for (auto i : todo) commit(i, run(i));
}

}  // namespace snnsim::experiments
