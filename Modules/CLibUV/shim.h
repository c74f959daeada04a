// The C surface of libuv that Net uses: tcp, pipe, getaddrinfo, timers, async, idle/check and the
// handle/request APIs all come from <uv.h>. The helpers below exist only where Swift cannot reach a
// libuv macro or a C union directly.
#ifndef NET_CLIBUV_SHIM_H
#define NET_CLIBUV_SHIM_H

#include <uv.h>
#include <signal.h>
#include <stdio.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>
#include <stdint.h>

/// Room for any libuv handle Net makes (tcp, pipe, timer, async, check, idle): every handle object keeps
/// one inline, so that a libuv handle and its Swift object are one allocation.
typedef union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    uv_timer_t timer;
    uv_async_t async;
    uv_check_t check;
    uv_idle_t idle;
} net_handle_storage;

/// `UV_VERSION_HEX` is a macro over other macros, which Swift does not import.
static inline unsigned int net_uv_version_hex(void) { return UV_VERSION_HEX; }

/// Ignores SIGPIPE so that a write to a reset peer becomes EPIPE instead of killing the process.
static inline void net_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

/// Makes stdout line-buffered, as Node's console is (Swift 6 rejects a reference to C's global `stdout`).
static inline void net_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/// The size of `sun_path` in `struct sockaddr_un` (108 on Linux), for path-length checks.
static inline size_t net_sun_path_size(void) { return sizeof(((struct sockaddr_un *)0)->sun_path); }

/// Reads the address family of a `sockaddr_storage` without the union gymnastics Swift would need.
static inline int net_sockaddr_family(const struct sockaddr *sa) { return sa->sa_family; }

/// The calling thread's thread pointer (on Linux, the address of its `struct pthread`, which is what
/// `pthread_self()` returns on x86-64): unique among live threads, read in one instruction where the
/// compiler knows the register, so checking the calling thread costs next to nothing.
static inline uintptr_t net_thread_pointer(void) {
#if defined(__x86_64__) || defined(__aarch64__)
    return (uintptr_t)__builtin_thread_pointer();
#else
    return (uintptr_t)pthread_self();
#endif
}

#endif
