#include "gateway/observability/span_ids.h"

#include <algorithm>
#include <cstring>

#include "absl/random/random.h"

namespace gw::tracing {
namespace {

absl::BitGen& Generator() {
  thread_local absl::BitGen generator;
  return generator;
}

// Fills `bytes` with random data, never all zeros (an all-zero id is invalid).
template <size_t N>
void Fill(std::array<uint8_t, N>& bytes) {
  absl::BitGen& generator = Generator();
  do {
    for (size_t i = 0; i < N; i += 8) {
      const uint64_t word = absl::Uniform<uint64_t>(generator);
      std::memcpy(bytes.data() + i, &word, std::min<size_t>(8, N - i));
    }
  } while (!IsValid(bytes));
}

}  // namespace

TraceId NewTraceId() {
  TraceId id;
  Fill(id);
  return id;
}

SpanId NewSpanId() {
  SpanId id;
  Fill(id);
  return id;
}

std::string NewUuid() {
  TraceId bytes = NewTraceId();
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = ToHex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace gw::tracing
