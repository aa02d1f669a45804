#!/usr/bin/python3
"""hyperbin's request-header deadline and idle timeout (HOSTILE-PEERS,
server role, "Slow-loris request headers").

Starts hyperbin (examples/hyperbin.c) on a free loopback port with
--header-timeout 1 --idle-timeout 2, stops it by PID, and checks over raw
sockets (frames built here, header blocks with Debian's python3-hpack):

  slowloris   preface and SETTINGS at once, then a HEADERS frame one octet
              every 100 ms (8+ s to finish): GOAWAY(ENHANCE_YOUR_CALM) and
              a close before the frame is complete, about 1 s after its
              first octet (a trickle does not extend the deadline).
              Meanwhile a second client gets 200 for GET /get from the same
              hyperbin (one poll loop, not blocked by the slow client).
  control     the same request at normal speed: 200.
  silent      a connection that sends nothing: SETTINGS, GOAWAY(ENHANCE_
              YOUR_CALM) and a close (the preface deadline runs from accept).
  slow_preface the preface one octet every 100 ms: closed before it is
              complete.
  idle        preface and SETTINGS, then nothing: GOAWAY(NO_ERROR) and a
              close after the idle timeout, not the header one.
  http1       an HTTP/1.1 request head one octet every 100 ms: 408 and a
              close.

Every wait has a deadline; the whole run takes about 6 s. Exit status 0
when every case passes. --header-timeout 0 (passed to hyperbin) turns the
deadline off: the slowloris, silent, slow_preface and http1 cases must
then fail (the check that this test can fail).

usage: hyperbin_slowloris.py --server PATH [--header-timeout S]
"""
import argparse
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

import hpack

DATA, HEADERS, SETTINGS, GOAWAY = 0, 1, 4, 7
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
NO_ERROR, ENHANCE_YOUR_CALM = 0x0, 0xb
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


class Fail(Exception):
    pass


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False

    def send(self, b):
        self.s.sendall(b)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        r, _, _ = select.select([self.s], [], [], left)
        if not r:
            return False
        try:
            d = self.s.recv(65536)
        except ConnectionResetError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def frame(self, deadline):
        """The next frame (type, flags, sid, payload), or None on EOF or
        at the deadline (self.eof tells which)."""
        while True:
            if len(self.buf) >= 9:
                n = struct.unpack(">I", b"\0" + self.buf[:3])[0]
                if len(self.buf) >= 9 + n:
                    f = (self.buf[3], self.buf[4],
                         struct.unpack(">I", self.buf[5:9])[0] & 0x7fffffff,
                         self.buf[9:9 + n])
                    self.buf = self.buf[9 + n:]
                    if f[0] == SETTINGS and not f[1] & ACK:
                        try:
                            self.send(frame(SETTINGS, ACK, 0))
                        except OSError:
                            pass
                    return f
            if not self._fill(deadline):
                return None

    def wait_goaway_close(self, deadline):
        """Reads until EOF: returns the GOAWAY error code seen (None if
        none). Raises Fail when the deadline passes first."""
        code = None
        while True:
            f = self.frame(deadline)
            if f is None:
                if not self.eof:
                    raise Fail("not closed in time")
                return code
            if f[0] == GOAWAY and len(f[3]) >= 8:
                code = struct.unpack(">I", f[3][4:8])[0]

    def status(self, sid, deadline):
        dec = hpack.Decoder()
        while True:
            f = self.frame(deadline)
            if f is None:
                raise Fail("no response (%s)" % ("closed" if self.eof
                                                  else "timeout"))
            if f[0] == HEADERS and f[2] == sid:
                return dict(dec.decode(f[3])).get(":status")

    def close(self):
        self.s.close()


def request_block(port, pad):
    enc = hpack.Encoder()
    return enc.encode([(":method", "GET"), (":scheme", "http"),
                       (":authority", "127.0.0.1:%d" % port),
                       (":path", "/get?slow=%s" % pad),
                       ("user-agent", "slowloris/1.0 (hyper test)"),
                       ("x-pad", pad)], huffman=False)


def start(server, args):
    p = subprocess.Popen([server, "--port", "0"] + args,
                         stdout=subprocess.PIPE, stderr=sys.stderr)
    r, _, _ = select.select([p.stdout], [], [], 10)
    line = p.stdout.readline().decode() if r else ""
    if not line.startswith("listening on http://127.0.0.1:"):
        p.kill()
        p.wait()
        raise RuntimeError("hyperbin did not start: %r" % line)
    return p, int(line.rsplit(":", 1)[1].strip().rstrip("/"))


def handshake(port):
    c = Conn(port)
    c.send(PREFACE + frame(SETTINGS, 0, 0))
    return c


def normal_get(port):
    c = handshake(port)
    c.send(frame(HEADERS, END_HEADERS | END_STREAM, 1,
                 request_block(port, "no")))
    st = c.status(1, time.monotonic() + 5)
    c.close()
    return st


def case_control(port, hto):
    st = normal_get(port)
    if st != "200":
        raise Fail("status %r" % st)


def case_slowloris(port, hto):
    c = handshake(port)
    # let hyperbin take the preface and SETTINGS: the header block's own
    # deadline is measured below, not the preface's
    f = c.frame(time.monotonic() + 5)
    if f is None or f[0] != SETTINGS:
        raise Fail("no SETTINGS from the server")
    blk = frame(HEADERS, END_HEADERS | END_STREAM, 1,
                request_block(port, "x" * 40))
    t0 = time.monotonic()
    sent, other = 0, None
    for i, b in enumerate(blk):
        try:
            c.send(bytes([b]))
        except OSError:
            break  # closed by the server
        sent += 1
        if i == 3:  # mid-header: another client is served meanwhile
            other = normal_get(port)
        r, _, _ = select.select([c.s], [], [], 0.1)
        if r and not c._fill(time.monotonic() + 0.1) and c.eof:
            break
    elapsed = time.monotonic() - t0
    if other != "200":
        raise Fail("the second client got %r while the first was slow" % other)
    code = c.wait_goaway_close(time.monotonic() + 3)
    c.close()
    if sent >= len(blk):
        raise Fail("the whole HEADERS frame (%d octets, %.1f s) was taken"
                   % (len(blk), elapsed))
    if code != ENHANCE_YOUR_CALM:
        raise Fail("GOAWAY code %r, expected ENHANCE_YOUR_CALM" % code)
    if elapsed > hto + 2.5:
        raise Fail("closed after %.1f s, deadline %.1f s" % (elapsed, hto))
    print("    %d of %d octets sent, closed after %.2f s"
          % (sent, len(blk), elapsed))


def case_silent(port, hto):
    c = Conn(port)
    t0 = time.monotonic()
    code = c.wait_goaway_close(t0 + hto + 2.5)
    c.close()
    if code != ENHANCE_YOUR_CALM:
        raise Fail("GOAWAY code %r, expected ENHANCE_YOUR_CALM" % code)
    print("    closed after %.2f s" % (time.monotonic() - t0))


def case_slow_preface(port, hto):
    c = Conn(port)
    t0 = time.monotonic()
    data = PREFACE + frame(SETTINGS, 0, 0)
    sent = 0
    for b in data:
        try:
            c.send(bytes([b]))
        except OSError:
            break
        sent += 1
        r, _, _ = select.select([c.s], [], [], 0.1)
        if r and not c._fill(time.monotonic() + 0.1) and c.eof:
            break
        if time.monotonic() - t0 > hto + 2.5:
            break
    c.wait_goaway_close(time.monotonic() + 3)
    c.close()
    if sent >= len(data):
        raise Fail("the whole preface and SETTINGS were taken")
    print("    %d of %d octets sent, closed after %.2f s"
          % (sent, len(data), time.monotonic() - t0))


def case_idle(port, hto, idle):
    c = handshake(port)
    t0 = time.monotonic()
    code = c.wait_goaway_close(t0 + idle + 2.5)
    el = time.monotonic() - t0
    c.close()
    if code != NO_ERROR:
        raise Fail("GOAWAY code %r, expected NO_ERROR" % code)
    if el < idle - 0.3:
        raise Fail("closed after %.2f s, before the idle timeout" % el)
    print("    closed after %.2f s" % el)


def case_http1(port, hto):
    c = Conn(port)
    head = (b"GET /get HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, "
            b"HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQA"
            b"AP__\r\nUser-Agent: slowloris/1.0\r\n\r\n")
    t0 = time.monotonic()
    sent = 0
    for b in head:
        try:
            c.send(bytes([b]))
        except OSError:
            break
        sent += 1
        r, _, _ = select.select([c.s], [], [], 0.1)
        if r:
            c._fill(time.monotonic() + 0.1)
            if c.buf or c.eof:
                break
    while not c.eof and c._fill(time.monotonic() + 3):
        pass
    c.close()
    if sent >= len(head):
        raise Fail("the whole HTTP/1.1 head was taken")
    if not c.buf.startswith(b"HTTP/1.1 408 "):
        raise Fail("answer %r, expected 408" % c.buf[:40])
    print("    %d of %d octets sent, 408 after %.2f s"
          % (sent, len(head), time.monotonic() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--header-timeout", type=float, default=1.0)
    a = ap.parse_args()
    hto, idle = a.header_timeout, 2.0
    proc, port = start(a.server, ["--header-timeout", str(hto),
                                  "--idle-timeout", str(idle)])
    failed = 0
    t0 = time.monotonic()
    try:
        cases = [("control", lambda: case_control(port, hto)),
                 ("slowloris", lambda: case_slowloris(port, hto)),
                 ("silent", lambda: case_silent(port, hto)),
                 ("slow_preface", lambda: case_slow_preface(port, hto)),
                 ("idle", lambda: case_idle(port, hto, idle)),
                 ("http1", lambda: case_http1(port, hto))]
        for name, fn in cases:
            try:
                fn()
                print("ok   %s" % name)
            except (Fail, OSError) as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
            if proc.poll() is not None:
                print("FAIL hyperbin exited (%d)" % proc.returncode)
                return 1
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print("%d case(s) failed, %.1f s" % (failed, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
