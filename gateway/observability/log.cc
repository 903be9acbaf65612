#include "gateway/observability/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>

#include <boost/json.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gw::observability {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<TraceIdsProvider> g_trace_ids{nullptr};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetTraceIdsProvider(TraceIdsProvider provider) { g_trace_ids.store(provider); }

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  for (LogLevel candidate : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LevelName(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  boost::json::object line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = msg;
  for (const LogField& field : fields) {
    std::visit([&](const auto& v) { line[field.key] = v; }, field.value);
  }
  if (TraceIdsProvider provider = g_trace_ids.load(); provider != nullptr) {
    std::string trace_id, span_id;
    if (provider(&trace_id, &span_id)) {
      line["trace_id"] = trace_id;
      line["span_id"] = span_id;
    }
  }
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  // One fwrite per line: stdio locks the stream for the call, so lines never interleave.
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace gw::observability
