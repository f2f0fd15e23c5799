#include "sql/prescan.hpp"

#include <cstddef>
#include <vector>

#include "sql/lex.hpp"

namespace airlock::sql {
namespace {

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
      if (const LexSpan skip = lex_at(t, i); skip.kind != Lexeme::None) {
        i = skip.end;  // a comment, a quoted string or identifier, a $n parameter
        continue;
      }
      if (ident_start(c)) {
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
