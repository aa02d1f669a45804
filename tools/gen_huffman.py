#!/usr/bin/python3
"""Generates src/hpack/huffman_table.c and src/hpack/huffman_tables.h.

Input: the canonical Huffman code of RFC 7541 Appendix B, typed in below as
(code in hex, bit length) for symbols 0..255 and EOS (256). The table is
checked to be the complete canonical code the RFC describes and, when the
python3-hpack package is installed, compared with its copy (a cross-check
only; the library does not use it).

Output:
  hyper__huff_code[257], hyper__huff_len[257]   the code itself (encoder)
  hyper__huff_dec[1 << HYPER__HUFF_DEC_BITS]    primary decode table: indexed
      by the next HYPER__HUFF_DEC_BITS input bits, gives up to two symbols
      whose codes fit entirely in those bits (see huffman_tables.h)
  hyper__huff_tail[1 << HYPER__HUFF_DEC_BITS]   the end of the input: for the
      last r < HYPER__HUFF_DEC_BITS bits, how many symbols they hold and
      whether the rest is valid padding
  hyper__huff_long_*                             canonical-code tables for the
      codes longer than HYPER__HUFF_DEC_BITS (decoded by a short search by
      length, started at a length picked by the count of leading 1 bits)

Usage: /usr/bin/python3 tools/gen_huffman.py [--no-check] [--bits N] [srcdir]
  --no-check  skip the python3-hpack comparison
  --bits N    primary index width (8..14, default 12)
"""

import os
import sys

# RFC 7541 Appendix B: (code as hex, len) indexed by symbol; 256 is EOS.
RFC7541_CODE = [
    (0x1ff8, 13), (0x7fffd8, 23), (0xfffffe2, 28), (0xfffffe3, 28),  # 0
    (0xfffffe4, 28), (0xfffffe5, 28), (0xfffffe6, 28), (0xfffffe7, 28),  # 4
    (0xfffffe8, 28), (0xffffea, 24), (0x3ffffffc, 30), (0xfffffe9, 28),  # 8
    (0xfffffea, 28), (0x3ffffffd, 30), (0xfffffeb, 28), (0xfffffec, 28),  # 12
    (0xfffffed, 28), (0xfffffee, 28), (0xfffffef, 28), (0xffffff0, 28),  # 16
    (0xffffff1, 28), (0xffffff2, 28), (0x3ffffffe, 30), (0xffffff3, 28),  # 20
    (0xffffff4, 28), (0xffffff5, 28), (0xffffff6, 28), (0xffffff7, 28),  # 24
    (0xffffff8, 28), (0xffffff9, 28), (0xffffffa, 28), (0xffffffb, 28),  # 28
    (0x14, 6), (0x3f8, 10), (0x3f9, 10), (0xffa, 12),  # ' ' ! " #
    (0x1ff9, 13), (0x15, 6), (0xf8, 8), (0x7fa, 11),  # $ % & '
    (0x3fa, 10), (0x3fb, 10), (0xf9, 8), (0x7fb, 11),  # ( ) * +
    (0xfa, 8), (0x16, 6), (0x17, 6), (0x18, 6),  # , - . /
    (0x0, 5), (0x1, 5), (0x2, 5), (0x19, 6),  # 0 1 2 3
    (0x1a, 6), (0x1b, 6), (0x1c, 6), (0x1d, 6),  # 4 5 6 7
    (0x1e, 6), (0x1f, 6), (0x5c, 7), (0xfb, 8),  # 8 9 : ;
    (0x7ffc, 15), (0x20, 6), (0xffb, 12), (0x3fc, 10),  # < = > ?
    (0x1ffa, 13), (0x21, 6), (0x5d, 7), (0x5e, 7),  # @ A B C
    (0x5f, 7), (0x60, 7), (0x61, 7), (0x62, 7),  # D E F G
    (0x63, 7), (0x64, 7), (0x65, 7), (0x66, 7),  # H I J K
    (0x67, 7), (0x68, 7), (0x69, 7), (0x6a, 7),  # L M N O
    (0x6b, 7), (0x6c, 7), (0x6d, 7), (0x6e, 7),  # P Q R S
    (0x6f, 7), (0x70, 7), (0x71, 7), (0x72, 7),  # T U V W
    (0xfc, 8), (0x73, 7), (0xfd, 8), (0x1ffb, 13),  # X Y Z [
    (0x7fff0, 19), (0x1ffc, 13), (0x3ffc, 14), (0x22, 6),  # \ ] ^ _
    (0x7ffd, 15), (0x3, 5), (0x23, 6), (0x4, 5),  # ` a b c
    (0x24, 6), (0x5, 5), (0x25, 6), (0x26, 6),  # d e f g
    (0x27, 6), (0x6, 5), (0x74, 7), (0x75, 7),  # h i j k
    (0x28, 6), (0x29, 6), (0x2a, 6), (0x7, 5),  # l m n o
    (0x2b, 6), (0x76, 7), (0x2c, 6), (0x8, 5),  # p q r s
    (0x9, 5), (0x2d, 6), (0x77, 7), (0x78, 7),  # t u v w
    (0x79, 7), (0x7a, 7), (0x7b, 7), (0x7ffe, 15),  # x y z {
    (0x7fc, 11), (0x3ffd, 14), (0x1ffd, 13), (0xffffffc, 28),  # | } ~ DEL
    (0xfffe6, 20), (0x3fffd2, 22), (0xfffe7, 20), (0xfffe8, 20),  # 128
    (0x3fffd3, 22), (0x3fffd4, 22), (0x3fffd5, 22), (0x7fffd9, 23),  # 132
    (0x3fffd6, 22), (0x7fffda, 23), (0x7fffdb, 23), (0x7fffdc, 23),  # 136
    (0x7fffdd, 23), (0x7fffde, 23), (0xffffeb, 24), (0x7fffdf, 23),  # 140
    (0xffffec, 24), (0xffffed, 24), (0x3fffd7, 22), (0x7fffe0, 23),  # 144
    (0xffffee, 24), (0x7fffe1, 23), (0x7fffe2, 23), (0x7fffe3, 23),  # 148
    (0x7fffe4, 23), (0x1fffdc, 21), (0x3fffd8, 22), (0x7fffe5, 23),  # 152
    (0x3fffd9, 22), (0x7fffe6, 23), (0x7fffe7, 23), (0xffffef, 24),  # 156
    (0x3fffda, 22), (0x1fffdd, 21), (0xfffe9, 20), (0x3fffdb, 22),  # 160
    (0x3fffdc, 22), (0x7fffe8, 23), (0x7fffe9, 23), (0x1fffde, 21),  # 164
    (0x7fffea, 23), (0x3fffdd, 22), (0x3fffde, 22), (0xfffff0, 24),  # 168
    (0x1fffdf, 21), (0x3fffdf, 22), (0x7fffeb, 23), (0x7fffec, 23),  # 172
    (0x1fffe0, 21), (0x1fffe1, 21), (0x3fffe0, 22), (0x1fffe2, 21),  # 176
    (0x7fffed, 23), (0x3fffe1, 22), (0x7fffee, 23), (0x7fffef, 23),  # 180
    (0xfffea, 20), (0x3fffe2, 22), (0x3fffe3, 22), (0x3fffe4, 22),  # 184
    (0x7ffff0, 23), (0x3fffe5, 22), (0x3fffe6, 22), (0x7ffff1, 23),  # 188
    (0x3ffffe0, 26), (0x3ffffe1, 26), (0xfffeb, 20), (0x7fff1, 19),  # 192
    (0x3fffe7, 22), (0x7ffff2, 23), (0x3fffe8, 22), (0x1ffffec, 25),  # 196
    (0x3ffffe2, 26), (0x3ffffe3, 26), (0x3ffffe4, 26), (0x7ffffde, 27),  # 200
    (0x7ffffdf, 27), (0x3ffffe5, 26), (0xfffff1, 24), (0x1ffffed, 25),  # 204
    (0x7fff2, 19), (0x1fffe3, 21), (0x3ffffe6, 26), (0x7ffffe0, 27),  # 208
    (0x7ffffe1, 27), (0x3ffffe7, 26), (0x7ffffe2, 27), (0xfffff2, 24),  # 212
    (0x1fffe4, 21), (0x1fffe5, 21), (0x3ffffe8, 26), (0x3ffffe9, 26),  # 216
    (0xffffffd, 28), (0x7ffffe3, 27), (0x7ffffe4, 27), (0x7ffffe5, 27),  # 220
    (0xfffec, 20), (0xfffff3, 24), (0xfffed, 20), (0x1fffe6, 21),  # 224
    (0x3fffe9, 22), (0x1fffe7, 21), (0x1fffe8, 21), (0x7ffff3, 23),  # 228
    (0x3fffea, 22), (0x3fffeb, 22), (0x1ffffee, 25), (0x1ffffef, 25),  # 232
    (0xfffff4, 24), (0xfffff5, 24), (0x3ffffea, 26), (0x7ffff4, 23),  # 236
    (0x3ffffeb, 26), (0x7ffffe6, 27), (0x3ffffec, 26), (0x3ffffed, 26),  # 240
    (0x7ffffe7, 27), (0x7ffffe8, 27), (0x7ffffe9, 27), (0x7ffffea, 27),  # 244
    (0x7ffffeb, 27), (0xffffffe, 28), (0x7ffffec, 27), (0x7ffffed, 27),  # 248
    (0x7ffffee, 27), (0x7ffffef, 27), (0x7fffff0, 27), (0x3ffffee, 26),  # 252
    (0x3fffffff, 30),  # EOS
]

EOS = 256
NSYM = 257
MAX_LEN = 30
DEFAULT_BITS = 12


def fail(msg):
    sys.stderr.write("gen_huffman.py: %s\n" % msg)
    sys.exit(1)


def verify_code(code):
    """Checks that |code| is the complete canonical prefix code RFC 7541
    describes: 257 rows, lengths 5..30, codes assigned in increasing
    (length, symbol) order, Kraft sum exactly 1, EOS all ones."""
    if len(code) != NSYM:
        fail("table has %d rows, want %d" % (len(code), NSYM))
    for s, (c, n) in enumerate(code):
        if not 5 <= n <= MAX_LEN or c >> n:
            fail("symbol %d: bad code %#x/%d" % (s, c, n))
    order = sorted(range(NSYM), key=lambda s: (code[s][1], s))
    nxt, prev_len = 0, code[order[0]][1]
    for s in order:
        c, n = code[s]
        nxt <<= n - prev_len
        prev_len = n
        if c != nxt:
            fail("symbol %d: code %#x/%d is not canonical (want %#x)"
                 % (s, c, n, nxt))
        nxt += 1
    if nxt != 1 << prev_len:
        fail("code is not complete (Kraft sum != 1)")
    if code[EOS] != ((1 << 30) - 1, 30):
        fail("EOS is not 30 ones")
    # Decoding relies on: no code of 7 bits or fewer is all ones (so valid
    # padding never decodes as a symbol).
    for s, (c, n) in enumerate(code):
        if n <= 7 and c == (1 << n) - 1:
            fail("symbol %d is all ones in %d bits" % (s, n))


def cross_check(code):
    try:
        from hpack.huffman_constants import REQUEST_CODES, \
            REQUEST_CODES_LENGTH
    except ImportError:
        sys.stderr.write("gen_huffman.py: python3-hpack not installed, "
                         "cross-check skipped\n")
        return
    for s in range(NSYM):
        if (REQUEST_CODES[s], REQUEST_CODES_LENGTH[s]) != code[s]:
            fail("symbol %d differs from python3-hpack: %#x/%d vs %#x/%d"
                 % (s, code[s][0], code[s][1], REQUEST_CODES[s],
                    REQUEST_CODES_LENGTH[s]))
    sys.stderr.write("gen_huffman.py: table matches python3-hpack\n")


# Primary decode entry layout (uint32_t), mirrored in huffman_tables.h:
#   bits  0..5   total bits used by the symbols of this entry (in the low
#                bits so that a shift can use the entry as its count)
#   bits  6..7   number of symbols (0: the code is longer than the index)
#   bits  8..15  first symbol
#   bits 16..23  second symbol (0 when there is none)
#   bits 24..28  bits used by the first symbol alone
def build_primary(code, bits):
    short = sorted(((c, n, s) for s, (c, n) in enumerate(code) if n <= bits),
                   key=lambda t: (t[1], t[0]))

    def first(v, width):
        """Symbol whose code is a prefix of the |width|-bit value |v|."""
        for c, n, s in short:
            if n <= width and (v >> (width - n)) == c:
                return s, n
        return None

    # Expand each short code over the index space once, then the pairs.
    one = [None] * (1 << bits)
    for c, n, s in short:
        lo = c << (bits - n)
        for i in range(lo, lo + (1 << (bits - n))):
            one[i] = (s, n)
    table = []
    for i in range(1 << bits):
        if one[i] is None:
            table.append(0)
            continue
        s1, n1 = one[i]
        rest = bits - n1
        s2, n2 = 0, 0
        if rest >= 5:
            r = first(i & ((1 << rest) - 1), rest)
            if r is not None and r[0] != EOS:
                s2, n2 = r
        nsym = 2 if n2 else 1
        assert s1 != EOS
        table.append((n1 + n2) | (nsym << 6) | (s1 << 8) | (s2 << 16)
                     | (n1 << 24))
    return table


def build_tail(code, bits, prim):
    """For the last r < |bits| input bits (the input is exhausted), indexed
    by (1 << r) | those bits: bits 0..1 = how many symbols they hold (the
    first ones of the primary entry for those bits, zero-filled), bit 2 =
    set if what follows them is valid padding (at most 7 bits, all ones)."""
    codes = {(c, n): s for s, (c, n) in enumerate(code)}
    table = [0] * (1 << bits)
    for r in range(bits):
        for v in range(1 << r):
            syms, pos = [], 0
            while True:
                for n in range(5, r - pos + 1):
                    s = codes.get(((v >> (r - pos - n)) & ((1 << n) - 1), n))
                    if s is not None:
                        break
                else:
                    break
                assert s != EOS
                syms.append(s)
                pos += n
            rest = r - pos
            ok = rest <= 7 and (v & ((1 << rest) - 1)) == (1 << rest) - 1
            assert len(syms) <= 2
            e = prim[v << (bits - r)]
            if syms:
                assert (e >> 8) & 0xff == syms[0]
            if len(syms) == 2:
                assert (e >> 16) & 0xff == syms[1] and (e >> 6) & 3 == 2
            table[(1 << r) | v] = len(syms) | (4 if ok else 0)
    return table


def build_long(code, bits):
    """Canonical tables for the codes longer than |bits|: for each length L
    present (ascending), limit[L] = one past the last code of length L,
    left-aligned in 32 bits (as uint64 so the last can be 1 << 32),
    base[L] = index in |syms| of the first symbol of length L minus that
    code's value, so sym = syms[base + (v32 >> (32 - L))]. start[k] = the
    first length index to try when the 32-bit window has k leading ones."""
    longs = sorted(((n, c, s) for s, (c, n) in enumerate(code) if n > bits))
    syms = [s for n, c, s in longs]
    lens, limit, base = [], [], []
    for i, (n, c, s) in enumerate(longs):
        if not lens or lens[-1] != n:
            lens.append(n)
            limit.append(0)
            base.append(i - c)
        limit[-1] = (c + 1) << (32 - n)
    assert limit[-1] == 1 << 32
    # For each count of leading ones k (bits..32), the first length whose
    # range contains some window with k leading ones: windows with k
    # leading ones start at value ((1 << k) - 1) << (32 - k).
    start = []
    for k in range(33):
        lo = (((1 << k) - 1) << (32 - k)) & 0xffffffff if k < 32 else \
            0xffffffff
        j = 0
        while limit[j] <= lo:
            j += 1
        start.append(j)
    # Worst-case number of comparisons for any long symbol.
    worst = 0
    for n, c, s in longs:
        v = c << (32 - n)
        k = 0
        while k < 32 and v & (1 << (31 - k)):
            k += 1
        j, steps = start[k], 1
        while limit[j] <= v:
            j += 1
            steps += 1
        worst = max(worst, steps)
    return syms, lens, limit, base, start, worst


def c_rows(values, fmt, per_line):
    out = []
    for i in range(0, len(values), per_line):
        out.append("  " + ", ".join(fmt % v for v in values[i:i + per_line])
                   + ",")
    return "\n".join(out)


HEADER = "/* generated by tools/gen_huffman.py, do not edit */\n"


def emit(srcdir, bits):
    code = RFC7541_CODE
    prim = build_primary(code, bits)
    tail = build_tail(code, bits, prim)
    syms, lens, limit, base, start, worst = build_long(code, bits)
    nlong = len(lens)

    h = []
    h.append(HEADER)
    h.append("""/* Decode tables for the HPACK Huffman code (see huffman.h). Private to
 * src/hpack/. */
#ifndef HYPER_HPACK_HUFFMAN_TABLES_H
#define HYPER_HPACK_HUFFMAN_TABLES_H

#include <stdint.h>

/* Primary table: indexed by the next HYPER__HUFF_DEC_BITS input bits (most
 * significant first). An entry holds the symbols whose codes fit entirely
 * in those bits, at most two; no entry holds EOS. */
#define HYPER__HUFF_DEC_BITS %d
#define HYPER__HUFF_TOTAL(e) ((e) & 0x3fu)        /* bits of all syms */
#define HYPER__HUFF_NSYM(e) (((e) >> 6) & 0x3u)   /* 0: longer code */
#define HYPER__HUFF_SYM1(e) (((e) >> 8) & 0xffu)
#define HYPER__HUFF_SYM2(e) (((e) >> 16) & 0xffu) /* 0 if none */
#define HYPER__HUFF_LEN1(e) (((e) >> 24) & 0x1fu) /* bits of sym1 */
extern const uint32_t hyper__huff_dec[1 << HYPER__HUFF_DEC_BITS];

/* The end of the input: for the last r < HYPER__HUFF_DEC_BITS bits b,
 * hyper__huff_tail[(1 << r) | b] tells how many symbols they hold (the
 * first ones of the primary entry for b zero-filled) and whether the rest
 * is valid padding (at most 7 bits, all ones). */
#define HYPER__HUFF_TAIL_NSYM(t) ((t) & 0x3u)
#define HYPER__HUFF_TAIL_OK(t) ((t) & 0x4u)
extern const uint8_t hyper__huff_tail[1 << HYPER__HUFF_DEC_BITS];

/* Codes longer than HYPER__HUFF_DEC_BITS, canonical order. For the 32-bit
 * window v (next input bits, zero-filled) with k leading ones, try length
 * index j = hyper__huff_long_start[k], j+1, ... until v <
 * hyper__huff_long_limit[j]; then the code has hyper__huff_long_len[j]
 * bits and the symbol is hyper__huff_long_sym[hyper__huff_long_base[j] +
 * (v >> (32 - len))]. At most %d comparisons per symbol. */
#define HYPER__HUFF_LONG_NLEN %d
#define HYPER__HUFF_LONG_NSYM %d
extern const uint16_t hyper__huff_long_sym[HYPER__HUFF_LONG_NSYM];
extern const uint8_t hyper__huff_long_len[HYPER__HUFF_LONG_NLEN];
extern const uint64_t hyper__huff_long_limit[HYPER__HUFF_LONG_NLEN];
extern const int32_t hyper__huff_long_base[HYPER__HUFF_LONG_NLEN];
extern const uint8_t hyper__huff_long_start[33];

#endif /* HYPER_HPACK_HUFFMAN_TABLES_H */
""" % (bits, worst, nlong, len(syms)))

    c = []
    c.append(HEADER)
    c.append("""/* RFC 7541 Appendix B Huffman code and decode tables. */
#include "huffman.h"
#include "huffman_tables.h"

const uint32_t hyper__huff_code[257] = {
%s
};

const uint8_t hyper__huff_len[257] = {
%s
};

/* total | nsym << 6 | sym1 << 8 | sym2 << 16 | len1 << 24 */
const uint32_t hyper__huff_dec[1 << HYPER__HUFF_DEC_BITS] = {
%s
};

/* nsym | ok << 2, indexed by (1 << r) | the last r bits */
const uint8_t hyper__huff_tail[1 << HYPER__HUFF_DEC_BITS] = {
%s
};

const uint16_t hyper__huff_long_sym[HYPER__HUFF_LONG_NSYM] = {
%s
};

const uint8_t hyper__huff_long_len[HYPER__HUFF_LONG_NLEN] = {
%s
};

const uint64_t hyper__huff_long_limit[HYPER__HUFF_LONG_NLEN] = {
%s
};

const int32_t hyper__huff_long_base[HYPER__HUFF_LONG_NLEN] = {
%s
};

const uint8_t hyper__huff_long_start[33] = {
%s
};
""" % (c_rows([x for x, _ in code], "0x%x", 8),
       c_rows([n for _, n in code], "%d", 16),
       c_rows(prim, "0x%08x", 6),
       c_rows(tail, "%d", 24),
       c_rows(syms, "%d", 12),
       c_rows(lens, "%d", 16),
       c_rows(limit, "UINT64_C(0x%x)", 4),
       c_rows(base, "%d", 6),
       c_rows(start, "%d", 16)))

    hpath = os.path.join(srcdir, "src", "hpack", "huffman_tables.h")
    cpath = os.path.join(srcdir, "src", "hpack", "huffman_table.c")
    with open(hpath, "w") as f:
        f.write("".join(h))
    with open(cpath, "w") as f:
        f.write("".join(c))
    size = 4 * len(prim) + len(tail) + 2 * len(syms) + nlong * (1 + 8 + 4) \
        + 33
    sys.stderr.write("gen_huffman.py: wrote %s, %s (%d-bit primary table, "
                     "%d bytes of decode tables, long search <= %d steps)\n"
                     % (cpath, hpath, bits, size, worst))


def main(argv):
    check = True
    bits = DEFAULT_BITS
    srcdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--no-check":
            check = False
        elif a == "--bits":
            bits = int(args.pop(0))
            if not 8 <= bits <= 14:
                fail("--bits must be 8..14")
        elif a.startswith("-"):
            fail("unknown option %s" % a)
        else:
            srcdir = a
    verify_code(RFC7541_CODE)
    if check:
        cross_check(RFC7541_CODE)
    emit(srcdir, bits)


if __name__ == "__main__":
    main(sys.argv)
