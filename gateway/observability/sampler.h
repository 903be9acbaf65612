#ifndef GATEWAY_OBSERVABILITY_SAMPLER_H_
#define GATEWAY_OBSERVABILITY_SAMPLER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gateway/observability/trace_context.h"

namespace gw::tracing {

// The OpenTelemetry samplers of OTEL_TRACES_SAMPLER: whether a new span is recorded and
// exported. A plain value; thread-safe to use from any thread.
class Sampler {
 public:
  enum class Kind {
    kAlwaysOn,
    kAlwaysOff,
    kTraceIdRatio,
    kParentBasedAlwaysOn,  // the default
    kParentBasedAlwaysOff,
    kParentBasedTraceIdRatio,
  };

  Sampler() = default;
  Sampler(Kind kind, double ratio);

  // `name` as OTEL_TRACES_SAMPLER spells it ("always_on", "parentbased_traceidratio", ...);
  // `arg` is OTEL_TRACES_SAMPLER_ARG, read by the ratio samplers only ("" = 1.0).
  // InvalidArgument names what is wrong.
  static absl::StatusOr<Sampler> FromName(std::string_view name, std::string_view arg);

  // Decides for a span in `trace_id` whose parent is `parent` (invalid = a root span). The
  // parent-based samplers follow a valid parent's sampled flag and decide roots with their root
  // sampler. The ratio sampler keeps a trace when the low 56 bits of its id, read big-endian,
  // fall below ratio * 2^56: the same decision in every process that sees the same trace.
  bool ShouldSample(const TraceContext& parent, const TraceId& trace_id) const;

  Kind kind() const { return kind_; }
  double ratio() const { return ratio_; }
  // "parentbased_always_on" or "traceidratio(0.25)": for the start-up log line.
  std::string Describe() const;

 private:
  bool SampleRoot(const TraceId& trace_id) const;

  Kind kind_ = Kind::kParentBasedAlwaysOn;
  double ratio_ = 1.0;
};

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_SAMPLER_H_
