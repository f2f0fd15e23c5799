#pragma once
// A Prometheus registry: metric families registered once at start-up, series looked up by
// label values (under a mutex) and then cached by the caller, and render() producing the
// text exposition format 0.0.4 for GET /metrics.
//
// Registration errors (an invalid or duplicate name, a bad bucket list, a label count that
// does not match) are programming errors found at start-up and throw std::invalid_argument;
// nothing on the data path throws.
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/metric.hpp"

namespace airlock::metrics {

enum class Kind : std::uint8_t { Counter, Gauge, Histogram };

namespace detail {

// What a family of any kind shares: name, help, label names, and how it renders.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, Kind kind, std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        kind_(kind),
        label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  // Appends "# HELP", "# TYPE" and every series' sample lines.
  void render(std::string& out) const;

 protected:
  using Values = std::vector<std::string>;
  virtual void render_series(std::string& out) const = 0;
  Values check_values(std::span<const std::string_view> values) const;

  std::string name_;
  std::string help_;
  Kind kind_;
  std::vector<std::string> label_names_;
};

void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Counter& c);
void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Gauge& g);
void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Histogram& h);

}  // namespace detail

// Every series of one metric, one per combination of label values. A family without labels
// has exactly one series, labels({}).
template <class Metric>
class Family final : public detail::FamilyBase {
 public:
  Family(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : FamilyBase(std::move(name), std::move(help), kind, std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The series for these label values, one per label name in registration order, created on
  // first use. The reference stays valid as long as the Registry: look it up once (e.g. per
  // agent at session start) and keep it, so that the hot path is one atomic add.
  Metric& labels(std::initializer_list<std::string_view> values) {
    return labels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& labels(std::span<const std::string_view> values) {
    Values key = check_values(values);
    std::lock_guard lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) it = series_.emplace(std::move(key), make()).first;
    return *it->second;
  }

 private:
  std::unique_ptr<Metric> make() const {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      return std::make_unique<Histogram>(std::span<const double>(bounds_));
    } else {
      return std::make_unique<Metric>();
    }
  }
  void render_series(std::string& out) const override {
    std::lock_guard lock(mutex_);
    for (const auto& [values, metric] : series_) {
      detail::render_samples(out, name_, label_names_, values, *metric);
    }
  }

  const std::vector<double> bounds_;  // histograms only; every series points into it
  mutable std::mutex mutex_;
  std::map<Values, std::unique_ptr<Metric>> series_;  // ordered: stable output
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Families with labels.
  Family<Counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  Family<Gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds);
  // Metrics without labels.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> bounds);
  // A gauge whose value `read` computes at each scrape, on the scraping thread (it must be
  // thread-safe and quick; it runs under the registry's lock, so it must not register).
  void callback_gauge(std::string name, std::string help, std::function<double()> read);

  // The text exposition format 0.0.4, families in registration order.
  std::string render() const;

 private:
  template <class F>
  F& add(std::unique_ptr<F> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<detail::FamilyBase>> families_;
};

}  // namespace airlock::metrics
