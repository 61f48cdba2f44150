#pragma once
// Recorded spikes as SONATA files next to a run file (spikes/<name>.h5): which populations a
// command records (--record-spikes) and the conversion from step counts to milliseconds.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/sonata.hpp"

namespace snnsim::experiments {

enum class RecordSpikes { none, exc, all };

/// "none" | "exc" | "all"; std::invalid_argument otherwise.
RecordSpikes record_spikes_from_string(const std::string& s);

/// Spike times (steps - start_step) * dt_ms.
io::PopulationSpikes population_spikes(std::string name, const std::vector<std::int64_t>& steps,
                                       const std::vector<std::uint32_t>& ids, double dt_ms, std::int64_t start_step = 0);

/// Writes `relative` (e.g. "spikes/train.h5") next to `run_file`, creating spikes/ when missing.
void write_spike_file(const std::filesystem::path& run_file, const std::string& relative,
                      const std::vector<io::PopulationSpikes>& pops, const io::StimulusTable* stimulus = nullptr);

}  // namespace snnsim::experiments
