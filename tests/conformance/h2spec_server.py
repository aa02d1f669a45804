#!/usr/bin/python3
"""Server-role conformance suite for hyperbin: the h2spec case list.

h2spec (github.com/summerwind/h2spec) is not packaged in Debian, so this
script re-implements its server test cases as a table-driven raw-frame client
over a socket: 146 cases in the groups generic (44), http2 (95) and hpack (7),
plus h2spec's two "strict" cases (run with --strict) and one case of
hyperbin's own, the h2c Upgrade of RFC 7540 §3.2 (run with --extra).
Every case opens a new connection, performs h2spec's handshake (preface,
SETTINGS, ACKs both ways), writes the frames the h2spec case writes (built
here byte by byte; header blocks with python3-hpack, a stateful encoder per
connection as h2spec's conn.EncodeHeaders) and asserts the result h2spec
expects, with a deadline per wait:

  conn_error(codes)   GOAWAY with one of |codes|, or the connection closed
                      without a GOAWAY (RFC 9113 §5.4.1 makes GOAWAY a
                      SHOULD).  Unlike h2spec, a GOAWAY with a different
                      code fails even when the close follows.
  stream_error(codes) RST_STREAM or GOAWAY with one of |codes|, or a close;
                      a RST_STREAM/GOAWAY with another code fails.
  headers(sid), event(type), ping_ack(data), ping_or_close(data),
  close(), stream_close(), data_len(1): as h2spec's verifiers.

The script starts the server itself (free port, its "listening on URL"
line), over h2c and/or TLS (a throwaway certificate made with the openssl
CLI), stops it by PID and prints one line per case and a summary.  Cases
listed with --xfail are expected to fail (a known defect, reported in the
summary); the exit status is 1 when any other case fails or an xfail case
passes unexpectedly (so that the list is kept honest).

usage: h2spec_server.py --server PATH [--tls|--h2c|--both] [--strict]
                        [--extra] [--timeout SECS] [--xfail ID ...] [--only ID-PREFIX]
                        [--verbose] [--list]
"""
import argparse
import base64
import os
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

import hpack

# ---- frame constants (RFC 9113 §6) --------------------------------------
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, \
    WINDOW_UPDATE, CONTINUATION = range(10)
TYPE_NAMES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM",
              4: "SETTINGS", 5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY",
              8: "WINDOW_UPDATE", 9: "CONTINUATION"}
END_STREAM, ACK, END_HEADERS, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, \
    SETTINGS_TIMEOUT, STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, \
    CANCEL, COMPRESSION_ERROR = range(10)
ERR_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR",
             3: "FLOW_CONTROL_ERROR", 4: "SETTINGS_TIMEOUT",
             5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM",
             8: "CANCEL", 9: "COMPRESSION_ERROR"}
S_HEADER_TABLE_SIZE, S_ENABLE_PUSH, S_MAX_CONCURRENT_STREAMS, \
    S_INITIAL_WINDOW_SIZE, S_MAX_FRAME_SIZE, S_MAX_HEADER_LIST_SIZE = range(1, 7)
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_HEADER_LEN = 4000  # h2spec's default --max-header-length


def ename(code):
    return ERR_NAMES.get(code, "0x%x" % code)


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class Ev:
    """A received frame, or the connection closing, or a timeout."""

    def __init__(self, kind, ftype=None, flags=0, sid=0, payload=b""):
        self.kind, self.type, self.flags, self.sid, self.payload = \
            kind, ftype, flags, sid, payload

    def code(self):
        if self.type == RST_STREAM and len(self.payload) >= 4:
            return struct.unpack(">I", self.payload[:4])[0]
        if self.type == GOAWAY and len(self.payload) >= 8:
            return struct.unpack(">I", self.payload[4:8])[0]
        return None

    def __str__(self):
        if self.kind != "frame":
            return self.kind
        name = TYPE_NAMES.get(self.type, "type 0x%x" % self.type)
        s = "%s (length:%d, flags:0x%02x, stream_id:%d" % (
            name, len(self.payload), self.flags, self.sid)
        if self.type in (RST_STREAM, GOAWAY):
            s += ", error:%s" % ename(self.code())
        return s + ")"


class Conn:
    def __init__(self, cfg):
        self.cfg = cfg
        raw = socket.create_connection(("127.0.0.1", cfg.port), timeout=5)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if cfg.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            raw = ctx.wrap_socket(raw, server_hostname="localhost")
            if raw.selected_alpn_protocol() != "h2":
                raise Fail("ALPN did not select h2")
        raw.setblocking(False)
        self.sock = raw
        self.buf = b""
        self.closed = False
        self.enc = hpack.Encoder()
        self.settings = {}
        self.max_frame = 16384
        self.note = ""  # how an accepted error was signalled, if notable

    # -- sending --------------------------------------------------------
    def send(self, data):
        if self.cfg.verbose:
            print("    send %d octets: %s%s" % (len(data), data[:24].hex(),
                                               "..." if len(data) > 24 else ""))
        if self.closed:
            return
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        except OSError:
            pass  # the peer may have closed already; reading will tell
        finally:
            self.sock.setblocking(False)

    def encode(self, fields):
        return self.enc.encode(fields)

    def headers(self, sid, block, end_stream=True, end_headers=True,
                pad=None, prio=None):
        flags = (END_STREAM if end_stream else 0) | \
            (END_HEADERS if end_headers else 0)
        payload = b""
        if pad is not None:
            flags |= PADDED
            payload += bytes([pad])
        if prio is not None:
            dep, excl, weight = prio
            flags |= PRIO
            payload += struct.pack(">IB", dep | (0x80000000 if excl else 0),
                                   weight)
        payload += block + b"\0" * (pad or 0)
        self.send(frame(HEADERS, flags, sid, payload))

    def data(self, sid, body, end_stream=True, pad=None):
        flags = END_STREAM if end_stream else 0
        if pad is not None:
            flags |= PADDED
            body = bytes([len(pad)]) + body + pad
        self.send(frame(DATA, flags, sid, body))

    def continuation(self, sid, block, end_headers=True):
        self.send(frame(CONTINUATION, END_HEADERS if end_headers else 0, sid,
                        block))

    def priority(self, sid, dep=0, excl=False, weight=255):
        self.send(frame(PRIORITY, 0, sid, struct.pack(
            ">IB", dep | (0x80000000 if excl else 0), weight)))

    def rst(self, sid, code):
        self.send(frame(RST_STREAM, 0, sid, struct.pack(">I", code)))

    def settings_frame(self, *pairs):
        self.send(frame(SETTINGS, 0, 0, b"".join(
            struct.pack(">HI", k, v) for k, v in pairs)))

    def ping(self, data=b"\0" * 8, ack=False):
        self.send(frame(PING, ACK if ack else 0, 0, data))

    def goaway(self, last, code, debug=b""):
        self.send(frame(GOAWAY, 0, 0, struct.pack(">II", last, code) + debug))

    def window_update(self, sid, inc):
        self.send(frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", inc)))

    def push_promise(self, sid, promised, block):
        self.send(frame(PUSH_PROMISE, END_HEADERS, sid,
                        struct.pack(">I", promised) + block))

    # -- receiving ------------------------------------------------------
    def _parse(self):
        if len(self.buf) < 9:
            return None
        n = struct.unpack(">I", b"\0" + self.buf[:3])[0]
        if len(self.buf) < 9 + n:
            return None
        ftype, flags = self.buf[3], self.buf[4]
        sid = struct.unpack(">I", self.buf[5:9])[0] & 0x7fffffff
        payload = self.buf[9:9 + n]
        self.buf = self.buf[9 + n:]
        return Ev("frame", ftype, flags, sid, payload)

    def wait_event(self, timeout=None):
        """The next frame, or 'closed', or 'timeout' after |timeout|."""
        ev = self._wait_event(timeout)
        if self.cfg.verbose:
            print("    recv %s" % ev)
        return ev

    def _wait_event(self, timeout=None):
        if timeout is None:
            timeout = self.cfg.timeout
        end = time.monotonic() + timeout
        while True:
            ev = self._parse()
            if ev:
                return ev
            if self.closed:
                return Ev("closed")
            pending = self.sock.pending() if self.cfg.tls else 0
            if not pending:
                left = end - time.monotonic()
                if left <= 0:
                    return Ev("timeout")
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    return Ev("timeout")
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError,
                    OSError):
                chunk = b""
            if not chunk:
                self.closed = True
            self.buf += chunk

    def wait_type(self, ftype):
        """h2spec's WaitEventByType: the first frame of |ftype|."""
        last = None
        while True:
            ev = self.wait_event()
            if ev.kind != "frame":
                raise Fail("expected %s, got %s (last frame: %s)" % (
                    TYPE_NAMES[ftype], ev, last))
            if ev.type == ftype:
                return ev
            last = ev

    def handshake(self):
        self.send(PREFACE)
        self.settings_frame((S_INITIAL_WINDOW_SIZE, 65535))
        local = remote = False
        while not (local and remote):
            ev = self.wait_event()
            if ev.kind != "frame":
                raise Fail("handshake: %s" % ev)
            if ev.type != SETTINGS:
                continue
            if ev.flags & ACK:
                local = True
            else:
                remote = True
                p = ev.payload
                for i in range(0, len(p) - len(p) % 6, 6):
                    k, v = struct.unpack(">HI", p[i:i + 6])
                    self.settings[k] = v
                self.max_frame = self.settings.get(S_MAX_FRAME_SIZE, 16384)
                self.send(frame(SETTINGS, ACK, 0))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- verifiers -----------------------------------------------------------
def _codes(codes):
    return "/".join(ename(c) for c in codes)


def v_conn_error(conn, *codes):
    while True:
        ev = conn.wait_event()
        if ev.kind == "closed":
            conn.note = "closed without GOAWAY"
            return
        if ev.kind == "timeout":
            raise Fail("expected GOAWAY(%s) or close, got timeout" %
                       _codes(codes))
        if ev.type == GOAWAY:
            if ev.code() in codes:
                return
            raise Fail("expected GOAWAY(%s), got %s" % (_codes(codes), ev))


def v_stream_error(conn, *codes):
    while True:
        ev = conn.wait_event()
        if ev.kind == "closed":
            conn.note = "closed without RST_STREAM or GOAWAY"
            return
        if ev.kind == "timeout":
            raise Fail("expected RST_STREAM/GOAWAY(%s) or close, got "
                       "timeout" % _codes(codes))
        if ev.type in (GOAWAY, RST_STREAM):
            if ev.code() in codes:
                if ev.type == GOAWAY:
                    conn.note = "answered with GOAWAY(%s), a connection " \
                        "error" % ename(ev.code())
                return
            raise Fail("expected RST_STREAM/GOAWAY(%s), got %s" % (
                _codes(codes), ev))


def v_close(conn):
    last = None
    while True:
        ev = conn.wait_event()
        if ev.kind == "closed":
            return
        if ev.kind == "timeout":
            raise Fail("expected the connection to close, got timeout "
                       "(last frame: %s)" % last)
        last = ev


def v_stream_close(conn):
    while True:
        ev = conn.wait_event()
        if ev.kind != "frame":
            raise Fail("expected END_STREAM, got %s" % ev)
        if ev.type in (DATA, HEADERS) and ev.flags & END_STREAM:
            return


def v_headers(conn, sid):
    ev = conn.wait_type(HEADERS)
    if ev.sid != sid:
        raise Fail("expected HEADERS on stream %d, got %s" % (sid, ev))


def v_event(conn, ftype):
    conn.wait_type(ftype)


def v_ping_ack(conn, data=b"\0" * 8):
    while True:
        ev = conn.wait_event()
        if ev.kind != "frame":
            raise Fail("expected PING ACK, got %s" % ev)
        if ev.type == PING and ev.flags & ACK and ev.payload == data:
            return


def v_ping_or_close(conn, data=b"\0" * 8):
    while True:
        ev = conn.wait_event()
        if ev.kind == "closed":
            return
        if ev.kind == "timeout":
            raise Fail("expected PING ACK or close, got timeout")
        if ev.type == PING and ev.flags & ACK and ev.payload == data:
            return
        if ev.type == GOAWAY and ev.code() != NO_ERROR:
            raise Fail("expected PING ACK or close, got %s" % ev)


def v_data_len(conn, n):
    ev = conn.wait_type(DATA)
    if len(ev.payload) != n:
        raise Fail("expected DATA of length %d, got %s" % (n, ev))


# ---- request helpers -----------------------------------------------------
def common(cfg, method="GET"):
    return [(":method", method), (":scheme", "https" if cfg.tls else "http"),
            (":path", "/"), (":authority", "127.0.0.1:%d" % cfg.port)]


def dummy(n):
    return [("x-dummy%d" % i, "x" * MAX_HEADER_LEN) for i in range(n)]


def server_data_length(cfg):
    """h2spec's ServerDataLength(): the body length of GET /."""
    c = Conn(cfg)
    try:
        c.handshake()
        c.headers(1, c.encode(common(cfg)))
        total = 0
        while True:
            ev = c.wait_event()
            if ev.kind != "frame":
                raise Fail("cannot read the body of GET /: %s" % ev)
            if ev.type == DATA:
                total += len(ev.payload)
            if ev.type in (DATA, HEADERS) and ev.flags & END_STREAM:
                return total
    finally:
        c.close()


# ---- the cases -----------------------------------------------------------
CASES = []


def case(cid, desc, strict=False):
    """strict: False (an h2spec case), True (h2spec strict mode) or "extra"
    (not in h2spec; run with --extra)."""
    def deco(fn):
        CASES.append((cid, desc, fn, strict))
        return fn
    return deco


# generic/1 Starting HTTP/2
@case("generic/1/1", "Sends a client connection preface")
def _(c, cfg):
    c.send(PREFACE)
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 65535))
    ev = c.wait_event()  # RFC 9113 §3.4: SETTINGS is the first frame
    if ev.kind != "frame" or ev.type != SETTINGS or ev.flags & ACK:
        raise Fail("expected SETTINGS without ACK first, got %s" % ev)


# generic/2 Streams and Multiplexing
@case("generic/2/1", "Sends a PRIORITY frame on idle stream")
def _(c, cfg):
    c.handshake()
    c.priority(1)
    c.ping()
    v_ping_ack(c)


@case("generic/2/2", "Sends a WINDOW_UPDATE frame on half-closed (remote) "
      "stream")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 0))
    c.headers(1, c.encode(common(cfg)))
    c.window_update(1, 1)
    v_event(c, DATA)


@case("generic/2/3", "Sends a PRIORITY frame on half-closed (remote) stream")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 0))
    c.headers(1, c.encode(common(cfg)))
    c.priority(1)
    c.window_update(1, 1)
    v_event(c, DATA)


@case("generic/2/4", "Sends a RST_STREAM frame on half-closed (remote) "
      "stream")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.rst(1, CANCEL)
    c.ping()
    v_ping_or_close(c)


@case("generic/2/5", "Sends a PRIORITY frame on closed stream")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    v_stream_close(c)
    c.priority(1)
    c.ping()
    v_ping_ack(c)


# generic/3.1 DATA
@case("generic/3.1/1", "Sends a DATA frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test")
    v_headers(c, 1)


@case("generic/3.1/2", "Sends multiple DATA frames")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test", end_stream=False)
    c.data(1, b"test")
    v_headers(c, 1)


@case("generic/3.1/3", "Sends a DATA frame with padding")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test", pad=b"padded")
    v_headers(c, 1)


# generic/3.2 HEADERS
@case("generic/3.2/1", "Sends a HEADERS frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    v_headers(c, 1)


@case("generic/3.2/2", "Sends a HEADERS frame with padding")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), pad=8)
    v_headers(c, 1)


@case("generic/3.2/3", "Sends a HEADERS frame with priority")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), prio=(0, False, 255))
    v_headers(c, 1)


# generic/3.3 PRIORITY
def _prio_then_get(c, cfg, psid, dep, excl, weight):
    c.handshake()
    c.priority(psid, dep, excl, weight)
    c.headers(1, c.encode(common(cfg)))
    v_headers(c, 1)


@case("generic/3.3/1", "Sends a PRIORITY frame with priority 1")
def _(c, cfg):
    _prio_then_get(c, cfg, 1, 0, False, 0)


@case("generic/3.3/2", "Sends a PRIORITY frame with priority 256")
def _(c, cfg):
    _prio_then_get(c, cfg, 1, 0, False, 255)


@case("generic/3.3/3", "Sends a PRIORITY frame with stream dependency")
def _(c, cfg):
    _prio_then_get(c, cfg, 3, 1, False, 0)


@case("generic/3.3/4", "Sends a PRIORITY frame with exclusive")
def _(c, cfg):
    _prio_then_get(c, cfg, 1, 0, True, 0)


@case("generic/3.3/5", "Sends a PRIORITY frame for an idle stream, then send "
      "a HEADER frame for a lower stream ID")
def _(c, cfg):
    _prio_then_get(c, cfg, 3, 0, False, 255)


# generic/3.4 .. 3.10
@case("generic/3.4/1", "Sends a RST_STREAM frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.rst(1, CANCEL)
    c.ping()
    v_ping_or_close(c)


@case("generic/3.5/1", "Sends a SETTINGS frame")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_HEADER_TABLE_SIZE, 4096), (S_ENABLE_PUSH, 1),
                     (S_MAX_CONCURRENT_STREAMS, 100),
                     (S_INITIAL_WINDOW_SIZE, 65535),
                     (S_MAX_FRAME_SIZE, 16384), (S_MAX_HEADER_LIST_SIZE, 100))
    ev = c.wait_type(SETTINGS)
    if not ev.flags & ACK:
        raise Fail("expected SETTINGS ACK, got %s" % ev)


@case("generic/3.7/1", "Sends a PING frame")
def _(c, cfg):
    c.handshake()
    c.ping(b"h2spec\0\0")
    v_ping_ack(c, b"h2spec\0\0")


@case("generic/3.8/1", "Sends a GOAWAY frame")
def _(c, cfg):
    c.handshake()
    c.goaway(0, NO_ERROR, b"h2spec")
    v_close(c)


@case("generic/3.9/1", "Sends a WINDOW_UPDATE frame with stream ID 0")
def _(c, cfg):
    c.handshake()
    c.window_update(0, 1)
    c.ping()
    v_event(c, PING)


@case("generic/3.9/2", "Sends a WINDOW_UPDATE frame with stream ID 1")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.window_update(1, 1)
    v_event(c, HEADERS)


@case("generic/3.10/1", "Sends a CONTINUATION frame")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, blk[:5], end_headers=False)
    c.continuation(1, blk[5:])
    v_headers(c, 1)


@case("generic/3.10/2", "Sends multiple CONTINUATION frames")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, blk[:5], end_headers=False)
    c.continuation(1, blk[5:10], end_headers=False)
    c.continuation(1, blk[10:])
    v_headers(c, 1)


# generic/4 HTTP Message Exchanges
@case("generic/4/1", "Sends a GET request")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    v_headers(c, 1)


@case("generic/4/2", "Sends a HEAD request")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "HEAD")))
    v_headers(c, 1)


@case("generic/4/3", "Sends a POST request")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test")
    v_headers(c, 1)


@case("generic/4/4", "Sends a POST request with trailers")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST") + [("trailer", "x-test")]),
              end_stream=False)
    c.data(1, b"test", end_stream=False)
    c.headers(1, c.encode([("x-test", "ok")]))
    v_headers(c, 1)


# generic/5 HPACK: a representation appended to (or put before) the block
def _hpack_accept(c, cfg, rep, before=False):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, rep + blk if before else blk + rep)
    v_headers(c, 1)


HPACK_ACCEPT = [
    ("1", "Sends a indexed header field representation", b"\xba", False),
    ("2", "Sends a literal header field with incremental indexing - indexed "
     "name", b"\x40\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4",
     False),
    ("3", "Sends a literal header field with incremental indexing - indexed "
     "name (with Huffman coding)",
     b"\x40\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70"
     b"\x65\x63", False),
    ("4", "Sends a literal header field with incremental indexing - new name",
     b"\x40\x06\x78\x2d\x74\x65\x73\x74\x06\x68\x32\x73\x70\x65\x63", False),
    ("5", "Sends a literal header field with incremental indexing - new name "
     "(with Huffman coding)",
     b"\x40\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4", False),
    ("6", "Sends a literal header field without indexing - indexed name",
     b"\x00\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70"
     b"\x65\x63", False),
    ("7", "Sends a literal header field without indexing - indexed name "
     "(with Huffman coding)",
     b"\x00\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4", False),
    ("8", "Sends a literal header field without indexing - new name",
     b"\x00\x06\x78\x2d\x74\x65\x73\x74\x06\x68\x32\x73\x70\x65\x63", False),
    ("9", "Sends a literal header field without indexing - new name (huffman "
     "encoded)", b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4", False),
    ("10", "Sends a literal header field never indexed - indexed name",
     b"\x10\x0a\x75\x73\x65\x72\x2d\x61\x67\x65\x6e\x74\x06\x68\x32\x73\x70"
     b"\x65\x63", False),
    ("11", "Sends a literal header field never indexed - indexed name "
     "(huffman encoded)",
     b"\x10\x87\xb5\x05\xb1\x61\xcc\x5a\x93\x84\x9c\x48\xac\xa4", False),
    ("12", "Sends a literal header field never indexed - new name",
     b"\x10\x06\x78\x2d\x74\x65\x73\x74\x06\x68\x32\x73\x70\x65\x63", False),
    ("13", "Sends a literal header field never indexed - new name (huffman "
     "encoded)", b"\x10\x85\xf2\xb2\x4a\x84\xff\x84\x9c\x48\xac\xa4", False),
    ("14", "Sends a dynamic table size update", b"\x20", True),
    ("15", "Sends multiple dynamic table size update", b"\x20\x3f\xe1\x1f",
     True),
]
for _n, _d, _rep, _before in HPACK_ACCEPT:
    case("generic/5/" + _n, _d)(
        lambda c, cfg, rep=_rep, before=_before:
        _hpack_accept(c, cfg, rep, before))


# http2/3.5 HTTP/2 Connection Preface
@case("http2/3.5/1", "Sends client connection preface")
def _(c, cfg):
    c.send(PREFACE)
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 65535))
    ev = c.wait_type(SETTINGS)
    if ev.flags & ACK:
        raise Fail("expected SETTINGS without ACK, got %s" % ev)


@case("http2/3.5/2", "Sends invalid connection preface")
def _(c, cfg):
    c.send(b"INVALID CONNECTION PREFACE\r\n\r\n")
    v_close(c)


# http2/4.1 Frame Format
@case("http2/4.1/1", "Sends a frame with unknown type")
def _(c, cfg):
    c.handshake()
    c.send(frame(0x16, 0, 0, b"\0" * 8))
    c.ping()
    v_event(c, PING)


@case("http2/4.1/2", "Sends a frame with undefined flag")
def _(c, cfg):
    c.handshake()
    c.send(frame(PING, 0x16, 0, b"\0" * 8))
    v_event(c, PING)


@case("http2/4.1/3", "Sends a frame with reserved field bit")
def _(c, cfg):
    c.handshake()
    c.send(frame(PING, 0x16, 0x80000000, b"\0" * 8))
    v_event(c, PING)


# http2/4.2 Frame Size
@case("http2/4.2/1", "Sends a DATA frame with 2^14 octets in length")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"x" * c.max_frame)
    v_event(c, HEADERS)


@case("http2/4.2/2", "Sends a large size DATA frame that exceeds the "
      "SETTINGS_MAX_FRAME_SIZE")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"x" * (c.max_frame + 1))
    v_stream_error(c, FRAME_SIZE_ERROR)


@case("http2/4.2/3", "Sends a large size HEADERS frame that exceeds the "
      "SETTINGS_MAX_FRAME_SIZE")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg) + dummy(5))
    if len(blk) <= c.max_frame:
        raise Fail("test bug: header block of %d octets fits" % len(blk))
    c.headers(1, blk)
    v_conn_error(c, FRAME_SIZE_ERROR)


# http2/4.3 Header Compression and Decompression
@case("http2/4.3/1", "Sends invalid header block fragment")
def _(c, cfg):
    c.handshake()
    c.send(b"\x00\x00\x01\x01\x05\x00\x00\x00\x01\x40")
    v_conn_error(c, COMPRESSION_ERROR)


@case("http2/4.3/2", "Sends a PRIORITY frame while sending the header blocks")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False, end_headers=False)
    c.priority(1)
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/4.3/3", "Sends a HEADERS frame to another stream while sending "
      "the header blocks")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False, end_headers=False)
    c.headers(3, c.encode(common(cfg)))
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


# http2/5.1 Stream States
@case("http2/5.1/1", "idle: Sends a DATA frame")
def _(c, cfg):
    c.handshake()
    c.data(1, b"test")
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1/2", "idle: Sends a RST_STREAM frame")
def _(c, cfg):
    c.handshake()
    c.rst(1, CANCEL)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1/3", "idle: Sends a WINDOW_UPDATE frame")
def _(c, cfg):
    c.handshake()
    c.window_update(1, 100)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1/4", "idle: Sends a CONTINUATION frame")
def _(c, cfg):
    c.handshake()
    c.continuation(1, c.encode(common(cfg)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1/5", "half closed (remote): Sends a DATA frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.data(1, b"test")
    v_stream_error(c, STREAM_CLOSED)


@case("http2/5.1/6", "half closed (remote): Sends a HEADERS frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.headers(1, c.encode(common(cfg)))
    v_stream_error(c, STREAM_CLOSED)


@case("http2/5.1/7", "half closed (remote): Sends a CONTINUATION frame")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, blk)
    c.continuation(1, blk)
    v_stream_error(c, STREAM_CLOSED, PROTOCOL_ERROR)


@case("http2/5.1/8", "closed: Sends a DATA frame after sending RST_STREAM "
      "frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.rst(1, CANCEL)
    c.data(1, b"test")
    v_stream_error(c, STREAM_CLOSED)


@case("http2/5.1/9", "closed: Sends a HEADERS frame after sending RST_STREAM "
      "frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.rst(1, CANCEL)
    c.headers(1, c.encode(common(cfg)))
    v_stream_error(c, STREAM_CLOSED)


@case("http2/5.1/10", "closed: Sends a CONTINUATION frame after sending "
      "RST_STREAM frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.rst(1, CANCEL)
    c.continuation(1, c.encode(dummy(1)))
    v_stream_error(c, STREAM_CLOSED, PROTOCOL_ERROR)


@case("http2/5.1/11", "closed: Sends a DATA frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    v_stream_close(c)
    c.data(1, b"test")
    v_conn_error(c, STREAM_CLOSED)


@case("http2/5.1/12", "closed: Sends a HEADERS frame")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, blk)
    v_stream_close(c)
    c.headers(1, blk)
    v_conn_error(c, STREAM_CLOSED)


@case("http2/5.1/13", "closed: Sends a CONTINUATION frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    v_stream_close(c)
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, STREAM_CLOSED, PROTOCOL_ERROR)


# http2/5.1.1 Stream Identifiers
@case("http2/5.1.1/1", "Sends even-numbered stream identifier")
def _(c, cfg):
    c.handshake()
    c.headers(2, c.encode(common(cfg)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1.1/2", "Sends stream identifier that is numerically smaller "
      "than previous")
def _(c, cfg):
    c.handshake()
    c.headers(5, c.encode(common(cfg)))
    c.headers(3, c.encode(common(cfg)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/5.1.1/3", "Sends HEADERS frame with the stream which is in "
      "half-closed (remote) state")
def _(c, cfg):
    c.handshake()
    c.headers(5, c.encode(common(cfg)))
    c.headers(5, c.encode(common(cfg)))
    v_stream_error(c, STREAM_CLOSED)


# http2/5.1.2 Stream Concurrency
@case("http2/5.1.2/1", "Sends HEADERS frames that causes their advertised "
      "concurrent stream limit to be exceeded")
def _(c, cfg):
    c.handshake()
    limit = c.settings.get(S_MAX_CONCURRENT_STREAMS)
    if limit is None:
        raise Skip("SETTINGS_MAX_CONCURRENT_STREAMS is unlimited")
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 0))
    blk = c.encode(common(cfg))
    sid = 1
    for _i in range(limit + 1):
        c.headers(sid, blk)
        sid += 2
    v_stream_error(c, PROTOCOL_ERROR, REFUSED_STREAM)


# http2/5.3.1 Stream Dependencies
@case("http2/5.3.1/1", "Sends HEADERS frame that depends on itself")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), prio=(1, False, 255))
    v_stream_error(c, PROTOCOL_ERROR)


@case("http2/5.3.1/2", "Sends PRIORITY frame that depend on itself")
def _(c, cfg):
    c.handshake()
    c.priority(1, 1, False, 255)
    v_stream_error(c, PROTOCOL_ERROR)


# http2/5.4.1 Connection Error Handling
@case("http2/5.4.1/1", "Sends an invalid PING frame for connection close")
def _(c, cfg):
    c.handshake()
    c.send(frame(PING, 0, 3, b"\0" * 8))
    v_close(c)


@case("http2/5.4.1/2", "Sends an invalid PING frame to receive GOAWAY frame",
      strict=True)
def _(c, cfg):
    c.handshake()
    c.send(frame(PING, 0, 3, b"\0" * 8))
    while True:
        ev = c.wait_event()
        if ev.kind != "frame":
            raise Fail("expected GOAWAY(PROTOCOL_ERROR), got %s" % ev)
        if ev.type == GOAWAY:
            return


# http2/5.5 Extending HTTP/2
@case("http2/5.5/1", "Sends an unknown extension frame")
def _(c, cfg):
    c.handshake()
    c.send(frame(0x16, 0, 0, b"\0" * 8))
    c.ping()
    v_event(c, PING)


@case("http2/5.5/2", "Sends an unknown extension frame in the middle of a "
      "header block")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_headers=False)
    c.send(frame(0x16, 0, 0, b"\0" * 8))
    v_conn_error(c, PROTOCOL_ERROR)


# http2/6.1 DATA
@case("http2/6.1/1", "Sends a DATA frame with 0x0 stream identifier")
def _(c, cfg):
    c.handshake()
    c.data(0, b"test")
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.1/2", "Sends a DATA frame on the stream that is not in "
      "\"open\" or \"half-closed (local)\" state")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")))
    c.data(1, b"test")
    v_stream_error(c, STREAM_CLOSED)


@case("http2/6.1/3", "Sends a DATA frame with invalid pad length")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST") + [("content-length", "4")]),
              end_stream=False)
    c.send(b"\x00\x00\x05\x00\x09\x00\x00\x00\x01\x06\x54\x65\x73\x74")
    v_conn_error(c, PROTOCOL_ERROR)


# http2/6.2 HEADERS
@case("http2/6.2/1", "Sends a HEADERS frame without the END_HEADERS flag, "
      "and a PRIORITY frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False, end_headers=False)
    c.priority(1)
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.2/2", "Sends a HEADERS frame to another stream while sending "
      "a HEADERS frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False, end_headers=False)
    c.headers(3, c.encode(common(cfg)))
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.2/3", "Sends a HEADERS frame with 0x0 stream identifier")
def _(c, cfg):
    c.handshake()
    c.headers(0, c.encode(common(cfg)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.2/4", "Sends a HEADERS frame with invalid pad length")
def _(c, cfg):
    c.handshake()
    blk = c.encode(common(cfg))
    # frame length len(blk)+1, pad length len(blk)+2: RFC 9113 §6.2
    c.send(struct.pack(">I", len(blk) + 1)[1:] + b"\x01\x0d\x00\x00\x00\x01" +
           bytes([len(blk) + 2]) + blk)
    v_stream_error(c, PROTOCOL_ERROR)


# http2/6.3 PRIORITY
@case("http2/6.3/1", "Sends a PRIORITY frame with 0x0 stream identifier")
def _(c, cfg):
    c.handshake()
    c.priority(0)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.3/2", "Sends a PRIORITY frame with a length other than 5 "
      "octets")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.send(frame(PRIORITY, 0, 1, b"\x80\x00\x00\x01"))
    v_stream_error(c, FRAME_SIZE_ERROR)


@case("http2/6.3/3", "Sends a PRIORITY frame for an idle stream, then send a "
      "HEADER frame for a lower stream ID", strict=True)
def _(c, cfg):
    c.handshake()
    c.priority(3)
    c.headers(1, c.encode(common(cfg)))
    v_event(c, HEADERS)


# http2/6.4 RST_STREAM
@case("http2/6.4/1", "Sends a RST_STREAM frame with 0x0 stream identifier")
def _(c, cfg):
    c.handshake()
    c.rst(0, CANCEL)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.4/2", "Sends a RST_STREAM frame on a idle stream")
def _(c, cfg):
    c.handshake()
    c.rst(1, CANCEL)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.4/3", "Sends a RST_STREAM frame with a length other than 4 "
      "octets")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.send(frame(RST_STREAM, 0, 1, b"\0\0\0"))
    v_stream_error(c, FRAME_SIZE_ERROR)


# http2/6.5 SETTINGS
@case("http2/6.5/1", "Sends a SETTINGS frame with ACK flag and payload")
def _(c, cfg):
    c.handshake()
    c.send(frame(SETTINGS, ACK, 0, b"\0"))
    v_conn_error(c, FRAME_SIZE_ERROR)


@case("http2/6.5/2", "Sends a SETTINGS frame with 0x1 stream identifier")
def _(c, cfg):
    c.handshake()
    c.send(frame(SETTINGS, 0, 1, b"\x00\x03\x00\x00\x00\x64"))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.5/3", "Sends a SETTINGS frame with a length other than a "
      "multiple of 6 octets")
def _(c, cfg):
    c.handshake()
    # h2spec announces 9 octets and sends 8: the frame is cut short
    c.send(b"\x00\x00\x09\x04\x00\x00\x00\x00\x00"
           b"\x00\x03\x00\x00\x00\x64\x00\x02")
    v_stream_error(c, PROTOCOL_ERROR, FRAME_SIZE_ERROR)


# http2/6.5.2 Defined SETTINGS Parameters
@case("http2/6.5.2/1", "SETTINGS_ENABLE_PUSH (0x2): Sends the value other "
      "than 0 or 1")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_ENABLE_PUSH, 2))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.5.2/2", "SETTINGS_INITIAL_WINDOW_SIZE (0x4): Sends the value "
      "above the maximum flow control window size")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 2147483648))
    v_conn_error(c, FLOW_CONTROL_ERROR)


@case("http2/6.5.2/3", "SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value below "
      "the initial value")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_MAX_FRAME_SIZE, 16383))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.5.2/4", "SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value above "
      "the maximum allowed frame size")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_MAX_FRAME_SIZE, 16777216))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.5.2/5", "Sends a SETTINGS frame with unknown identifier")
def _(c, cfg):
    c.handshake()
    c.settings_frame((0xff, 1))
    c.ping()
    v_event(c, PING)


# http2/6.5.3 Settings Synchronization
@case("http2/6.5.3/1", "Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE")
def _(c, cfg):
    if cfg.data_len < 1:
        raise Skip("GET / has an empty body")
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 100), (S_INITIAL_WINDOW_SIZE, 1))
    v_event(c, SETTINGS)
    c.headers(1, c.encode(common(cfg)))
    v_data_len(c, 1)


@case("http2/6.5.3/2", "Sends a SETTINGS frame without ACK flag")
def _(c, cfg):
    c.handshake()
    c.settings_frame((S_ENABLE_PUSH, 0))
    ev = c.wait_type(SETTINGS)
    if not ev.flags & ACK or ev.payload:
        raise Fail("expected an empty SETTINGS ACK, got %s" % ev)


# http2/6.7 PING
@case("http2/6.7/1", "Sends a PING frame")
def _(c, cfg):
    c.handshake()
    c.ping(b"h2spec\0\0")
    v_ping_ack(c, b"h2spec\0\0")


@case("http2/6.7/2", "Sends a PING frame with ACK")
def _(c, cfg):
    c.handshake()
    c.ping(b"invalid\0", ack=True)
    c.ping(b"h2spec\0\0")
    while True:
        ev = c.wait_event()
        if ev.kind != "frame":
            raise Fail("expected PING ACK, got %s" % ev)
        if ev.type == PING and ev.payload == b"invalid\0":
            raise Fail("the server answered a PING ACK")
        if ev.type == PING and ev.flags & ACK and ev.payload == b"h2spec\0\0":
            return


@case("http2/6.7/3", "Sends a PING frame with a stream identifier field "
      "value other than 0x0")
def _(c, cfg):
    c.handshake()
    c.send(frame(PING, 0, 1, b"\0" * 8))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.7/4", "Sends a PING frame with a length field value other "
      "than 8")
def _(c, cfg):
    c.handshake()
    # h2spec's latest source sends it on stream 1 (then PROTOCOL_ERROR);
    # release 2.x on stream 0 (FRAME_SIZE_ERROR): stream 0 tests the length.
    c.send(frame(PING, 0, 0, b"\0" * 6))
    v_conn_error(c, FRAME_SIZE_ERROR)


# http2/6.8 GOAWAY
@case("http2/6.8/1", "Sends a GOAWAY frame with a stream identifier other "
      "than 0x0")
def _(c, cfg):
    c.handshake()
    c.send(frame(GOAWAY, 0, 1, b"\0" * 8))
    v_conn_error(c, PROTOCOL_ERROR)


# http2/6.9 WINDOW_UPDATE
@case("http2/6.9/1", "Sends a WINDOW_UPDATE frame with a flow control window "
      "increment of 0")
def _(c, cfg):
    c.handshake()
    c.window_update(0, 0)
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.9/2", "Sends a WINDOW_UPDATE frame with a flow control window "
      "increment of 0 on a stream")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.window_update(1, 0)
    v_stream_error(c, PROTOCOL_ERROR)


@case("http2/6.9/3", "Sends a WINDOW_UPDATE frame with a length other than 4 "
      "octets")
def _(c, cfg):
    c.handshake()
    c.send(frame(WINDOW_UPDATE, 0, 0, b"\0\0\x01"))
    v_conn_error(c, FRAME_SIZE_ERROR)


# http2/6.9.1 The Flow-Control Window
@case("http2/6.9.1/1", "Sends SETTINGS frame to set the initial window size "
      "to 1 and sends HEADERS frame")
def _(c, cfg):
    if cfg.data_len < 1:
        raise Skip("GET / has an empty body")
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 1))
    v_event(c, SETTINGS)
    c.headers(1, c.encode(common(cfg)))
    v_data_len(c, 1)


@case("http2/6.9.1/2", "Sends multiple WINDOW_UPDATE frames increasing the "
      "flow control window to above 2^31-1")
def _(c, cfg):
    c.handshake()
    c.window_update(0, 2147483647)
    c.window_update(0, 2147483647)
    ev = c.wait_type(GOAWAY)
    if ev.code() != FLOW_CONTROL_ERROR:
        raise Fail("expected GOAWAY(FLOW_CONTROL_ERROR), got %s" % ev)


@case("http2/6.9.1/3", "Sends multiple WINDOW_UPDATE frames increasing the "
      "flow control window to above 2^31-1 on a stream")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_stream=False)
    c.window_update(1, 2147483647)
    c.window_update(1, 2147483647)
    ev = c.wait_type(RST_STREAM)
    if ev.sid != 1 or ev.code() != FLOW_CONTROL_ERROR:
        raise Fail("expected RST_STREAM(FLOW_CONTROL_ERROR) on stream 1, "
                   "got %s" % ev)


# http2/6.9.2 Initial Flow-Control Window Size
@case("http2/6.9.2/1", "Changes SETTINGS_INITIAL_WINDOW_SIZE after sending "
      "HEADERS frame")
def _(c, cfg):
    if cfg.data_len < 1:
        raise Skip("GET / has an empty body")
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 0))
    v_event(c, SETTINGS)
    c.headers(1, c.encode(common(cfg)))
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 1))
    v_event(c, SETTINGS)
    v_data_len(c, 1)


@case("http2/6.9.2/2", "Sends a SETTINGS frame for window size to be negative")
def _(c, cfg):
    if cfg.data_len < 5:
        raise Skip("GET / has a body shorter than 5 octets")
    c.handshake()
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 3))
    v_event(c, SETTINGS)
    c.headers(1, c.encode(common(cfg)))
    v_event(c, DATA)
    c.settings_frame((S_INITIAL_WINDOW_SIZE, 2))
    v_event(c, SETTINGS)
    c.window_update(1, 2)
    v_data_len(c, 1)


@case("http2/6.9.2/3", "Sends a SETTINGS_INITIAL_WINDOW_SIZE settings with "
      "an exceeded maximum window size value")
def _(c, cfg):
    c.handshake()
    c.send(frame(SETTINGS, 0, 0, b"\x00\x04\x80\x00\x00\x00"))
    v_conn_error(c, FLOW_CONTROL_ERROR)


# http2/6.10 CONTINUATION
@case("http2/6.10/1", "Sends multiple CONTINUATION frames preceded by a "
      "HEADERS frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_headers=False)
    c.continuation(1, c.encode(dummy(1)), end_headers=False)
    c.continuation(1, c.encode(dummy(1)))
    v_event(c, HEADERS)


@case("http2/6.10/2", "Sends a CONTINUATION frame followed by any frame "
      "other than CONTINUATION")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False,
              end_headers=False)
    c.continuation(1, c.encode(dummy(1)), end_headers=False)
    c.data(1, b"test")
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.10/3", "Sends a CONTINUATION frame with 0x0 stream identifier")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_headers=False)
    c.continuation(0, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.10/4", "Sends a CONTINUATION frame preceded by a HEADERS frame "
      "with END_HEADERS flag")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)))
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.10/5", "Sends a CONTINUATION frame preceded by a CONTINUATION "
      "frame with END_HEADERS flag")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg)), end_headers=False)
    c.continuation(1, c.encode(dummy(1)))
    c.continuation(1, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


@case("http2/6.10/6", "Sends a CONTINUATION frame preceded by a DATA frame")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False,
              end_headers=False)
    c.data(1, b"test")
    c.continuation(1, c.encode(dummy(1)), end_headers=False)
    c.continuation(0, c.encode(dummy(1)))
    v_conn_error(c, PROTOCOL_ERROR)


# http2/7 Error Codes
@case("http2/7/1", "Sends a GOAWAY frame with unknown error code")
def _(c, cfg):
    c.handshake()
    c.goaway(0, 0xff)
    # h2spec releases send a PING and accept its ACK or a close
    c.ping()
    v_ping_or_close(c)


@case("http2/7/2", "Sends a RST_STREAM frame with unknown error code")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.rst(1, 0xff)
    c.ping()
    v_event(c, PING)


# http2/8.1 HTTP Request/Response Exchange
@case("http2/8.1/1", "Sends a second HEADERS frame without the END_STREAM "
      "flag")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test", end_stream=False)
    c.headers(1, c.encode([("x-test", "ok")]), end_stream=False)
    v_stream_error(c, PROTOCOL_ERROR)


def _malformed(cid, desc, fields_fn, end_stream=True):
    def run(c, cfg):
        c.handshake()
        c.headers(1, c.encode(fields_fn(cfg)), end_stream=end_stream)
        v_stream_error(c, PROTOCOL_ERROR)
    case(cid, desc)(run)


# http2/8.1.2 HTTP Header Fields and its subgroups
_malformed("http2/8.1.2/1", "Sends a HEADERS frame that contains the header "
           "field name in uppercase letters",
           lambda cfg: common(cfg) + [("X-TEST", "ok")])
_malformed("http2/8.1.2.1/1", "Sends a HEADERS frame that contains a unknown "
           "pseudo-header field", lambda cfg: common(cfg) + [(":test", "ok")])
_malformed("http2/8.1.2.1/2", "Sends a HEADERS frame that contains the "
           "pseudo-header field defined for response",
           lambda cfg: common(cfg) + [(":status", "200")])


@case("http2/8.1.2.1/3", "Sends a HEADERS frame that contains a pseudo-header "
      "field as trailers")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST")), end_stream=False)
    c.data(1, b"test", end_stream=False)
    c.headers(1, c.encode([(":method", "POST")]), end_stream=False)
    v_stream_error(c, PROTOCOL_ERROR)


_malformed("http2/8.1.2.1/4", "Sends a HEADERS frame that contains a "
           "pseudo-header field that appears in a header block after a "
           "regular header field",
           lambda cfg: [("x-test", "ok")] + common(cfg))
_malformed("http2/8.1.2.2/1", "Sends a HEADERS frame that contains the "
           "connection-specific header field",
           lambda cfg: common(cfg) + [("connection", "keep-alive")])
_malformed("http2/8.1.2.2/2", "Sends a HEADERS frame that contains the TE "
           "header field with any value other than \"trailers\"",
           lambda cfg: common(cfg) + [("trailers", "test"),
                                      ("te", "trailers, deflate")])
_malformed("http2/8.1.2.3/1", "Sends a HEADERS frame with empty \":path\" "
           "pseudo-header field",
           lambda cfg: [(k, "" if k == ":path" else v) for k, v in
                        common(cfg)])
_malformed("http2/8.1.2.3/2", "Sends a HEADERS frame that omits \":method\" "
           "pseudo-header field",
           lambda cfg: [f for f in common(cfg) if f[0] != ":method"])
_malformed("http2/8.1.2.3/3", "Sends a HEADERS frame that omits \":scheme\" "
           "pseudo-header field",
           lambda cfg: [f for f in common(cfg) if f[0] != ":scheme"])
_malformed("http2/8.1.2.3/4", "Sends a HEADERS frame that omits \":path\" "
           "pseudo-header field",
           lambda cfg: [f for f in common(cfg) if f[0] != ":path"])
_malformed("http2/8.1.2.3/5", "Sends a HEADERS frame with duplicated "
           "\":method\" pseudo-header field",
           lambda cfg: common(cfg) + [(":method", "GET")])
_malformed("http2/8.1.2.3/6", "Sends a HEADERS frame with duplicated "
           "\":scheme\" pseudo-header field",
           lambda cfg: common(cfg) + [(":scheme", common(cfg)[1][1])])
_malformed("http2/8.1.2.3/7", "Sends a HEADERS frame with duplicated "
           "\":path\" pseudo-header field",
           lambda cfg: common(cfg) + [(":path", "/")])


@case("http2/8.1.2.6/1", "Sends a HEADERS frame with the \"content-length\" "
      "header field which does not equal the DATA frame payload length")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST") + [("content-length", "1")]),
              end_stream=False)
    c.data(1, b"test")
    v_stream_error(c, PROTOCOL_ERROR)


@case("http2/8.1.2.6/2", "Sends a HEADERS frame with the \"content-length\" "
      "header field which does not equal the sum of the multiple DATA frames "
      "payload length")
def _(c, cfg):
    c.handshake()
    c.headers(1, c.encode(common(cfg, "POST") + [("content-length", "1")]),
              end_stream=False)
    c.data(1, b"test", end_stream=False)
    c.data(1, b"test")
    v_stream_error(c, PROTOCOL_ERROR)


# http2/8.2 Server Push
@case("http2/8.2/1", "Sends a PUSH_PROMISE frame")
def _(c, cfg):
    c.handshake()
    c.push_promise(1, 3, c.encode(common(cfg)))
    v_conn_error(c, PROTOCOL_ERROR)


# hpack: decoding errors are connection errors of type COMPRESSION_ERROR
def _hpack_error(c, cfg, rep, before=False):
    c.handshake()
    blk = c.encode(common(cfg))
    c.headers(1, rep + blk if before else blk + rep)
    v_conn_error(c, COMPRESSION_ERROR)


HPACK_ERRORS = [
    ("hpack/2.3.3/1", "Sends a header field representation with invalid index",
     b"\xfe", False),
    ("hpack/4.2/1", "Sends a dynamic table size update at the end of header "
     "block", b"\x21", False),
    ("hpack/5.2/1", "Sends a Huffman-encoded string literal representation "
     "with padding longer than 7 bits",
     b"\x00\x85\xf2\xb2\x4a\x84\xff\x84\x49\x50\x9f\xff", False),
    ("hpack/5.2/2", "Sends a Huffman-encoded string literal representation "
     "padded by zero", b"\x00\x85\xf2\xb2\x4a\x84\xff\x83\x49\x50\x90", False),
    ("hpack/5.2/3", "Sends a Huffman-encoded string literal representation "
     "containing the EOS symbol",
     b"\x00\x85\xf2\xb2\x4a\x87\xff\xff\xff\xfd\x25\x42\x7f", False),
    ("hpack/6.1/1", "Sends a indexed header field representation with index 0",
     b"\x80", False),
]
for _cid, _d, _rep, _before in HPACK_ERRORS:
    case(_cid, _d)(lambda c, cfg, rep=_rep, before=_before:
                   _hpack_error(c, cfg, rep, before))


@case("hpack/6.3/1", "Sends a dynamic table size update larger than the "
      "value of SETTINGS_HEADER_TABLE_SIZE")
def _(c, cfg):
    c.handshake()
    size = c.settings.get(S_HEADER_TABLE_SIZE, 4096) + 1
    # RFC 7541 §5.1 integer with a 5-bit prefix, §6.3 pattern 001
    if size < 31:
        rep = bytes([0x20 | size])
    else:
        rep = bytearray([0x20 | 31])
        size -= 31
        while size >= 128:
            rep.append(0x80 | (size & 0x7f))
            size >>= 7
        rep.append(size)
        rep = bytes(rep)
    blk = c.encode(common(cfg))
    c.headers(1, rep + blk)
    v_conn_error(c, COMPRESSION_ERROR)


# extra (not h2spec): RFC 7540 §3.2, HTTP/1.1 with Upgrade: h2c (cleartext)
@case("extra/3.2/1", "Sends an HTTP/1.1 request with Upgrade: h2c", "extra")
def _(c, cfg):
    if cfg.tls:
        raise Skip("the upgrade is for cleartext only (RFC 9113 §3.2)")
    settings = base64.urlsafe_b64encode(
        struct.pack(">HI", S_INITIAL_WINDOW_SIZE, 65535)).rstrip(b"=")
    c.send(b"GET /get HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: %s\r\n\r\n" % (cfg.port, settings))
    # the 101 head, then HTTP/2 (the response to the request on stream 1)
    end = time.monotonic() + cfg.timeout
    while b"\r\n\r\n" not in c.buf:
        left = end - time.monotonic()
        if left <= 0 or c.closed:
            raise Fail("no HTTP/1.1 answer to the upgrade request")
        r, _, _ = select.select([c.sock], [], [], left)
        if r:
            chunk = c.sock.recv(65536)
            if not chunk:
                c.closed = True
            c.buf += chunk
    head, c.buf = c.buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise Fail("expected 101 Switching Protocols, got %r" %
                   head.split(b"\r\n")[0])
    c.send(PREFACE)
    c.settings_frame()
    ev = c.wait_event()
    if ev.kind != "frame" or ev.type != SETTINGS or ev.flags & ACK:
        raise Fail("expected the server's SETTINGS first, got %s" % ev)
    v_headers(c, 1)
    v_stream_close(c)


# ---- the server ----------------------------------------------------------
class Server:
    def __init__(self, path, tls, tmp):
        args = [path, "--port", "0"]
        if tls:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp,
                                                                    "key.pem")
            if not os.path.exists(cert):
                subprocess.run(
                    ["openssl", "req", "-x509", "-newkey", "rsa:2048",
                     "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                     "-subj", "/CN=localhost",
                     "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                    check=True, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            args += ["--cert", cert, "--key", key]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=sys.stderr)
        line = self._readline(10.0)
        if not line.startswith("listening on "):
            self.stop()
            raise SystemExit("h2spec_server: the server did not start: %r"
                             % line)
        self.port = int(line.rsplit(":", 1)[1].split("/")[0])

    def _readline(self, timeout):
        fd = self.proc.stdout.fileno()
        end = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            b = os.read(fd, 1)
            if not b:
                break
            data += b
        return data.decode(errors="replace").strip()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


class Cfg:
    pass


def run_suite(args, tls, tmp):
    srv = Server(args.server, tls, tmp)
    cfg = Cfg()
    cfg.tls, cfg.port, cfg.timeout = tls, srv.port, args.timeout
    cfg.verbose = False
    mode = "tls" if tls else "h2c"
    results = {"pass": [], "fail": [], "skip": [], "xfail": [], "xpass": []}
    notes = 0
    try:
        try:
            cfg.data_len = server_data_length(cfg)
        except Fail as e:
            print("h2spec_server[%s]: %s" % (mode, e))
            cfg.data_len = 0
        cfg.verbose = args.verbose
        for cid, desc, fn, strict in CASES:
            if strict is True and not args.strict:
                continue
            if strict == "extra" and not args.extra:
                continue
            if args.only and not any(cid.startswith(p) for p in args.only):
                continue
            if args.verbose:
                print("%s:" % cid)
            detail = ""
            c = None
            try:
                c = Conn(cfg)
                fn(c, cfg)
                status = "pass"
                if c.note:
                    detail = c.note
                    notes += 1
            except Skip as e:
                status, detail = "skip", str(e)
            except Fail as e:
                status, detail = "fail", str(e)
            except Exception as e:  # a harness error is a failure too
                status, detail = "fail", "%s: %s" % (type(e).__name__, e)
            finally:
                if c:
                    c.close()
            if not srv.alive():
                status = "fail"
                detail = (detail + "; " if detail else "") + \
                    "the server died (status %s)" % srv.proc.returncode
            xf = cid in args.xfail
            if xf and status == "fail":
                status = "xfail"
            elif xf and status == "pass":
                status = "xpass"
            results[status].append(cid)
            mark = {"pass": "ok   ", "fail": "FAIL ", "skip": "skip ",
                    "xfail": "xfail", "xpass": "XPASS"}[status]
            print("%s [%s] %s %s%s%s" % (mark, mode, cid, desc,
                                          " -- " if detail else "", detail))
            sys.stdout.flush()
            if not srv.alive():
                break
    finally:
        rc = srv.stop()
    total = sum(len(v) for v in results.values())
    print("h2spec_server[%s]: %d passed, %d failed, %d expected failures, "
          "%d skipped, %d unexpectedly passed, of %d cases; server exit "
          "status %s" % (mode, len(results["pass"]), len(results["fail"]),
                         len(results["xfail"]), len(results["skip"]),
                         len(results["xpass"]), total, rc))
    print("h2spec_server[%s]: %d passing cases have a note (an error "
          "signalled by a bare close, or by GOAWAY where RST_STREAM would "
          "do)" % (mode, notes))
    if results["fail"]:
        print("h2spec_server[%s]: failed: %s" % (mode,
                                                 " ".join(results["fail"])))
    if results["xfail"]:
        print("h2spec_server[%s]: expected failures: %s" % (
            mode, " ".join(results["xfail"])))
    ok = not results["fail"] and not results["xpass"] and rc == 0
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True, help="the hyperbin binary")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--tls", action="store_true")
    g.add_argument("--h2c", action="store_true")
    g.add_argument("--both", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="also run h2spec's two strict cases")
    ap.add_argument("--extra", action="store_true",
                    help="also run the cases that are not h2spec's "
                         "(the h2c Upgrade)")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for each expected event")
    ap.add_argument("--xfail", nargs="*", default=[],
                    help="case ids expected to fail (known defects)")
    ap.add_argument("--only", nargs="*", default=[],
                    help="run only the cases whose id starts with these")
    ap.add_argument("--list", action="store_true", help="list the cases")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the octets sent and the frames received")
    args = ap.parse_args()
    if args.list:
        for cid, desc, _fn, strict in CASES:
            print("%s%s %s" % (cid, " (strict)" if strict is True else
                               " (extra)" if strict else "", desc))
        n = sum(1 for x in CASES if not x[3])
        ns = sum(1 for x in CASES if x[3] is True)
        print("%d cases (+%d strict, +%d extra)" % (n, ns,
                                                     len(CASES) - n - ns))
        return 0
    modes = [True] if args.tls else [False] if args.h2c else [False, True]
    tmp = tempfile.mkdtemp(prefix="h2spec-server-")
    try:
        ok = all([run_suite(args, tls, tmp) for tls in modes])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
