#include "net/io_threads.hpp"

#include <stdexcept>

namespace airlock::net {
namespace {

void* run_context(void* arg) {
  static_cast<asio::io_context*>(arg)->run();
  return nullptr;
}

}  // namespace

IoThreads::IoThreads(std::size_t count) {
  if (count == 0) count = 1;
  for (std::size_t i = 0; i < count; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio skips locking.
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    work_.push_back(std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        contexts_.back()->get_executor()));
  }
}

IoThreads::~IoThreads() {
  stop();
  join();
}

void IoThreads::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kStackBytes);
    pthread_t t;
    if (pthread_create(&t, &attr, run_context, contexts_[i].get()) != 0) {
      pthread_attr_destroy(&attr);
      throw std::runtime_error("cannot start I/O thread");
    }
    pthread_attr_destroy(&attr);
    threads_.push_back(t);
  }
}

void IoThreads::stop() {
  for (auto& w : work_) w.reset();
  for (auto& c : contexts_) c->stop();
}

void IoThreads::destroy() {
  stop();
  join();
  work_.clear();
  contexts_.clear();
}

void IoThreads::join() {
  for (auto t : threads_) pthread_join(t, nullptr);
  threads_.clear();
}

}  // namespace airlock::net
