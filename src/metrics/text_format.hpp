#pragma once
// Pieces of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include <string>
#include <string_view>

namespace airlock::metrics {

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name) noexcept;
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).
bool valid_label_name(std::string_view name) noexcept;

// Label values escape backslash, double quote and line feed.
void append_label_value(std::string& out, std::string_view value);
// HELP text escapes backslash and line feed (a quote stays as it is).
void append_help(std::string& out, std::string_view help);
// A float as Prometheus parses it: shortest round-trip digits, "+Inf", "-Inf", "NaN".
void append_double(std::string& out, double v);

}  // namespace airlock::metrics
