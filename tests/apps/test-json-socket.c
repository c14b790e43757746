/* faceattrjson's socket writer against real loopback sockets: UDP datagrams,
 * TCP lines, a TCP reader that goes away and comes back, bad locations. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fa-json-sink-socket.h"

static int failures;

#define CHECK(cond) do { \
    if (!(cond)) { \
      fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++; \
    } \
  } while (0)

/* A loopback socket bound to `port` (0: any free port); returns the fd and
 * the bound port. */
static int
bind_loopback (int type, int *port)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int one = 1, fd = socket (AF_INET, type, 0);
  memset (&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  a.sin_port = htons ((uint16_t) * port);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &a, sizeof a) != 0) {
    perror ("bind");
    close (fd);
    return -1;
  }
  if (type == SOCK_STREAM)
    listen (fd, 4);
  getsockname (fd, (struct sockaddr *) &a, &len);
  *port = ntohs (a.sin_port);
  return fd;
}

/* Reads with a deadline so that a broken writer fails the test, not hangs it. */
static ssize_t
recv_timeout (int fd, char *buf, size_t size, int timeout_ms)
{
  struct pollfd p = { fd, POLLIN, 0 };
  if (poll (&p, 1, timeout_ms) <= 0)
    return -1;
  return recv (fd, buf, size, 0);
}

static void
test_udp (void)
{
  int port = 0, fd = bind_loopback (SOCK_DGRAM, &port);
  gchar *loc = g_strdup_printf ("udp://127.0.0.1:%d", port);
  GError *err = NULL;
  FaJsonSocket *s = fa_json_socket_open (loc, &err);
  char buf[256];
  ssize_t n;

  CHECK (s != NULL);
  if (s == NULL) {
    fprintf (stderr, "open %s: %s\n", loc, err->message);
    g_clear_error (&err);
    goto out;
  }
  CHECK (fa_json_socket_write_line (s, "{\"frame\":0}", -1, NULL));
  CHECK (fa_json_socket_write_line (s, "{\"frame\":1}\n", -1, NULL));
  n = recv_timeout (fd, buf, sizeof buf - 1, 2000);
  CHECK (n == 12 && memcmp (buf, "{\"frame\":0}\n", 12) == 0);
  n = recv_timeout (fd, buf, sizeof buf - 1, 2000);
  CHECK (n == 12 && memcmp (buf, "{\"frame\":1}\n", 12) == 0);
  CHECK (fa_json_socket_dropped (s) == 0);
  fa_json_socket_close (s);
out:
  g_free (loc);
  close (fd);
}

/* Reads until `want` bytes arrived or the deadline passed. */
static gsize
read_lines (int fd, char *buf, gsize want, int timeout_ms)
{
  gsize got = 0;
  while (got < want) {
    ssize_t n = recv_timeout (fd, buf + got, want - got, timeout_ms);
    if (n <= 0)
      break;
    got += (gsize) n;
  }
  return got;
}

static void
test_tcp_reconnect (void)
{
  int port = 0, lfd = bind_loopback (SOCK_STREAM, &port), cfd;
  gchar *loc = g_strdup_printf ("tcp://127.0.0.1:%d", port);
  GError *err = NULL;
  FaJsonSocket *s = fa_json_socket_open (loc, &err);
  char buf[256];
  int i, delivered = 0;

  CHECK (s != NULL);
  if (s == NULL) {
    fprintf (stderr, "open %s: %s\n", loc, err->message);
    g_clear_error (&err);
    close (lfd);
    g_free (loc);
    return;
  }
  cfd = accept (lfd, NULL, NULL);
  CHECK (fa_json_socket_write_line (s, "{\"a\":1}", -1, NULL));
  CHECK (fa_json_socket_write_line (s, "{\"b\":2}\n", 8, NULL));
  CHECK (read_lines (cfd, buf, 16, 2000) == 16 && memcmp (buf, "{\"a\":1}\n{\"b\":2}\n", 16) == 0);

  /* The reader goes away: writes fail (after the kernel notices) and are
   * counted as dropped; the writer must not raise SIGPIPE. */
  close (cfd);
  close (lfd);
  for (i = 0; i < 5 && fa_json_socket_write_line (s, "{\"lost\":1}", -1, NULL); i++)
    g_usleep (20000);
  CHECK (i < 5);
  CHECK (fa_json_socket_dropped (s) >= 1);

  /* It comes back on the same port: within a few seconds lines arrive again,
   * each one whole. */
  lfd = bind_loopback (SOCK_STREAM, &port);
  CHECK (lfd >= 0);
  for (i = 0; i < 40 && !delivered; i++) {
    g_usleep (100000);
    delivered = fa_json_socket_write_line (s, "{\"back\":1}", -1, NULL);
  }
  CHECK (delivered);
  if (delivered && lfd >= 0) {
    cfd = accept (lfd, NULL, NULL);
    CHECK (read_lines (cfd, buf, 11, 2000) == 11 && memcmp (buf, "{\"back\":1}\n", 11) == 0);
    close (cfd);
  }
  fa_json_socket_close (s);
  if (lfd >= 0)
    close (lfd);
  g_free (loc);
}

static void
test_bad_locations (void)
{
  static const char *bad[] = { "tcp://127.0.0.1", "udp://127.0.0.1:0", "tcp://:80",
    "udp://127.0.0.1:99999", "tcp://[::1:80", "file.json", "udp://127.0.0.1:80x"
  };
  GError *err = NULL;
  int port = 0, fd;
  gchar *loc;
  guint i;

  CHECK (fa_json_socket_is_location ("udp://h:1") && fa_json_socket_is_location ("tcp://h:1"));
  CHECK (!fa_json_socket_is_location ("/tmp/out.json") && !fa_json_socket_is_location (NULL));
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    FaJsonSocket *s = fa_json_socket_open (bad[i], &err);
    CHECK (s == NULL && err != NULL);
    if (s != NULL)
      fprintf (stderr, "accepted a bad location: %s\n", bad[i]);
    fa_json_socket_close (s);
    g_clear_error (&err);
  }
  /* Nobody listens: the TCP open fails and says so. Take a free port, close it. */
  fd = bind_loopback (SOCK_STREAM, &port);
  close (fd);
  loc = g_strdup_printf ("tcp://127.0.0.1:%d", port);
  CHECK (fa_json_socket_open (loc, &err) == NULL);
  CHECK (err != NULL && strstr (err->message, "cannot connect") != NULL);
  g_clear_error (&err);
  g_free (loc);
  /* (No unresolvable-name case: without a network the resolver may wait
   * for DNS timeouts, and the test must not depend on that.) */
}

int
main (void)
{
  test_bad_locations ();
  test_udp ();
  test_tcp_reconnect ();
  if (failures == 0)
    printf ("json-socket: all checks passed\n");
  return failures ? 1 : 0;
}
