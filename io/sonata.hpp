#pragma once
// SONATA spike files (/spikes/<population>/timestamps in ms + node_ids), readable by
// libsonata, bmtk and plain h5py. Written to a temporary file and renamed into place.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace snnsim::io {

struct PopulationSpikes {
  std::string population;
  std::vector<double> timestamps_ms;  // non-decreasing (sorting = by_time)
  std::vector<std::uint64_t> node_ids;
};

/// snnsim's extension (ignored by SONATA readers): one row per presentation.
struct StimulusTable {
  std::vector<std::uint64_t> sample_index;
  std::vector<std::uint8_t> label;
  std::vector<double> t_start_ms, t_stop_ms;
};

void write_sonata_spikes(const std::filesystem::path& file, const std::vector<PopulationSpikes>& populations,
                         const StimulusTable* stimulus = nullptr);

}  // namespace snnsim::io
