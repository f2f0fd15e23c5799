#include "text_validator.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

namespace airlock::metrics::testing {
namespace {

bool name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool name_char(char c) { return name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

// Go's strconv.ParseFloat as Prometheus uses it, restricted to what matters here.
std::optional<double> parse_float(std::string_view s) {
  if (s == "+Inf" || s == "Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  if (s == "NaN") return NAN;
  if (s.empty()) return std::nullopt;
  std::string_view digits = s.front() == '+' || s.front() == '-' ? s.substr(1) : s;
  if (digits.empty() ||
      !(std::isdigit(static_cast<unsigned char>(digits.front())) || digits.front() == '.')) {
    return std::nullopt;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data() + (s.front() == '+'), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// name{l="v",...} value [timestamp]
std::optional<std::string> parse_sample(std::string_view line, Sample& out) {
  std::size_t i = 0;
  if (line.empty() || !name_start(line[0])) return "metric name expected";
  while (i < line.size() && name_char(line[i])) ++i;
  out.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::size_t start = i;
      if (!(std::isalpha(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
        return "label name expected";
      }
      while (i < line.size() &&
             (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
        ++i;
      }
      std::string label(line.substr(start, i - start));
      if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return "=\" expected";
      i += 2;
      std::string value;
      for (;;) {
        if (i >= line.size()) return "unterminated label value";
        char c = line[i++];
        if (c == '"') break;
        if (c == '\n') return "raw line feed in label value";
        if (c == '\\') {
          if (i >= line.size()) return "dangling backslash";
          char e = line[i++];
          if (e == 'n')
            value += '\n';
          else if (e == '\\' || e == '"')
            value += e;
          else
            return std::string("invalid escape \\") + e;
        } else {
          value += c;
        }
      }
      if (!out.labels.emplace(label, value).second) return "label " + label + " repeated";
      if (i < line.size() && line[i] == ',')
        ++i;
      else if (i < line.size() && line[i] != '}')
        return "',' or '}' expected";
    }
    if (i >= line.size()) return "unterminated label set";
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') return "space before value expected";
  std::string_view rest = line.substr(i + 1);
  std::size_t space = rest.find(' ');
  auto value = parse_float(rest.substr(0, space));
  if (!value) return "invalid value '" + std::string(rest.substr(0, space)) + "'";
  out.value = *value;
  if (space != std::string_view::npos) {
    std::string_view ts = rest.substr(space + 1);
    long long t = 0;
    auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
    if (ec != std::errc{} || end != ts.data() + ts.size()) return "invalid timestamp";
  }
  return std::nullopt;
}

// The family a sample belongs to, given the declared types.
std::string family_of(const std::string& sample, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string_view s(sample);
    if (s.ends_with(suffix)) {
      std::string base(s.substr(0, s.size() - std::string_view(suffix).size()));
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) {
        return base;
      }
    }
  }
  return sample;
}

}  // namespace

std::vector<std::string> validate_exposition(std::string_view text) {
  std::vector<std::string> problems;
  auto problem = [&](std::size_t n, const std::string& m) {
    problems.push_back("line " + std::to_string(n) + ": " + m);
  };
  if (!text.empty() && text.back() != '\n') problems.push_back("text does not end with \\n");

  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::set<std::string> finished;  // families whose samples ended (must not come back)
  std::string current;
  // Histogram series (labels without le) → (le, cumulative count) in order, and _count.
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;
  std::map<std::string, double> counts;

  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++n;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::string_view rest = line.substr(7);
      std::size_t space = rest.find(' ');
      std::string name(rest.substr(0, space));
      if (name.empty() || !name_start(name[0]) ||
          name.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:") !=
              std::string::npos) {
        problem(n, "invalid metric name in comment");
        continue;
      }
      if (space == std::string_view::npos) {
        problem(n, "missing text after name");
        continue;
      }
      std::string_view arg = rest.substr(space + 1);
      if (line[2] == 'H') {
        if (!helped.insert(name).second) problem(n, "second HELP for " + name);
        for (std::size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\' &&
              (i + 1 >= arg.size() || (arg[i + 1] != 'n' && arg[i + 1] != '\\'))) {
            problem(n, "invalid escape in HELP");
          }
          if (arg[i] == '\\') ++i;
        }
      } else {
        if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
            arg != "untyped") {
          problem(n, "unknown type '" + std::string(arg) + "'");
        }
        if (types.count(name) != 0) problem(n, "second TYPE for " + name);
        if (finished.count(name) != 0 || current == name) {
          problem(n, "TYPE after samples of " + name);
        }
        types[name] = std::string(arg);
      }
      continue;
    }
    if (line.starts_with("#")) continue;  // other comments are allowed
    Sample s;
    if (auto err = parse_sample(line, s)) {
      problem(n, *err);
      continue;
    }
    std::string family = family_of(s.name, types);
    if (family != current) {
      if (finished.count(family) != 0) problem(n, "samples of " + family + " are not together");
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    auto type = types.find(family);
    if (type != types.end() && type->second == "histogram") {
      std::string key = family;
      for (const auto& [k, v] : s.labels) {
        if (k != "le") key += "," + k + "=" + v;
      }
      if (s.name == family + "_bucket") {
        auto le = s.labels.find("le");
        std::optional<double> bound = le == s.labels.end() ? std::nullopt : parse_float(le->second);
        if (!bound) {
          problem(n, "bucket without a valid le");
          continue;
        }
        auto& series = buckets[key];
        if (!series.empty() && (*bound <= series.back().first || s.value < series.back().second)) {
          problem(n, "buckets not increasing / not cumulative");
        }
        series.emplace_back(*bound, s.value);
      } else if (s.name == family + "_count") {
        counts[key] = s.value;
      } else if (s.name != family + "_sum") {
        problem(n, "unexpected sample " + s.name + " in histogram " + family);
      }
    }
  }
  for (const auto& [key, series] : buckets) {
    if (series.empty() || !std::isinf(series.back().first)) {
      problems.push_back(key + ": no +Inf bucket");
    } else if (counts.count(key) == 0 || counts[key] != series.back().second) {
      problems.push_back(key + ": _count differs from the +Inf bucket");
    }
  }
  return problems;
}

}  // namespace airlock::metrics::testing
