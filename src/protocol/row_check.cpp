#include "protocol/row_check.hpp"

#include "core/bytes.hpp"

namespace airlock::protocol {
namespace {

// Answered entries are dropped from the front; the vector is compacted once this many are.
constexpr std::size_t kCompactAt = 64;

}  // namespace

void RowCheck::query(std::uint64_t batch) {
  described_last_ = false;
  push({batch, 0, true});
}

// Describe: Byte1 'S'|'P', String name. Execute: String portal, Int32 max rows. The names are
// compared as the bytes before their terminator, without decoding the rest: a malformed
// Describe or Execute is refused by the relay (replaced by a message that fails, so the server
// skips the rest of the batch) and its rows never come.
void RowCheck::client(const Frame& f, std::uint64_t batch, std::size_t result) {
  const std::string_view b = f.body;
  switch (f.type) {
    case 'D':
      described_last_ = b.size() >= 2 && b.front() == 'P' && b.back() == '\0';
      if (!described_last_) return;
      if (b.size() == 2) described_portal_.clear();  // the unnamed portal: no copy
      else described_portal_.assign(b.substr(1, b.size() - 2));
      return;
    case 'E':
      if (described_last_ && b.size() >= 5 && b[b.size() - 5] == '\0' &&
          b.substr(0, b.size() - 5) == described_portal_) {
        push({batch, result, false});
      }
      described_last_ = false;
      return;
    case 'H':  // Flush: answers nothing, changes no portal
      return;
    default:
      described_last_ = false;
      return;
  }
}

void RowCheck::push(Sure s) {
  if (head_ == sure_.size()) {
    sure_.clear();
    head_ = 0;
  } else if (head_ >= kCompactAt && head_ * 2 >= sure_.size()) {
    sure_.erase(sure_.begin(), sure_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  sure_.push_back(s);
}

// Entries of earlier batches, and of earlier results of this one, can match no answer now.
void RowCheck::drop_answered(std::uint64_t batch, std::size_t result) {
  while (head_ < sure_.size()) {
    const Sure& s = sure_[head_];
    if (s.batch > batch || (s.batch == batch && (s.whole || s.result >= result))) break;
    ++head_;
  }
}

bool RowCheck::sure(std::uint64_t batch, std::size_t result) {
  if (head_ == sure_.size()) return false;
  drop_answered(batch, result);
  if (head_ == sure_.size()) return false;
  const Sure& s = sure_[head_];
  return s.batch == batch && (s.whole || s.result == result);
}

RowVerdict RowCheck::answer(const Frame& f, std::uint64_t batch, std::size_t result) {
  switch (f.type) {
    case 'D':
      // Looked up at the first row of a result, kept for the rest of it.
      if (expected_ == kNotLooked) expected_ = width_ >= 0 && sure(batch, result) ? width_ : -1;
      return {check_data_row(f.body, expected_), expected_};
    case 'T':
      // Only its count matters here; a negative or missing one describes nothing.
      width_ = f.body.size() >= 2 ? static_cast<std::int16_t>(load_be16(f.body.data())) : -1;
      if (width_ < 0) width_ = -1;
      expected_ = kNotLooked;
      return {};
    case 'Z':
      if (head_ != sure_.size()) drop_answered(batch + 1, 0);
      forget();
      return {};
    // A result ends (C, I, s; E, after which the batch is skipped): its entry is answered.
    case 'C': case 'I': case 's': case 'E':
      if (head_ != sure_.size()) drop_answered(batch, result + 1);
      forget();
      return {};
    // NoData; COPY starts a result without rows (G, H, W).
    case 'n': case 'G': case 'H': case 'W':
      forget();
      return {};
    default:
      return {};
  }
}

RowVerdict RowCheck::foreign(const Frame& f) {
  if (f.type == 'D') return {check_data_row(f.body), -1};
  if (f.type != 'N' && f.type != 'S' && f.type != 'A') forget();
  return {};
}

}  // namespace airlock::protocol
