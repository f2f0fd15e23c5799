#include "config/names.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace airlock::config::detail {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 63;  // PostgreSQL NAMEDATALEN - 1

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_high(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// Splits at dots outside double quotes; nullopt when a quote is left open.
std::optional<std::vector<std::string_view>> split_parts(std::string_view name) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '"') quoted = !quoted;
    else if (name[i] == '.' && !quoted) {
      parts.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return std::nullopt;
  parts.push_back(name.substr(start));
  return parts;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("prot").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> check_identifier(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.front() == '"') {
    if (name.size() < 3 || name.back() != '"') return "unterminated or empty quoted name";
    std::string_view inner = name.substr(1, name.size() - 2);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < inner.size(); ++i, ++bytes) {
      if (inner[i] != '"') continue;
      if (i + 1 < inner.size() && inner[i + 1] == '"') ++i;
      else return "a double quote inside a quoted name must be doubled (\"\")";
    }
    if (bytes > kMaxIdentifierBytes) return "name is longer than 63 bytes";
    return std::nullopt;
  }
  if (name.size() > kMaxIdentifierBytes) return "name is longer than 63 bytes";
  bool has_upper = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_upper(c)) {
      has_upper = true;
      continue;
    }
    bool ok = is_lower(c) || c == '_' || is_high(c) || (i > 0 && (is_digit(c) || c == '$'));
    if (!ok) {
      return "'" + std::string(name) +
             "' is not a valid unquoted name (use a-z, 0-9, _ and $, or double quotes)";
    }
  }
  if (has_upper) {
    return "'" + std::string(name) +
           "' has uppercase letters: unquoted names are lowercase, as PostgreSQL folds them; "
           "write it in lowercase, or in double quotes for a case-sensitive name";
  }
  return std::nullopt;
}

std::optional<std::string> check_qualified_name(std::string_view name) {
  auto parts = split_parts(name);
  if (!parts) return "'" + std::string(name) + "' has an unterminated double quote";
  if (parts->size() != 2) {
    return "'" + std::string(name) + "' must be schema-qualified, as schema.name";
  }
  for (auto part : *parts) {
    if (auto problem = check_identifier(part)) {
      if (part.empty()) return "'" + std::string(name) + "' has an empty schema or name";
      return problem;
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_agent_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return "agent names are 1 to 63 characters long";
  for (char c : name) {
    if (!(is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '.' || c == '-')) {
      return "agent names may contain only letters, digits, '_', '.' and '-'";
    }
  }
  // Logins named tok_... are just-in-time tokens (docs/access.md).
  if (name.starts_with("tok_")) return "agent names may not start with 'tok_' (the token logins')";
  return std::nullopt;
}

std::optional<std::string> check_env_name(std::string_view name) {
  bool ok = !name.empty() && !is_digit(name.front());
  for (char c : name) ok = ok && (is_lower(c) || is_upper(c) || is_digit(c) || c == '_');
  if (!ok) {
    return "not a valid environment variable name (letters, digits and '_'); "
           "put the variable's name here, not the password";
  }
  return std::nullopt;
}

std::optional<std::string> suggest(std::string_view word, Words candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  std::size_t limit = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
  std::string folded(word);  // "SELECT" is meant as "select"
  for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (auto c : candidates) {
    std::size_t d = edit_distance(folded, c);
    if (d <= limit && (!best || d < best_distance)) {
      best = std::string(c);
      best_distance = d;
    }
  }
  return best;
}

}  // namespace airlock::config::detail
