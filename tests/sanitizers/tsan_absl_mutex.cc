// ThreadSanitizer builds only: tells TSan when Debian's prebuilt absl::Mutex is locked and
// unlocked, and when an absl::Notification is notified and seen.
//
// Why: Debian's libabsl_synchronization.so is not built with TSan, so the annotations abseil
// places in Mutex::Lock / Unlock (ABSL_TSAN_MUTEX_*) are compiled out; only the constructor's,
// inline in mutex.h, is in our code. TSan then sees no happens-before edge between one thread's
// Unlock and the next thread's Lock and reports every access guarded by an absl::Mutex as a race
// (../../shared/hardening.md §3: two threads incrementing a counter under absl::MutexLock were
// reported; `ignore_noninstrumented_modules` and `race:absl::` do not help, because the reported
// frames are ours).
//
// How: this library is linked into every TSan executable ahead of abseil, so its definitions of
// the Mutex, CondVar and Notification members below interpose on the library's (for our code and
// for gRPC's, which locks absl::Mutex too). Each one makes the TSan calls abseil itself makes when built with
// TSan, then calls the real function found with dlsym(RTLD_NEXT). Between pre_lock and post_lock
// (pre_unlock and post_unlock) TSan ignores memory accesses, which covers absl evaluating a
// waiter's Condition on whichever thread unlocks. Waits (Await, LockWhen, CondVar::Wait) release
// and re-take the mutex inside the library; they are annotated as an unlock before and a lock
// after.
//
// The mangled names carry Debian's inline namespace (`debian3`, absl/base/options.h); if abseil
// changes it, dlsym finds nothing and the process stops at the first lock with a message.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

template <typename Function>
Function Real(const char* mangled) {
  void* symbol = dlsym(RTLD_NEXT, mangled);
  if (symbol == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex: %s not found in the abseil library\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Function>(symbol);
}

// The library's own definition, looked up once.
#define GW_REAL(type, mangled) static const auto real = Real<type>(mangled)

// Some of these call others through the library's PLT (AwaitWithTimeout calls
// AwaitWithDeadline), which lands here again; only the outermost call on a thread annotates.
thread_local int depth = 0;
struct Nesting {
  Nesting() : outer(depth++ == 0) {}
  ~Nesting() { --depth; }
  const bool outer;
};

// A wait gives the mutex up inside the library and holds it again when it returns; TSan ignores
// what happens in between (the library runs Conditions there).
void BeginWait(void* mu) { __tsan_mutex_pre_unlock(mu, 0); }
void EndWait(void* mu) {
  __tsan_mutex_post_unlock(mu, 0);
  __tsan_mutex_pre_lock(mu, 0);
  __tsan_mutex_post_lock(mu, 0, 0);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  using Fn = void (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35MutexD2Ev");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

void Mutex::Lock() {
  using Fn = void (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex4LockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, 0);
  real(this);
  if (nesting.outer) __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLock() {
  using Fn = void (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex10ReaderLockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  if (nesting.outer) __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

bool Mutex::TryLock() {
  using Fn = bool (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex7TryLockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool locked = real(this);
  if (nesting.outer)
    __tsan_mutex_post_lock(this,
                           __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  using Fn = bool (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, __tsan_mutex_try_read_lock);
  const bool locked = real(this);
  if (nesting.outer)
    __tsan_mutex_post_lock(
        this, locked ? __tsan_mutex_try_read_lock : __tsan_mutex_try_read_lock_failed, 0);
  return locked;
}

void Mutex::Unlock() {
  using Fn = void (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex6UnlockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_unlock(this, 0);
  real(this);
  if (nesting.outer) __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderUnlock() {
  using Fn = void (*)(Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  real(this);
  if (nesting.outer) __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

void Mutex::LockWhen(const Condition& cond) {
  using Fn = void (*)(Mutex*, const Condition&);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, 0);
  real(this, cond);
  if (nesting.outer) __tsan_mutex_post_lock(this, 0, 0);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  using Fn = bool (*)(Mutex*, const Condition&, absl::Duration);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, timeout);
  if (nesting.outer) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  using Fn = bool (*)(Mutex*, const Condition&, absl::Time);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Nesting nesting;
  if (nesting.outer) __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, deadline);
  if (nesting.outer) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

void Mutex::Await(const Condition& cond) {
  using Fn = void (*)(Mutex*, const Condition&);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  Nesting nesting;
  if (nesting.outer) BeginWait(this);
  real(this, cond);
  if (nesting.outer) EndWait(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  using Fn = bool (*)(Mutex*, const Condition&, absl::Duration);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Nesting nesting;
  if (nesting.outer) BeginWait(this);
  const bool met = real(this, cond, timeout);
  if (nesting.outer) EndWait(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  using Fn = bool (*)(Mutex*, const Condition&, absl::Time);
  GW_REAL(Fn, "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Nesting nesting;
  if (nesting.outer) BeginWait(this);
  const bool met = real(this, cond, deadline);
  if (nesting.outer) EndWait(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  using Fn = void (*)(CondVar*, Mutex*);
  GW_REAL(Fn, "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Nesting nesting;
  if (nesting.outer) BeginWait(mu);
  real(this, mu);
  if (nesting.outer) EndWait(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  using Fn = bool (*)(CondVar*, Mutex*, absl::Duration);
  GW_REAL(Fn, "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Nesting nesting;
  if (nesting.outer) BeginWait(mu);
  const bool timed_out = real(this, mu, timeout);
  if (nesting.outer) EndWait(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  using Fn = bool (*)(CondVar*, Mutex*, absl::Time);
  GW_REAL(Fn, "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Nesting nesting;
  if (nesting.outer) BeginWait(mu);
  const bool timed_out = real(this, mu, deadline);
  if (nesting.outer) EndWait(mu);
  return timed_out;
}

// A Notification's waiter returns without locking anything once the notifier's store (inside the
// library) is visible, so the mutex annotations above give no edge there: a test reading what a
// task wrote before Notify was reported as a race (WorkQueue.RunsTasksInOrderOffTheCallersThread,
// the tsan stage of .ci/run at 53376a7). Notify releases, a wait that saw it acquires. The
// library's own locks inside these are still annotated (no Nesting here).
void Notification::Notify() {
  using Fn = void (*)(Notification*);
  GW_REAL(Fn, "_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  using Fn = void (*)(const Notification*);
  GW_REAL(Fn, "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  using Fn = bool (*)(const Notification*, absl::Duration);
  GW_REAL(Fn, "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  using Fn = bool (*)(const Notification*, absl::Time);
  GW_REAL(Fn, "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
