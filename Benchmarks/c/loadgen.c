/* The one load generator for the many-connections and memory scenarios: it is the client for every
 * implementation's `server-echo` (another process), so that only the server differs between rows.
 *
 *   loadgen echo <port> <conns> <scenario> <impl> <samples-file>
 *       opens <conns> connections (at most 128 connects pending at a time, so the backlog never
 *       overflows), then each keeps one 64-byte message in flight. After the warm-up it counts round
 *       trips for BENCH_SECONDS and appends each round trip's time (ns) to an array in memory,
 *       allocated and touched before the traffic starts (realloc'd only if it fills up), so that the
 *       measuring window does no I/O and nothing heavier than a store per round trip. Then it prints
 *       <scenario>-rt (rt/s) and writes the times to <samples-file> as raw little-endian uint64s:
 *       Sources/LatencyStats (run by run.sh afterwards) records them in an HdrHistogram and prints
 *       <scenario>-p50 and -p99 (us), so the load generator stays plain C on libuv, as cheap as the
 *       server it measures allows on 2 shared cores.
 *   loadgen connrate <port> <in-flight> <scenario> <impl>
 *       the connection rate a server sustains: <in-flight> connections at a time, each connects, sends
 *       one 64-byte message, and once the echo is back closes (SO_LINGER 0: a reset, so no TIME_WAIT
 *       port is left behind) and starts the next. Waiting for the echo makes each connection one the
 *       server accepted, read and answered (a bare connect completes in the kernel, before any accept).
 *       Counts closed connections for BENCH_SECONDS after the warm-up; prints <scenario> (conn/s).
 *   loadgen idle <port> <conns>
 *       opens <conns> connections, does one 64-byte round trip on each (so the server has accepted and
 *       read every one), prints "ready" and then holds them open, idle, until killed.
 *
 * Sockets get SO_LINGER 0, so exiting resets them instead of leaving 10k ports in TIME_WAIT.
 */
#include "common.h"

#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_PENDING_CONNECTS 128
#define MSG 64

typedef struct {
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_write_t wreq;
  size_t got;
  uint64_t sent_ns;
} conn_t;

static uv_loop_t *loop;
static int port, target, started_count, connected, pending, done_first;
static int idle_mode, connrate_mode;
static uint64_t conn_count;
static const char *scenario_name, *impl_name, *samples_path;
static char message[MSG];
static char slab[64 * 1024];

/* Every round-trip time (ns) of the measuring window; samples_len is also the round-trip count. Sized for
   EXPECTED_RT_PER_S over BENCH_SECONDS (several times what 2 cores do) and touched up front, so that the
   window normally never reallocates nor page-faults. */
#define EXPECTED_RT_PER_S 400000
static uint64_t *samples;
static size_t samples_len, samples_cap;
static int measuring;
static uint64_t started_ns;

static void samples_reserve(size_t cap) {
  samples = realloc(samples, cap * sizeof *samples);
  if (samples == NULL) {
    fprintf(stderr, "loadgen: out of memory for %zu samples\n", cap);
    exit(1);
  }
  samples_cap = cap;
}

static void record_sample(uint64_t ns) {
  if (samples_len == samples_cap) samples_reserve(samples_cap * 2);
  samples[samples_len++] = ns;
}

static void write_samples(void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  for (size_t i = 0; i < samples_len; i++) samples[i] = __builtin_bswap64(samples[i]);
#endif
  FILE *f = fopen(samples_path, "wb");
  if (f == NULL || fwrite(samples, sizeof *samples, samples_len, f) != samples_len || fclose(f) != 0) {
    perror(samples_path);
    exit(1);
  }
}

static void alloc_slab(uv_handle_t *h, size_t s, uv_buf_t *buf) {
  (void)h; (void)s;
  *buf = uv_buf_init(slab, sizeof slab);
}

static void send_message(conn_t *c) {
  c->sent_ns = uv_hrtime();
  uv_buf_t b = uv_buf_init(message, MSG);
  int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (r == MSG) return;
  size_t off = r > 0 ? (size_t)r : 0;
  b = uv_buf_init(message + off, (unsigned)(MSG - off));
  CHECK(uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, NULL));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  conn_t *c = (conn_t *)s;
  if (nread < 0) {
    fprintf(stderr, "loadgen: read: %s\n", uv_strerror((int)nread));
    exit(1);
  }
  c->got += (size_t)nread;
  if (connrate_mode) {
    if (c->got >= MSG) {
      void connrate_done(conn_t *c);
      connrate_done(c);
    }
    return;
  }
  while (c->got >= MSG) {
    c->got -= MSG;
    if (idle_mode) {
      if (++done_first == target) {
        printf("ready\n");
        fflush(stdout);
      }
      return;
    }
    if (measuring) record_sample(uv_hrtime() - c->sent_ns);
    send_message(c);
  }
}

static void start_connects(void);

static void on_connected(uv_connect_t *req, int status) {
  conn_t *c = req->data;
  pending--;
  if (status < 0) {
    fprintf(stderr, "loadgen: connect: %s (after %d connections)\n", uv_strerror(status), connected);
    exit(1);
  }
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  uv_tcp_nodelay(&c->tcp, 1);
  CHECK(uv_read_start((uv_stream_t *)&c->tcp, alloc_slab, on_read));
  connected++;
  if (connrate_mode) {
    c->got = 0;
    send_message(c);
    return;
  }
  if (idle_mode) send_message(c);
  start_connects();
  if (connected == target && !idle_mode) {
    /* Everyone connected: start the traffic on all at once. */
    void start_traffic(void);
    start_traffic();
  }
}

static conn_t *all;

static void start_connects(void) {
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
  while (pending < MAX_PENDING_CONNECTS && started_count < target) {
    conn_t *c = &all[started_count++];
    CHECK(uv_tcp_init(loop, &c->tcp));
    c->creq.data = c;
    CHECK(uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&addr, on_connected));
    pending++;
  }
}

static uv_timer_t warm_timer, end_timer;

static void on_end(uv_timer_t *t) {
  (void)t;
  double secs = (double)(uv_hrtime() - started_ns) / 1e9;
  measuring = 0;
  char name[160];
  snprintf(name, sizeof name, "%s-rt", scenario_name);
  print_line(name, impl_name, (double)samples_len / secs, "rt/s");
  write_samples();
  exit(0);
}

static void on_warm(uv_timer_t *t) {
  (void)t;
  measuring = 1;
  started_ns = uv_hrtime();
  CHECK(uv_timer_start(&end_timer, on_end, (uint64_t)(bench_seconds() * 1000), 0));
}

void start_traffic(void) {
  size_t cap = (size_t)(bench_seconds() * EXPECTED_RT_PER_S);
  samples_reserve(cap < 65536 ? 65536 : cap);
  memset(samples, 0, samples_cap * sizeof *samples); /* fault the pages in now, not in the window */
  CHECK(uv_timer_init(loop, &warm_timer));
  CHECK(uv_timer_init(loop, &end_timer));
  CHECK(uv_timer_start(&warm_timer, on_warm, (uint64_t)(bench_warmup() * 1000), 0));
  for (int i = 0; i < target; i++) send_message(&all[i]);
}

/* connrate: one connection done (its echo is back): count it, close it, and start the next in its place. */
static void connect_one(conn_t *c) {
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
  CHECK(uv_tcp_init(loop, &c->tcp));
  c->creq.data = c;
  CHECK(uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&addr, on_connected));
  pending++;
}

static void on_connrate_closed(uv_handle_t *h) { connect_one((conn_t *)h); }

void connrate_done(conn_t *c) {
  if (measuring) conn_count++;
  uv_read_stop((uv_stream_t *)&c->tcp);
  uv_close((uv_handle_t *)&c->tcp, on_connrate_closed);
}

static uint64_t conn_base;

static void on_connrate_end(uv_timer_t *t) {
  (void)t;
  double secs = (double)(uv_hrtime() - started_ns) / 1e9;
  print_line(scenario_name, impl_name, (double)(conn_count - conn_base) / secs, "conn/s");
  exit(0);
}

static void on_connrate_warm(uv_timer_t *t) {
  (void)t;
  measuring = 1;
  conn_base = conn_count;
  started_ns = uv_hrtime();
  CHECK(uv_timer_start(&end_timer, on_connrate_end, (uint64_t)(bench_seconds() * 1000), 0));
}

static int connrate_main(void) {
  CHECK(uv_timer_init(loop, &warm_timer));
  CHECK(uv_timer_init(loop, &end_timer));
  CHECK(uv_timer_start(&warm_timer, on_connrate_warm, (uint64_t)(bench_warmup() * 1000), 0));
  for (int i = 0; i < target; i++) connect_one(&all[i]);
  return uv_run(loop, UV_RUN_DEFAULT);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s echo <port> <conns> <scenario> <impl> <samples-file> | idle <port> <conns>\n",
            argv[0]);
    return 2;
  }
  idle_mode = strcmp(argv[1], "idle") == 0;
  connrate_mode = strcmp(argv[1], "connrate") == 0;
  port = atoi(argv[2]);
  target = atoi(argv[3]);
  if (connrate_mode) {
    if (argc < 6) {
      fprintf(stderr, "%s connrate: needs <scenario> <impl>\n", argv[0]);
      return 2;
    }
    scenario_name = argv[4];
    impl_name = argv[5];
  } else if (!idle_mode) {
    if (argc < 7) {
      fprintf(stderr, "%s echo: needs <scenario> <impl> <samples-file>\n", argv[0]);
      return 2;
    }
    scenario_name = argv[4];
    impl_name = argv[5];
    samples_path = argv[6];
  }
  memset(message, 'x', sizeof message);
  all = calloc((size_t)target, sizeof *all);
  loop = uv_default_loop();
  if (connrate_mode) return connrate_main();
  start_connects();
  return uv_run(loop, UV_RUN_DEFAULT);
}
