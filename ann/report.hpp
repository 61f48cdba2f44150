#pragma once
// JSON of SRC configurations and results (nlohmann::json, as every other snnsim command): the
// `config` stored in the run file's /config and printed with --json, one object per run, and
// the summary over seeds.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ann/protocol.hpp"

namespace snnsim::ann {

/// The full configuration; `preset` is the preset it started from.
nlohmann::json config_json(const ProtocolConfig& c, const std::string& preset);
/// Evaluations, sleeps, stable ranks and timing of one run.
nlohmann::json run_json(const RunResult& r);
/// The sleep hyperparameters a tuning trial varies.
nlohmann::json sleep_params_json(const SleepParams& p);
/// `summary` per method (per fraction and phase for lowdata) over seeds; with one method also
/// `accuracy` and `per_task` (means over seeds) at the top level of `out`.
void add_summary(nlohmann::json& out, const std::vector<RunResult>& runs);

}  // namespace snnsim::ann
