#!/usr/bin/python3
"""Cross-checks hyper's HPACK codec against python-hpack (Debian python3-hpack).

hyper -> python: every raw-data story of the hpack-test-case corpus is encoded
with `hpack-check encode --table-size N` and the wires are decoded with
hpack.Decoder (one decoder per story, honouring header_table_size); every
header list must come back exactly.

python -> hyper: every raw-data story is encoded with hpack.Encoder (one per
story), written as a story JSON into a temporary directory, and checked with
`hpack-check decode`.

Prints one line per failing case, then "N passed, M failed" (cases, both
directions); exits 1 when anything failed.

usage: crosscheck_python_hpack.py --hpack-check PATH --corpus DIR
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import hpack
except ImportError as e:  # run with /usr/bin/python3 (python3-hpack)
    print("crosscheck: cannot import hpack (%s); install python3-hpack" % e)
    sys.exit(1)

# Peer SETTINGS_HEADER_TABLE_SIZE values for hyper -> python.
HYPER_TABLE_SIZES = (4096, 0, 256, 65536)
# (table size, huffman) for python -> hyper.
PYTHON_VARIANTS = ((4096, True), (4096, False), (256, True), (0, True), (65536, True))
DEFAULT_TABLE_SIZE = 4096


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def fail(self, where, why):
        self.failed += 1
        print("%s: %s" % (where, why))


def raw_headers(case):
    """A raw case's header list as (name, value) byte pairs."""
    out = []
    for h in case["headers"]:
        if len(h) != 1:
            raise ValueError("header %r is not a one-member object" % (h,))
        (name, value), = h.items()
        out.append((name.encode("utf-8"), value.encode("utf-8")))
    return out


def load_raw(path):
    with open(path, encoding="utf-8") as f:
        story = json.load(f)
    return [raw_headers(c) for c in story["cases"]]


def hyper_to_python(hpack_check, path, cases, table_size, tally):
    name = "%s [hyper encode --table-size %d]" % (os.path.basename(path), table_size)
    proc = subprocess.run(
        [hpack_check, "encode", "--table-size", str(table_size), path],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        for i in range(len(cases)):
            tally.fail("%s seqno %d" % (name, i), "hpack-check encode exited %d: %s"
                       % (proc.returncode, proc.stderr.decode(errors="replace").strip()))
        return
    try:
        story = json.loads(proc.stdout.decode("utf-8"))
        encoded = story["cases"]
    except (ValueError, KeyError, TypeError) as e:
        for i in range(len(cases)):
            tally.fail("%s seqno %d" % (name, i), "unreadable encode output: %s" % e)
        return
    if len(encoded) != len(cases):
        tally.fail(name, "%d cases encoded, %d in the story" % (len(encoded), len(cases)))
    dec = hpack.Decoder(max_header_list_size=1 << 24)
    broken = False
    for i, want in enumerate(cases):
        where = "%s seqno %d" % (name, i)
        if i >= len(encoded):
            tally.fail(where, "missing from the encode output")
            continue
        case = encoded[i]
        if broken:
            tally.fail(where, "not decoded after an earlier failure")
            continue
        hts = case.get("header_table_size")
        want_hts = table_size if i == 0 and table_size != DEFAULT_TABLE_SIZE else None
        if hts != want_hts:
            tally.fail(where, "header_table_size %r, expected %r" % (hts, want_hts))
            continue
        if case.get("seqno") != i:
            tally.fail(where, "seqno %r" % (case.get("seqno"),))
            continue
        try:
            if raw_headers(case) != want:
                tally.fail(where, "the output's \"headers\" differ from the input")
                continue
            if hts is not None:
                dec.max_allowed_table_size = hts
            got = [(bytes(n), bytes(v)) for n, v in
                   dec.decode(bytes.fromhex(case["wire"]), raw=True)]
        except Exception as e:  # hpack raises several exception types
            tally.fail(where, "python-hpack could not decode: %s: %s"
                       % (type(e).__name__, e))
            broken = True
            continue
        if got != want:
            tally.fail(where, "decoded %s" % describe_diff(got, want))
            broken = True
            continue
        tally.passed += 1


def describe_diff(got, want):
    for k, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "header %d as %r, expected %r" % (k, g, w)
    return "%d headers, expected %d" % (len(got), len(want))


def python_to_hyper(hpack_check, raws, table_size, huffman, tmpdir, tally):
    variant = "python-hpack-%d-%s" % (table_size, "huffman" if huffman else "plain")
    outdir = os.path.join(tmpdir, variant)
    os.mkdir(outdir)
    files = []
    ncases = 0
    for path, cases in raws:
        enc = hpack.Encoder()
        if table_size != DEFAULT_TABLE_SIZE:
            enc.header_table_size = table_size
        out = []
        for i, headers in enumerate(cases):
            wire = enc.encode(headers, huffman=huffman)
            c = {"seqno": i}
            if i == 0 and table_size != DEFAULT_TABLE_SIZE:
                c["header_table_size"] = table_size
            c["wire"] = wire.hex()
            c["headers"] = [{n.decode("utf-8"): v.decode("utf-8")} for n, v in headers]
            out.append(c)
        ncases += len(out)
        dest = os.path.join(outdir, os.path.basename(path))
        with open(dest, "w", encoding="utf-8") as f:
            json.dump({"cases": out, "description": "Encoded by python-hpack %s (%s)"
                       % (getattr(hpack, "__version__", "?"), variant)}, f)
        files.append(dest)
    proc = subprocess.run([hpack_check, "decode"] + files, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False)
    lines = proc.stdout.decode("utf-8", errors="replace").splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", lines[-1]) if lines else None
    if proc.returncode not in (0, 1) or not m:
        for _ in range(ncases):
            tally.failed += 1
        print("%s: hpack-check decode exited %d: %s" % (
            variant, proc.returncode, proc.stderr.decode(errors="replace").strip()))
        return
    for line in lines[:-1]:
        print("%s: %s" % (variant, line))
    passed, failed = int(m.group(1)), int(m.group(2))
    if passed + failed != ncases or (failed == 0) != (proc.returncode == 0):
        print("%s: hpack-check counted %d+%d cases (exit %d), %d were written"
              % (variant, passed, failed, proc.returncode, ncases))
        failed = ncases - passed if ncases > passed else ncases
    tally.passed += passed
    tally.failed += failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hpack-check", required=True, help="path to hpack-check")
    ap.add_argument("--corpus", required=True, help="the hpack-test-case directory")
    args = ap.parse_args()

    paths = sorted(glob.glob(os.path.join(args.corpus, "raw-data", "story_*.json")))
    if not paths:
        print("crosscheck: no raw-data stories under %s" % args.corpus)
        return 1
    raws = [(p, load_raw(p)) for p in paths]

    tally = Tally()
    for size in HYPER_TABLE_SIZES:
        for path, cases in raws:
            hyper_to_python(args.hpack_check, path, cases, size, tally)
    with tempfile.TemporaryDirectory(prefix="hyper-crosscheck-") as tmpdir:
        for size, huffman in PYTHON_VARIANTS:
            python_to_hyper(args.hpack_check, raws, size, huffman, tmpdir, tally)

    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
