#ifndef GATEWAY_CORE_BOUNDED_QUEUE_H_
#define GATEWAY_CORE_BOUNDED_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace gw::core {

// A fixed-capacity queue for many producers and consumers that never blocks and never
// allocates after construction: TryPush fails when the queue is full, TryPop when it is empty.
// Each slot carries a sequence number that says whose turn it is (a producer's, for the round
// that fills it, or a consumer's), so a producer only contends on one atomic position with
// other producers and never waits for a consumer. A producer that claimed a slot but has not
// filled it yet holds back consumers at that slot until it has (they see the queue empty there).
//
// Why our own: Boost.Lockfree's queue and moodycamel's ConcurrentQueue are both reported by
// ThreadSanitizer (boostorg/lockfree#78, cameron314/concurrentqueue#254), which the test command
// runs; here every hand-over is an acquire/release pair on the slot's sequence.
//
// Thread-safe. `T` must be default-constructible and move-assignable; a popped slot keeps a
// moved-from T.
template <typename T>
class BoundedQueue {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit BoundedQueue(size_t capacity) {
    size_t size = 2;
    while (size < capacity) size *= 2;
    mask_ = size - 1;
    slots_ = std::make_unique<Slot[]>(size);
    for (size_t i = 0; i < size; ++i) slots_[i].turn.store(i, std::memory_order_relaxed);
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  size_t capacity() const { return mask_ + 1; }

  // False (and `value` untouched) when full.
  bool TryPush(T&& value) {
    size_t position = push_position_.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[position & mask_];
      const size_t turn = slot->turn.load(std::memory_order_acquire);
      const intptr_t lag = static_cast<intptr_t>(turn) - static_cast<intptr_t>(position);
      if (lag == 0) {
        if (push_position_.compare_exchange_weak(position, position + 1,
                                                 std::memory_order_relaxed)) {
          break;
        }
      } else if (lag < 0) {
        return false;  // the slot still holds the value of the previous round
      } else {
        position = push_position_.load(std::memory_order_relaxed);
      }
    }
    slot->value = std::move(value);
    slot->turn.store(position + 1, std::memory_order_release);
    return true;
  }

  // False when empty.
  bool TryPop(T& out) {
    size_t position = pop_position_.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[position & mask_];
      const size_t turn = slot->turn.load(std::memory_order_acquire);
      const intptr_t lag = static_cast<intptr_t>(turn) - static_cast<intptr_t>(position + 1);
      if (lag == 0) {
        if (pop_position_.compare_exchange_weak(position, position + 1,
                                                std::memory_order_relaxed)) {
          break;
        }
      } else if (lag < 0) {
        return false;
      } else {
        position = pop_position_.load(std::memory_order_relaxed);
      }
    }
    out = std::move(slot->value);
    slot->turn.store(position + mask_ + 1, std::memory_order_release);
    return true;
  }

 private:
  struct Slot {
    std::atomic<size_t> turn{0};
    T value{};
  };
  size_t mask_ = 0;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<size_t> push_position_{0};
  alignas(64) std::atomic<size_t> pop_position_{0};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_BOUNDED_QUEUE_H_
