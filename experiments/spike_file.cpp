#include "spike_file.hpp"

#include <stdexcept>

namespace snnsim::experiments {

RecordSpikes record_spikes_from_string(const std::string& s) {
  if (s == "none") return RecordSpikes::none;
  if (s == "exc") return RecordSpikes::exc;
  if (s == "all") return RecordSpikes::all;
  throw std::invalid_argument("'" + s + "' is not none, exc or all");
}

io::PopulationSpikes population_spikes(std::string name, const std::vector<std::int64_t>& steps,
                                       const std::vector<std::uint32_t>& ids, double dt_ms, std::int64_t start_step) {
  io::PopulationSpikes ps{std::move(name), {}, {}};
  ps.timestamps_ms.reserve(steps.size());
  for (auto s : steps) ps.timestamps_ms.push_back(static_cast<double>(s - start_step) * dt_ms);
  ps.node_ids.assign(ids.begin(), ids.end());
  return ps;
}

void write_spike_file(const std::filesystem::path& run_file, const std::string& relative,
                      const std::vector<io::PopulationSpikes>& pops, const io::StimulusTable* stimulus) {
  const auto path = run_file.parent_path() / relative;
  std::filesystem::create_directories(path.parent_path());
  io::write_sonata_spikes(path, pops, stimulus);
}

}  // namespace snnsim::experiments
