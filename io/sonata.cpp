#include "sonata.hpp"

#include <unistd.h>

#include <algorithm>

#include "error.hpp"
#include "h5.hpp"

namespace snnsim::io {

void write_sonata_spikes(const std::filesystem::path& file, const std::vector<PopulationSpikes>& populations,
                         const StimulusTable* stimulus) {
  const auto temp = file.parent_path() / (file.filename().string() + ".tmp-" + std::to_string(::getpid()));
  {
    auto f = h5::File::create(temp);
    auto root = f.root();
    root.set_attr<std::uint32_t>("magic", 0x0A7A);
    const std::uint32_t version[2] = {0, 1};
    root.set_attr_array<std::uint32_t>("version", version);
    for (const auto& p : populations) {
      if (p.timestamps_ms.size() != p.node_ids.size())
        throw std::invalid_argument("spike file: timestamps and node_ids differ in length");
      auto g = root.create_group("spikes/" + p.population);
      // libsonata reads `sorting` only as an enum over uint8 {none, by_id, by_time}; bmtk accepts it too.
      h5::Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose);
      const std::uint8_t none = 0, by_id = 1, by_time = 2;
      H5Tenum_insert(type.get(), "none", &none);
      H5Tenum_insert(type.get(), "by_id", &by_id);
      H5Tenum_insert(type.get(), "by_time", &by_time);
      h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
      h5::Handle attr(H5Acreate2(g.id(), "sorting", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
      if (!attr.valid() || H5Awrite(attr.get(), type.get(), &by_time) < 0)
        throw OutputError(temp.string() + ": cannot write sorting attribute");
      const hsize_t n = p.timestamps_ms.size();
      const h5::Compression c{n > 0, {std::min<hsize_t>(std::max<hsize_t>(n, 1), 65536)}, 4};
      g.write<double>("timestamps", p.timestamps_ms, {n}, c);
      g.write<std::uint64_t>("node_ids", p.node_ids, {n}, c);
      g.dataset_attributes("timestamps").set_attr("units", "ms");
    }
    if (stimulus) {
      auto s = root.create_group("stimulus");
      const hsize_t n = stimulus->sample_index.size();
      s.write<std::uint64_t>("sample_index", stimulus->sample_index, {n});
      s.write<std::uint8_t>("label", stimulus->label, {n});
      s.write<double>("t_start_ms", stimulus->t_start_ms, {n});
      s.write<double>("t_stop_ms", stimulus->t_stop_ms, {n});
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) throw OutputError(file.string() + ": cannot move spike file into place: " + ec.message());
}

}  // namespace snnsim::io
