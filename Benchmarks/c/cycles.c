/* The load for the listener-lifetime soak (listener-soak.sh): connect/echo/close cycles against a server.
 *
 *   cycles <port> <count> <concurrency>
 *       keeps <concurrency> connections in flight; each connects to 127.0.0.1:<port>, writes 64 bytes,
 *       reads the 64 echoed back, and closes with SO_LINGER 0 (a reset: 1M cycles would otherwise leave
 *       more ports in TIME_WAIT than the ephemeral range has). After <count> cycles it prints
 *       "cycles <count> seconds <s>" and exits. Any failure ends it with status 1.
 */
#include "common.h"

#include <sys/socket.h>

#define MSG 64

typedef struct {
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_write_t wreq;
  size_t got;
} conn_t;

static uv_loop_t *loop;
static struct sockaddr_in addr;
static long remaining, finished, total;
static char message[MSG];
static char slab[MSG * 2];

static void start_one(void);

static void on_close(uv_handle_t *h) {
  free(h->data);
  finished++;
  if (remaining > 0) start_one();
}

static void reset_and_close(conn_t *c) {
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  (void)h; (void)size;
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  conn_t *c = s->data;
  if (n < 0) {
    fprintf(stderr, "cycles: read: %s\n", uv_strerror((int)n));
    exit(1);
  }
  c->got += (size_t)n;
  if (c->got >= MSG) {
    uv_read_stop(s);
    reset_and_close(c);
  }
}

static void on_write(uv_write_t *req, int status) {
  (void)req;
  CHECK(status);
}

static void on_connect(uv_connect_t *req, int status) {
  conn_t *c = req->data;
  CHECK(status);
  uv_buf_t b = uv_buf_init(message, MSG);
  CHECK(uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write));
  CHECK(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read));
}

static void start_one(void) {
  remaining--;
  conn_t *c = calloc(1, sizeof *c);
  CHECK(uv_tcp_init(loop, &c->tcp));
  c->tcp.data = c;
  c->creq.data = c;
  CHECK(uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&addr, on_connect));
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s <port> <count> <concurrency>\n", argv[0]);
    return 2;
  }
  total = remaining = atol(argv[2]);
  long concurrency = atol(argv[3]);
  memset(message, 'x', sizeof message);
  loop = uv_default_loop();
  CHECK(uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr));
  uint64_t start = uv_hrtime();
  for (long i = 0; i < concurrency && remaining > 0; i++) start_one();
  uv_run(loop, UV_RUN_DEFAULT);
  printf("cycles %ld seconds %.1f\n", finished, (double)(uv_hrtime() - start) / 1e9);
  return finished == total ? 0 : 1;
}
