#include "metrics/registry.hpp"

#include <cmath>
#include <stdexcept>

#include "metrics/text_format.hpp"

namespace airlock::metrics {

std::vector<double> latency_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

namespace detail {
namespace {

const char* type_name(Kind kind) {
  switch (kind) {
    case Kind::Counter:
      return "counter";
    case Kind::Gauge:
      return "gauge";
    case Kind::Histogram:
      return "histogram";
  }
  return "untyped";
}

// `name{a="x",b="y"[,le="..."]} ` (the braces only when there is a label).
void append_series_name(std::string& out, std::string_view name,
                        const std::vector<std::string>& label_names,
                        const std::vector<std::string>& values, const std::string* le = nullptr) {
  out += name;
  if (label_names.empty() && le == nullptr) {
    out += ' ';
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names[i];
    out += "=\"";
    append_label_value(out, values[i]);
    out += '"';
  }
  if (le != nullptr) {
    if (!label_names.empty()) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += "} ";
}

}  // namespace

void FamilyBase::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_help(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(kind_);
  out += '\n';
  render_series(out);
}

FamilyBase::Values FamilyBase::check_values(std::span<const std::string_view> values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + " has " + std::to_string(label_names_.size()) +
                                " labels, got " + std::to_string(values.size()) + " values");
  }
  return Values(values.begin(), values.end());
}

void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Counter& c) {
  append_series_name(out, name, label_names, values);
  out += std::to_string(c.value());
  out += '\n';
}

void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Gauge& g) {
  append_series_name(out, name, label_names, values);
  out += std::to_string(g.value());
  out += '\n';
}

void render_samples(std::string& out, const std::string& name,
                    const std::vector<std::string>& label_names,
                    const std::vector<std::string>& values, const Histogram& h) {
  const Histogram::Snapshot s = h.snapshot();
  const std::string bucket = name + "_bucket";
  std::string le;
  for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
    le.clear();
    if (i < h.bounds().size())
      append_double(le, h.bounds()[i]);
    else
      le = "+Inf";
    append_series_name(out, bucket, label_names, values, &le);
    out += std::to_string(s.cumulative[i]);
    out += '\n';
  }
  append_series_name(out, name + "_sum", label_names, values);
  append_double(out, s.sum);
  out += '\n';
  append_series_name(out, name + "_count", label_names, values);
  out += std::to_string(s.count);
  out += '\n';
}

}  // namespace detail

namespace {

// A gauge computed at scrape time.
class CallbackGauge final : public detail::FamilyBase {
 public:
  CallbackGauge(std::string name, std::string help, std::function<double()> read)
      : FamilyBase(std::move(name), std::move(help), Kind::Gauge, {}), read_(std::move(read)) {}

 private:
  void render_series(std::string& out) const override {
    out += name_;
    out += ' ';
    append_double(out, read_());
    out += '\n';
  }
  std::function<double()> read_;
};

void check_labels(const std::string& metric, const std::vector<std::string>& label_names,
                  bool histogram) {
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    if (!valid_label_name(l) || (histogram && l == "le")) {
      throw std::invalid_argument("metric " + metric + ": invalid label name '" + l + "'");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == l) {
        throw std::invalid_argument("metric " + metric + ": label '" + l + "' given twice");
      }
    }
  }
}

void check_bounds(const std::string& metric, const std::vector<double>& bounds) {
  if (bounds.empty()) throw std::invalid_argument("histogram " + metric + " has no buckets");
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::invalid_argument("histogram " + metric +
                                  ": buckets must be finite and strictly increasing");
    }
  }
}

}  // namespace

template <class F>
F& Registry::add(std::unique_ptr<F> family) {
  const std::string& name = family->name();
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) {
    if (f->name() == name) throw std::invalid_argument("metric " + name + " registered twice");
  }
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  check_labels(name, label_names, false);
  return add(std::make_unique<Family<Counter>>(std::move(name), std::move(help), Kind::Counter,
                                               std::move(label_names)));
}

Family<Gauge>& Registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  check_labels(name, label_names, false);
  return add(std::make_unique<Family<Gauge>>(std::move(name), std::move(help), Kind::Gauge,
                                             std::move(label_names)));
}

Family<Histogram>& Registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  check_labels(name, label_names, true);
  check_bounds(name, bounds);
  return add(std::make_unique<Family<Histogram>>(std::move(name), std::move(help), Kind::Histogram,
                                                 std::move(label_names), std::move(bounds)));
}

Counter& Registry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).labels({});
}

Gauge& Registry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).labels({});
}

Histogram& Registry::histogram(std::string name, std::string help, std::vector<double> bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(bounds)).labels({});
}

void Registry::callback_gauge(std::string name, std::string help, std::function<double()> read) {
  if (!read) throw std::invalid_argument("callback gauge " + name + " has no callback");
  add(std::make_unique<CallbackGauge>(std::move(name), std::move(help), std::move(read)));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace airlock::metrics
