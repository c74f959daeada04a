/* Shared by uvbench.c and loadgen.c: the scenario clock and the output line. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define CHECK(expr)                                                                    \
  do {                                                                                 \
    int check_rc_ = (expr);                                                            \
    if (check_rc_ < 0) {                                                               \
      fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, uv_strerror(check_rc_)); \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

/* BENCH_SECONDS: the measured time of one scenario (default 1). The first fifth of that again (at least
   50 ms) runs before it as a warm-up whose counts are dropped, the same in all four implementations. */
static double bench_seconds(void) {
  const char *s = getenv("BENCH_SECONDS");
  double v = s ? atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}

static double bench_warmup(void) {
  double w = bench_seconds() / 5;
  return w < 0.05 ? 0.05 : w;
}

static void print_line(const char *scenario, const char *impl, double value, const char *unit) {
  printf("scenario=%s impl=%s ops_per_s=%.6g unit=%s\n", scenario, impl, value, unit);
  fflush(stdout);
}

#endif
