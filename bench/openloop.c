// Open-loop HTTP/1.1 load generator (fixed request rate), in C: the fixed-rate scenario's default.
//
// Same contract as bench/openloop.ts (same options, same one-line JSON result): request i is
// scheduled at start + i/rate whatever the responses do, and its latency is measured from that
// *scheduled* time, so queueing in the target is never hidden (no coordinated omission). A request
// waits in a FIFO for a free keep-alive connection, and that wait counts in its latency.
//
// Why C: the Node generator can only wake on a 1 ms timer, so requests left in bursts up to ~1 ms
// after their scheduled time, and that slack was charged to every candidate (nginx serving a
// static answer directly showed p50 0.7 ms / p99 1.4 ms). Here the loop sleeps in epoll_pwait2()
// until the next request is due (nanosecond timeout, timer slack set to 1 ns) and costs a few
// percent of a core at 5 000 req/s. How late the generator itself sends is measured and printed
// ("lagP99": when a request was noticed minus when it was due), so its own share is visible.
//
// Plain http:// only (https targets use bench/openloop.ts). Built by bench/run.ts with `cc -O2`.
// Usage: openloop --url http://127.0.0.1:8080/plain --rate 5000 --duration 10 [--connections 64]
//        [--warmup 1] [--header 'k: v' ...] [--max-inflight 20000] [--drain-timeout 5] [--timeline FILE]
//        [--tokens-file tokens.txt]   (one JWT per line: request i sends token i % n)
//        [--method POST --body-file body.json]   (every request carries the file's bytes)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *msg) {
  fprintf(stderr, "openloop: %s%s%s\n", msg, errno ? ": " : "", errno ? strerror(errno) : "");
  exit(2);
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

// ---- requests -------------------------------------------------------------------------------

typedef struct {
  char *data;
  size_t len;
} Req;

static Req *requests;
static size_t nrequests;
static size_t next_request;

// ---- connections ----------------------------------------------------------------------------

typedef struct {
  int fd;
  int busy;
  int64_t scheduled; // INT64_MIN: unrecorded probe
  char *buf;         // response bytes not consumed yet (headers, or chunked body)
  size_t len, cap;
  long remaining;    // body bytes still expected; -1 chunked; -2 headers not read yet
  int status;
  int close_after;
  size_t resp_bytes;
} Conn;

static struct addrinfo *target;
static int epfd;
static Conn *conns;
static int nconns;

// ---- run state ------------------------------------------------------------------------------

static double *latencies; // ms
static double *offsets;   // ms from the start of measurement to each recorded request's scheduled time (--timeline)
static double *lags;      // ms
static long total, completed, errors, non2xx, dropped, inflight, nlags, max_inflight;
static long long bytes;
static int64_t start_ns, measure_ns = INT64_MAX;
static int finished;

// FIFO of scheduled times waiting for a free connection; FIFO of idle connections.
static int64_t *waiting;
static long wq_head, wq_tail, wq_cap;
static int *idle;
static long iq_head, iq_tail, iq_cap;

static void idle_push(int i) {
  idle[iq_tail++ % iq_cap] = i;
}

static void conn_open(Conn *c) {
  int fd = socket(target->ai_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, target->ai_addr, target->ai_addrlen) != 0) {
    close(fd);
    c->fd = -1;
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)(c - conns)};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  c->fd = fd;
  c->busy = 0;
  c->len = 0;
}

static void conn_send(Conn *c, int64_t scheduled) {
  Req *r = &requests[next_request++ % nrequests];
  c->busy = 1;
  c->scheduled = scheduled;
  c->len = 0;
  c->remaining = -2;
  c->resp_bytes = 0;
  c->close_after = 0;
  // Requests are small (< socket buffer) and one at a time per connection: a short write
  // means the connection is broken.
  ssize_t w = write(c->fd, r->data, r->len);
  if (w != (ssize_t)r->len) {
    close(c->fd);
    c->fd = -1;
  }
}

static void pump(int i) {
  Conn *c = &conns[i];
  if (c->fd < 0 || c->busy) return;
  if (wq_head < wq_tail) conn_send(c, waiting[wq_head++ % wq_cap]);
  else idle_push(i);
}

static void submit(int64_t scheduled) {
  inflight++;
  while (iq_head < iq_tail) {
    Conn *c = &conns[idle[iq_head++ % iq_cap]];
    if (c->fd >= 0 && !c->busy) return conn_send(c, scheduled);
  }
  waiting[wq_tail++ % wq_cap] = scheduled;
}

static double interval_ns;
static long sent;

static void send_due_now(void) {
  int64_t now = now_ns();
  long due = (long)((double)(now - start_ns) / interval_ns) + 1;
  if (due > total) due = total;
  while (sent < due) {
    int64_t scheduled = start_ns + (int64_t)(sent * interval_ns);
    sent++;
    if (scheduled >= measure_ns) lags[nlags++] = (double)(now - scheduled) / 1e6;
    if (inflight < max_inflight) submit(scheduled);
    else if (scheduled >= measure_ns) dropped++;
  }
}

static void done(Conn *c) {
  double latency = (double)(now_ns() - c->scheduled) / 1e6;
  if (c->scheduled != INT64_MIN && c->scheduled >= measure_ns) {
    bytes += (long long)c->resp_bytes;
    if (c->status < 200 || c->status > 299) non2xx++;
    if (offsets) offsets[completed] = (double)(c->scheduled - measure_ns) / 1e6;
    latencies[completed++] = latency;
  }
  c->busy = 0;
  c->len = 0;
  inflight--;
  if (c->close_after) {
    close(c->fd);
    c->fd = -1;
    if (!finished) conn_open(c);
  }
  pump((int)(c - conns));
  if (sent < total) send_due_now();
}

static void lost(Conn *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  if (c->busy) {
    c->busy = 0;
    inflight--;
    if (c->scheduled != INT64_MIN && c->scheduled >= measure_ns) errors++;
  }
  // Reconnect so the pool keeps its size; queued requests wait for it.
  if (!finished) {
    conn_open(c);
    if (c->fd >= 0) pump((int)(c - conns));
  }
}

/** Case-insensitive search for a header line "\r\nname:" in [h, h+n); returns the value or NULL. */
static const char *header_value(const char *h, size_t n, const char *name) {
  size_t k = strlen(name);
  for (size_t i = 0; i + 2 + k < n; i++) {
    if (h[i] == '\r' && h[i + 1] == '\n' && strncasecmp(h + i + 2, name, k) == 0 && h[i + 2 + k] == ':') {
      const char *v = h + i + 3 + k;
      while (*v == ' ' || *v == '\t') v++;
      return v;
    }
  }
  return NULL;
}

/** True once the zero-size chunk and its final CRLF are in [b, b+n). */
static int chunked_complete(const char *b, size_t n) {
  size_t i = 0;
  for (;;) {
    const char *eol = memmem(b + i, n - i, "\r\n", 2);
    if (!eol) return 0;
    char *end;
    long size = strtol(b + i, &end, 16);
    if (end == b + i) return 0;
    size_t e = (size_t)(eol - b);
    if (size == 0) return memmem(b + e, n - e, "\r\n\r\n", 4) != NULL;
    i = e + 2 + (size_t)size + 2;
    if (i > n) return 0;
  }
}

static void append(Conn *c, const char *d, size_t n) {
  if (c->len + n + 1 > c->cap) {
    c->cap = (c->len + n + 1) * 2;
    c->buf = realloc(c->buf, c->cap);
    if (!c->buf) die("out of memory");
  }
  memcpy(c->buf + c->len, d, n);
  c->len += n;
  c->buf[c->len] = 0;
}

static void on_data(Conn *c, const char *d, size_t n) {
  if (!c->busy) return;
  c->resp_bytes += n;
  if (c->remaining >= 0) {
    // Plain body: only count it.
    if ((long)n < c->remaining) {
      c->remaining -= (long)n;
      return;
    }
    return done(c);
  }
  append(c, d, n);
  if (c->remaining == -2) {
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end) return;
    size_t hlen = (size_t)(end - c->buf) + 2;
    c->status = c->len > 12 ? atoi(c->buf + 9) : 0;
    const char *te = header_value(c->buf, hlen, "transfer-encoding");
    const char *cl = header_value(c->buf, hlen, "content-length");
    const char *conn = header_value(c->buf, hlen, "connection");
    c->close_after = conn && strncasecmp(conn, "close", 5) == 0;
    size_t body_at = hlen + 2;
    size_t have = c->len - body_at;
    if (te && strncasecmp(te, "chunked", 7) == 0) {
      memmove(c->buf, c->buf + body_at, have);
      c->len = have;
      c->remaining = -1;
    } else {
      long want = cl ? atol(cl) : 0;
      if ((long)have >= want) return done(c);
      c->remaining = want - (long)have;
      c->len = 0;
      return;
    }
  }
  if (c->remaining == -1 && chunked_complete(c->buf, c->len)) done(c);
}

static void poll_once(int64_t timeout_ns) {
  struct epoll_event evs[64];
  struct timespec ts = {.tv_sec = timeout_ns / 1000000000LL, .tv_nsec = timeout_ns % 1000000000LL};
  int n = epoll_pwait2(epfd, evs, 64, timeout_ns < 0 ? NULL : &ts, NULL);
  if (n < 0) {
    if (errno == EINTR) return;
    die("epoll_pwait2");
  }
  static char rbuf[65536];
  for (int k = 0; k < n; k++) {
    Conn *c = &conns[evs[k].data.u32];
    if (c->fd < 0) continue;
    for (;;) {
      ssize_t r = read(c->fd, rbuf, sizeof rbuf);
      if (r > 0) {
        int fd = c->fd;
        on_data(c, rbuf, (size_t)r);
        if (c->fd != fd || r < (ssize_t)sizeof rbuf) break;
        continue;
      }
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
      lost(c); // 0 = closed by the peer, or an error
      break;
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, long n, double p) {
  if (n == 0) return -1;
  long i = (long)((p / 100.0) * (double)n + 0.999999999) - 1;
  if (i < 0) i = 0;
  if (i >= n) i = n - 1;
  return v[i];
}

static void print_num(const char *name, double v, int last) {
  if (v < 0) printf("\"%s\":null%s", name, last ? "" : ",");
  else printf("\"%s\":%.4f%s", name, v, last ? "" : ",");
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open tokens or body file");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) die("cannot read tokens or body file");
  s[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return s;
}

/** One request: head (ends with the blank line) followed by the body bytes. */
static void set_request(Req *r, const char *head, const char *body, size_t body_len) {
  size_t hl = strlen(head);
  r->data = malloc(hl + body_len + 1);
  if (!r->data) die("out of memory");
  memcpy(r->data, head, hl);
  if (body_len) memcpy(r->data + hl, body, body_len);
  r->len = hl + body_len;
}

int main(int argc, char **argv) {
  const char *url = NULL, *tokens_file = NULL, *timeline_file = NULL, *method = "GET", *body_file = NULL;
  double rate = 5000, duration = 10, warmup = 1, drain_timeout = 5;
  int connections = 64;
  max_inflight = 20000;
  char headers[16384] = "";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) die("option without a value");
    i++;
    if (!strcmp(a, "--url")) url = v;
    else if (!strcmp(a, "--rate")) rate = atof(v);
    else if (!strcmp(a, "--duration")) duration = atof(v);
    else if (!strcmp(a, "--warmup")) warmup = atof(v);
    else if (!strcmp(a, "--connections")) connections = atoi(v);
    else if (!strcmp(a, "--max-inflight")) max_inflight = atol(v);
    else if (!strcmp(a, "--drain-timeout")) drain_timeout = atof(v);
    else if (!strcmp(a, "--tokens-file")) tokens_file = v;
    else if (!strcmp(a, "--timeline")) timeline_file = v;
    else if (!strcmp(a, "--method")) method = v;
    else if (!strcmp(a, "--body-file")) body_file = v;
    else if (!strcmp(a, "--header")) {
      const char *colon = strchr(v, ':');
      if (!colon || colon == v) continue;
      const char *val = colon + 1;
      while (*val == ' ') val++;
      size_t used = strlen(headers);
      snprintf(headers + used, sizeof headers - used, "%.*s: %s\r\n", (int)(colon - v), v, val);
    } else die("unknown option");
  }
  if (!url || strncmp(url, "http://", 7) != 0) die("--url must be an http:// URL (https: use openloop.ts)");
  if (rate <= 0 || duration <= 0 || connections < 1) die("bad --rate, --duration or --connections");

  // http://host:port/path?query
  char hostport[256], host[256], port[16] = "80";
  const char *p = url + 7, *slash = strchr(p, '/');
  const char *path = slash ? slash : "/";
  size_t hl = slash ? (size_t)(slash - p) : strlen(p);
  if (hl >= sizeof hostport) die("host too long");
  memcpy(hostport, p, hl);
  hostport[hl] = 0;
  strcpy(host, hostport);
  char *colon = strrchr(host, ':');
  if (colon) {
    snprintf(port, sizeof port, "%s", colon + 1);
    *colon = 0;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  if (getaddrinfo(host, port, &hints, &target) != 0) die("cannot resolve host");

  // Requests, built once.
  size_t body_len = 0;
  char *body = body_file ? read_file(body_file, &body_len) : NULL;
  char head[20000];
  if (body)
    snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %zu\r\n", method, path, hostport, headers, body_len);
  else
    snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: %s\r\n%s", method, path, hostport, headers);
  if (tokens_file) {
    char *text = read_file(tokens_file, NULL);
    size_t cap = 1024;
    requests = malloc(cap * sizeof(Req));
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
      while (*line == ' ') line++;
      if (!*line) continue;
      if (nrequests == cap) requests = realloc(requests, (cap *= 2) * sizeof(Req));
      size_t n = strlen(head) + strlen(line) + 40;
      char *h = malloc(n);
      if (!h) die("out of memory");
      snprintf(h, n, "%sAuthorization: Bearer %s\r\n\r\n", head, line);
      set_request(&requests[nrequests++], h, body, body_len);
      free(h);
    }
    if (nrequests == 0) die("tokens file has no tokens");
  } else {
    requests = malloc(sizeof(Req));
    char h[20010];
    snprintf(h, sizeof h, "%s\r\n", head);
    set_request(&requests[0], h, body, body_len);
    nrequests = 1;
  }

  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  long warmup_count = (long)(rate * warmup + 0.5);
  total = warmup_count + (long)(rate * duration + 0.5);
  if (total < 1) total = 1;
  latencies = malloc(sizeof(double) * (size_t)total);
  lags = malloc(sizeof(double) * (size_t)total);
  wq_cap = max_inflight + connections + 1;
  waiting = malloc(sizeof(int64_t) * (size_t)wq_cap);
  iq_cap = (long)connections * 4 + 1;
  idle = malloc(sizeof(int) * (size_t)iq_cap);
  if (timeline_file) offsets = malloc(sizeof(double) * (size_t)total);
  if (!latencies || !lags || !waiting || !idle || (timeline_file && !offsets)) die("out of memory");
  epfd = epoll_create1(0);
  if (epfd < 0) die("epoll_create1");

  // Open the connections first (not measured) and send one unrecorded request on each.
  nconns = connections;
  conns = calloc((size_t)nconns, sizeof(Conn));
  for (int i = 0; i < nconns; i++) {
    conn_open(&conns[i]);
    if (conns[i].fd < 0) die("cannot connect");
    idle_push(i);
  }
  for (int i = 0; i < nconns; i++) submit(INT64_MIN);
  int64_t probe_deadline = now_ns() + 10000000000LL;
  while (inflight > 0 && now_ns() < probe_deadline) poll_once(5000000);

  interval_ns = 1e9 / rate;
  start_ns = now_ns();
  measure_ns = start_ns + (int64_t)(warmup * 1e9);
  while (sent < total) {
    send_due_now();
    if (sent >= total) break;
    int64_t next = start_ns + (int64_t)(sent * interval_ns);
    int64_t wait = next - now_ns();
    poll_once(wait > 0 ? wait : 0);
  }
  int64_t send_end = now_ns();
  int64_t drain_deadline = send_end + (int64_t)(drain_timeout * 1e9);
  while (inflight > 0) {
    int64_t left = drain_deadline - now_ns();
    if (left <= 0) break;
    poll_once(left < 5000000 ? left : 5000000);
  }
  int64_t end = now_ns();
  long timed_out = inflight;
  finished = 1;

  if (timeline_file) {
    // One line per recorded request, in completion order: scheduled time (ms from the start of
    // measurement) and latency (ms). Lets slow requests be matched to moments of the run.
    FILE *f = fopen(timeline_file, "w");
    if (!f) die("cannot write --timeline file");
    for (long i = 0; i < completed; i++) fprintf(f, "%.3f %.3f\n", offsets[i], latencies[i]);
    fclose(f);
  }
  qsort(latencies, (size_t)completed, sizeof(double), cmp_double);
  qsort(lags, (size_t)nlags, sizeof(double), cmp_double);
  double measured_s = (double)(end - measure_ns) / 1e9;
  printf("{\"tool\":\"openloop-c\",\"targetRate\":%.0f,\"sent\":%ld,\"completed\":%ld,\"errors\":%ld,\"non2xx\":%ld,"
         "\"dropped\":%ld,\"timedOut\":%ld,\"bytes\":%lld,\"sendSeconds\":%.4f,\"rps\":%.2f,",
         rate, sent - warmup_count, completed, errors, non2xx, dropped, timed_out, bytes,
         (double)(send_end - measure_ns) / 1e9, measured_s > 0 ? (double)completed / measured_s : 0);
  print_num("p50", pct(latencies, completed, 50), 0);
  print_num("p90", pct(latencies, completed, 90), 0);
  print_num("p99", pct(latencies, completed, 99), 0);
  print_num("max", completed ? latencies[completed - 1] : -1, 0);
  print_num("lagP50", pct(lags, nlags, 50), 0);
  print_num("lagP99", pct(lags, nlags, 99), 1);
  printf("}\n");
  return 0;
}
