#pragma once
// A minimal JSON value for the --json output of the ANN commands (objects keep insertion
// order; numbers print with 17 significant digits; non-finite numbers become null).
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace snnsim::ann {

class Json {
 public:
  using Object = std::vector<std::pair<std::string, Json>>;
  using Array = std::vector<Json>;

  Json() : v_(nullptr) {}
  Json(std::nullptr_t) : v_(nullptr) {}
  Json(bool b) : v_(b) {}
  Json(double d) : v_(d) {}
  Json(int i) : v_(static_cast<std::int64_t>(i)) {}
  Json(std::int64_t i) : v_(i) {}
  Json(std::uint64_t i) : v_(static_cast<std::int64_t>(i)) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Json(Object o) : v_(std::make_shared<Object>(std::move(o))) {}
  template <typename T>
  static Json array(const std::vector<T>& xs) {
    Array a;
    for (const auto& x : xs) a.emplace_back(x);
    return Json(std::move(a));
  }
  static Json object() { return Json(Object{}); }

  /// Adds (or replaces) a key of an object.
  Json& set(const std::string& key, Json value) {
    auto& o = *std::get<std::shared_ptr<Object>>(v_);
    for (auto& [k, v] : o)
      if (k == key) {
        v = std::move(value);
        return *this;
      }
    o.emplace_back(key, std::move(value));
    return *this;
  }
  void push(Json value) { std::get<std::shared_ptr<Array>>(v_)->push_back(std::move(value)); }

  std::string dump() const {
    std::string out;
    write(out);
    return out;
  }

 private:
  static void write_string(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    out += '"';
  }
  void write(std::string& out) const {
    if (std::holds_alternative<std::nullptr_t>(v_)) {
      out += "null";
    } else if (auto* b = std::get_if<bool>(&v_)) {
      out += *b ? "true" : "false";
    } else if (auto* d = std::get_if<double>(&v_)) {
      if (!std::isfinite(*d)) {
        out += "null";
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        out += buf;
      }
    } else if (auto* i = std::get_if<std::int64_t>(&v_)) {
      out += std::to_string(*i);
    } else if (auto* s = std::get_if<std::string>(&v_)) {
      write_string(out, *s);
    } else if (auto* a = std::get_if<std::shared_ptr<Array>>(&v_)) {
      out += '[';
      bool first = true;
      for (const auto& x : **a) {
        if (!first) out += ',';
        first = false;
        x.write(out);
      }
      out += ']';
    } else if (auto* o = std::get_if<std::shared_ptr<Object>>(&v_)) {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : **o) {
        if (!first) out += ',';
        first = false;
        write_string(out, k);
        out += ':';
        x.write(out);
      }
      out += '}';
    }
  }
  std::variant<std::nullptr_t, bool, double, std::int64_t, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>>
      v_;
};

}  // namespace snnsim::ann
