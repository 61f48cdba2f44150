#include "h5.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <type_traits>

#include "error.hpp"

namespace snnsim::h5 {
namespace {

// HDF5 prints its own error stack by default; we report errors ourselves, once.
struct SilenceHdf5 {
  SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5 silence_once;

Handle string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
}

// Object creation property lists without modification times (HDF5 records them by default), so
// a file's bytes depend on its content alone: the fuzz seeds are the same on every run.
Handle untimed(hid_t plist_class) {
  Handle p(H5Pcreate(plist_class), H5Pclose);
  H5Pset_obj_track_times(p.get(), 0);
  return p;
}

Handle scalar_space() { return Handle(H5Screate(H5S_SCALAR), H5Sclose); }

Handle simple_space(const std::vector<hsize_t>& dims, const std::vector<hsize_t>* maxdims = nullptr) {
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims ? maxdims->data() : nullptr),
                H5Sclose);
}

std::vector<hsize_t> space_dims(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

hsize_t product(const std::vector<hsize_t>& d) {
  hsize_t n = 1;
  for (auto x : d) n *= x;
  return n;
}

std::string dims_text(const std::vector<hsize_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t native_type<std::int8_t>() { return H5T_NATIVE_INT8; }
template <> hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t native_type<std::int16_t>() { return H5T_NATIVE_INT16; }
template <> hid_t native_type<std::uint16_t>() { return H5T_NATIVE_UINT16; }
template <> hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<std::uint32_t>() { return H5T_NATIVE_UINT32; }
template <> hid_t native_type<std::int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }

// ---- Group -------------------------------------------------------------------------------

void Group::fail(const std::string& object, const std::string& what) const {
  throw RunFileError(file_ + ": " + child(object) + ": " + what);
}

void Group::fail_write(const std::string& object, const std::string& what) const {
  throw OutputError(file_ + ": " + child(object) + ": " + what);
}

std::string Group::child(const std::string& name) const {
  if (name.empty()) return path_;
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

bool Group::has(const std::string& name) const {
  // H5Lexists fails on intermediate missing groups; walk the path one level at a time.
  std::size_t pos = 0;
  while (true) {
    const auto next = name.find('/', pos);
    const std::string prefix = name.substr(0, next);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

Group Group::open_group(const std::string& name) const {
  if (!has(name)) fail(name, "group missing");
  hid_t g = H5Gopen2(id(), name.c_str(), H5P_DEFAULT);
  if (g < 0) fail(name, "not a group");
  return Group(Handle(g, H5Gclose), file_, child(name));
}

Group Group::create_group(const std::string& name) const {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  hid_t g = H5Gcreate2(id(), name.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT);
  if (g < 0) fail_write(name, "cannot create group (exists already?)");
  return Group(Handle(g, H5Gclose), file_, child(name));
}

Group Group::dataset_attributes(const std::string& name) const {
  if (!has(name)) fail(name, "dataset missing");
  hid_t d = H5Dopen2(id(), name.c_str(), H5P_DEFAULT);
  if (d < 0) fail(name, "not a dataset");
  return Group(Handle(d, H5Dclose), file_, child(name));
}

Group Group::require_group(const std::string& name) const { return has(name) ? open_group(name) : create_group(name); }

void Group::remove(const std::string& name) const {
  if (has(name) && H5Ldelete(id(), name.c_str(), H5P_DEFAULT) < 0) fail_write(name, "cannot delete");
}

void Group::move(const std::string& from, const std::string& to) const {
  if (H5Lmove(id(), from.c_str(), id(), to.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
    fail_write(from, "cannot rename to " + to);
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  H5Literate(
      id(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* n, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(n);
        return 0;
      },
      &names);
  return names;
}

template <typename T>
void Group::write(const std::string& name, std::span<const T> data, const std::vector<hsize_t>& dims,
                  const Compression& c) const {
  if (product(dims) != data.size()) fail(name, "internal: data size does not match dims " + dims_text(dims));
  remove(name);
  Handle space = simple_space(dims);
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  if (!c.chunk.empty() && data.size() > 0) {
    H5Pset_chunk(dcpl.get(), static_cast<int>(c.chunk.size()), c.chunk.data());
    if (c.enabled) {
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), static_cast<unsigned>(c.deflate_level));
    }
  }
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle ds(H5Dcreate2(id(), name.c_str(), native_type<T>(), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.valid()) fail_write(name, "cannot create dataset");
  if (!data.empty() && H5Dwrite(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
    fail_write(name, "write failed");
}

std::vector<hsize_t> Group::shape(const std::string& name) const {
  if (!has(name)) fail(name, "dataset missing");
  Handle ds(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) fail(name, "not a dataset");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  return space_dims(space.get());
}

template <typename T>
std::vector<T> Group::read(const std::string& name, std::vector<hsize_t>* dims) const {
  if (!has(name)) fail(name, "dataset missing");
  Handle ds(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) fail(name, "not a dataset");
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  const bool want_float = std::is_floating_point_v<T>;
  if ((cls == H5T_FLOAT) != want_float || (cls != H5T_FLOAT && cls != H5T_INTEGER))
    fail(name, want_float ? "expected a floating-point dataset" : "expected an integer dataset");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const auto d = space_dims(space.get());
  const hsize_t n = product(d);
  // A run file's largest dataset is a weight matrix; refuse anything beyond 2^31 elements.
  if (n > (hsize_t{1} << 31)) fail(name, "dataset too large (" + dims_text(d) + ")");
  std::vector<T> out(n);
  if (n > 0 && H5Dread(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail(name, "read failed (values out of range for the type?)");
  if (dims) *dims = d;
  return out;
}

template <typename T>
std::vector<T> Group::read_shaped(const std::string& name, const std::vector<hsize_t>& expect) const {
  const auto got = shape(name);
  if (got != expect) fail(name, "shape " + dims_text(got) + ", expected " + dims_text(expect));
  return read<T>(name);
}

void Group::write_string(const std::string& name, const std::string& text) const {
  remove(name);
  Handle type = string_type();
  Handle space = scalar_space();
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle ds(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.valid()) fail_write(name, "cannot create string dataset");
  const char* p = text.c_str();
  if (H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0) fail_write(name, "write failed");
}

std::string Group::read_string(const std::string& name) const {
  auto rows = read_strings(name);
  if (rows.size() != 1) fail(name, "expected a single string");
  return rows[0];
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  if (!has(name)) fail(name, "dataset missing");
  Handle ds(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) fail(name, "not a dataset");
  Handle ftype(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(ftype.get()) != H5T_STRING || !H5Tis_variable_str(ftype.get()))
    fail(name, "expected variable-length strings");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const hsize_t n = product(space_dims(space.get()));
  std::vector<char*> ptrs(n, nullptr);
  Handle mtype = string_type();
  if (n > 0 && H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(name, "read failed");
  std::vector<std::string> out;
  out.reserve(n);
  for (auto* p : ptrs) out.emplace_back(p ? p : "");
  if (n > 0) H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, ptrs.data());
  return out;
}

namespace {
// Opens or creates an extendible dataset along axis 0 and selects the new rows' hyperslab.
struct AppendTarget {
  Handle ds;
  Handle file_space;
  Handle mem_space;
};

AppendTarget prepare_append(const Group& g, const std::string& name, hid_t type, hsize_t new_rows,
                            const std::vector<hsize_t>& row_dims, hsize_t chunk_rows) {
  std::vector<hsize_t> add = {new_rows};
  add.insert(add.end(), row_dims.begin(), row_dims.end());
  Handle ds;
  if (!g.has(name)) {
    std::vector<hsize_t> zero = add, maxd = add, chunk = add;
    zero[0] = 0;
    maxd[0] = H5S_UNLIMITED;
    chunk[0] = chunk_rows;
    Handle space = simple_space(zero, &maxd);
    Handle dcpl = untimed(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    ds = Handle(H5Dcreate2(g.id(), name.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) g.fail_write(name, "cannot create extendible dataset");
  } else {
    ds = Handle(H5Dopen2(g.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.valid()) g.fail(name, "not a dataset");
  }
  Handle cur_space(H5Dget_space(ds.get()), H5Sclose);
  auto dims = space_dims(cur_space.get());
  if (dims.size() != add.size() || !std::equal(dims.begin() + 1, dims.end(), add.begin() + 1))
    g.fail(name, "existing dataset has shape " + dims_text(dims) + ", cannot append rows of " + dims_text(row_dims));
  std::vector<hsize_t> start(dims.size(), 0);
  start[0] = dims[0];
  dims[0] += new_rows;
  if (H5Dset_extent(ds.get(), dims.data()) < 0) g.fail_write(name, "cannot extend (not chunked/extendible?)");
  Handle fs(H5Dget_space(ds.get()), H5Sclose);
  H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, add.data(), nullptr);
  return {std::move(ds), std::move(fs), simple_space(add)};
}
}  // namespace

template <typename T>
void Group::append(const std::string& name, std::span<const T> rows, const std::vector<hsize_t>& row_dims,
                   hsize_t chunk_rows) const {
  const hsize_t per_row = product(row_dims);
  if (per_row == 0 || rows.size() % per_row != 0) fail(name, "internal: row size mismatch");
  const hsize_t n = rows.size() / per_row;
  auto t = prepare_append(*this, name, native_type<T>(), n, row_dims, chunk_rows);
  if (n > 0 && H5Dwrite(t.ds.get(), native_type<T>(), t.mem_space.get(), t.file_space.get(), H5P_DEFAULT,
                        rows.data()) < 0)
    fail_write(name, "append failed");
}

void Group::append_strings(const std::string& name, const std::vector<std::string>& rows) const {
  Handle type = string_type();
  auto t = prepare_append(*this, name, type.get(), rows.size(), {}, 64);
  std::vector<const char*> ptrs;
  for (const auto& r : rows) ptrs.push_back(r.c_str());
  if (!rows.empty() && H5Dwrite(t.ds.get(), type.get(), t.mem_space.get(), t.file_space.get(), H5P_DEFAULT,
                                ptrs.data()) < 0)
    fail_write(name, "append failed");
}

// ---- attributes --------------------------------------------------------------------------

namespace {
Handle open_attr(const Group& g, const std::string& name) {
  if (H5Aexists(g.id(), name.c_str()) <= 0) g.fail("@" + name, "attribute missing");
  Handle a(H5Aopen(g.id(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!a.valid()) g.fail("@" + name, "cannot open attribute");
  return a;
}
void write_attr(const Group& g, const std::string& name, hid_t type, hid_t space, const void* data) {
  if (H5Aexists(g.id(), name.c_str()) > 0) H5Adelete(g.id(), name.c_str());
  Handle a(H5Acreate2(g.id(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a.valid() || H5Awrite(a.get(), type, data) < 0) g.fail_write("@" + name, "cannot write attribute");
}
}  // namespace

template <typename T>
void Group::set_attr(const std::string& name, const T& value) const {
  Handle space = scalar_space();
  write_attr(*this, name, native_type<T>(), space.get(), &value);
}

template <typename T>
void Group::set_attr_array(const std::string& name, std::span<const T> values) const {
  Handle space = simple_space({values.size()});
  write_attr(*this, name, native_type<T>(), space.get(), values.data());
}

void Group::set_attr(const std::string& name, const std::string& value) const {
  Handle type = string_type();
  Handle space = scalar_space();
  const char* p = value.c_str();
  write_attr(*this, name, type.get(), space.get(), &p);
}

bool Group::has_attr(const std::string& name) const { return H5Aexists(id(), name.c_str()) > 0; }

template <typename T>
T Group::get_attr(const std::string& name) const {
  auto v = get_attr_array<T>(name);
  if (v.size() != 1) fail("@" + name, "expected a scalar attribute");
  return v[0];
}

template <typename T>
std::vector<T> Group::get_attr_array(const std::string& name) const {
  Handle a = open_attr(*this, name);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail("@" + name, "expected a numeric attribute");
  Handle space(H5Aget_space(a.get()), H5Sclose);
  const hsize_t n = product(space_dims(space.get()));
  if (n > 4096) fail("@" + name, "attribute too large");
  std::vector<T> out(n);
  if (H5Aread(a.get(), native_type<T>(), out.data()) < 0) fail("@" + name, "cannot read attribute");
  return out;
}

std::string Group::get_attr_string(const std::string& name) const {
  Handle a = open_attr(*this, name);
  Handle ftype(H5Aget_type(a.get()), H5Tclose);
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail("@" + name, "expected a string attribute");
  if (H5Tis_variable_str(ftype.get())) {
    Handle mtype = string_type();
    char* p = nullptr;
    if (H5Aread(a.get(), mtype.get(), &p) < 0) fail("@" + name, "cannot read attribute");
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  const std::size_t size = H5Tget_size(ftype.get());
  if (size > (1u << 20)) fail("@" + name, "attribute too large");
  std::string s(size, '\0');
  if (H5Aread(a.get(), ftype.get(), s.data()) < 0) fail("@" + name, "cannot read attribute");
  s.resize(std::strlen(s.c_str()));
  return s;
}

// ---- File --------------------------------------------------------------------------------

namespace {

// HDF5 1.10.8 (Debian 12) never returns from H5HG__cache_heap_deserialize when a global heap
// collection ("GCOL": where variable-length strings such as /@format live) holds an object
// whose size makes the parse cursor stand still (a free-space object of size 0) or jump
// outside the collection. Found by fuzz/fuzz_run_file (see fuzz/README.md). This pre-check
// walks every collection's object headers exactly as that loop does, before HDF5 opens the
// file: one sequential read of the file, and a few reads per collection.
bool global_heaps_ok(const std::filesystem::path& p, std::string& why) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return true;  // H5Fopen reports it
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  auto read_at = [&](std::uint64_t off, unsigned char* buf, std::size_t n) {
    return ::pread(fd, buf, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n);
  };
  auto le = [](const unsigned char* b, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | b[i];
    return v;
  };
  unsigned char sb[16] = {};
  if (!read_at(0, sb, sizeof sb)) return true;
  const std::size_t len_size = sb[8] <= 1 ? sb[14] : sb[10];  // superblock v0/1 vs v2/3: "size of lengths"
  if (len_size != 2 && len_size != 4 && len_size != 8) return true;  // H5Fopen rejects or decodes it safely
  const off_t end_of_file = ::lseek(fd, 0, SEEK_END);
  if (end_of_file < 0) return true;
  const auto file_size = static_cast<std::uint64_t>(end_of_file);
  const std::size_t obj_header = 8 + len_size;  // index(2) nrefs(2) reserved(4) size
  std::vector<unsigned char> buf(std::size_t{1} << 20);
  for (std::uint64_t base = 0; base < file_size; base += buf.size() - 3) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), file_size - base));
    if (!read_at(base, buf.data(), n)) return true;
    for (std::size_t i = 0; i + 4 <= n; ++i) {
      const void* hit = ::memmem(&buf[i], n - i, "GCOL", 4);
      if (!hit) break;
      i = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - buf.data());
      const std::uint64_t col = base + i;
      unsigned char hdr[16] = {};
      if (!read_at(col, hdr, 8 + len_size) || hdr[4] != 1) continue;  // HDF5 rejects other versions
      const std::uint64_t col_size = le(hdr + 8, len_size);
      // HDF5 parses the collection only if it lies inside the file; walk what is there.
      const std::uint64_t end = col + std::min<std::uint64_t>(col_size, file_size - col);
      std::uint64_t pos = col + 8 + len_size;
      while (pos < end) {
        if (pos + obj_header > end) break;  // trailing free space too small for a header
        unsigned char oh[16] = {};
        if (!read_at(pos, oh, obj_header)) break;
        const std::uint64_t idx = le(oh, 2), size = le(oh + 8, len_size);
        // Bytes the parse advances by (H5HG_ALIGN pads to 8); bounded first so it cannot wrap.
        const std::uint64_t need =
            size > end - pos ? std::uint64_t{0} : idx > 0 ? obj_header + ((size + 7) & ~std::uint64_t{7}) : size;
        if (need == 0 || need > end - pos) {
          why = "global heap collection at byte " + std::to_string(col) + ": object " + std::to_string(idx) +
                " has an impossible size " + std::to_string(size);
          return false;
        }
        pos += need;
      }
    }
    if (n < buf.size()) break;
  }
  return true;
}

}  // namespace

File File::create(const std::filesystem::path& p) {
  Handle fcpl = untimed(H5P_FILE_CREATE);  // the root group's header too
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT);
  if (f < 0) throw OutputError(p.string() + ": cannot create HDF5 file (directory missing or not writable?)");
  return File(Handle(f, H5Fclose), p.string());
}

File File::open(const std::filesystem::path& p, Mode mode) {
  if (!std::filesystem::exists(p)) throw RunFileError(p.string() + ": file not found");
  if (!is_hdf5(p)) throw RunFileError(p.string() + ": not an HDF5 file");
  if (std::string why; !global_heaps_ok(p, why)) throw RunFileError(p.string() + ": corrupt HDF5 file (" + why + ")");
  hid_t f = H5Fopen(p.c_str(), mode == Mode::read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) throw RunFileError(p.string() + ": cannot open HDF5 file (corrupt, locked or not readable)");
  return File(Handle(f, H5Fclose), p.string());
}

Group File::root() const {
  hid_t g = H5Gopen2(h_.get(), "/", H5P_DEFAULT);
  if (g < 0) throw RunFileError(name_ + ": cannot open root group");
  return Group(Handle(g, H5Gclose), name_, "/");
}

void File::flush() const {
  if (H5Fflush(h_.get(), H5F_SCOPE_GLOBAL) < 0) throw OutputError(name_ + ": cannot write the file to disk");
}

bool is_hdf5(const std::filesystem::path& p) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  std::ifstream in(p, std::ios::binary);
  unsigned char buf[8] = {};
  if (!in.read(reinterpret_cast<char*>(buf), 8)) return false;
  return std::memcmp(buf, sig, 8) == 0;
}

std::string library_version() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}

// Explicit instantiations for the element types the run file uses.
#define SNNSIM_H5_INSTANTIATE(T)                                                                              \
  template void Group::write<T>(const std::string&, std::span<const T>, const std::vector<hsize_t>&,          \
                                const Compression&) const;                                                    \
  template std::vector<T> Group::read<T>(const std::string&, std::vector<hsize_t>*) const;                    \
  template std::vector<T> Group::read_shaped<T>(const std::string&, const std::vector<hsize_t>&) const;       \
  template void Group::append<T>(const std::string&, std::span<const T>, const std::vector<hsize_t>&, hsize_t) \
      const;                                                                                                  \
  template void Group::set_attr<T>(const std::string&, const T&) const;                                       \
  template void Group::set_attr_array<T>(const std::string&, std::span<const T>) const;                       \
  template T Group::get_attr<T>(const std::string&) const;                                                    \
  template std::vector<T> Group::get_attr_array<T>(const std::string&) const;
SNNSIM_H5_INSTANTIATE(float)
SNNSIM_H5_INSTANTIATE(double)
SNNSIM_H5_INSTANTIATE(std::int8_t)
SNNSIM_H5_INSTANTIATE(std::uint8_t)
SNNSIM_H5_INSTANTIATE(std::int16_t)
SNNSIM_H5_INSTANTIATE(std::uint16_t)
SNNSIM_H5_INSTANTIATE(std::int32_t)
SNNSIM_H5_INSTANTIATE(std::uint32_t)
SNNSIM_H5_INSTANTIATE(std::int64_t)
SNNSIM_H5_INSTANTIATE(std::uint64_t)
#undef SNNSIM_H5_INSTANTIATE

}  // namespace snnsim::h5
