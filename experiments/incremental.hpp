#pragma once
// Class-incremental learning in the Diehl & Cook network (`snnsim experiment incremental`,
// docs/incremental.md): five tasks of two classes (task_split.hpp), K training images per task,
// one pass each, and after every task an evaluation on the test images of all classes in two
// readouts. Methods, all from the same initial network and seed:
//   sequential   the tasks one after another;
//   sleep        the sleep regime (sleep.hpp) after every task, driven by the mean image of the
//                task just trained or of all tasks so far;
//   interleaved  all tasks' images shuffled together, the same total, cut into as many chunks
//                (the upper bound);
//   replay       M images drawn from the earlier tasks' training images mixed into each task.
// A (method, seed) condition is independent of the others: the command runs them over MPI ranks
// (sweep.hpp) and saves each as it finishes, so a study resumes per condition.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "io/h5.hpp"
#include "io/idx.hpp"
#include "models/diehl_cook.hpp"
#include "sleep.hpp"

namespace snnsim::experiments {

/// Philox purposes of this experiment (the 4th counter word), beside models::StreamPurpose.
enum IncrementalStream : std::uint32_t {
  kStreamReplayDraw = 32,      // which earlier images fill task t's replay buffer (major t)
  kStreamReplayOrder = 33,     // the order of task t's images mixed with its buffer (major t)
  kStreamInterleaveOrder = 34, // the one shuffle of all tasks' images (major 0)
  kStreamTaskSleepSeed = 35,   // the seed of the sleep after task t (major t)
};

enum class IncrementalMethod { sequential, sleep, interleaved, replay };
std::string to_string(IncrementalMethod m);
/// Throws std::invalid_argument for an unknown name.
IncrementalMethod incremental_method_from_string(const std::string& s);

enum class SleepSource { task, seen };  // mean image of the task just trained / of all tasks so far

struct IncrementalOptions {
  std::vector<std::vector<int>> tasks;   // default: class_incremental_tasks()
  std::size_t images_per_task = 1000;    // the first K of the task's classes, in file order
  std::size_t label_images = 1000;       // per seen task: held-out training images for labelling
  std::size_t test_images = 10000;       // the first T test images (all classes)
  std::size_t replay_buffer = 200;       // M earlier images mixed into each task (replay)
  SleepOptions sleep;
  SleepSource sleep_input = SleepSource::task;
  int threads = 1;
  IncrementalOptions();
};

/// Training-set indices of each task: `train` the first K of its classes (file order) and
/// `held_out` the next label_images of them (never trained on; the labelling pool).
struct TaskImages {
  std::vector<std::vector<std::uint32_t>> train, held_out;
};
/// Throws std::invalid_argument when a task has fewer than K + label_images images.
TaskImages split_tasks(const io::LabelledImages& train, const IncrementalOptions& o);

/// The validation set that stands in for the test set when sleep settings are chosen: per task,
/// the first `per_task` training images of its classes after its K training and L held-out
/// labelling images (file order), tasks one after another. Never trained or labelled on, and no
/// test image. Throws std::invalid_argument when a task has too few images.
io::LabelledImages validation_images(const io::LabelledImages& train, const IncrementalOptions& o, std::size_t per_task);

/// What a method presents in each task (training-set indices in order): sequential and sleep
/// the task's own images in file order; replay the task's images plus M drawn without
/// replacement from the earlier tasks' images, shuffled together (none in task 1); interleaved
/// all tasks' images in one seeded shuffle, cut into chunks of the tasks' sizes.
std::vector<std::vector<std::uint32_t>> training_schedule(IncrementalMethod m, const TaskImages& t,
                                                          const IncrementalOptions& o, std::uint64_t seed);

/// Kept-labels readout: a neuron keeps the label it got first; only neurons still unlabelled
/// (-1) take the fresh label. `kept` empty means none assigned yet.
std::vector<std::int16_t> keep_labels(const std::vector<std::int16_t>& kept, const std::vector<std::int16_t>& fresh);

/// Continual-learning summaries of an accuracy matrix acc[after t][task i] (T x T, row-major):
///   average_accuracy = (1/T) sum_i acc[T-1][i]                      (final average accuracy)
///   forgetting       = 1/(T-1) sum_{i<T-1} (max_{i<=l<T-1} acc[l][i] - acc[T-1][i])  (Chaudhry et al. 2018)
///   bwt              = 1/(T-1) sum_{i<T-1} (acc[T-1][i] - acc[i][i])                (Lopez-Paz & Ranzato 2017)
struct ClSummary {
  double average_accuracy = 0, forgetting = 0, bwt = 0;
};
ClSummary summarize(const std::vector<double>& acc, std::size_t n_tasks);

struct TaskState {
  std::vector<float> weights;          // [n_input][n_exc]
  std::vector<double> theta_mV;        // [n_exc]
  std::vector<std::int16_t> labels;    // relabelled readout
  std::vector<std::int16_t> kept;      // kept-labels readout
};

struct IncrementalResult {
  IncrementalMethod method = IncrementalMethod::sequential;
  std::uint64_t seed = 0;
  std::size_t n_tasks = 0;
  std::vector<double> acc_relabelled, acc_kept;          // [after][task]
  std::vector<double> overall_relabelled, overall_kept;  // [after]: all test images
  std::vector<std::uint32_t> silent;                     // [after]: test images no neuron answered
  std::vector<std::vector<std::uint32_t>> schedule;      // per task, the training indices presented
  std::vector<TaskState> states;                         // after each task
  std::uint64_t capped_images = 0;
  double wall_s = 0;
};

/// Work units (presentations and slept half-seconds) of one condition, for progress and ETA.
std::size_t incremental_work(const IncrementalOptions& o, const TaskImages& t, IncrementalMethod m);

/// Runs one (method, seed) condition. Errors: std::runtime_error when a guard stops training.
IncrementalResult run_incremental(const models::DiehlCookParams& p, const io::LabelledImages& train,
                                  const io::LabelledImages& test, const IncrementalOptions& o, const TaskImages& t,
                                  IncrementalMethod m, std::uint64_t seed,
                                  const std::function<void(std::size_t)>& progress = {});

std::string encode_incremental(const IncrementalResult& r);
IncrementalResult decode_incremental(std::string_view bytes);

// --- The study file (layout in docs/incremental.md) ---

std::string incremental_condition_name(IncrementalMethod m, std::uint64_t seed);
/// Writes /conditions/<method>_seed<s> (replacing it), complete = 1 last.
void write_incremental_condition(const h5::Group& root, const IncrementalResult& r, const models::DiehlCookParams& p);
/// Rebuilds /results (method x seed x after x task matrices, NaN where not done) from
/// /conditions, and returns the CSV text of the same numbers.
std::string rebuild_incremental_results(const h5::Group& root, const std::vector<IncrementalMethod>& methods,
                                        const std::vector<std::uint64_t>& seeds, std::size_t n_tasks);

/// Mean +- sd over seeds per (method, readout) and the paired differences sleep - sequential.
struct IncrementalTableRow {
  std::string method, readout;  // readout: relabelled | kept
  std::size_t n = 0;
  double acc_mean = 0, acc_sd = 0, forg_mean = 0, forg_sd = 0, bwt_mean = 0, bwt_sd = 0;
};
struct IncrementalTable {
  std::vector<IncrementalTableRow> rows;  // methods in the order given, relabelled then kept
  std::vector<IncrementalTableRow> paired;  // "sleep-sequential" per readout (when both ran)
};
IncrementalTable incremental_table(const h5::Group& root, const std::vector<IncrementalMethod>& methods,
                                   const std::vector<std::uint64_t>& seeds, std::size_t n_tasks);
/// The table as Markdown.
std::string to_markdown(const IncrementalTable& t);

}  // namespace snnsim::experiments
