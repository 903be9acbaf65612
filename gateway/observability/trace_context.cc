#include "gateway/observability/trace_context.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_split.h"

namespace gw::tracing {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Lowercase hex digit value, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes exactly 2*N lowercase hex characters into `out`.
template <size_t N>
bool DecodeHex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  for (size_t i = 0; i < N; ++i) {
    const int high = HexValue(text[2 * i]);
    const int low = HexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

template <size_t N>
std::string EncodeHex(const std::array<uint8_t, N>& bytes) {
  std::string out(2 * N, '0');
  for (size_t i = 0; i < N; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
  return out;
}

template <size_t N>
bool NotAllZero(const std::array<uint8_t, N>& bytes) {
  return std::any_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && IsOws(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsOws(text.back())) text.remove_suffix(1);
  return text;
}

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) {
  return IsLowerAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// `first` checks the first character; the rest are key characters; 1..max_length in all.
bool IsKeyPart(std::string_view part, size_t max_length, bool (*first)(char)) {
  if (part.empty() || part.size() > max_length || !first(part.front())) return false;
  return std::all_of(part.begin() + 1, part.end(), IsKeyChar);
}

bool IsTracestateKey(std::string_view key) {
  const auto alpha_or_digit = [](char c) { return IsLowerAlpha(c) || IsDigit(c); };
  const size_t at = key.find('@');
  if (at == std::string_view::npos) return IsKeyPart(key, 256, alpha_or_digit);
  return IsKeyPart(key.substr(0, at), 241, alpha_or_digit) &&
         IsKeyPart(key.substr(at + 1), 14, IsLowerAlpha);
}

bool IsTracestateValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

}  // namespace

bool IsValid(const TraceId& id) { return NotAllZero(id); }
bool IsValid(const SpanId& id) { return NotAllZero(id); }

bool TraceContext::valid() const { return IsValid(trace_id) && IsValid(span_id); }

std::string ToHex(const TraceId& id) { return EncodeHex(id); }
std::string ToHex(const SpanId& id) { return EncodeHex(id); }

std::optional<TraceContext> ParseTraceparent(std::string_view header) {
  header = TrimOws(header);
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  constexpr size_t kLength = 55;
  if (header.size() < kLength) return std::nullopt;
  const int version_high = HexValue(header[0]);
  const int version_low = HexValue(header[1]);
  if (version_high < 0 || version_low < 0) return std::nullopt;
  const int version = version_high << 4 | version_low;
  if (version == 0xff) return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may append fields after a '-'.
  if (header.size() > kLength && (version == 0 || header[kLength] != '-')) return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;

  TraceContext context;
  std::array<uint8_t, 1> flags{};
  if (!DecodeHex(header.substr(3, 32), context.trace_id) ||
      !DecodeHex(header.substr(36, 16), context.span_id) ||
      !DecodeHex(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (!context.valid()) return std::nullopt;
  context.flags = flags[0];
  context.remote = true;
  return context;
}

std::string FormatTraceparent(const TraceContext& context) {
  std::string out;
  out.reserve(55);
  out.append("00-").append(EncodeHex(context.trace_id)).push_back('-');
  out.append(EncodeHex(context.span_id)).push_back('-');
  out.append(context.sampled() ? "01" : "00");
  return out;
}

std::string NormalizeTracestate(std::string_view header) {
  std::vector<std::string_view> keys;
  std::string out;
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
    const std::string_view member = TrimOws(std::string_view(piece.data(), piece.size()));
    if (member.empty()) continue;
    const size_t eq = member.find('=');
    if (eq == std::string_view::npos) return "";
    const std::string_view key = member.substr(0, eq);
    const std::string_view value = member.substr(eq + 1);
    if (!IsTracestateKey(key) || !IsTracestateValue(value)) return "";
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) return "";
    keys.push_back(key);
    if (keys.size() > 32) return "";
    if (!out.empty()) out.push_back(',');
    out.append(member);
  }
  return out;
}

}  // namespace gw::tracing
