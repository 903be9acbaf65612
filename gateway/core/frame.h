#ifndef GATEWAY_CORE_FRAME_H_
#define GATEWAY_CORE_FRAME_H_

#include <memory>
#include <string>

namespace gw::core {

// One message as subscribers will read it, encoded once per publish and shared (immutable) by
// every subscriber's write queue. The core never looks inside.
using Frame = std::shared_ptr<const std::string>;

inline Frame MakeFrame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace gw::core

#endif  // GATEWAY_CORE_FRAME_H_
