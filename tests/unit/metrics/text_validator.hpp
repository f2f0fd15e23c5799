#pragma once
// A small checker of the Prometheus text exposition format 0.0.4, strict where Airlock's
// output could go wrong: metric and label names, label value escapes, float syntax, HELP/TYPE
// placement, and histogram consistency (cumulative buckets ending in +Inf == _count).
#include <string>
#include <string_view>
#include <vector>

namespace airlock::metrics::testing {

// Every problem found, as "line N: message"; empty when the text is valid.
std::vector<std::string> validate_exposition(std::string_view text);

}  // namespace airlock::metrics::testing
