#pragma once
#include <string>

#include "io/error.hpp"

namespace snnsim::cli {

// Boost.Program_options (1.74 and still upstream) builds an error message by replacing
// placeholders such as %value% with the offending user text, in a loop that never ends when
// that text itself contains the placeholder (error_with_option_name::replace_token): e.g.
// `--seed %value%` hung snnsim with growing memory. Found by fuzz/fuzz_config. Text with a
// %lowercase_word% is refused before Boost sees it, so no Boost error message can contain one.
inline void refuse_boost_placeholders(const std::string& where, const std::string& text) {
  for (std::size_t open = text.find('%'); open != std::string::npos; open = text.find('%', open + 1)) {
    std::size_t k = open + 1;
    while (k < text.size() && ((text[k] >= 'a' && text[k] <= 'z') || text[k] == '_')) ++k;
    if (k > open + 1 && k < text.size() && text[k] == '%')
      throw UsageError(where + ": '" + text.substr(open, k + 1 - open) +
                       "' is not allowed in options (Boost.Program_options would never finish its error message)");
  }
}

}  // namespace snnsim::cli
