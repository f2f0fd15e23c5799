#include "sql/prescan.hpp"

#include <cstddef>
#include <vector>

namespace airlock::sql {
namespace {

bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool ident_char(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool op_char(unsigned char c) {
  switch (c) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '<':
    case '>':
    case '=':
    case '~':
    case '!':
    case '@':
    case '#':
    case '%':
    case '^':
    case '&':
    case '|':
    case '`':
    case '?':
    case ':':
      return true;
    default:
      return false;
  }
}

bool word_is(std::string_view w, std::string_view lower) {
  if (w.size() != lower.size()) return false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower[i]) return false;
  }
  return true;
}

class Scorer {
 public:
  explicit Scorer(int limit) : limit_(limit) { chain_.push_back(0); }
  bool link() {
    ++chain_.back();
    ++links_;
    return check();
  }
  void restart() {
    links_ -= chain_.back();
    chain_.back() = 0;
  }
  bool open() {
    chain_.push_back(0);
    ++open_;
    return check();
  }
  void close() {
    if (open_ == 0) return restart();
    links_ -= chain_.back();
    chain_.pop_back();
    --open_;
  }
  int best() const { return best_; }

 private:
  bool check() {
    const long s = links_ + 2L * open_;
    if (s > best_) best_ = s > limit_ ? limit_ + 1 : static_cast<int>(s);
    return best_ <= limit_;
  }
  int limit_;
  long links_ = 0;
  long open_ = 0;
  int best_ = 0;
  std::vector<int> chain_;
};

}  // namespace

int estimate_nesting(std::string_view t, int limit) noexcept {
  try {
    Scorer sc(limit);
    const std::size_t n = t.size();
    std::size_t i = 0;
    auto at = [&](std::size_t k) -> unsigned char {
      return k < n ? static_cast<unsigned char>(t[k]) : 0;
    };
    while (i < n) {
      const unsigned char c = at(i);
      if (c == '-' && at(i + 1) == '-') {
        while (i < n && t[i] != '\n') ++i;
      } else if (c == '/' && at(i + 1) == '*') {
        int depth = 0;
        while (i < n) {
          if (at(i) == '/' && at(i + 1) == '*') {
            ++depth;
            i += 2;
          } else if (at(i) == '*' && at(i + 1) == '/') {
            i += 2;
            if (--depth == 0) break;
          } else
            ++i;
        }
      } else if (c == '\'') {
        const bool esc =
            i > 0 && (t[i - 1] == 'e' || t[i - 1] == 'E') && (i < 2 || !ident_char(at(i - 2)));
        ++i;
        while (i < n) {
          if (esc && t[i] == '\\') {
            i += 2;
            continue;
          }
          if (t[i] == '\'') {
            if (at(i + 1) == '\'') {
              i += 2;
              continue;
            }
            break;
          }
          ++i;
        }
        ++i;
      } else if (c == '"') {
        ++i;
        while (i < n) {
          if (t[i] == '"') {
            if (at(i + 1) == '"') {
              i += 2;
              continue;
            }
            break;
          }
          ++i;
        }
        ++i;
      } else if (c == '$' && !(i > 0 && ident_char(at(i - 1)))) {
        std::size_t j = i + 1;
        if (at(j) >= '0' && at(j) <= '9') {  // $1 parameter
          while (at(j) >= '0' && at(j) <= '9') ++j;
          i = j;
          continue;
        }
        while (j < n && ident_char(at(j)) && at(j) != '$') ++j;
        if (at(j) != '$') {
          i = j;
          continue;
        }
        const std::string_view tag = t.substr(i, j - i + 1);
        const std::size_t end = t.find(tag, j + 1);
        i = end == std::string_view::npos ? n : end + tag.size();
      } else if (ident_start(c)) {
        std::size_t j = i;
        while (j < n && ident_char(at(j))) ++j;
        const std::string_view w = t.substr(i, j - i);
        i = j;
        if (word_is(w, "and") || word_is(w, "or") || word_is(w, "when") || word_is(w, "then") ||
            word_is(w, "else")) {
          sc.restart();
        } else if (word_is(w, "union") || word_is(w, "intersect") || word_is(w, "except") ||
                   word_is(w, "join") || word_is(w, "collate") || word_is(w, "not")) {
          if (!sc.link()) return sc.best();
        }
      } else if (c == '(' || c == '[') {
        ++i;
        if (!sc.open()) return sc.best();
      } else if (c == ')' || c == ']') {
        ++i;
        sc.close();
      } else if (c == ',' || c == ';') {
        ++i;
        sc.restart();
      } else if (op_char(c)) {
        while (i < n && op_char(at(i)) &&
               !((at(i) == '-' && at(i + 1) == '-') || (at(i) == '/' && at(i + 1) == '*')))
          ++i;
        if (!sc.link()) return sc.best();
      } else {
        ++i;  // digits, '.', whitespace, anything else
      }
    }
    return sc.best();
  } catch (...) {
    return limit + 1;  // allocation failure: refuse
  }
}

}  // namespace airlock::sql
