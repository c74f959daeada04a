/* The one load generator for the many-connections and memory scenarios: it is the client for every
 * implementation's `server-echo` (another process), so that only the server differs between rows.
 *
 *   loadgen echo <port> <conns> <scenario> <impl>
 *       opens <conns> connections (at most 128 connects pending at a time, so the backlog never
 *       overflows), then each keeps one 64-byte message in flight. After the warm-up it counts round
 *       trips for BENCH_SECONDS and records each round trip's time in a log-linear histogram (1/64
 *       relative precision). Prints three lines: <scenario>-rt (rt/s), <scenario>-p50 and -p99 (us).
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
static int idle_mode;
static const char *scenario_name, *impl_name;
static char message[MSG];
static char slab[64 * 1024];

/* Log-linear histogram of nanoseconds: values below 128 exactly, then 64 buckets per power of two. */
#define BUCKETS (128 + 64 * 64)
static uint64_t hist[BUCKETS];
static int measuring;
static uint64_t round_trips, started_ns;

static int bucket_of(uint64_t ns) {
  if (ns < 128) return (int)ns;
  int msb = 63 - __builtin_clzll(ns);
  int shift = msb - 6;
  return 128 + (shift - 1) * 64 + (int)((ns >> shift) - 64);
}

static double bucket_mid(int b) {
  if (b < 128) return b;
  int shift = (b - 128) / 64 + 1;
  uint64_t low = (uint64_t)((b - 128) % 64 + 64) << shift;
  return (double)low + (double)(1ULL << shift) / 2;
}

static double percentile(double p) {
  uint64_t total = 0, seen = 0;
  for (int i = 0; i < BUCKETS; i++) total += hist[i];
  uint64_t rank = (uint64_t)(p / 100.0 * (double)total + 0.5);
  if (rank < 1) rank = 1;
  for (int i = 0; i < BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return bucket_mid(i);
  }
  return 0;
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
  while (c->got >= MSG) {
    c->got -= MSG;
    if (idle_mode) {
      if (++done_first == target) {
        printf("ready\n");
        fflush(stdout);
      }
      return;
    }
    if (measuring) {
      round_trips++;
      hist[bucket_of(uv_hrtime() - c->sent_ns)]++;
    }
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
  char name[160];
  snprintf(name, sizeof name, "%s-rt", scenario_name);
  print_line(name, impl_name, (double)round_trips / secs, "rt/s");
  snprintf(name, sizeof name, "%s-p50", scenario_name);
  print_line(name, impl_name, percentile(50) / 1000.0, "us");
  snprintf(name, sizeof name, "%s-p99", scenario_name);
  print_line(name, impl_name, percentile(99) / 1000.0, "us");
  exit(0);
}

static void on_warm(uv_timer_t *t) {
  (void)t;
  measuring = 1;
  started_ns = uv_hrtime();
  CHECK(uv_timer_start(&end_timer, on_end, (uint64_t)(bench_seconds() * 1000), 0));
}

void start_traffic(void) {
  CHECK(uv_timer_init(loop, &warm_timer));
  CHECK(uv_timer_init(loop, &end_timer));
  CHECK(uv_timer_start(&warm_timer, on_warm, (uint64_t)(bench_warmup() * 1000), 0));
  for (int i = 0; i < target; i++) send_message(&all[i]);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s echo <port> <conns> <scenario> <impl> | idle <port> <conns>\n", argv[0]);
    return 2;
  }
  idle_mode = strcmp(argv[1], "idle") == 0;
  port = atoi(argv[2]);
  target = atoi(argv[3]);
  if (!idle_mode) {
    if (argc < 6) return 2;
    scenario_name = argv[4];
    impl_name = argv[5];
  }
  memset(message, 'x', sizeof message);
  all = calloc((size_t)target, sizeof *all);
  loop = uv_default_loop();
  start_connects();
  return uv_run(loop, UV_RUN_DEFAULT);
}
