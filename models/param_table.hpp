#pragma once
// One table names every model parameter (units in the name). It drives the command-line and
// config-file options, the /config attributes of a run file, and reading them back, so a
// parameter added to the struct is added everywhere by one line here.
#include <string>
#include <variant>
#include <vector>

#include "diehl_cook.hpp"

namespace snnsim::models {

struct ParamField {
  std::string key;  // e.g. "exc_tau_m_ms"
  std::variant<double*, std::size_t*, std::uint32_t*, bool*, Integrator*> target;
  std::string help;
  /// Added after format 1.0: a run file without it gets the default (the behaviour of the
  /// versions that wrote it).
  bool may_be_absent = false;
};

std::vector<ParamField> param_fields(DiehlCookParams& p);

std::string to_string(Integrator i);
/// Throws std::invalid_argument for an unknown name.
Integrator integrator_from_string(const std::string& s);

}  // namespace snnsim::models
