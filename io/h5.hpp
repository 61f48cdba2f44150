#pragma once
// A small RAII layer over the HDF5 C API: files, groups, typed datasets and attributes,
// variable-length UTF-8 strings, and extendible 1-D/N-D datasets for appending rows.
// Every failure throws naming the file and the object, never prints HDF5's stack: a failed
// read or a file that is not as expected is a RunFileError (exit 4), a failed write an
// OutputError (exit 5).
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace snnsim::h5 {

/// Owns one hid_t and closes it with the right H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

template <typename T>
hid_t native_type();  // specialised for the arithmetic types we store

struct Compression {
  bool enabled = false;
  std::vector<hsize_t> chunk;  // empty = contiguous
  int deflate_level = 4;
};

class Group {
 public:
  Group(Handle h, std::string file, std::string path)
      : h_(std::move(h)), file_(std::move(file)), path_(std::move(path)) {}
  hid_t id() const { return h_.get(); }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }

  bool has(const std::string& name) const;
  Group open_group(const std::string& name) const;
  Group create_group(const std::string& name) const;
  Group require_group(const std::string& name) const;
  void remove(const std::string& name) const;
  /// A dataset opened only to read or write its attributes (through the attribute calls below).
  Group dataset_attributes(const std::string& name) const;
  void move(const std::string& from, const std::string& to) const;
  std::vector<std::string> children() const;

  template <typename T>
  void write(const std::string& name, std::span<const T> data, const std::vector<hsize_t>& dims,
             const Compression& c = {}) const;
  template <typename T>
  std::vector<T> read(const std::string& name, std::vector<hsize_t>* dims = nullptr) const;
  /// Reads a dataset and checks its shape exactly (throws naming the dataset otherwise).
  template <typename T>
  std::vector<T> read_shaped(const std::string& name, const std::vector<hsize_t>& expect) const;
  std::vector<hsize_t> shape(const std::string& name) const;

  void write_string(const std::string& name, const std::string& text) const;
  std::string read_string(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;

  /// Appends rows along axis 0 of an extendible dataset, creating it (chunked) when absent.
  /// `row_dims` is the shape of one row (empty for a 1-D column).
  template <typename T>
  void append(const std::string& name, std::span<const T> rows, const std::vector<hsize_t>& row_dims = {},
              hsize_t chunk_rows = 256) const;
  void append_strings(const std::string& name, const std::vector<std::string>& rows) const;

  template <typename T>
  void set_attr(const std::string& name, const T& value) const;
  template <typename T>
  void set_attr_array(const std::string& name, std::span<const T> values) const;
  void set_attr(const std::string& name, const std::string& value) const;
  void set_attr(const std::string& name, const char* value) const { set_attr(name, std::string(value)); }
  bool has_attr(const std::string& name) const;
  template <typename T>
  T get_attr(const std::string& name) const;
  template <typename T>
  std::vector<T> get_attr_array(const std::string& name) const;
  std::string get_attr_string(const std::string& name) const;

  /// Throws RunFileError (exit 4): the file is not as expected, or cannot be read.
  [[noreturn]] void fail(const std::string& object, const std::string& what) const;
  /// Throws OutputError (exit 5): writing to the file failed.
  [[noreturn]] void fail_write(const std::string& object, const std::string& what) const;

 private:
  std::string child(const std::string& name) const;
  Handle h_;
  std::string file_;
  std::string path_;
};

class File {
 public:
  enum class Mode { read_only, read_write };
  /// Creates (truncating) a file.
  static File create(const std::filesystem::path& p);
  static File open(const std::filesystem::path& p, Mode mode);
  Group root() const;
  void flush() const;
  const std::string& name() const { return name_; }
  void close() { h_.reset(); }

 private:
  File(Handle h, std::string name) : h_(std::move(h)), name_(std::move(name)) {}
  Handle h_;
  std::string name_;
};

/// True when the file starts with the HDF5 signature (cheap check before H5Fopen).
bool is_hdf5(const std::filesystem::path& p);
std::string library_version();

}  // namespace snnsim::h5
