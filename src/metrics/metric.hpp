#pragma once
// The three metric kinds the gateway updates on its data path. Each update is one relaxed
// atomic operation (a histogram: two, plus its sum), so sessions on any thread can share a
// series without locks. Values are read only when /metrics is scraped.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace airlock::metrics {

// Monotonic count (Prometheus "counter").
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A level that goes up and down (Prometheus "gauge"): connections open, holds pending.
class Gauge {
 public:
  void inc(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void dec(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
  void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Distribution over fixed upper bounds (Prometheus "histogram"). Counts are kept per bucket
// and made cumulative at scrape time, so observe() touches one bucket only.
class Histogram {
 public:
  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };

  // `bounds`: strictly increasing, finite; must outlive the histogram (the registry keeps
  // them in the family that owns this series).
  explicit Histogram(std::span<const double> bounds)
      : bounds_(bounds),
        counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

  // A value equal to a bound falls in that bound's bucket (le = "less or equal").
  // NaN is ignored: it would poison the sum forever.
  void observe(double v) noexcept {
    if (v != v) return;
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
  }
  // Observes a duration in seconds (the unit of every *_seconds histogram).
  template <class Rep, class Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  std::span<const double> bounds() const noexcept { return bounds_; }
  // Not atomic as a whole: under concurrent observe() the sum may run a little ahead of or
  // behind the counts, as in every Prometheus client library.
  Snapshot snapshot() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 50 us to 10 s: the gateway adds tens of microseconds per
// statement, while upstream statements and audit fsyncs take milliseconds to seconds.
std::vector<double> latency_buckets();

}  // namespace airlock::metrics
