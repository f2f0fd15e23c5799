#pragma once
// A receive buffer for one direction of one connection: bytes arrive at the end,
// complete protocol messages are consumed from the front. It grows only as far as
// the largest message in flight (callers bound that before asking for space) and
// gives memory back once drained, so an idle connection holds `initial` bytes.
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace airlock {

class RecvBuffer {
 public:
  explicit RecvBuffer(std::size_t initial = 8192) : initial_(initial == 0 ? 1 : initial) {}

  // Writable space of at least `min_free` bytes at the end (compacts or grows).
  std::span<char> prepare(std::size_t min_free);
  void commit(std::size_t n) { end_ += n; }
  // Drops `n` bytes from the front. Views into the buffer stay valid until the next prepare().
  void consume(std::size_t n);

  std::string_view data() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::size_t capacity() const { return capacity_; }

  // Returns memory above `initial` to the allocator when the buffer is empty.
  void shrink_if_idle();

 private:
  std::size_t initial_;
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace airlock
