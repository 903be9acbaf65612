#ifndef TESTS_FUZZ_FUZZ_INPUT_H_
#define TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw::fuzz {

// A fuzz input read as fields separated by '\n': the seeds in tests/fuzz/corpus are plain text a
// person can read and edit. The last field takes the rest, newlines and all.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  std::string_view NextField() {
    const size_t end = rest_.find('\n');
    std::string_view field = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
    return field;
  }
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace gw::fuzz

#endif  // TESTS_FUZZ_FUZZ_INPUT_H_
