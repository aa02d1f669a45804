#!/usr/bin/python3
"""Writes the seed corpora of fuzz_h1_response and fuzz_chunked.

    /usr/bin/python3 fuzz/make_h1_corpus.py [--clean]

Seeds are realistic responses (nginx-, Apache-, Python http.server-,
Go-style), 1xx sequences, pipelined and upgraded exchanges, and a few
hostile ones (HOSTILE-PEERS group I), each behind the configuration
prefix the target reads (fuzz/h1_response.c: 2 bytes; fuzz/chunked.c:
1 byte). Files are named by the SHA-256 of their content (fuzz/README.md).
The output is deterministic. --clean first removes every file in the two
directories.
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# request flags (include/hyper/h1.h)
HEAD, CONNECT, UPGRADE, CLOSE = 1, 2, 4, 8


def resp_prefix(flags1=0, flags2=0, nreqs=1, strict=False, small=False,
                seed=0):
    b0 = (flags1 & 15) | ((flags2 & 15) << 4)
    b1 = ((nreqs - 1) & 3) | (4 if strict else 0) | (8 if small else 0) \
        | ((seed & 15) << 4)
    return bytes([b0, b1])


RESPONSES = [
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
     b"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/html\r\n"
     b"Content-Length: 13\r\nConnection: keep-alive\r\n"
     b"ETag: \"65a1-d\"\r\nAccept-Ranges: bytes\r\n\r\n<html></html>"),
    (resp_prefix(seed=3), b"HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 "
     b"00:00:00 GMT\r\nContent-Type: text/plain; charset=utf-8\r\n"
     b"Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
     b"7\r\nchunk 1\r\n8;ext=val;q=\"x y\"\r\nchunk 22\r\n0\r\n"
     b"X-Checksum: 0a1b\r\n\r\n"),
    (resp_prefix(), b"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 "
     b"Python/3.11.2\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
     b"Content-type: text/html; charset=utf-8\r\n\r\n<!DOCTYPE HTML>\n"
     b"<html>close-delimited</html>\n"),
    (resp_prefix(), b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
     b"Location: /items/7\r\nContent-Length: 2\r\n\r\nok"),
    (resp_prefix(), b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; "
     b"rel=preload; as=style\r\n\r\nHTTP/1.1 200 OK\r\n"
     b"Content-Length: 0\r\n\r\n"),
    (resp_prefix(0, 0, nreqs=3, seed=5),
     b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
     b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"9\r\nnot found\r\n0\r\n\r\n"
     b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/\r\n"
     b"Content-Length: 0\r\nConnection: close\r\n\r\n"),
    (resp_prefix(HEAD, 0, nreqs=2), b"HTTP/1.1 200 OK\r\n"
     b"Content-Length: 1048576\r\nContent-Type: application/octet-stream\r\n"
     b"\r\nHTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\n\r\n"),
    (resp_prefix(UPGRADE), b"HTTP/1.1 101 Switching Protocols\r\n"
     b"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
     b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"),
    (resp_prefix(CONNECT), b"HTTP/1.1 200 Connection established\r\n"
     b"Proxy-Agent: squid\r\n\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
    (resp_prefix(), b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin:"
     b" *\r\nVary: Origin\r\n\r\n"),
    (resp_prefix(0, 0, nreqs=2), b"HTTP/1.0 200 OK\r\nConnection: keep-alive"
     b"\r\nContent-Length: 3\r\n\r\noneHTTP/1.0 200 OK\r\nContent-Length: 3"
     b"\r\n\r\ntwo"),
    (resp_prefix(small=True), b"HTTP/1.1 200 OK\r\nSet-Cookie: a=b; "
     b"Path=/; HttpOnly\r\nX: y\r\nContent-Length: 4\r\n\r\nbody"),
    (resp_prefix(strict=True), b"HTTP/1.1 500 Internal Server Error\n"
     b"Content-Length: 5\n\nerror"),
    # hostile (HOSTILE-PEERS group I)
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
     b"Content-Length: 6\r\n\r\nhello!"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"fffffffffffffffff\r\n"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\n\r\n"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"),
    (resp_prefix(), b"<html><body>HTTP/0.9</body></html>"),
    (resp_prefix(), b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
    (resp_prefix(), b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n"
     b"\r\n0\r\n\r\n"),
]


def chunk_prefix(strict=False, small=False, seed=0):
    return bytes([(1 if strict else 0) | (2 if small else 0)
                  | ((seed & 15) << 4)])


CHUNKED = [
    (chunk_prefix(), b"5\r\nhello\r\n0\r\n\r\n"),
    (chunk_prefix(seed=2), b"1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\nA\r\n0123456789"
     b"\r\n0\r\n\r\n"),
    (chunk_prefix(), b"1a;name=value\r\n" + b"x" * 26 + b"\r\n0\r\n"
     b"X-Checksum: sha-256=abc\r\nServer-Timing: db;dur=53\r\n\r\n"),
    (chunk_prefix(), b"4 ; a = b ; c=\"q\\\"uo;ted\"\r\nwiki\r\n0;last\r\n\r\n"),
    (chunk_prefix(), b"0000000000000004\r\ndata\r\n000\r\n\r\n"),
    (chunk_prefix(small=True), b"3;abcdefgh\r\nabc\r\n0\r\nA: 1\r\nB: 2\r\n"
     b"\r\n"),
    (chunk_prefix(strict=True), b"2\r\nhi\r\n0\r\nT: v\n\n"),
    (chunk_prefix(), b"2\r\nhi\r\n0\r\nT: v\n\n"),
    (chunk_prefix(), b"8000000000000000\r\n"),
    (chunk_prefix(), b"5\r\nhelloXX\r\n0\r\n\r\n"),
    (chunk_prefix(), b"5;a=\"\n\"\r\nhello\r\n0\r\n\r\n"),
    (chunk_prefix(), b"0\r\nBad Name: x\r\n\r\n"),
    (chunk_prefix(), b"3\r\nabc\r\n0\r\nHost: x\r\nContent-Length: 1\r\n"
     b"X: y\r\n\r\n"),
]


def write(dirname, seeds, clean):
    out = os.path.join(HERE, "corpus", dirname)
    os.makedirs(out, exist_ok=True)
    if clean:
        for f in os.listdir(out):
            os.unlink(os.path.join(out, f))
    for prefix, body in seeds:
        data = prefix + body
        name = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (dirname, len(seeds)))


def main():
    clean = "--clean" in sys.argv[1:]
    write("h1_response", RESPONSES, clean)
    write("chunked", CHUNKED, clean)


if __name__ == "__main__":
    main()
