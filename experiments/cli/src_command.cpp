// `snnsim src` as a call (src_command.hpp): parse the options, run every method over seeds
// (ann::run_src_one, spread over MPI ranks by experiments::sweep), build the --json report.
#include "src_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>

#include "ann/experiment.hpp"
#include "ann/report.hpp"
#include "common.hpp"
#include "experiments/progress.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "src_options.hpp"
#include "src_wire.hpp"

namespace snnsim::cli {
namespace {

constexpr const char* kUsage =
    "--data DIR --method M[,M...] [--seed S] [--seeds N] --out RUN.h5 [--json]\n"
    "class-incremental MNIST (tasks 0/1 .. 8/9) with Sleep Replay Consolidation and baselines\n"
    "Methods: sequential src cheat parallel average lowrank lowrank-parallel lowdata, or 'all' (the first six)\n"
    "Under mpirun/srun the runs (method x seed x fraction) are spread over the ranks and rank 0 writes\n"
    "the same file as one process; --seed is then required (docs/mpi.md)";

struct SrcCommand {
  SrcOptions o;
  std::string method, parallel_data, fractions, lowdata_pool;
  int rank = 10;
};

void add_options(po::options_description& d, SrcCommand& c) {
  // clang-format off
  d.add_options()
    ("method", po::value<std::string>(&c.method), "method list (comma-separated) or 'all' (required)")
    ("rank", po::value<int>(&c.rank)->default_value(10), "rank r of the low-rank methods")
    ("parallel-data", po::value<std::string>(&c.parallel_data)->default_value("all"),
     "parallel baseline trains on 'all' training images (MATLAB) or the 'tasks' subsets")
    ("fraction", po::value<std::string>(&c.fractions)->default_value("0.005,0.01,0.02,0.05,0.1"),
     "lowdata: training fractions (first N images of the training set)")
    ("lowdata-pool", po::value<std::string>(&c.lowdata_pool)->default_value("subset"),
     "lowdata sleep pool: 'subset' (only the images trained on) or 'all' (MATLAB reduced-MNIST)");
  // clang-format on
  add_src_options(d, c.o);
}

/// The methods, fractions and pools asked for, checked.
ann::SrcPlan make_plan(const SrcCommand& c, ann::ProtocolConfig& cfg) {
  require_file(c.method, "--method M", "src");
  cfg.lowrank = c.rank;
  if (cfg.lowrank < 1) throw UsageError("--rank must be >= 1");
  if (c.parallel_data != "all" && c.parallel_data != "tasks") throw UsageError("--parallel-data must be all or tasks");
  cfg.parallel_all = c.parallel_data == "all";
  if (c.lowdata_pool != "subset" && c.lowdata_pool != "all") throw UsageError("--lowdata-pool must be subset or all");
  ann::SrcPlan plan;
  plan.lowdata_pool_all = c.lowdata_pool == "all";
  if (c.method == "all") {
    plan.methods = {"sequential", "src", "cheat", "parallel", "average", "lowrank"};
  } else {
    plan.methods = split_list(c.method);
    auto known = ann::known_methods();
    known.push_back("lowdata");
    for (const auto& m : plan.methods)
      if (std::find(known.begin(), known.end(), m) == known.end())
        throw UsageError("unknown method '" + m + "' (sequential, src, cheat, parallel, average, lowrank, "
                         "lowrank-parallel, lowdata, all)");
  }
  if (plan.methods.empty()) throw UsageError("--method is empty");
  plan.fractions = parse_numbers("fraction", c.fractions);
  for (double f : plan.fractions)
    if (!(f > 0 && f <= 1)) throw UsageError("--fraction values must be in (0, 1]");
  plan.seeds = c.o.seeds;
  return plan;
}

/// Every run of the plan through experiments::sweep: one process runs them in order; under
/// MPI any rank runs any of them and rank 0, the only writer, adds them to the file in the
/// order one process would (holding those that finish early), so the file is the same.
/// Returns the runs without their weights (rank 0; empty elsewhere).
std::vector<ann::RunResult> run_all(const SrcCommand& c, const ann::SrcPlan& plan, const ann::ProtocolConfig& cfg,
                                    const SrcData& data, const std::string& config, const std::vector<std::string>& args) {
  const auto specs = ann::src_runs(plan);
  const auto td = ann::src_task_data(plan, data.train, data.test, cfg);
  std::optional<ann::ResultsWriter> writer;  // rank 0 only: the file lives there
  if (experiments::mpi_root() && !c.o.out.empty())
    writer.emplace(c.o.out, c.o.force, command_line_or("src", args), config, static_cast<int>(cfg.tasks.size()));
  experiments::Progress progress("src", specs.size(), !c.o.common.quiet && experiments::mpi_root());
  std::vector<ann::RunResult> runs;
  std::vector<std::optional<std::string>> held(specs.size());
  auto run = [&](std::size_t i) {
    return encode_src_run(ann::run_src_one(specs[i], plan, td, data.train, data.test, cfg, [&](const std::string& s) {
      if (!experiments::mpi_parallel()) progress.update(runs.size(), s);  // whole runs only under MPI
    }));
  };
  auto commit = [&](std::size_t i, const std::string& bytes) {
    held[i] = bytes;
    while (runs.size() < specs.size() && held[runs.size()]) {
      auto r = decode_src_run(*held[runs.size()]);
      held[runs.size()].reset();
      if (writer) writer->add(r);
      r.states.clear();  // weights are in the file; drop them from memory
      runs.push_back(std::move(r));
      progress.update(runs.size(), ann::run_name(runs.back()));
    }
  };
  std::vector<std::size_t> todo(specs.size());
  std::iota(todo.begin(), todo.end(), std::size_t{0});
  // Cost for largest-first: equal per run, except that a low-data run trains on a fraction.
  auto cost = [&](std::size_t i) { return specs[i].method == "lowdata" ? specs[i].fraction : 1.0; };
  experiments::sweep(todo, cost, run, commit, "runs");
  if (!experiments::mpi_root()) return {};
  if (writer) writer->commit();
  progress.finish(writer ? "results in " + c.o.out : std::string("done"));
  return runs;
}

}  // namespace

SrcOutcome run_src_command(const std::vector<std::string>& args, bool out_optional) {
  SrcOutcome r;
  SrcCommand c;
  po::options_description desc("Options");
  add_options(desc, c);
  po::variables_map vm;
  if (!parse("src", kUsage, args, desc, vm, c.o.common)) return r;
  ann::ProtocolConfig cfg = src_config(vm, c.o);
  auto plan = make_plan(c, cfg);
  // Every rank must draw the same seed: a random one would differ from rank to rank.
  if (experiments::mpi_parallel() && !vm.count("seed")) throw UsageError("under mpirun/srun give --seed");
  plan.seed = check_src_options(vm, c.o, "src", out_optional);

  const auto data = load_src_data(c.o, true);
  const auto config = ann::config_json(cfg, c.o.preset);
  const auto t0 = std::chrono::steady_clock::now();
  r.runs = run_all(c, plan, cfg, data, config.dump(), args);
  if (!experiments::mpi_root()) return r;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.ran = true;
  r.json = c.o.common.json;
  r.report = {{"command", "src"}, {"out", c.o.out}, {"wall_s", wall_s}, {"config", config}};
  ann::add_summary(r.report, r.runs);
  r.report["runs"] = nlohmann::json::array();
  for (const auto& run : r.runs) r.report["runs"].push_back(ann::run_json(run));
  return r;
}

std::optional<bool> src_option_takes_value(const std::string& name) {
  static SrcCommand c;  // the description binds to it; only names and arities are read
  static const po::options_description desc = [] {
    po::options_description d("Options");
    add_options(d, c);
    return d;
  }();
  const auto* o = desc.find_nothrow(name, false);
  if (!o) return std::nullopt;
  return o->semantic()->max_tokens() > 0;
}

}  // namespace snnsim::cli
