#!/usr/bin/python3
"""Generates the seed corpus of fuzz_hpack_decode from hpack-test-case.

    /usr/bin/python3 fuzz/make_corpus.py [CORPUS_DIR] [--clean]

CORPUS_DIR is the hpack-test-case checkout (default: ../shared/hpack-test-case
next to the repository, or $HYPER_HPACK_CORPUS). For each encoder folder
(every */story_*.json holding "wire"s) and each of the first STORIES stories,
one seed is written: the first few blocks of the story, joined by the "HPAK"
separator, after the 4 configuration bytes that fuzz/hpack_decode.c reads.
Most seeds use the default configuration; a quarter get a random one. A few
hand-made seeds follow (size updates, an indexing "bomb", bad Huffman).

Files are named by the SHA-256 of their content (fuzz/README.md) and written
to fuzz/corpus/hpack_decode/. The output is deterministic. --clean first
removes every file there (do not use it if reproducers were added by hand).
"""
import glob
import hashlib
import json
import os
import random
import sys

STORIES = 29          # per folder: 10 folders -> ~290 seeds
MAX_SEED_BYTES = 3000
SEP = b"HPAK"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "hpack_decode")

# byte 0 bits 0-2 (see fuzz/hpack_decode.c)
TABLE_SIZE_INDEX = {4096: 0, 16384: 6, 65536: 7}


def table_index(size):
    for limit in sorted(TABLE_SIZE_INDEX):
        if size <= limit:
            return TABLE_SIZE_INDEX[limit]
    return 7


def hpack_int(value, prefix_bits, first):
    """RFC 7541 5.1 integer with |first| holding the pattern bits."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def literal_incremental(name, value):
    """Literal with incremental indexing, new name, no Huffman."""
    return (b"\x40" + hpack_int(len(name), 7, 0) + name +
            hpack_int(len(value), 7, 0) + value)


def handmade():
    seeds = []
    z = bytes(4)
    # empty input, one empty block, two empty blocks
    seeds += [b"", z, z + SEP]
    # size update to 0 then to 4096, then an indexed field
    seeds.append(z + b"\x20\x3f\xe1\x1f\x82")
    # decoder limit lowered before block 1 to 256 (byte 1 = 0x80|1<<4|3);
    # block 1 starts with the required update to 256
    seeds.append(bytes([0, 0x93, 0, 0]) + b"\x82\x84" + SEP +
                 b"\x3f\xe1\x01\x82\x86")
    # an HPACK bomb: one 3000-byte entry referenced 40 times, small list cap
    big = literal_incremental(b"x-bomb", b"a" * 3000)
    seeds.append(bytes([0x18, 0, 0, 0]) + big + SEP + b"\xbe" * 40)
    # EOS inside a Huffman string; padding of zeros
    seeds.append(z + b"\x41\x84\xff\xff\xff\xff")
    seeds.append(z + b"\x41\x81\x00")
    # index past the table, integer overflow
    seeds.append(z + b"\xff\x80\x01")
    seeds.append(z + b"\x3f\xff\xff\xff\xff\xff")
    return seeds


def main(argv):
    clean = "--clean" in argv
    args = [a for a in argv if a != "--clean"]
    src = (args[0] if args else os.environ.get("HYPER_HPACK_CORPUS") or
           os.path.join(HERE, "..", "..", "shared", "hpack-test-case"))
    folders = sorted(d for d in os.listdir(src)
                     if os.path.isdir(os.path.join(src, d)))
    seeds = []
    for folder in folders:
        for n in range(STORIES):
            path = os.path.join(src, folder, "story_%02d.json" % n)
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                cases = json.load(f)["cases"]
            if not cases or "wire" not in cases[0]:
                break  # raw-data: no wires
            rng = random.Random("%s/%02d" % (folder, n))
            blocks, size, tsize = [], 0, 4096
            for case in cases[:rng.randint(1, 5)]:
                wire = bytes.fromhex(case["wire"])
                if blocks and size + len(wire) > MAX_SEED_BYTES:
                    break
                tsize = max(tsize, case.get("header_table_size", 0))
                blocks.append(wire)
                size += len(wire) + len(SEP)
            cfg = [table_index(tsize), 0, 0, 0]
            if rng.random() < 0.25:
                cfg[0] |= rng.randrange(256) & 0xf8
                cfg[1] = rng.randrange(256) if rng.random() < 0.3 else 0
                cfg[2] = rng.randrange(256)
                cfg[3] = rng.randrange(256) & 0x3f
            seeds.append(bytes(cfg) + SEP.join(blocks))
    seeds += handmade()

    os.makedirs(OUT, exist_ok=True)
    if clean:
        for old in glob.glob(os.path.join(OUT, "*")):
            os.remove(old)
    written = set()
    for seed in seeds:
        name = hashlib.sha256(seed).hexdigest()
        if name in written:
            continue
        written.add(name)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(seed)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in written)
    print("make_corpus: %d seeds, %d bytes in %s" % (len(written), total, OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
