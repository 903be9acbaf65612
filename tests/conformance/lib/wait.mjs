// Bounded waiting: every wait in the suite has a deadline, so a missing message fails the test
// with a message instead of hanging it.

// Resolves with the first value `subscribe(resolve)` hands over; rejects after `ms`.
export function waitFor(what, subscribe, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

// Resolves after `ms`; used only to give the server time to *not* do something (the test then
// asserts that nothing arrived), never as an assertion itself.
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
