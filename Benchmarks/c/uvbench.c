/* The socket scenarios over raw libuv: the floor that Net, built on the same libuv, is measured against.
 *
 *   uvbench <scenario>     one scenario in this process (both ends on loopback), one output line
 *   uvbench server-echo    an echo server on 127.0.0.1:<random>; prints "port=<n>", serves until killed
 *
 * Scenarios (the same names in NetBench, NIOBench and node/net-bench.js):
 *   c2s-buf-<len>, s2c-buf-<len>, pipe-buf-<len>   Node's benchmark/net/net-{c2s,s2c,pipe}.js: the sender
 *       writes <len>-byte chunks as fast as the socket takes them, the receiver counts bytes; Gbit/s
 *       (bytes * 8 / 2^30 per second, Node's formula; pipe counts the echoed bytes twice, as Node does).
 *       A raw libuv program has no strings, so the asc/utf variants are not here.
 *   s2c-onread-buf-<len>   s2c with reads into one fixed 64 KiB buffer (what this program always does).
 *   c2s-cork-buf-<len>     net-c2s-cork.js: batches of 16 KiB of <len>-byte chunks, one writev per batch.
 *   pingpong-<n>           n connections, each with one 64-byte message in flight, TCP_NODELAY; rt/s.
 *   connrate-<n>           connect + accept + close with n connections in flight; conn/s.
 */
#include "common.h"

#include <netinet/in.h>

#define HWM (16 * 1024) /* Node's default highWaterMark: the echo server stops reading above it */
#define SLAB (64 * 1024)

static uv_loop_t *loop;
static char scenario[128];
static uv_tcp_t server;
static int port;

/* What the scenario counts (bytes or round trips or connections) and the clock around it. */
static uint64_t counted, counted_at_start;
static uint64_t started_ns;
static double scale = 1;        /* the factor from counts to the unit (bits per Gibit, say) */
static const char *unit = "";
static uv_timer_t warm_timer, end_timer;

static void on_end(uv_timer_t *t) {
  (void)t;
  double secs = (double)(uv_hrtime() - started_ns) / 1e9;
  print_line(scenario, "libuv", (double)(counted - counted_at_start) * scale / secs, unit);
  exit(0);
}

static void on_warm(uv_timer_t *t) {
  (void)t;
  counted_at_start = counted;
  started_ns = uv_hrtime();
  CHECK(uv_timer_init(loop, &end_timer));
  CHECK(uv_timer_start(&end_timer, on_end, (uint64_t)(bench_seconds() * 1000), 0));
}

static void start_clock(void) {
  CHECK(uv_timer_init(loop, &warm_timer));
  CHECK(uv_timer_start(&warm_timer, on_warm, (uint64_t)(bench_warmup() * 1000), 0));
}

/* ---- connections ---- */

typedef struct conn {
  uv_tcp_t tcp;
  uv_write_t wreq;
  uv_connect_t creq;
  size_t got;            /* ping-pong: bytes of the current reply */
  int reading_stopped;   /* echo: paused while its queue is above HWM */
} conn_t;

static char slab[SLAB];
static char *chunk;
static size_t chunk_len;
static int nodelay;

static void alloc_slab(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h; (void)suggested;
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_closed_free(uv_handle_t *h) { free(h); }

/* Echo: write back what was read; whatever the kernel does not take at once is copied and queued. */
typedef struct { uv_write_t req; conn_t *conn; char data[]; } echo_write_t;

static void on_echo_written(uv_write_t *req, int status) {
  echo_write_t *w = (echo_write_t *)req;
  conn_t *c = w->conn;
  free(w);
  if (status < 0) return;
  if (c->reading_stopped && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) < HWM) {
    c->reading_stopped = 0;
    void on_echo_read(uv_stream_t *, ssize_t, const uv_buf_t *);
    uv_read_start((uv_stream_t *)&c->tcp, alloc_slab, on_echo_read);
  }
}

void on_echo_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn_t *c = (conn_t *)s;
  if (nread <= 0) {
    if (nread < 0 && !uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, on_closed_free);
    return;
  }
  size_t off = 0;
  if (uv_stream_get_write_queue_size(s) == 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)nread);
    int r = uv_try_write(s, &b, 1);
    if (r > 0) off = (size_t)r;
    else if (r != UV_EAGAIN) { uv_close((uv_handle_t *)s, on_closed_free); return; }
  }
  if (off == (size_t)nread) return;
  size_t rest = (size_t)nread - off;
  echo_write_t *w = malloc(sizeof *w + rest);
  w->conn = c;
  memcpy(w->data, buf->base + off, rest);
  uv_buf_t b = uv_buf_init(w->data, (unsigned)rest);
  if (uv_write(&w->req, s, &b, 1, on_echo_written) < 0) { free(w); return; }
  if (uv_stream_get_write_queue_size(s) >= HWM) {
    c->reading_stopped = 1;
    uv_read_stop(s);
  }
}

/* Sender: write the chunk as long as the kernel takes it whole, then queue the rest and go on from its
   callback (Node's flow(): write, and on `false` wait for 'drain'). The chunk is never modified, so the
   queued write points into it without a copy. */
static void pump(conn_t *c);
static void on_pumped(uv_write_t *req, int status) {
  if (status < 0) return;
  pump((conn_t *)req->data);
}

static void pump(conn_t *c) {
  uv_stream_t *s = (uv_stream_t *)&c->tcp;
  for (;;) {
    uv_buf_t b = uv_buf_init(chunk, (unsigned)chunk_len);
    int r = uv_try_write(s, &b, 1);
    if (r == (int)chunk_len) continue;
    if (r < 0 && r != UV_EAGAIN) { fprintf(stderr, "write: %s\n", uv_strerror(r)); exit(1); }
    size_t off = r > 0 ? (size_t)r : 0;
    b = uv_buf_init(chunk + off, (unsigned)(chunk_len - off));
    c->wreq.data = c;
    CHECK(uv_write(&c->wreq, s, &b, 1, on_pumped));
    return;
  }
}

/* Corked sender: 16 KiB of chunks per writev (Node: cork, write until false, uncork), next batch from the
   callback ('drain'). */
static uv_buf_t *cork_bufs;
static unsigned cork_count;
static void cork_send(conn_t *c);
static void on_cork_sent(uv_write_t *req, int status) {
  if (status < 0) return;
  cork_send((conn_t *)req->data);
}
static void cork_send(conn_t *c) {
  c->wreq.data = c;
  CHECK(uv_write(&c->wreq, (uv_stream_t *)&c->tcp, cork_bufs, cork_count, on_cork_sent));
}

static void on_count_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  if (nread > 0) counted += (uint64_t)nread;
  else if (nread < 0 && !uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, NULL);
}

/* Ping-pong client: one 64-byte message in flight per connection. */
static char message[64];
static void send_message(conn_t *c) {
  uv_buf_t b = uv_buf_init(message, sizeof message);
  int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (r == (int)sizeof message) return;
  size_t off = r > 0 ? (size_t)r : 0;
  b = uv_buf_init(message + off, (unsigned)(sizeof message - off));
  c->wreq.data = c;
  CHECK(uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, NULL));
}

static void on_pong(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  conn_t *c = (conn_t *)s;
  if (nread < 0) { fprintf(stderr, "read: %s\n", uv_strerror((int)nread)); exit(1); }
  c->got += (size_t)nread;
  while (c->got >= sizeof message) {
    c->got -= sizeof message;
    counted++;
    send_message(c);
  }
}

/* ---- the scenarios ---- */

enum role { ROLE_C2S, ROLE_S2C, ROLE_PIPE, ROLE_CORK, ROLE_PINGPONG, ROLE_CONNRATE, ROLE_SERVER };
static enum role role;
static int conns = 1;
static int in_flight_target;

static void on_connection(uv_stream_t *srv, int status) {
  CHECK(status);
  conn_t *c = calloc(1, sizeof *c);
  CHECK(uv_tcp_init(loop, &c->tcp));
  CHECK(uv_accept(srv, (uv_stream_t *)&c->tcp));
  switch (role) {
  case ROLE_CONNRATE:
    uv_close((uv_handle_t *)&c->tcp, on_closed_free);
    break;
  case ROLE_C2S: case ROLE_CORK:
    CHECK(uv_read_start((uv_stream_t *)&c->tcp, alloc_slab, on_count_read));
    break;
  case ROLE_S2C:
    pump(c);
    break;
  case ROLE_PIPE: case ROLE_PINGPONG: case ROLE_SERVER:
    if (nodelay) uv_tcp_nodelay(&c->tcp, 1);
    CHECK(uv_read_start((uv_stream_t *)&c->tcp, alloc_slab, on_echo_read));
    break;
  }
}

static void start_client(void);

static void on_client_closed(uv_handle_t *h) {
  free(h);
  counted++;
  start_client();
}

static void on_connected(uv_connect_t *req, int status) {
  conn_t *c = req->data;
  CHECK(status);
  uv_stream_t *s = (uv_stream_t *)&c->tcp;
  switch (role) {
  case ROLE_CONNRATE:
    uv_close((uv_handle_t *)&c->tcp, on_client_closed);
    return;
  case ROLE_C2S:
    pump(c);
    break;
  case ROLE_CORK:
    cork_send(c);
    break;
  case ROLE_S2C:
    CHECK(uv_read_start(s, alloc_slab, on_count_read));
    break;
  case ROLE_PIPE:
    CHECK(uv_read_start(s, alloc_slab, on_count_read));
    pump(c);
    break;
  case ROLE_PINGPONG:
    uv_tcp_nodelay(&c->tcp, 1);
    CHECK(uv_read_start(s, alloc_slab, on_pong));
    send_message(c);
    break;
  case ROLE_SERVER:
    break;
  }
  if (++in_flight_target == conns) start_clock();
}

static void start_client(void) {
  conn_t *c = calloc(1, sizeof *c);
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
  CHECK(uv_tcp_init(loop, &c->tcp));
  c->creq.data = c;
  CHECK(uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&addr, on_connected));
}

static void listen_server(void) {
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", 0, &addr));
  CHECK(uv_tcp_init(loop, &server));
  CHECK(uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0));
  CHECK(uv_listen((uv_stream_t *)&server, 511, on_connection));
  struct sockaddr_storage bound;
  int len = sizeof bound;
  CHECK(uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len));
  port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <scenario>|server-echo\n", argv[0]);
    return 2;
  }
  snprintf(scenario, sizeof scenario, "%s", argv[1]);
  loop = uv_default_loop();
  memset(message, 'x', sizeof message);
  const double gbit = 8.0 / (1024.0 * 1024.0 * 1024.0);
  char dir[16], type[16];
  size_t len = 0;

  if (strcmp(scenario, "server-echo") == 0) {
    role = ROLE_SERVER;
    nodelay = 1;
    listen_server();
    printf("port=%d\n", port);
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
  } else if (sscanf(scenario, "pingpong-%d", &conns) == 1) {
    role = ROLE_PINGPONG;
    nodelay = 1;
    unit = "rt/s";
  } else if (sscanf(scenario, "connrate-%d", &conns) == 1) {
    role = ROLE_CONNRATE;
    unit = "conn/s";
  } else if (sscanf(scenario, "s2c-onread-buf-%zu", &len) == 1) {
    role = ROLE_S2C;
  } else if (sscanf(scenario, "c2s-cork-buf-%zu", &len) == 1) {
    role = ROLE_CORK;
  } else if (sscanf(scenario, "%15[a-z0-9]-%15[a-z]-%zu", dir, type, &len) == 3) {
    if (strcmp(type, "buf") != 0) return 0; /* no strings in C: nothing to print */
    if (strcmp(dir, "c2s") == 0) role = ROLE_C2S;
    else if (strcmp(dir, "s2c") == 0) role = ROLE_S2C;
    else if (strcmp(dir, "pipe") == 0) role = ROLE_PIPE;
    else return 0;
  } else {
    return 0; /* not a scenario of this implementation */
  }

  if (len > 0) {
    chunk_len = len;
    /* BENCH_PAYLOAD_OFFSET=<n> (a diagnostic, not used by make bench): the chunk starts n bytes into a
       page instead of where malloc puts it (16 for a chunk this large, which malloc maps on its own; a
       Swift array's bytes start at 48, after the array's header). See PROFILE-NOTES.md. */
    const char *offset = getenv("BENCH_PAYLOAD_OFFSET");
    if (offset) {
      chunk = (char *)aligned_alloc(4096, (len + (size_t)atoi(offset) + 4095) / 4096 * 4096) + atoi(offset);
    } else {
      chunk = malloc(len);
    }
    memset(chunk, 'x', len);
    scale = gbit * (role == ROLE_PIPE ? 2 : 1);
    unit = "Gbit/s";
    if (role == ROLE_CORK) {
      cork_count = (HWM + (unsigned)len - 1) / (unsigned)len;
      cork_bufs = malloc(cork_count * sizeof *cork_bufs);
      for (unsigned i = 0; i < cork_count; i++) cork_bufs[i] = uv_buf_init(chunk, (unsigned)len);
    }
  }

  listen_server();
  if (role == ROLE_CONNRATE) {
    start_clock();
    for (int i = 0; i < conns; i++) start_client();
  } else {
    for (int i = 0; i < conns; i++) start_client();
  }
  return uv_run(loop, UV_RUN_DEFAULT);
}
