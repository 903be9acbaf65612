#include "gateway/observability/sampler.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gw::tracing {
namespace {

constexpr double kTwoPow56 = 72057594037927936.0;

struct NamedKind {
  std::string_view name;
  Sampler::Kind kind;
};
constexpr NamedKind kKinds[] = {
    {"always_on", Sampler::Kind::kAlwaysOn},
    {"always_off", Sampler::Kind::kAlwaysOff},
    {"traceidratio", Sampler::Kind::kTraceIdRatio},
    {"parentbased_always_on", Sampler::Kind::kParentBasedAlwaysOn},
    {"parentbased_always_off", Sampler::Kind::kParentBasedAlwaysOff},
    {"parentbased_traceidratio", Sampler::Kind::kParentBasedTraceIdRatio},
};

bool UsesRatio(Sampler::Kind kind) {
  return kind == Sampler::Kind::kTraceIdRatio || kind == Sampler::Kind::kParentBasedTraceIdRatio;
}

}  // namespace

Sampler::Sampler(Kind kind, double ratio) : kind_(kind), ratio_(ratio) {}

absl::StatusOr<Sampler> Sampler::FromName(std::string_view name, std::string_view arg) {
  for (const NamedKind& named : kKinds) {
    if (named.name != name) continue;
    double ratio = 1.0;
    if (UsesRatio(named.kind) && !arg.empty()) {
      if (!absl::SimpleAtod(absl::string_view(arg.data(), arg.size()), &ratio) ||
          !std::isfinite(ratio) || ratio < 0.0 || ratio > 1.0) {
        return absl::InvalidArgumentError(
            absl::StrCat("OTEL_TRACES_SAMPLER_ARG: expected a probability in [0, 1], got '",
                         absl::string_view(arg.data(), arg.size()), "'"));
      }
    }
    return Sampler(named.kind, ratio);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "OTEL_TRACES_SAMPLER: unknown sampler '", absl::string_view(name.data(), name.size()),
      "' (always_on, always_off, traceidratio, parentbased_always_on, "
      "parentbased_always_off, parentbased_traceidratio)"));
}

bool Sampler::SampleRoot(const TraceId& trace_id) const {
  switch (kind_) {
    case Kind::kAlwaysOn:
    case Kind::kParentBasedAlwaysOn:
      return true;
    case Kind::kAlwaysOff:
    case Kind::kParentBasedAlwaysOff:
      return false;
    case Kind::kTraceIdRatio:
    case Kind::kParentBasedTraceIdRatio: {
      if (ratio_ >= 1.0) return true;
      if (ratio_ <= 0.0) return false;
      uint64_t random = 0;
      for (size_t i = 9; i < 16; ++i) random = random << 8 | trace_id[i];
      return random < static_cast<uint64_t>(ratio_ * kTwoPow56);
    }
  }
  return false;
}

bool Sampler::ShouldSample(const TraceContext& parent, const TraceId& trace_id) const {
  const bool parent_based = kind_ == Kind::kParentBasedAlwaysOn ||
                            kind_ == Kind::kParentBasedAlwaysOff ||
                            kind_ == Kind::kParentBasedTraceIdRatio;
  if (parent_based && parent.valid()) return parent.sampled();
  return SampleRoot(trace_id);
}

std::string Sampler::Describe() const {
  for (const NamedKind& named : kKinds) {
    if (named.kind != kind_) continue;
    std::string out(named.name);
    if (UsesRatio(kind_)) absl::StrAppend(&out, "(", ratio_, ")");
    return out;
  }
  return "unknown";
}

}  // namespace gw::tracing
