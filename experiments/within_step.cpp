#include "within_step.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "io/error.hpp"
#include "sim/parallel.hpp"

namespace snnsim::experiments {

std::size_t min_neurons_per_thread() {
  constexpr const char* kName = "SNNSIM_MIN_NEURONS_PER_THREAD";
  const char* e = std::getenv(kName);
  if (e == nullptr || *e == '\0') return sim::Parallelism{}.min_per_thread;
  const std::string text(e);
  const auto bad = [&] {
    return UsageError(std::string(kName) + " must be a whole number of neurons >= 1, not '" + text + "'");
  };
  if (text.find_first_not_of("0123456789") != std::string::npos) throw bad();
  unsigned long long n = 0;
  try {
    n = std::stoull(text);
  } catch (const std::out_of_range&) {
    throw bad();
  }
  if (n == 0) throw bad();
  return static_cast<std::size_t>(n);
}

void set_within_step_threads(models::DiehlCookNetwork& net, int threads) {
  net.set_threads(threads, min_neurons_per_thread());
}

}  // namespace snnsim::experiments
