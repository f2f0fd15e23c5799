#include "core/buffer.hpp"

#include <algorithm>
#include <cstring>

namespace airlock {

std::span<char> RecvBuffer::prepare(std::size_t min_free) {
  if (!data_) {
    capacity_ = std::max(initial_, min_free);
    data_ = std::make_unique_for_overwrite<char[]>(capacity_);
  }
  if (capacity_ - end_ < min_free) {
    const std::size_t used = end_ - begin_;
    if (capacity_ - used >= min_free && begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, used);
    } else {
      std::size_t cap = capacity_;  // >= 1: initial_ is never 0
      while (cap - used < min_free) cap *= 2;
      auto bigger = std::make_unique_for_overwrite<char[]>(cap);
      std::memcpy(bigger.get(), data_.get() + begin_, used);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }
  return {data_.get() + end_, capacity_ - end_};
}

void RecvBuffer::consume(std::size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void RecvBuffer::shrink_if_idle() {
  if (empty() && capacity_ > initial_) {
    data_.reset();
    capacity_ = 0;
  }
}

}  // namespace airlock
