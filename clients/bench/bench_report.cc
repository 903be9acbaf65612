#include "clients/bench/bench_report.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace gw::bench {
namespace {

namespace json = boost::json;

std::string ValueText(const Metric& metric) {
  return metric.text.empty() ? FormatNumber(metric.value) : metric.text;
}

std::string Pad(std::string_view text, size_t width, bool right) {
  std::string out;
  if (right && text.size() < width) out.append(width - text.size(), ' ');
  out.append(text);
  if (!right && text.size() < width) out.append(width - text.size(), ' ');
  return out;
}

std::string Heading(const BenchReport& report) {
  std::string out = absl::StrCat(report.name, "  [", report.server, "]\n");
  if (!report.params.empty()) {
    std::vector<std::string> parts;
    for (const auto& [key, value] : report.params) parts.push_back(absl::StrCat(key, "=", value));
    absl::StrAppend(&out, "  ", absl::StrJoin(parts, " "), "\n");
  }
  return out;
}

// What identifies a row of a multi-row report in a comparison: its first metric ("connections").
std::string RowKey(const BenchReport& report, size_t row) {
  if (report.rows.size() <= 1 || report.rows[row].empty()) return "";
  const Metric& first = report.rows[row].front();
  return absl::StrCat(" @", first.name, "=", ValueText(first));
}

}  // namespace

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "n/a";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  const double magnitude = std::fabs(value);
  if (magnitude >= 100) return absl::StrFormat("%.1f", value);
  if (magnitude >= 1) return absl::StrFormat("%.2f", value);
  return absl::StrFormat("%.3f", value);
}

std::string FormatReportTable(const BenchReport& report) {
  std::string out = Heading(report);
  if (report.rows.size() == 1) {
    size_t width = 6;
    for (const Metric& metric : report.rows.front()) width = std::max(width, metric.name.size());
    for (const Metric& metric : report.rows.front()) {
      absl::StrAppend(&out, "  ", Pad(metric.name, width, false), "  ", ValueText(metric), "\n");
    }
  } else if (!report.rows.empty()) {
    const std::vector<Metric>& header = report.rows.front();
    std::vector<size_t> widths;
    for (size_t c = 0; c < header.size(); ++c) {
      size_t width = header[c].name.size();
      for (const auto& row : report.rows) {
        if (c < row.size()) width = std::max(width, ValueText(row[c]).size());
      }
      widths.push_back(width);
    }
    out += " ";
    for (size_t c = 0; c < header.size(); ++c) {
      absl::StrAppend(&out, "  ", Pad(header[c].name, widths[c], true));
    }
    out += "\n";
    for (const auto& row : report.rows) {
      out += " ";
      for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
        absl::StrAppend(&out, "  ", Pad(ValueText(row[c]), widths[c], true));
      }
      out += "\n";
    }
  }
  for (const std::string& note : report.notes) absl::StrAppend(&out, "  note: ", note, "\n");
  return out;
}

std::string FormatReportJson(const BenchReport& report) {
  json::object root;
  root["scenario"] = report.scenario;
  root["name"] = report.name;
  root["server"] = report.server;
  json::object params;
  for (const auto& [key, value] : report.params) params[key] = value;
  root["params"] = std::move(params);
  json::array rows;
  json::object better;
  for (const auto& row : report.rows) {
    json::object out;
    for (const Metric& metric : row) {
      if (!metric.text.empty()) {
        out[metric.name] = metric.text;
      } else if (metric.value == std::floor(metric.value) && std::fabs(metric.value) < 9e15) {
        out[metric.name] = static_cast<int64_t>(metric.value);
      } else if (std::isfinite(metric.value)) {
        out[metric.name] = metric.value;
      } else {
        out[metric.name] = nullptr;
      }
      if (metric.better != Better::kNeither) {
        better[metric.name] = metric.better == Better::kHigher ? "higher" : "lower";
      }
    }
    rows.push_back(std::move(out));
  }
  root["rows"] = std::move(rows);
  root["better"] = std::move(better);
  json::array notes;
  for (const std::string& note : report.notes) notes.push_back(json::string(note));
  root["notes"] = std::move(notes);
  return json::serialize(root);
}

absl::StatusOr<std::vector<BenchReport>> ParseReportsJson(std::string_view text) {
  std::vector<BenchReport> reports;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    if (line.empty() || line.front() != '{') continue;
    boost::system::error_code ec;
    json::value value = json::parse(json::string_view(line.data(), line.size()), ec);
    if (ec || !value.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("not a bench report: ", line.substr(0, 80)));
    }
    const json::object& root = value.as_object();
    auto text_of = [&](const char* key) -> std::string {
      const json::value* field = root.if_contains(key);
      return field != nullptr && field->is_string() ? std::string(field->as_string()) : "";
    };
    BenchReport report;
    report.scenario = text_of("scenario");
    report.name = text_of("name");
    report.server = text_of("server");
    std::map<std::string, Better> better;
    if (const json::value* field = root.if_contains("better"); field && field->is_object()) {
      for (const auto& item : field->as_object()) {
        better[std::string(item.key())] =
            item.value() == "higher"
                ? Better::kHigher
                : (item.value() == "lower" ? Better::kLower : Better::kNeither);
      }
    }
    if (const json::value* field = root.if_contains("params"); field && field->is_object()) {
      for (const auto& item : field->as_object()) {
        if (item.value().is_string()) {
          report.params.emplace_back(std::string(item.key()),
                                     std::string(item.value().as_string()));
        }
      }
    }
    if (const json::value* field = root.if_contains("rows"); field && field->is_array()) {
      for (const json::value& row : field->as_array()) {
        if (!row.is_object()) continue;
        std::vector<Metric> metrics;
        for (const auto& item : row.as_object()) {
          Metric metric;
          metric.name = std::string(item.key());
          if (item.value().is_string()) {
            metric.text = std::string(item.value().as_string());
          } else if (item.value().is_number()) {
            metric.value = item.value().to_number<double>();
          } else {
            metric.value = NAN;
          }
          if (auto it = better.find(metric.name); it != better.end()) metric.better = it->second;
          metrics.push_back(std::move(metric));
        }
        report.rows.push_back(std::move(metrics));
      }
    }
    if (const json::value* field = root.if_contains("notes"); field && field->is_array()) {
      for (const json::value& note : field->as_array()) {
        if (note.is_string()) report.notes.emplace_back(note.as_string());
      }
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string FormatComparison(const std::vector<BenchReport>& a, const std::vector<BenchReport>& b) {
  struct Line {
    std::string run, metric, a, b, ratio, better;
  };
  std::vector<Line> lines;
  std::string a_name = a.empty() ? "A" : a.front().server;
  std::string b_name = b.empty() ? "B" : b.front().server;
  lines.push_back({"run", "metric", a_name, b_name, "A/B", "better"});
  for (const BenchReport& left : a) {
    auto right =
        std::find_if(b.begin(), b.end(), [&](const BenchReport& r) { return r.name == left.name; });
    if (right == b.end()) continue;
    for (size_t row = 0; row < left.rows.size() && row < right->rows.size(); ++row) {
      for (const Metric& metric : left.rows[row]) {
        if (metric.better == Better::kNeither || !metric.text.empty()) continue;
        auto other = std::find_if(right->rows[row].begin(), right->rows[row].end(),
                                  [&](const Metric& m) { return m.name == metric.name; });
        if (other == right->rows[row].end() || !other->text.empty()) continue;
        Line line;
        line.run = absl::StrCat(left.name, RowKey(left, row));
        line.metric = metric.name;
        line.a = FormatNumber(metric.value);
        line.b = FormatNumber(other->value);
        const bool comparable = std::isfinite(metric.value) && std::isfinite(other->value);
        if (comparable && other->value != 0) {
          line.ratio = absl::StrFormat("%.2f", metric.value / other->value);
        } else {
          line.ratio = "n/a";
        }
        // Within 2% is a tie: run-to-run noise on a shared machine is larger than that.
        if (!comparable || std::fabs(metric.value - other->value) <=
                               0.02 * std::max(std::fabs(metric.value), std::fabs(other->value))) {
          line.better = "-";
        } else {
          const bool a_higher = metric.value > other->value;
          const bool a_better = metric.better == Better::kHigher ? a_higher : !a_higher;
          line.better = a_better ? a_name : b_name;
        }
        lines.push_back(std::move(line));
      }
    }
  }
  size_t w[6] = {0, 0, 0, 0, 0, 0};
  for (const Line& line : lines) {
    w[0] = std::max(w[0], line.run.size());
    w[1] = std::max(w[1], line.metric.size());
    w[2] = std::max(w[2], line.a.size());
    w[3] = std::max(w[3], line.b.size());
    w[4] = std::max(w[4], line.ratio.size());
  }
  std::string out;
  for (const Line& line : lines) {
    absl::StrAppend(&out, Pad(line.run, w[0], false), "  ", Pad(line.metric, w[1], false), "  ",
                    Pad(line.a, w[2], true), "  ", Pad(line.b, w[3], true), "  ",
                    Pad(line.ratio, w[4], true), "  ", line.better, "\n");
  }
  return out;
}

}  // namespace gw::bench
