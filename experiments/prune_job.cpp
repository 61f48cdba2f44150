#include "prune_job.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "io/error.hpp"
#include "io/idx.hpp"
#include "progress.hpp"
#include "run_access.hpp"
#include "run_file.hpp"

namespace snnsim::experiments {
namespace {

void write_prune_record(const h5::Group& root, const PruneJob& job, const PruneJobResult& r,
                        std::vector<std::uint32_t> pruned) {
  auto st = root.open_group("network/" + job.to);
  st.set_attr("control", "pruning");
  root.remove("prune/" + job.to);
  auto g = root.require_group("prune/" + job.to);
  g.set_attr("from_state", job.from);
  g.set_attr("criterion", to_string(job.criterion));
  g.set_attr("method", to_string(job.method));
  g.set_attr<double>("fraction", r.fraction);
  g.set_attr<std::uint64_t>("label_images", r.label_images);
  g.set_attr<std::uint64_t>("validation_images", job.automatic ? job.validation : 0);
  g.set_attr("fraction_choice", job.automatic ? "best validation accuracy of candidate_fraction" : "given");
  g.set_attr<double>("wall_s", r.wall_s);
  std::sort(pruned.begin(), pruned.end());
  g.write<std::uint32_t>("pruned_neurons", pruned, {pruned.size()});
  if (job.automatic) {
    std::vector<double> cf, ca;
    for (const auto& c : r.search.candidates) {
      cf.push_back(c.fraction);
      ca.push_back(c.validation_accuracy);
    }
    g.write<double>("candidate_fraction", cf, {cf.size()});
    g.write<double>("candidate_validation_accuracy", ca, {ca.size()});
  }
}

}  // namespace

PruneJobResult run_prune_job(PruneJob job) {
  auto loaded = load_run(job.run, job.from);
  if (job.criterion != PruneCriterion::rf_variance && loaded.state.class_rate_Hz.empty())
    throw RunFileError(job.run + ": network/" + job.from + " has no labels (criterion " + to_string(job.criterion) +
                       " needs its labelling pass)");
  {
    auto f = h5::File::open(job.run, h5::File::Mode::read_only);
    if (io::has_state(f.root(), job.to) && !job.force)
      throw OutputError(job.run + ": state network/" + job.to + " exists; pass --force or choose another --to");
  }
  PruneJobResult r;
  r.neurons = loaded.params.n_exc;
  r.label_images = job.label_images ? job.label_images : images_trained_on_or_default(loaded.train_images);
  const auto data = io::load_split(job.data_dir, io::Split::train);
  if (r.label_images > data.size()) throw UsageError("--label-images exceeds the training set");
  const std::size_t used = std::max<std::size_t>(loaded.train_images, r.label_images);
  if (job.automatic && job.validation + used > data.size())
    throw UsageError(fmt::format("--validation-images {} would overlap the {} images trained/labelled on (of {})",
                                 job.validation, used, data.size()));
  auto txn = io::RunFileTransaction::update(job.run);

  const auto t0 = std::chrono::steady_clock::now();
  const auto order = prune_order(loaded.params, loaded.state, job.criterion);
  r.fraction = job.fractions.at(0);
  if (job.automatic) {
    const auto val = validation_tail(data, job.validation);
    Progress progress("prune: choose fraction", job.fractions.size(), job.show_progress);
    r.search = choose_prune_fraction(loaded.params, loaded.state, loaded.seed, order, job.fractions, job.method, data,
                                     r.label_images, val, job.threads,
                                     [&](std::size_t d, std::size_t) { progress.update(d); });
    progress.finish();
    r.fraction = r.search.candidates[r.search.best].fraction;
  }
  auto s = prune(loaded.params, loaded.state, loaded.seed, order, r.fraction, job.method, data, r.label_images,
                 job.threads);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.pruned = prune_count(r.fraction, loaded.params.n_exc);

  auto root = txn.root();
  io::write_state(root, job.to, s, {"prune", job.from});
  write_prune_record(root, job, r, {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(r.pruned)});
  txn.commit();
  return r;
}

}  // namespace snnsim::experiments
