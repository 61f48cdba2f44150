#pragma once
// What `experiment sleep` needs to spread its conditions over MPI ranks (sweep.hpp): a
// condition's result as bytes (worker -> rank 0), and the study tables in one canonical order
// whichever rank finished first.
#include <string>
#include <string_view>

#include "io/h5.hpp"
#include "sleep_study.hpp"

namespace snnsim::experiments {

std::string encode_condition(const ConditionResult& c);
ConditionResult decode_condition(std::string_view bytes);

/// Puts the rows of /results and /threshold_analysis in canonical order: by (train_images,
/// seed) (by (neurons, train_images, seed) where the tables have a neurons column), each condition's rows in the order they were written. A no-op (nothing rewritten)
/// when they already are, as for a one-process study with ascending --seeds/--train-amounts.
void canonical_study_rows(const h5::Group& root);

}  // namespace snnsim::experiments
