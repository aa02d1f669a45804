#!/usr/bin/python3
"""Generates the seed corpora of fuzz_h2_client and fuzz_h2_server.

    /usr/bin/python3 fuzz/make_h2_corpus.py [--clean]

Each seed is the 4 configuration bytes that fuzz/h2_client.c reads (see the
layout at the top of that file) followed by the peer's side of a scripted
exchange, as a real peer would send it to the harness:

  fuzz_h2_client: the server's frames answering the harness's GET (stream 1)
                  and POST (stream 3): responses, bodies, 1xx, trailers,
                  pushes, window updates, pings, settings, resets, GOAWAY,
                  extension frames, CONTINUATION;
  fuzz_h2_server: the client's frames after the preface: requests with and
                  without bodies, trailers, PRIORITY_UPDATE, window updates,
                  pings, settings, resets, GOAWAY, CONTINUATION.

With configuration byte 0 bit 1 clear, the harness itself sends the peer's
SETTINGS and the ACK of ours first, so those seeds start right after them;
the "no prefix" seeds carry their own SETTINGS/ACK. Header blocks are encoded
by python3-hpack (Debian python3-hpack, an independent HPACK implementation:
Huffman strings, dynamic table references), one encoder per direction as on
a real connection. A few hostile seeds follow (CONTINUATION floods, window
overflow, malformed fields, rapid reset).

Files are named by the SHA-256 of their content (fuzz/README.md) and written
to fuzz/corpus/h2_client/ and fuzz/corpus/h2_server/. The output is
deterministic. --clean first removes every file in those two folders.
"""
import hashlib
import os
import struct
import sys

import hpack

HERE = os.path.dirname(os.path.abspath(__file__))

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, \
    WINDOW_UPDATE, CONTINUATION, ALTSVC = range(11)
ORIGIN = 0xC
PRIORITY_UPDATE = 0x10

END_STREAM = 0x1
ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8
PRIO = 0x20

# settings ids
TABLE, PUSH, MAX_STREAMS, INIT_WINDOW, MAX_FRAME, MAX_LIST = range(1, 7)

# configuration bits (fuzz/h2_client.c)
C0_PUSH, C0_NO_PREFIX, C0_ACK_MODE, C0_NO_VALIDATE = 0x01, 0x02, 0x04, 0x08
C0_BYTES, C0_RANDOM, C0_FIXED = 0x10, 0x20, 0x30
C0_TIGHT, C0_SMALL_WINDOWS = 0x40, 0x80
C1_LAZY_ACK, C1_ONE_OR_LATE, C1_RESET, C1_PING = 0x01, 0x02, 0x04, 0x08
C1_MORE_OR_INFO, C1_SETTINGS, C1_TIME, C1_TRAILERS = 0x10, 0x20, 0x40, 0x80
C3_PRIO_OR_PUSH, C3_GRACEFUL, C3_ABORT, C3_GOAWAY_BACK = 0x01, 0x02, 0x04, 0x08
C3_FAIL_ALLOC, C3_TRACE, C3_DIFF = 0x10, 0x40, 0x80


def frame(ftype, flags, sid, payload=b""):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xFFFF, ftype, flags,
                       sid & 0x7FFFFFFF) + payload


def settings(*pairs):
    return frame(SETTINGS, 0, 0,
                 b"".join(struct.pack(">HI", i, v) for i, v in pairs))


def settings_ack():
    return frame(SETTINGS, ACK, 0)


def data(sid, body, end=False, pad=None):
    if pad is None:
        return frame(DATA, END_STREAM if end else 0, sid, body)
    return frame(DATA, (END_STREAM if end else 0) | PADDED, sid,
                 bytes([pad]) + body + bytes(pad))


def window_update(sid, inc):
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", inc))


def ping(opaque=b"12345678", ack=False):
    return frame(PING, ACK if ack else 0, 0, opaque)


def rst(sid, code):
    return frame(RST_STREAM, 0, sid, struct.pack(">I", code))


def goaway(last, code, debug=b""):
    return frame(GOAWAY, 0, 0, struct.pack(">II", last, code) + debug)


def priority(sid, dep, weight, exclusive=False):
    return frame(PRIORITY, 0, sid,
                 struct.pack(">IB", dep | (0x80000000 if exclusive else 0),
                             weight))


def priority_update(sid, value):
    return frame(PRIORITY_UPDATE, 0, 0, struct.pack(">I", sid) + value)


class Peer:
    """One direction of a connection: an HPACK encoder and frame helpers."""

    def __init__(self, table=4096):
        self.enc = hpack.Encoder()
        if table != 4096:  # the next block starts with a size update
            self.enc.header_table_size = table

    def block(self, fields):
        return self.enc.encode(fields)

    def headers(self, sid, fields, end=False, split=0, prio=None, pad=None):
        blk = self.block(fields)
        flags = END_STREAM if end else 0
        head = b""
        if prio is not None:
            flags |= PRIO
            head = struct.pack(">IB", prio[0], prio[1])
        if pad is not None:
            flags |= PADDED
            head = bytes([pad]) + head
        if split <= 0 or split >= len(blk):
            return frame(HEADERS, flags | END_HEADERS, sid,
                         head + blk + bytes(pad or 0))
        out = frame(HEADERS, flags, sid, head + blk[:split] + bytes(pad or 0))
        rest = blk[split:]
        while rest:
            part, rest = rest[:split], rest[split:]
            out += frame(CONTINUATION, 0 if rest else END_HEADERS, sid, part)
        return out

    def push_promise(self, sid, promised, fields):
        return frame(PUSH_PROMISE, END_HEADERS, sid,
                     struct.pack(">I", promised) + self.block(fields))


def cfg(b0=0, b1=0, b2=0, b3=0):
    return bytes([b0, b1, b2, b3])


# ---------------------------------------------------------------------------
# Client role: the fuzz bytes are the server.
# ---------------------------------------------------------------------------

def resp(status, length=None, extra=()):
    f = [(":status", str(status))]
    if length is not None:
        f.append(("content-length", str(length)))
    f += [("content-type", "text/html; charset=utf-8"),
          ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
          ("server", "example/1.0")]
    return f + list(extra)


def client_seeds():
    seeds = []

    def add(c, body):
        seeds.append(c + body)

    body1 = b"<html><body>hello from the server</body></html>\n" * 2

    # 1. plain answers to both requests (GET 1, POST 3)
    s = Peer()
    x = s.headers(1, resp(200, len(body1))) + data(1, body1, end=True)
    x += window_update(0, 1 << 20) + window_update(3, 65535)
    x += s.headers(3, resp(201, 2)) + data(3, b"ok", end=True)
    for c in (cfg(), cfg(C0_BYTES), cfg(C0_RANDOM, 0, 7),
              cfg(C0_FIXED, 0, 12), cfg(C0_ACK_MODE, C1_LAZY_ACK),
              cfg(0, C1_TRAILERS), cfg(0, 0, 0, C3_DIFF),
              cfg(C0_RANDOM | C0_ACK_MODE, 0, 3, C3_DIFF | C3_TRACE)):
        add(c, x)

    # 2. one request only, 100-continue style 1xx, trailers, padded DATA
    s = Peer()
    x = s.headers(1, [(":status", "103"), ("link", "</a.css>; rel=preload")])
    x += s.headers(1, resp(200, None, [("trailer", "x-checksum")]))
    x += data(1, b"part one, ", pad=10) + data(1, b"part two")
    x += s.headers(1, [("x-checksum", "abcdef")], end=True)
    for c in (cfg(0, C1_ONE_OR_LATE), cfg(C0_BYTES, C1_ONE_OR_LATE),
              cfg(C0_ACK_MODE, C1_ONE_OR_LATE | C1_PING)):
        add(c, x)

    # 3. settings changes, ping, window updates, then GOAWAY
    s = Peer()
    x = settings((INIT_WINDOW, 1 << 20), (MAX_FRAME, 32768),
                 (MAX_STREAMS, 10), (TABLE, 8192))
    x += ping(b"pingpong") + window_update(0, 100000)
    x += s.headers(1, resp(200, 0), end=True)
    x += s.headers(3, resp(404, 9)) + data(3, b"not found", end=True)
    x += ping(b"\x00" * 8, ack=True)
    x += goaway(0, 0, b"bye")
    for c in (cfg(0, C1_SETTINGS | C1_PING), cfg(0, C1_MORE_OR_INFO),
              cfg(0, C1_TIME, 0, C3_GOAWAY_BACK),
              cfg(C0_RANDOM, C1_SETTINGS, 33, C3_GRACEFUL)):
        add(c, x)

    # 4. server push (client enables push)
    s = Peer()
    x = s.push_promise(1, 2, [(":method", "GET"), (":scheme", "https"),
                              (":authority", "example.com"),
                              (":path", "/style.css")])
    x += s.headers(1, resp(200, 5)) + data(1, b"index", end=True)
    x += s.headers(2, resp(200, 7, [("cache-control", "max-age=60")]))
    x += data(2, b"body{}\n", end=True)
    x += s.headers(3, resp(200, 0), end=True)
    for c in (cfg(C0_PUSH), cfg(C0_PUSH, C1_RESET), cfg(C0_PUSH | C0_BYTES),
              cfg(0)):  # the last one: push refused
        add(c, x)

    # 5. reset of the POST, CONTINUATION split, priority + unknown frames
    s = Peer()
    x = rst(3, 7)  # REFUSED_STREAM
    x += priority(1, 0, 15)
    x += frame(0xFA, 0x5, 0, b"unknown extension frame")
    x += frame(ALTSVC, 0, 0, b"\x00\x0bexample.com" + b'h2=":443"')
    x += frame(ALTSVC, 0, 1, b'\x00\x00h3=":443"; ma=3600')
    x += frame(ORIGIN, 0, 0, b"\x00\x13https://example.com")
    x += s.headers(1, resp(200, 3, [("set-cookie", "a=" + "b" * 60),
                                    ("x-long", "v" * 100)]), split=60)
    x += data(1, b"abc", end=True)
    for c in (cfg(), cfg(0, C1_MORE_OR_INFO), cfg(C0_NO_VALIDATE),
              cfg(C0_BYTES, 0, 0, C3_DIFF)):
        add(c, x)

    # 6. a download in several frames that fit a 1 KiB window (the client
    #    refunds each one at once unless it acknowledges lazily)
    s = Peer()
    big = bytes(range(250)) * 4  # 1000
    x = s.headers(1, resp(200, 5 * len(big)))
    x += data(1, big) * 4 + data(1, big, end=True)
    x += s.headers(3, resp(200, 0), end=True)
    for c in (cfg(), cfg(C0_ACK_MODE), cfg(C0_ACK_MODE, C1_LAZY_ACK),
              cfg(C0_SMALL_WINDOWS), cfg(C0_SMALL_WINDOWS | C0_ACK_MODE)):
        add(c, x)

    # 7. no prefix: the fuzz bytes carry the server's SETTINGS and ACK
    s = Peer()
    x = settings((MAX_STREAMS, 128), (INIT_WINDOW, 65535)) + settings_ack()
    x += window_update(0, 1 << 24)
    x += s.headers(1, resp(200, 2)) + data(1, b"hi", end=True)
    x += s.headers(3, resp(200, 2)) + data(3, b"ho", end=True)
    for c in (cfg(C0_NO_PREFIX), cfg(C0_NO_PREFIX | C0_BYTES),
              cfg(C0_NO_PREFIX, C1_TIME)):
        add(c, x)
    add(cfg(C0_NO_PREFIX), b"HTTP/1.1 400 Bad Request\r\n\r\n")

    # 8. tight limits (HPACK table 256), graceful close, abort, allocation
    #    failures
    for table, cs in ((256, (cfg(C0_TIGHT), cfg(C0_TIGHT, C1_PING))),
                      (4096, ())):
        s = Peer(table)
        x = s.headers(1, resp(200, 4)) + data(1, b"tiny", end=True)
        x += s.headers(3, resp(200, 4)) + data(3, b"more", end=True)
        x += ping() + ping() + ping() + ping() + ping()
        for c in cs:
            add(c, x)
    for c in (cfg(0, 0, 0, C3_ABORT),
              cfg(0, 0, 0, C3_GRACEFUL | C3_ABORT),
              cfg(0, 0, 5, C3_FAIL_ALLOC), cfg(0, 0, 12, C3_FAIL_ALLOC),
              cfg(0, 0, 20, C3_FAIL_ALLOC), cfg(0, 0, 0, C3_PRIO_OR_PUSH)):
        add(c, x)

    # 9. hostile: CONTINUATION flood, window overflow, bad pseudo-header,
    #    DATA beyond content-length, headers on stream 0, huge frame
    s = Peer()
    blk = s.block(resp(200, 0))
    flood = frame(HEADERS, 0, 1, blk[:4])
    flood += b"".join(frame(CONTINUATION, 0, 1, b"\x40\x01a\x01b")
                      for _ in range(12))
    add(cfg(), flood)
    add(cfg(), window_update(0, 0x7FFFFFFF) + window_update(0, 0x7FFFFFFF))
    s = Peer()
    add(cfg(), s.headers(1, [(":status", "200"), (":path", "/"),
                             ("Upper", "x")]))
    s = Peer()
    add(cfg(), s.headers(1, resp(200, 2)) + data(1, b"too long", end=True))
    add(cfg(), frame(HEADERS, END_HEADERS, 0, b"\x88"))
    add(cfg(), frame(DATA, 0, 1, b"") * 40)
    add(cfg(), struct.pack(">BHBBI", 0, 0x4001, DATA, 0, 1))
    return seeds


# ---------------------------------------------------------------------------
# Server role: the fuzz bytes are the client, after the preface.
# ---------------------------------------------------------------------------

def req(method, path, extra=()):
    return [(":method", method), (":scheme", "https"),
            (":authority", "www.example.com"), (":path", path),
            ("user-agent", "curl/8.4.0"), ("accept", "*/*")] + list(extra)


def server_seeds():
    seeds = []

    def add(c, body):
        seeds.append(c + body)

    # 1. three GETs (dynamic table reuse), a HEAD
    c = Peer()
    x = c.headers(1, req("GET", "/"), end=True)
    x += c.headers(3, req("GET", "/style.css"), end=True)
    x += c.headers(5, req("GET", "/app.js", [("cookie", "session=abc123")]),
                   end=True)
    x += c.headers(7, req("HEAD", "/"), end=True)
    for cf in (cfg(), cfg(C0_BYTES), cfg(C0_RANDOM, 0, 9),
               cfg(C0_FIXED, 0, 30), cfg(0, C1_MORE_OR_INFO),
               cfg(0, C1_TRAILERS), cfg(0, C1_RESET),
               cfg(0, 0, 0, C3_DIFF), cfg(C0_RANDOM, C1_TRAILERS, 5,
                                          C3_DIFF | C3_TRACE)):
        add(cf, x)

    # 2. POST with a body in several DATA frames, trailers, ACK mode
    c = Peer()
    x = c.headers(1, req("POST", "/upload", [("content-type", "text/plain"),
                                             ("content-length", "30")]))
    x += data(1, b"0123456789") + data(1, b"abcdefghij", pad=5)
    x += data(1, b"ABCDEFGHIJ", end=True)
    x += c.headers(3, req("POST", "/form", [("te", "trailers")]))
    x += data(3, b"field=value")
    x += c.headers(3, [("x-checksum", "0011")], end=True)
    for cf in (cfg(), cfg(C0_ACK_MODE), cfg(C0_ACK_MODE, C1_LAZY_ACK),
               cfg(0, C1_ONE_OR_LATE), cfg(C0_SMALL_WINDOWS),
               cfg(C0_BYTES | C0_ACK_MODE, C1_ONE_OR_LATE)):
        add(cf, x)

    # 3. priorities, window updates, pings, settings, then GOAWAY
    c = Peer()
    x = c.headers(1, req("GET", "/", [("priority", "u=1, i")]), end=True)
    x += priority_update(1, b"u=0")
    x += priority_update(3, b"u=5, i")
    x += priority(3, 1, 200)
    x += window_update(0, 1 << 20) + window_update(1, 4096)
    x += ping(b"clientpg")
    x += settings((INIT_WINDOW, 131072), (MAX_FRAME, 65536), (TABLE, 0))
    x += c.headers(3, req("GET", "/later"), end=True)
    x += goaway(0, 0)
    for cf in (cfg(), cfg(0, C1_PING | C1_SETTINGS),
               cfg(0, C1_TIME, 0, C3_GOAWAY_BACK),
               cfg(C0_RANDOM, C1_SETTINGS, 77, C3_GRACEFUL)):
        add(cf, x)

    # 4. push (the client's SETTINGS allow it) and a CONTINUATION split
    c = Peer()
    x = c.headers(1, req("GET", "/index.html",
                         [("accept-language", "en-US,en;q=0.9"),
                          ("x-forwarded-for", "192.0.2.1" * 4)]),
                  end=True, split=16)
    x += c.headers(3, req("GET", "/page2.html"), end=True)
    for cf in (cfg(C0_PUSH, 0, 0, C3_PRIO_OR_PUSH),
               cfg(C0_PUSH | C0_BYTES, C1_RESET, 0, C3_PRIO_OR_PUSH),
               cfg(0, 0, 0, C3_PRIO_OR_PUSH)):
        add(cf, x)

    # 5. resets: the client cancels its requests (rapid-reset pattern)
    for table, cfs in ((4096, (cfg(), cfg(0, C1_TIME))),
                       (256, (cfg(C0_TIGHT),))):
        c = Peer(table)
        x = b""
        for sid in range(1, 30, 2):
            x += c.headers(sid, req("GET", "/r%d" % sid), end=True)
            x += rst(sid, 8)
        for cf in cfs:
            add(cf, x)

    # 6. no prefix: SETTINGS and ACK in the fuzz bytes
    c = Peer()
    x = settings((PUSH, 0), (INIT_WINDOW, 1 << 20), (MAX_LIST, 16384))
    x += settings_ack() + window_update(0, 1 << 24)
    x += c.headers(1, req("GET", "/"), end=True)
    for cf in (cfg(C0_NO_PREFIX), cfg(C0_NO_PREFIX | C0_BYTES),
               cfg(C0_NO_PREFIX, C1_TIME)):
        add(cf, x)

    # 7. abort / graceful close / allocation failures / tight limits
    c = Peer()
    x = c.headers(1, req("GET", "/a"), end=True)
    x += c.headers(3, req("GET", "/b"), end=True)
    x += c.headers(5, req("GET", "/c"), end=True)
    c = Peer(256)
    add(cfg(C0_TIGHT), c.headers(1, req("GET", "/a"), end=True) +
        c.headers(3, req("GET", "/b"), end=True))
    for cf in (cfg(0, 0, 0, C3_ABORT), cfg(0, 0, 0, C3_GRACEFUL),
               cfg(0, 0, 6, C3_FAIL_ALLOC),
               cfg(0, 0, 14, C3_FAIL_ALLOC), cfg(0, 0, 25, C3_FAIL_ALLOC)):
        add(cf, x)

    # 8. hostile: bad requests (stream errors) and connection errors
    c = Peer()
    add(cfg(), c.headers(1, [(":method", "GET"), (":path", "/")], end=True))
    c = Peer()
    add(cfg(), c.headers(1, req("GET", "/", [("connection", "close")]),
                         end=True))
    c = Peer()
    add(cfg(C0_NO_VALIDATE),
        c.headers(1, req("GET", "/", [("Upper", "x")]), end=True))
    c = Peer()
    add(cfg(), c.headers(1, req("CONNECT", "/")[:1] +
                         [(":authority", "example.com:443")]))
    c = Peer()
    add(cfg(), c.headers(1, req("POST", "/", [("content-length", "3")])) +
        data(1, b"toolong", end=True))
    c = Peer()
    add(cfg(), c.headers(2, req("GET", "/"), end=True))
    c = Peer()
    add(cfg(), c.headers(3, req("GET", "/"), end=True) +
        c.headers(1, req("GET", "/"), end=True))
    add(cfg(), frame(CONTINUATION, END_HEADERS, 1, b"\x82"))
    add(cfg(), data(1, b"data on an idle stream"))
    add(cfg(), settings(*[(0x99, i) for i in range(40)]))
    add(cfg(), settings((INIT_WINDOW, 0x80000000)))
    add(cfg(), ping() * 20)
    add(cfg(), frame(HEADERS, END_HEADERS | END_STREAM, 1,
                     b"\x3f\xe1\xff\xff\xff\x0f"))
    return seeds


def write(name, seeds, clean):
    out = os.path.join(HERE, "corpus", name)
    os.makedirs(out, exist_ok=True)
    if clean:
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))
    n = 0
    for s in seeds:
        h = hashlib.sha256(s).hexdigest()
        path = os.path.join(out, h)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(s)
            n += 1
    print("%s: %d seeds written to %s" % (name, n, out))


def main(argv):
    clean = "--clean" in argv[1:]
    write("h2_client", client_seeds(), clean)
    write("h2_server", server_seeds(), clean)


if __name__ == "__main__":
    main(sys.argv)
