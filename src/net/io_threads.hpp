#pragma once
// One io_context per thread: a session lives on one thread from accept to close, so its
// messages never hop threads (a hop costs ~30 us of wake-ups here) and its state needs no
// locks. Threads get large stacks because SQL parsing recurses on them.
#include <atomic>
#include <cstddef>
#include <memory>
#include <pthread.h>
#include <vector>

#include "net/asio.hpp"

namespace airlock::net {

class IoThreads {
 public:
  static constexpr std::size_t kStackBytes = 64u * 1024 * 1024;

  explicit IoThreads(std::size_t count);
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  // Round-robin choice of the context for the next session.
  std::size_t next_index() { return next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size(); }
  asio::io_context& at(std::size_t i) { return *contexts_[i]; }
  std::size_t size() const { return contexts_.size(); }

  // Runs every context on its own thread (the caller's thread only waits in join()).
  void start();
  void stop();
  void join();
  // Stops, joins, then destroys every io_context (and with them every coroutine frame still
  // queued). Objects bound to a context must be destroyed before this is called.
  void destroy();

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>>> work_;
  std::vector<pthread_t> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace airlock::net
