/* A line writer to a network socket for faceattrjson's `location`:
 *
 *   udp://HOST:PORT  one datagram per JSON line (no reply needed, lossy);
 *   tcp://HOST:PORT  a stream of newline-terminated lines; reconnects when
 *                    the peer goes away, dropping lines until it is back.
 *
 * HOST may be a name, an IPv4 address or a bracketed IPv6 address. Writes
 * never block the streaming thread for more than about a second: a stalled
 * TCP reader is treated as gone. Not thread-safe: one writer per element. */
#ifndef FA_JSON_SINK_SOCKET_H
#define FA_JSON_SINK_SOCKET_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct FaJsonSocket FaJsonSocket;

#define FA_JSON_SOCKET_ERROR (fa_json_socket_error_quark ())
GQuark fa_json_socket_error_quark (void);

/* TRUE when `location` names a socket (udp:// or tcp://) rather than a file. */
gboolean fa_json_socket_is_location (const gchar * location);

/* Parses the location and connects. For TCP the first connection must
 * succeed (a typo should fail at start, not silently drop every line). */
FaJsonSocket *fa_json_socket_open (const gchar * location, GError ** error);

/* Sends one line; a trailing '\n' is added when `line` lacks one. len < 0
 * means NUL-terminated. Returns FALSE with `error` set when the line was
 * dropped (UDP send error, TCP peer gone and not yet back); the writer stays
 * usable and a later write retries the connection. */
gboolean fa_json_socket_write_line (FaJsonSocket * sock, const gchar * line,
    gssize len, GError ** error);

/* Lines dropped so far (failed writes). */
guint64 fa_json_socket_dropped (const FaJsonSocket * sock);

void fa_json_socket_close (FaJsonSocket * sock);

G_END_DECLS

#endif /* FA_JSON_SINK_SOCKET_H */
