/* Socket output for faceattrjson: see fa-json-sink-socket.h. Plain POSIX
 * sockets so that the plugin needs nothing beyond GLib. */
#include "fa-json-sink-socket.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* How long a send may block before the peer counts as stalled, and how
 * often a lost TCP peer is retried (so a dead reader does not cost a
 * connect() per frame). */
#define SEND_TIMEOUT_MS 1000
#define RECONNECT_INTERVAL_US (G_USEC_PER_SEC)

struct FaJsonSocket {
  gchar *location;
  gchar *host;
  gchar *port;
  gboolean tcp;
  int fd;                   /* -1 while disconnected */
  gint64 next_reconnect_us; /* monotonic time of the next allowed retry */
  guint64 dropped;
};

G_DEFINE_QUARK (fa-json-socket-error-quark, fa_json_socket_error)

gboolean
fa_json_socket_is_location (const gchar * location)
{
  return location != NULL && (g_str_has_prefix (location, "udp://")
      || g_str_has_prefix (location, "tcp://"));
}

/* Splits "HOST:PORT" or "[V6]:PORT"; a trailing '/' is tolerated. */
static gboolean
parse_host_port (const gchar * rest, gchar ** host, gchar ** port)
{
  const gchar *colon, *end;
  if (rest[0] == '[') {
    const gchar *close = strchr (rest, ']');
    if (close == NULL || close[1] != ':')
      return FALSE;
    *host = g_strndup (rest + 1, close - rest - 1);
    colon = close + 1;
  } else {
    colon = strrchr (rest, ':');
    if (colon == NULL || colon == rest)
      return FALSE;
    *host = g_strndup (rest, colon - rest);
  }
  end = colon + 1;
  while (g_ascii_isdigit (*end))
    end++;
  if (end == colon + 1 || (*end != '\0' && strcmp (end, "/") != 0)
      || atoi (colon + 1) <= 0 || atoi (colon + 1) > 65535) {
    g_clear_pointer (host, g_free);
    return FALSE;
  }
  *port = g_strndup (colon + 1, end - colon - 1);
  return TRUE;
}

static int
connect_socket (FaJsonSocket * s, GError ** error)
{
  struct addrinfo hints, *res = NULL, *ai;
  int fd = -1, rc, last_errno = 0;
  struct timeval tv = { SEND_TIMEOUT_MS / 1000, (SEND_TIMEOUT_MS % 1000) * 1000 };

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = s->tcp ? SOCK_STREAM : SOCK_DGRAM;
  rc = getaddrinfo (s->host, s->port, &hints, &res);
  if (rc != 0) {
    g_set_error (error, FA_JSON_SOCKET_ERROR, 0, "%s: cannot resolve host '%s': %s",
        s->location, s->host, gai_strerror (rc));
    return -1;
  }
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    /* SO_SNDTIMEO also bounds connect() on Linux. */
    setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
      break;
    last_errno = errno;
    close (fd);
    fd = -1;
  }
  freeaddrinfo (res);
  if (fd < 0)
    g_set_error (error, FA_JSON_SOCKET_ERROR, 0, "%s: cannot connect: %s",
        s->location, g_strerror (last_errno));
  return fd;
}

FaJsonSocket *
fa_json_socket_open (const gchar * location, GError ** error)
{
  FaJsonSocket *s;

  if (!fa_json_socket_is_location (location)) {
    g_set_error (error, FA_JSON_SOCKET_ERROR, 0,
        "'%s' is not a socket location (expected udp://HOST:PORT or tcp://HOST:PORT)",
        location ? location : "(null)");
    return NULL;
  }
  s = g_new0 (FaJsonSocket, 1);
  s->location = g_strdup (location);
  s->tcp = g_str_has_prefix (location, "tcp://");
  if (!parse_host_port (location + 6, &s->host, &s->port)) {
    g_set_error (error, FA_JSON_SOCKET_ERROR, 0,
        "'%s': expected HOST:PORT after the scheme, with PORT 1..65535", location);
    fa_json_socket_close (s);
    return NULL;
  }
  s->fd = connect_socket (s, error);
  if (s->fd < 0) {
    fa_json_socket_close (s);
    return NULL;
  }
  return s;
}

static gboolean
send_all (int fd, const gchar * data, gsize len)
{
  while (len > 0) {
    /* MSG_NOSIGNAL: a closed peer must give EPIPE, not kill the process. */
    ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return FALSE;
    }
    data += n;
    len -= (gsize) n;
  }
  return TRUE;
}

gboolean
fa_json_socket_write_line (FaJsonSocket * s, const gchar * line, gssize len,
    GError ** error)
{
  gboolean ok;
  gsize n;

  g_return_val_if_fail (s != NULL && line != NULL, FALSE);
  n = len < 0 ? strlen (line) : (gsize) len;

  if (s->fd < 0) {
    gint64 now = g_get_monotonic_time ();
    if (now < s->next_reconnect_us) {
      s->dropped++;
      g_set_error (error, FA_JSON_SOCKET_ERROR, 0, "%s: not connected; line dropped",
          s->location);
      return FALSE;
    }
    s->fd = connect_socket (s, error);
    if (s->fd < 0) {
      s->next_reconnect_us = now + RECONNECT_INTERVAL_US;
      s->dropped++;
      return FALSE;
    }
  }

  if (s->tcp) {
    ok = send_all (s->fd, line, n);
    if (ok && (n == 0 || line[n - 1] != '\n'))
      ok = send_all (s->fd, "\n", 1);
  } else {
    /* One datagram per line, newline included, so `nc -ul` shows lines. */
    gchar *msg = NULL;
    const gchar *data = line;
    gsize size = n;
    if (n == 0 || line[n - 1] != '\n') {
      msg = g_malloc (n + 1);
      memcpy (msg, line, n);
      msg[n] = '\n';
      data = msg;
      size = n + 1;
    }
    /* No listener on a connected UDP socket gives ECONNREFUSED on a later
     * send: count the line as dropped but keep the socket. */
    ok = send (s->fd, data, size, MSG_NOSIGNAL) == (ssize_t) size;
    g_free (msg);
    if (!ok) {
      s->dropped++;
      g_set_error (error, FA_JSON_SOCKET_ERROR, 0, "%s: send failed: %s",
          s->location, g_strerror (errno));
      return FALSE;
    }
    return TRUE;
  }

  if (!ok) {
    g_set_error (error, FA_JSON_SOCKET_ERROR, 0, "%s: peer gone (%s); reconnecting",
        s->location, g_strerror (errno));
    close (s->fd);
    s->fd = -1;
    s->next_reconnect_us = g_get_monotonic_time () + RECONNECT_INTERVAL_US;
    s->dropped++;
  }
  return ok;
}

guint64
fa_json_socket_dropped (const FaJsonSocket * s)
{
  return s ? s->dropped : 0;
}

void
fa_json_socket_close (FaJsonSocket * s)
{
  if (s == NULL)
    return;
  if (s->fd >= 0)
    close (s->fd);
  g_free (s->location);
  g_free (s->host);
  g_free (s->port);
  g_free (s);
}
