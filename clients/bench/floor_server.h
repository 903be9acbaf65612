#ifndef CLIENTS_BENCH_FLOOR_SERVER_H_
#define CLIENTS_BENCH_FLOOR_SERVER_H_

#include "absl/status/status.h"
#include "clients/bench/bench_options.h"

namespace gw::bench {

// `realtime-bench floor`: a reference fan-out server, the cheapest this machine can do for what
// the fanout scenario asks of a Pusher server, so that a real server's deliveries per CPU-second
// can be read against it on any hardware.
//
// Deliberately minimal: one epoll loop per thread (--threads, default one per core), each with its
// own SO_REUSEPORT listener on --url's port; WebSocket upgrade, connection_established, subscribe
// to any channel (no auth), pusher:ping; POST /apps/*/events and /batch_events with no signature
// check; any other GET answers 200 (readiness). A publish builds each event's whole frame once,
// hands it to every loop, and is answered once every loop has queued it (as realtime-gateway and
// soketi answer). Each loop appends the frames to its subscribers' byte buffers and, at the end
// of its turn (after everything epoll_wait returned), writes each connection that has something
// with one send(). A connection with more than 1 MiB unsent is closed.
//
// Runs until SIGINT or SIGTERM; prints one line on stdout once every loop listens.
absl::Status RunFloorServer(const BenchOptions& options);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_FLOOR_SERVER_H_
