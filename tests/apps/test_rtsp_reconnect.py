#!/usr/bin/python3
"""faceattr-rtsp keeps watching a camera that goes away: the RTSP server is
killed and started again on the same port (three times), and once frozen
(SIGSTOP: connected but silent, so only the watchdog can notice). Each time
results must flow again within RESUME_S seconds of the server being back,
and after the reconnects the process must hold no more threads or file
descriptors than after its first connection (small slack for GLib's thread
pool). Uses the contract mock element (faceattrmock): this tests the
application, not the networks, and keeps the shared CPU free."""
import os
import signal
import subprocess
import sys
import threading
import time

from apps_testlib import BUILD_ROOT, RtspServer, free_port, wait_for

RESUME_S = 10
WATCHDOG_S = 2
SLACK = 2


class Watcher:
    """faceattr-rtsp in a subprocess; counts its output lines as they come."""

    def __init__(self, url):
        exe = os.path.join(BUILD_ROOT, "pipelines", "faceattr-rtsp")
        self.proc = subprocess.Popen(
            [exe, "--element", "faceattrmock", "--protocols", "tcp", "--watchdog",
             str(WATCHDOG_S), "--max-backoff", "2", "--latency", "100", "lobby=" + url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = 0
        self.bad = []
        self.log = []
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.proc.stdout:
            if not line.startswith('{"camera":"lobby",'):
                self.bad.append(line)
            self.lines += 1

    def _read_err(self):
        for line in self.proc.stderr:
            self.log.append(line.rstrip())

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.proc.pid))

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def wait_new_lines(self, timeout, count=5):
        start = self.lines
        return wait_for(lambda: self.lines >= start + count, timeout)


def settle(watcher):
    """Counts once the connection is steady (a few more frames)."""
    watcher.wait_new_lines(5, 10)
    return watcher.threads(), watcher.fds(), watcher.rss_kb()


def main():
    port = free_port()
    args = ("--fps", "10", "--width", "320", "--height", "180")
    server = RtspServer(*args, port=port)
    watcher = Watcher(server.url())
    failures = 0
    try:
        if not watcher.wait_new_lines(20):
            print("FAIL: no results from the first connection")
            return 1
        threads0, fds0, rss0 = settle(watcher)
        print("after the first connection: %d threads, %d fds, %d kB resident"
              % (threads0, fds0, rss0))

        for cycle in range(3):
            server.stop(kill=True)
            time.sleep(1.5)  # gone for a while: the client sees errors and backs off
            server = RtspServer(*args, port=port)
            t0 = time.monotonic()
            ok = watcher.wait_new_lines(RESUME_S)
            print("restart %d: results %s (%.1f s after the server was back)"
                  % (cycle + 1, "resumed" if ok else "did NOT resume", time.monotonic() - t0))
            failures += not ok

        # Connected but silent: only the watchdog can notice.
        server.proc.send_signal(signal.SIGSTOP)
        time.sleep(WATCHDOG_S + 1.5)
        server.proc.send_signal(signal.SIGCONT)
        t0 = time.monotonic()
        ok = watcher.wait_new_lines(RESUME_S)
        print("freeze: results %s (%.1f s after the server resumed)"
              % ("resumed" if ok else "did NOT resume", time.monotonic() - t0))
        failures += not ok
        if not any("no data for" in line for line in watcher.log):
            print("FAIL: the watchdog never fired during the freeze")
            failures += 1

        threads1, fds1, rss1 = settle(watcher)
        print("after 4 reconnects: %d threads, %d fds, %d kB resident (not asserted: "
              "allocator caches)" % (threads1, fds1, rss1))
        if threads1 > threads0 + SLACK or fds1 > fds0 + SLACK:
            print("FAIL: threads or fds grew (leak)")
            failures += 1
        if watcher.bad:
            print("FAIL: unexpected output lines: %r" % watcher.bad[:3])
            failures += 1
    finally:
        watcher.proc.send_signal(signal.SIGTERM)
        try:
            rc = watcher.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            watcher.proc.kill()
            rc = "hung"
        server.stop()
    if rc != 0:
        print("FAIL: faceattr-rtsp exit status %s on SIGTERM" % rc)
        failures += 1
    print("%d results in all; log:\n  %s" % (watcher.lines, "\n  ".join(watcher.log[-12:])))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
