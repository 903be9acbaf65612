#ifndef GATEWAY_OBSERVABILITY_LOG_H_
#define GATEWAY_OBSERVABILITY_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace gw::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// One key/value of a structured log line.
struct LogField {
  using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool>;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint32_t v) : key(k), value(static_cast<uint64_t>(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

// Structured logs: one JSON object per line on stdout, {"ts":..,"level":..,"msg":..,fields...},
// written whole in one call so lines from different threads never interleave. Thread-safe.
void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view name, LogLevel* level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

// Tells the log which trace this thread is working for, so that every line written inside a
// traced request carries "trace_id" and "span_id". Tracing installs it (logging cannot depend on
// tracing, which logs); returns false when the thread has no current span.
using TraceIdsProvider = bool (*)(std::string* trace_id, std::string* span_id);
void SetTraceIdsProvider(TraceIdsProvider provider);

inline void LogInfo(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, msg, fields);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, msg, fields);
}
inline void LogDebug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  if (LogEnabled(LogLevel::kDebug)) Log(LogLevel::kDebug, msg, fields);
}

}  // namespace gw::observability

#endif  // GATEWAY_OBSERVABILITY_LOG_H_
