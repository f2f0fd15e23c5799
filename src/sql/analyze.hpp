#pragma once
// Entry point of the sql module: SQL text in, facts out. See facts.hpp.
#include <cstddef>
#include <string_view>

#include "sql/facts.hpp"

namespace airlock::sql {

struct AnalyzeLimits {
  std::size_t max_text_bytes = 128 * 1024;
  // Bound on nesting, checked twice: by a lexical pre-scan before the parser runs
  // (prescan.hpp) and by the tree walker, which refuses trees deeper than
  // kWalkDepthFactor * max_depth nodes.
  int max_depth = 1000;
};

inline constexpr int kWalkDepthFactor = 4;

// Never throws (allocation failure aside), never crashes on any input within the limits.
// Each call is independent; safe to call from several threads at once.
Analysis analyze(std::string_view text, const AnalyzeLimits& limits = {});

}  // namespace airlock::sql
