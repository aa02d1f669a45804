#!/usr/bin/python3
"""Interop peer for hyper's sans-IO HTTP/2 core: python-h2 (Debian
python3-h2 4.x) over a loopback socket, h2c with prior knowledge.

  h2_peer.py server [--deadline S]
      Listens on 127.0.0.1, port 0; prints "PORT n" on stdout once
      listening; serves ONE connection (the paths below), then exits 0 after
      the client's GOAWAY(NO_ERROR), 1 on a protocol error, a lost
      connection or the deadline.

  h2_peer.py client [--deadline S] PORT
      Connects to 127.0.0.1:PORT, runs every scenario against the server
      (hyper's server core in tests/interop/h2_server_driver.c), prints one
      line per scenario and "N passed, M failed" on stderr; exits 0/1.

Paths (both servers serve the same set; see README in CMakeLists.txt):
  /empty     200, content-length 0, no body
  /big       200, 1 MiB of pattern bytes (pattern() below)
  /trailers  200, small body, then trailers
  /early     103 (link) then 200
  /push      PUSH_PROMISE /pushed.css and its response, then 200 "pushed\\n"
  /reset     200 headers, then RST_STREAM(CANCEL)
  /settings  200 headers at once, then SETTINGS (INITIAL_WINDOW_SIZE 131072,
             MAX_FRAME_SIZE 65536); the request body (uploaded after the
             client saw the change) is answered with
             "len=N maxframe=M match=0|1"
  /echo      the request body back; request trailers become response
             trailers
  /stats     "pings=P pingacks=A ifw=I mfs=F hts=H resets=R": PINGs
             received from the client, ACKs of our own PING, the client's
             current INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE and
             HEADER_TABLE_SIZE, RST_STREAMs received from the client
  /big?abort as /big (the client resets it after the first DATA)
  /bighead   200 with a 40,000-octet x-big-resp field (HEADERS +
             CONTINUATION) and x-req-len: the length of the request's
             x-big-req field
  /padded    200, 50,000 pattern bytes in PADDED DATA frames (pad 77)
             (hyper's server API has no padding: its /padded is plain)
  /shrink    200 headers, then SETTINGS INITIAL_WINDOW_SIZE 4096 while the
             client uploads (its stream window goes negative); once the
             request ended the previous value is restored and the body is
             answered with "len=N match=0|1"

Every wait is a select() with a timeout under a hard deadline: nothing
blocks unboundedly.
"""
import argparse
import select
import socket
import sys
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

BIG_LEN = 1 << 20
SERVER_PING = b"pysrvpng"
CLIENT_PING = b"pyclping"
SETTINGS_IFW = 131072      # the server's mid-flight INITIAL_WINDOW_SIZE
SETTINGS_MFS = 65536       # ... and MAX_FRAME_SIZE
CLIENT_IFW = 262144        # the client's own change
CLIENT_MFS = 32768
UPLOAD_LEN = 300000
SETTINGS_HTS = 1024        # the server's HEADER_TABLE_SIZE change
CLIENT_HTS = 256           # the client's
SHRINK_IFW = 4096
SHRINK_LEN = 200000
BIGHEAD_LEN = 40000
PADDED_LEN = 50000
PAD = 77
MANY = 50
TRAILERS_BODY = b"hello, trailers\n"
PUSHED_BODY = b"body{color:red}\n"
IFW = h2.settings.SettingCodes.INITIAL_WINDOW_SIZE
MFS = h2.settings.SettingCodes.MAX_FRAME_SIZE
HTS = h2.settings.SettingCodes.HEADER_TABLE_SIZE


def bighead_value(n):
    """n octets of a field value that Huffman coding cannot shrink below
    16,384 octets for n = 40,000 (h2_server_driver's big_value())."""
    alpha = b"abcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return bytes(alpha[(i * 7 + i // 40) % len(alpha)] for i in range(n))

_pattern_cache = {}


def pattern(n):
    """n deterministic bytes: byte i is ((i * 2654435761) mod 2^32) >> 13,
    low 8 bits (the same generator as iop_pattern_byte() in C)."""
    if n not in _pattern_cache:
        _pattern_cache[n] = bytes(
            (((i * 2654435761) & 0xFFFFFFFF) >> 13) & 0xFF for i in range(n))
    return _pattern_cache[n]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def log(msg):
    sys.stderr.write("h2_peer: %s\n" % msg)
    sys.stderr.flush()


class Fail(Exception):
    pass


class Stream:
    def __init__(self, sid):
        self.id = sid
        self.headers = None          # request or final response
        self.informational = []
        self.data = bytearray()
        self.max_frame = 0
        self.trailers = None
        self.ended = False
        self.reset = None            # error code once reset
        self.push_parent = None      # pushed streams: parent id
        self.push_headers = None     # ... and the promised request
        # outbound body, sent as flow control allows
        self.out = b""
        self.out_off = 0
        self.out_trailers = None
        self.out_active = False
        self.out_pad = None
        self.padded_frames = 0


def hget(headers, name):
    for k, v in headers or ():
        if k == name:
            return v
    return None


class Peer:
    """One h2 connection over a non-blocking socket, driven by step()."""

    def __init__(self, sock, client_side, deadline):
        cfg = h2.config.H2Configuration(client_side=client_side,
                                        header_encoding=None)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.sock = sock
        self.sock.setblocking(False)
        # small frames back to back (ACKs, HEADERS) must not wait for a
        # delayed ACK (Nagle): +40 ms per exchange otherwise
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.deadline = deadline
        self.outbuf = bytearray()
        self.streams = {}
        self.remote_changes = []     # dicts {code: new_value}
        self.settings_acks = 0
        self.pings = []
        self.ping_acks = []
        self.remote_resets = 0
        self.goaway = None           # (error_code, last_stream_id)
        self.eof = False
        self.error = None
        self.app = None              # server: request handler

    def stream(self, sid):
        st = self.streams.get(sid)
        if st is None:
            st = self.streams[sid] = Stream(sid)
        return st

    def send_body(self, sid, data, trailers=None, pad=None):
        """Sends |data| then |trailers| (or END_STREAM) as windows allow,
        in PADDED frames when |pad| is set."""
        st = self.stream(sid)
        st.out, st.out_off, st.out_trailers = bytes(data), 0, trailers
        st.out_pad = pad
        st.out_active = True
        self.pump_sends()

    def pump_sends(self):
        for st in list(self.streams.values()):
            while st.out_active:
                left = len(st.out) - st.out_off
                if left == 0:
                    if st.out_trailers is not None:
                        self.conn.send_headers(st.id, st.out_trailers,
                                               end_stream=True)
                    else:
                        self.conn.end_stream(st.id)
                    st.out_active = False
                    break
                try:
                    win = self.conn.local_flow_control_window(st.id)
                except h2.exceptions.StreamClosedError:
                    st.out_active = False
                    break
                extra = st.out_pad + 1 if st.out_pad is not None else 0
                n = min(win, self.conn.max_outbound_frame_size) - extra
                n = min(n, left)
                if n <= 0:
                    break
                last = n == left and st.out_trailers is None
                self.conn.send_data(st.id, st.out[st.out_off:st.out_off + n],
                                    end_stream=last, pad_length=st.out_pad)
                st.out_off += n
                if last:
                    st.out_active = False

    def flush(self):
        self.outbuf += self.conn.data_to_send()
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.eof = True
                self.error = self.error or "send: %s" % e
                self.outbuf.clear()
                return
            del self.outbuf[:n]

    def handle(self, ev):
        E = h2.events
        if isinstance(ev, (E.RequestReceived, E.ResponseReceived)):
            st = self.stream(ev.stream_id)
            st.headers = ev.headers
            if self.app and isinstance(ev, E.RequestReceived):
                self.app.on_request(self, st)
        elif isinstance(ev, E.InformationalResponseReceived):
            self.stream(ev.stream_id).informational.append(ev.headers)
        elif isinstance(ev, E.DataReceived):
            st = self.stream(ev.stream_id)
            st.data += ev.data
            st.max_frame = max(st.max_frame, len(ev.data))
            if ev.flow_controlled_length > len(ev.data):
                st.padded_frames += 1
            if ev.flow_controlled_length:
                self.conn.acknowledge_received_data(ev.flow_controlled_length,
                                                    ev.stream_id)
        elif isinstance(ev, E.TrailersReceived):
            self.stream(ev.stream_id).trailers = ev.headers
        elif isinstance(ev, E.StreamEnded):
            st = self.stream(ev.stream_id)
            st.ended = True
            if self.app:
                self.app.on_end(self, st)
        elif isinstance(ev, E.StreamReset):
            self.stream(ev.stream_id).reset = ev.error_code
            if ev.remote_reset:
                self.remote_resets += 1
        elif isinstance(ev, E.PushedStreamReceived):
            st = self.stream(ev.pushed_stream_id)
            st.push_parent = ev.parent_stream_id
            st.push_headers = ev.headers
        elif isinstance(ev, E.RemoteSettingsChanged):
            self.remote_changes.append(
                {int(k): v.new_value for k, v in ev.changed_settings.items()})
        elif isinstance(ev, E.SettingsAcknowledged):
            self.settings_acks += 1
        elif isinstance(ev, E.PingReceived):
            self.pings.append(ev.ping_data)
        elif isinstance(ev, E.PingAckReceived):
            self.ping_acks.append(ev.ping_data)
        elif isinstance(ev, E.ConnectionTerminated):
            self.goaway = (ev.error_code, ev.last_stream_id)

    def step(self, timeout):
        self.pump_sends()
        self.flush()
        if self.eof:
            return
        wl = [self.sock] if self.outbuf else []
        r, w, _ = select.select([self.sock], wl, [], max(timeout, 0))
        if w:
            self.flush()
        if not r:
            return
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.eof = True
            self.error = self.error or "recv: %s" % e
            return
        if not data:
            self.eof = True
            return
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            self.error = "h2 refused our peer's bytes: %r" % e
            self.flush()  # h2 queued GOAWAY
            self.eof = True
            return
        for ev in events:
            self.handle(ev)
        self.pump_sends()
        self.flush()

    def run_until(self, pred, timeout, what):
        end = min(self.deadline, time.monotonic() + timeout)
        while not pred():
            if self.eof:
                raise Fail("%s: connection closed%s" % (
                    what, " (%s)" % self.error if self.error else ""))
            left = end - time.monotonic()
            if left <= 0:
                raise Fail("%s: timed out" % what)
            self.step(min(left, 0.25))


# --------------------------------------------------------------------------
# server
# --------------------------------------------------------------------------

class ServerApp:
    def __init__(self):
        self.settings_sent = False
        self.ifw_before_shrink = None

    def on_request(self, peer, st):
        path = hget(st.headers, b":path")
        if path == b"/settings":
            # mid-flight: headers first, then new SETTINGS before the body
            peer.conn.send_headers(st.id, [(b":status", b"200")])
            peer.conn.update_settings({IFW: SETTINGS_IFW, MFS: SETTINGS_MFS,
                                       HTS: SETTINGS_HTS})
            self.settings_sent = True
        elif path == b"/shrink":
            peer.conn.send_headers(st.id, [(b":status", b"200")])
            ls = peer.conn.local_settings
            self.ifw_before_shrink = ls.initial_window_size
            peer.conn.update_settings({IFW: SHRINK_IFW})

    def on_end(self, peer, st):
        if st.push_parent is not None or st.headers is None:
            return
        c = peer.conn
        path = hget(st.headers, b":path")
        sid = st.id
        if path == b"/empty":
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"content-length", b"0")], end_stream=True)
        elif path in (b"/big", b"/big?abort"):
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"content-length", str(BIG_LEN).encode()),
                                 (b"content-type",
                                  b"application/octet-stream")])
            peer.send_body(sid, pattern(BIG_LEN))
        elif path == b"/trailers":
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"te-test", b"yes")])
            peer.send_body(sid, TRAILERS_BODY, trailers=[
                (b"x-trailer", b"yes"),
                (b"x-body-fnv", b"%016x" % fnv1a64(TRAILERS_BODY))])
        elif path == b"/early":
            c.send_headers(sid, [(b":status", b"103"),
                                 (b"link", b"</style.css>; rel=preload")])
            c.send_headers(sid, [(b":status", b"200")])
            peer.send_body(sid, b"early\n")
        elif path == b"/push":
            pid = c.get_next_available_stream_id()
            c.push_stream(sid, pid, [
                (b":method", b"GET"),
                (b":scheme", hget(st.headers, b":scheme") or b"http"),
                (b":authority", hget(st.headers, b":authority") or b"x"),
                (b":path", b"/pushed.css")])
            c.send_headers(pid, [(b":status", b"200"),
                                 (b"content-type", b"text/css")])
            peer.send_body(pid, PUSHED_BODY)
            c.send_headers(sid, [(b":status", b"200")])
            peer.send_body(sid, b"pushed\n")
        elif path == b"/reset":
            c.send_headers(sid, [(b":status", b"200")])
            c.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        elif path == b"/settings":
            data = bytes(st.data)
            body = b"len=%d maxframe=%d match=%d" % (
                len(data), st.max_frame, int(data == pattern(len(data))))
            peer.send_body(sid, body)
        elif path == b"/echo":
            data = bytes(st.data)
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"content-length", str(len(data)).encode())],
                           end_stream=not data and not st.trailers)
            if data or st.trailers:
                peer.send_body(sid, data, trailers=st.trailers or None)
        elif path == b"/bighead":
            req = hget(st.headers, b"x-big-req") or b""
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"x-big-resp", bighead_value(BIGHEAD_LEN)),
                                 (b"x-req-len", str(len(req)).encode())])
            peer.send_body(sid, b"bighead\n")
        elif path == b"/padded":
            c.send_headers(sid, [(b":status", b"200"),
                                 (b"content-length", b"%d" % PADDED_LEN)])
            peer.send_body(sid, pattern(PADDED_LEN), pad=PAD)
        elif path == b"/shrink":
            c.update_settings({IFW: self.ifw_before_shrink})
            data = bytes(st.data)
            peer.send_body(sid, b"len=%d match=%d" % (
                len(data), int(data == pattern(len(data)))))
        elif path == b"/stats":
            rs = c.remote_settings
            body = b"pings=%d pingacks=%d ifw=%d mfs=%d hts=%d resets=%d" % (
                len(peer.pings), peer.ping_acks.count(SERVER_PING),
                rs.initial_window_size, rs.max_frame_size,
                rs.header_table_size, peer.remote_resets)
            c.send_headers(sid, [(b":status", b"200")])
            peer.send_body(sid, body)
        else:
            c.send_headers(sid, [(b":status", b"404")], end_stream=True)


def run_server(args):
    deadline = time.monotonic() + args.deadline
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    sys.stdout.write("PORT %d\n" % ls.getsockname()[1])
    sys.stdout.flush()
    r, _, _ = select.select([ls], [], [], max(0, deadline - time.monotonic()))
    if not r:
        log("server: no connection before the deadline")
        return 1
    sock, _ = ls.accept()
    ls.close()
    peer = Peer(sock, client_side=False, deadline=deadline)
    peer.app = ServerApp()
    peer.conn.initiate_connection()
    # raise the connection window so that 64 KiB DATA frames fit
    peer.conn.increment_flow_control_window(4 * 1024 * 1024)
    peer.conn.ping(SERVER_PING)
    peer.flush()
    try:
        peer.run_until(lambda: peer.goaway is not None, args.deadline,
                       "server: waiting for the client's GOAWAY")
    except Exception as e:  # Fail, or h2 refusing what we were asked to do
        log(str(e) if isinstance(e, Fail) else
            "server: %s: %s" % (type(e).__name__, e))
        sock.close()
        return 1
    peer.flush()
    sock.close()
    code = peer.goaway[0]
    if code != 0:
        log("server: client sent GOAWAY with error code %d" % code)
        return 1
    log("server: client said GOAWAY(NO_ERROR); %d streams served" %
        len(peer.streams))
    return 0


# --------------------------------------------------------------------------
# client: scenarios against hyper's server core
# --------------------------------------------------------------------------

def base_req(method, path):
    return [(b":method", method), (b":scheme", b"http"),
            (b":authority", b"127.0.0.1"), (b":path", path),
            (b"user-agent", b"python-h2-interop")]


def expect(cond, msg):
    if not cond:
        raise Fail(msg)


def done(peer, sid):
    st = peer.stream(sid)
    return st.ended or st.reset is not None


def get(peer, path, timeout=10):
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, base_req(b"GET", path), end_stream=True)
    peer.run_until(lambda: done(peer, sid), timeout, "GET %s" % path.decode())
    return peer.stream(sid)


def status_of(st):
    return hget(st.headers, b":status")


def sc_ping(peer):
    peer.conn.ping(CLIENT_PING)
    peer.run_until(lambda: CLIENT_PING in peer.ping_acks, 5, "ping ack")
    peer.run_until(lambda: len(peer.pings) > 0, 5, "server's ping")
    expect(peer.pings[0] == peer.expect_ping,
           "server ping opaque %r, want %r" % (peer.pings[0],
                                              peer.expect_ping))


def sc_empty(peer):
    st = get(peer, b"/empty")
    expect(st.reset is None, "reset %r" % st.reset)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(len(st.data) == 0, "body %d bytes" % len(st.data))
    expect(hget(st.headers, b"content-length") == b"0",
           "content-length %r" % hget(st.headers, b"content-length"))


def sc_big(peer, max_frame=16384, exact=False):
    st = get(peer, b"/big", 15)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(len(st.data) == BIG_LEN, "body %d bytes" % len(st.data))
    expect(bytes(st.data) == pattern(BIG_LEN), "body differs from pattern")
    expect(st.max_frame <= max_frame, "DATA frame of %d > %d" %
           (st.max_frame, max_frame))
    if exact:
        expect(st.max_frame == max_frame, "largest DATA frame %d, want %d" %
               (st.max_frame, max_frame))


def sc_trailers(peer):
    st = get(peer, b"/trailers")
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(bytes(st.data) == TRAILERS_BODY, "body %r" % bytes(st.data))
    expect(st.trailers is not None, "no trailers")
    expect(hget(st.trailers, b"x-trailer") == b"yes", "trailers %r" %
           st.trailers)
    expect(hget(st.trailers, b"x-body-fnv") ==
           b"%016x" % fnv1a64(TRAILERS_BODY), "x-body-fnv %r" %
           hget(st.trailers, b"x-body-fnv"))


def sc_early(peer):
    st = get(peer, b"/early")
    expect(len(st.informational) == 1, "%d 1xx" % len(st.informational))
    expect(hget(st.informational[0], b":status") == b"103", "1xx %r" %
           st.informational[0])
    expect(hget(st.informational[0], b"link") is not None, "no link")
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(bytes(st.data) == b"early\n", "body %r" % bytes(st.data))


def sc_push(peer):
    st = get(peer, b"/push")
    pushed = [s for s in peer.streams.values() if s.push_parent == st.id]
    expect(len(pushed) == 1, "%d pushed streams" % len(pushed))
    ps = pushed[0]
    expect(ps.id % 2 == 0, "pushed stream id %d is odd" % ps.id)
    expect(hget(ps.push_headers, b":path") == b"/pushed.css",
           "promised %r" % ps.push_headers)
    expect(hget(ps.push_headers, b":method") == b"GET",
           "promised %r" % ps.push_headers)
    peer.run_until(lambda: done(peer, ps.id), 5, "pushed response")
    expect(status_of(ps) == b"200", "pushed status %r" % status_of(ps))
    expect(bytes(ps.data) == PUSHED_BODY, "pushed body %r" % bytes(ps.data))
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(bytes(st.data) == b"pushed\n", "body %r" % bytes(st.data))


def sc_reset(peer):
    st = get(peer, b"/reset")
    expect(st.headers is not None and status_of(st) == b"200",
           "headers %r" % st.headers)
    expect(st.reset == h2.errors.ErrorCodes.CANCEL, "reset %r" % st.reset)
    expect(not st.ended, "stream ended normally")


def sc_server_settings(peer):
    sid = peer.conn.get_next_available_stream_id()
    before = len(peer.remote_changes)
    req = base_req(b"POST", b"/settings") + [
        (b"content-length", str(UPLOAD_LEN).encode())]
    peer.conn.send_headers(sid, req, end_stream=False)

    def changed():
        return any(IFW in ch and MFS in ch
                   for ch in peer.remote_changes[before:])
    peer.run_until(lambda: changed() and peer.stream(sid).headers, 5,
                   "response headers + SETTINGS change")
    ch = [c for c in peer.remote_changes[before:] if IFW in c][0]
    expect(ch[IFW] == SETTINGS_IFW and ch[MFS] == SETTINGS_MFS and
           ch.get(HTS) == SETTINGS_HTS, "changes %r" % ch)
    expect(peer.conn.max_outbound_frame_size == SETTINGS_MFS,
           "max_outbound_frame_size %d" % peer.conn.max_outbound_frame_size)
    peer.send_body(sid, pattern(UPLOAD_LEN))
    peer.run_until(lambda: done(peer, sid), 10, "POST /settings")
    st = peer.stream(sid)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    want = b"len=%d maxframe=%d match=1" % (UPLOAD_LEN, SETTINGS_MFS)
    expect(bytes(st.data) == want, "body %r, want %r" % (bytes(st.data), want))


def echo(peer, body, trailers, timeout=15, pad=None, cl=False,
         empty_data_es=False):
    sid = peer.conn.get_next_available_stream_id()
    req = base_req(b"POST", b"/echo")
    if cl:
        req.append((b"content-length", str(len(body)).encode()))
    peer.conn.send_headers(sid, req, end_stream=not body and not trailers
                           and not empty_data_es)
    if body or trailers or empty_data_es:
        # empty body, no trailers: END_STREAM on an empty DATA frame
        peer.send_body(sid, body, trailers=trailers, pad=pad)
    peer.run_until(lambda: done(peer, sid), timeout, "POST /echo")
    return peer.stream(sid)


def sc_echo_empty(peer):
    for variant in (False, True):   # END_STREAM on HEADERS, on empty DATA
        st = echo(peer, b"", None, empty_data_es=variant)
        expect(status_of(st) == b"200", "status %r" % status_of(st))
        expect(len(st.data) == 0, "body %d bytes" % len(st.data))
        expect(st.trailers is None, "trailers %r" % st.trailers)


def sc_echo_big(peer):
    body = pattern(BIG_LEN)
    tr = [(b"x-req-trailer", b"abc"),
          (b"x-fnv", b"%016x" % fnv1a64(body[:4096]))]
    st = echo(peer, body, tr)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(len(st.data) == BIG_LEN, "body %d bytes" % len(st.data))
    expect(bytes(st.data) == body, "echoed body differs")
    expect(st.trailers is not None, "no trailers")
    expect(hget(st.trailers, b"x-req-trailer") == b"abc" and
           hget(st.trailers, b"x-fnv") == tr[1][1],
           "trailers %r" % st.trailers)


def sc_echo_trailers_only(peer):
    st = echo(peer, b"", [(b"x-only", b"trailers")])
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(len(st.data) == 0, "body %d bytes" % len(st.data))
    expect(hget(st.trailers, b"x-only") == b"trailers",
           "trailers %r" % st.trailers)


def sc_echo_padded(peer):
    st = echo(peer, pattern(PADDED_LEN), None, pad=PAD, cl=True)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(bytes(st.data) == pattern(PADDED_LEN),
           "echoed %d bytes, differ" % len(st.data))


def sc_bighead(peer):
    sid = peer.conn.get_next_available_stream_id()
    req = base_req(b"GET", b"/bighead") + [
        (b"x-big-req", bighead_value(BIGHEAD_LEN))]
    peer.conn.send_headers(sid, req, end_stream=True)
    peer.run_until(lambda: done(peer, sid), 5, "GET /bighead")
    st = peer.stream(sid)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    expect(hget(st.headers, b"x-big-resp") == bighead_value(BIGHEAD_LEN),
           "x-big-resp differs")
    expect(hget(st.headers, b"x-req-len") == str(BIGHEAD_LEN).encode(),
           "x-req-len %r" % hget(st.headers, b"x-req-len"))
    expect(bytes(st.data) == b"bighead\n", "body %r" % bytes(st.data))


def sc_abort(peer):
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, base_req(b"GET", b"/big?abort"),
                           end_stream=True)
    st = peer.stream(sid)
    peer.run_until(lambda: len(st.data) > 0 or done(peer, sid), 5,
                   "first DATA of /big?abort")
    expect(not st.ended, "/big?abort ended before the reset")
    peer.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
    # the connection stays usable and the server saw the reset
    sc_empty(peer)
    st = get(peer, b"/stats")
    kv = dict(p.split(b"=") for p in bytes(st.data).split())
    expect(int(kv.get(b"resets", b"0")) >= 1, "stats %r" % bytes(st.data))
    sc_big(peer)


def sc_shrink(peer):
    sid = peer.conn.get_next_available_stream_id()
    before = len(peer.remote_changes)
    peer.conn.send_headers(sid, base_req(b"POST", b"/shrink") + [
        (b"content-length", str(SHRINK_LEN).encode())])
    peer.send_body(sid, pattern(SHRINK_LEN))   # at once: no waiting
    peer.run_until(lambda: done(peer, sid), 15, "POST /shrink")
    st = peer.stream(sid)
    expect(status_of(st) == b"200", "status %r" % status_of(st))
    want = b"len=%d match=1" % SHRINK_LEN
    expect(bytes(st.data) == want, "body %r, want %r" % (bytes(st.data), want))
    ifws = [c[IFW] for c in peer.remote_changes[before:] if IFW in c]
    expect(ifws[:1] == [SHRINK_IFW] and len(ifws) == 2,
           "INITIAL_WINDOW_SIZE changes %r" % ifws)


def sc_many(peer):
    ids = []
    for i in range(MANY):
        sid = peer.conn.get_next_available_stream_id()
        path = b"/trailers" if i % 2 else b"/empty"
        peer.conn.send_headers(sid, base_req(b"GET", path), end_stream=True)
        ids.append((sid, path))
    peer.run_until(lambda: all(done(peer, i) for i, _ in ids), 10,
                   "%d concurrent streams" % MANY)
    for sid, path in ids:
        st = peer.stream(sid)
        expect(status_of(st) == b"200" and st.ended, "%s on stream %d: %r" %
               (path.decode(), sid, status_of(st)))
        if path == b"/trailers":
            expect(bytes(st.data) == TRAILERS_BODY and st.trailers,
                   "stream %d body/trailers" % sid)


def sc_priority(peer):
    # RFC 7540 PRIORITY frames (deprecated, RFC 9113 §5.3.2): the server
    # must accept and may ignore them, before and after the request.
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.prioritize(sid, weight=200)
    peer.conn.send_headers(sid, base_req(b"GET", b"/trailers"),
                           end_stream=True)
    peer.conn.prioritize(sid, weight=8, depends_on=0, exclusive=True)
    peer.run_until(lambda: done(peer, sid), 5, "GET /trailers")
    st = peer.stream(sid)
    expect(status_of(st) == b"200" and bytes(st.data) == TRAILERS_BODY,
           "status %r" % status_of(st))


def sc_client_settings(peer):
    acks = peer.settings_acks
    peer.conn.update_settings({IFW: CLIENT_IFW, MFS: CLIENT_MFS,
                               HTS: CLIENT_HTS})
    peer.run_until(lambda: peer.settings_acks > acks, 5, "SETTINGS ACK")
    sc_big(peer, max_frame=CLIENT_MFS, exact=True)
    st = get(peer, b"/stats")
    body = bytes(st.data)
    kv = dict(p.split(b"=") for p in body.split())
    expect(kv.get(b"ifw") == str(CLIENT_IFW).encode() and
           kv.get(b"mfs") == str(CLIENT_MFS).encode() and
           kv.get(b"hts") == str(CLIENT_HTS).encode(), "stats %r" % body)
    expect(int(kv.get(b"pings", b"0")) >= 1, "server saw no PING: %r" % body)
    expect(int(kv.get(b"pingacks", b"0")) >= 1,
           "server saw no PING ACK: %r" % body)


def sc_concurrent(peer):
    c = peer.conn
    ids = []
    for path in (b"/big", b"/trailers", b"/empty"):
        sid = c.get_next_available_stream_id()
        c.send_headers(sid, base_req(b"GET", path), end_stream=True)
        ids.append(sid)
    eid = c.get_next_available_stream_id()
    c.send_headers(eid, base_req(b"POST", b"/echo"))
    peer.send_body(eid, pattern(100000))
    ids.append(eid)
    peer.run_until(lambda: all(done(peer, i) for i in ids), 15,
                   "4 concurrent streams")
    big, tr, em, ec = (peer.stream(i) for i in ids)
    expect(bytes(big.data) == pattern(BIG_LEN), "/big body differs")
    expect(bytes(tr.data) == TRAILERS_BODY and tr.trailers, "/trailers")
    expect(status_of(em) == b"200" and not em.data, "/empty")
    expect(bytes(ec.data) == pattern(100000), "/echo body differs")


def sc_goaway(peer):
    peer.conn.close_connection()
    peer.flush()
    end = min(peer.deadline, time.monotonic() + 5)
    while not peer.eof:
        left = end - time.monotonic()
        if left <= 0:
            raise Fail("server did not close after GOAWAY")
        peer.step(min(left, 0.25))


CLIENT_SCENARIOS = [
    ("ping", sc_ping),
    ("get_empty", sc_empty),
    ("get_big_1MiB", sc_big),
    ("trailers", sc_trailers),
    ("informational_103", sc_early),
    ("push", sc_push),
    ("reset_cancel", sc_reset),
    ("server_settings_midflight", sc_server_settings),
    ("echo_empty", sc_echo_empty),
    ("echo_1MiB_with_trailers", sc_echo_big),
    ("echo_trailers_only", sc_echo_trailers_only),
    ("echo_padded", sc_echo_padded),
    ("large_headers_continuation", sc_bighead),
    ("client_reset_midstream", sc_abort),
    ("window_shrink_midupload", sc_shrink),
    ("priority_signals", sc_priority),
    ("client_settings_change", sc_client_settings),
    ("concurrent_streams", sc_concurrent),
    ("many_streams_50", sc_many),
    ("goaway", sc_goaway),
]


def run_client(args):
    deadline = time.monotonic() + args.deadline
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(5)
    try:
        sock.connect(("127.0.0.1", args.port))
    except OSError as e:
        log("client: connect to port %d: %s" % (args.port, e))
        print("0 passed, %d failed" % len(CLIENT_SCENARIOS), file=sys.stderr)
        return 1
    peer = Peer(sock, client_side=True, deadline=deadline)
    peer.expect_ping = args.server_ping.encode()
    peer.conn.initiate_connection()
    # as the server does: a connection window that never limits a frame
    peer.conn.increment_flow_control_window(4 * 1024 * 1024)
    peer.flush()
    passed = failed = 0
    first = None
    for name, fn in CLIENT_SCENARIOS:
        t0 = time.monotonic()
        try:
            if peer.eof:
                raise Fail("connection closed%s" % (
                    " (%s)" % peer.error if peer.error else ""))
            fn(peer)
            passed += 1
            log("ok   %s (%.0f ms)" % (name, (time.monotonic() - t0) * 1e3))
        except Exception as e:  # a failed check, or h2 refusing something
            if not isinstance(e, Fail):
                e = "%s: %s" % (type(e).__name__, e)
            failed += 1
            first = first or "%s: %s" % (name, e)
            log("FAIL %s: %s" % (name, e))
    sock.close()
    sys.stderr.write("%d passed, %d failed\n" % (passed, failed))
    if failed:
        sys.stderr.write("h2_peer client: FAILED: %s\n" % first)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("port", type=int, nargs="?")
    ap.add_argument("--deadline", type=float, default=20.0,
                    help="hard limit in seconds (default 20)")
    ap.add_argument("--server-ping", default="hypersrv",
                    help="client: opaque data of the server's PING "
                         "(default hypersrv, h2_server_driver's)")
    args = ap.parse_intermixed_args()
    if args.mode == "client" and not args.port:
        ap.error("client mode needs PORT")
    try:
        return run_server(args) if args.mode == "server" else run_client(args)
    except KeyboardInterrupt:
        return 1


if __name__ == "__main__":
    sys.exit(main())
