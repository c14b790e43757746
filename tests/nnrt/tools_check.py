#!/usr/bin/env python3
"""The nnrt command-line tools on a real model.

    tools_check.py BUILD_TOOLS_DIR MODEL

nnrt-info prints its fields; nnrt-bench's last line has the documented form;
NNRT_PROFILE=1 prints one line per node whose median is not below its minimum;
nnrt-run writes outputs, is deterministic, reads --input files and refuses
bad ISAs, bad inputs and missing files with a message and a non-zero exit.
Pure standard library. Exits 77 (skip) when MODEL is absent.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def tool(d, name, *args, env=None):
    e = dict(os.environ)
    e.pop("NNRT_ISA", None)
    e.update(env or {})
    p = subprocess.run([os.path.join(d, name), *args], capture_output=True, text=True, env=e, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write_npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join(f"{d}," for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload)


def read_npy_bytes(path):
    data = open(path, "rb").read()
    hl = struct.unpack("<H", data[8:10])[0]
    return data[10:10 + hl].decode(), data[10 + hl:]


def main():
    d, model = sys.argv[1], sys.argv[2]
    if not os.path.exists(model):
        print("SKIP: model not found:", model)
        return 77
    rc, out, err = tool(d, "nnrt-info", model)
    check(rc == 0, f"nnrt-info exit {rc}: {err}")
    for field in ("input input:0: float32[1x128x128x3]", "ops in file:", "ops after optimisation:", "params:",
                  "macs:", "arena_bytes:"):
        check(field in out, f"nnrt-info output lacks '{field}'")

    rc, out, err = tool(d, "nnrt-bench", model, "--runs", "5", "--threads", "2")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    check(rc == 0 and re.fullmatch(r"median_ms=[0-9.]+ p90_ms=[0-9.]+ gflops=[0-9.]+", last),
          f"nnrt-bench last line {last!r} (exit {rc}, {err})")

    rc, out, err = tool(d, "nnrt-bench", model, "--runs", "7", env={"NNRT_PROFILE": "1"})
    rows = [l.split() for l in err.splitlines() if re.match(r"^ +[0-9]+ +[0-9.]+ +[0-9.]+ ", l)]
    head = re.search(r"sums of per-node medians ([0-9.]+) us and minima ([0-9.]+) us", err)
    check(rc == 0 and head and len(rows) > 10, f"NNRT_PROFILE=1 nnrt-bench: no profile table ({err[:300]})")
    check(all(float(r[1]) >= float(r[2]) for r in rows), "profile: a node's median is below its minimum")
    if head:
        check(float(head.group(1)) >= float(head.group(2)) > 0, f"profile sums {head.group(0)!r}")

    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        rc1, _, err1 = tool(d, "nnrt-run", model, "--output-dir", a)
        rc2, _, err2 = tool(d, "nnrt-run", model, "--output-dir", b, "--threads", "2")
        check(rc1 == 0 and rc2 == 0, f"nnrt-run failed: {err1} {err2}")
        names = sorted(os.listdir(a)) if rc1 == 0 else []
        check(names == ["Identity_0.npy", "Identity_1_0.npy", "Identity_2_0.npy", "Identity_3_0.npy"],
              f"output files {names}")
        for n in names:
            ha, pa = read_npy_bytes(os.path.join(a, n))
            hb, pb = read_npy_bytes(os.path.join(b, n)) if os.path.exists(os.path.join(b, n)) else ("", b"")
            check("'descr': '<f4'" in ha and len(pa) % 4 == 0 and len(pa) > 0, f"{n}: bad .npy written")
            # Threads split work but must not change results beyond rounding order.
            fa, fb = struct.unpack(f"<{len(pa)//4}f", pa), struct.unpack(f"<{len(pb)//4}f", pb) if len(pb) == len(pa) else ()
            check(len(fb) == len(fa) and max(abs(x - y) for x, y in zip(fa, fb)) <= 1e-3 * (1 + max(abs(x) for x in fa)),
                  f"{n}: 1 thread vs 2 threads differ")

        # --input: a zero image gives the same result as itself, and differs from the random default.
        zero = os.path.join(tmp, "zero.npy")
        write_npy(zero, "<f4", (1, 128, 128, 3), bytes(4 * 128 * 128 * 3))
        c = os.path.join(tmp, "c")
        rc, _, err = tool(d, "nnrt-run", model, "--input", f"input:0={zero}", "--output-dir", c)
        check(rc == 0, f"nnrt-run --input: {err}")
        if rc == 0 and names:
            check(read_npy_bytes(os.path.join(c, names[0]))[1] != read_npy_bytes(os.path.join(a, names[0]))[1],
                  "--input had no effect")

        bad = [
            (["--isa", "neon"] if os.uname().machine == "x86_64" else ["--isa", "avx2"], {}, "not available"),
            (["--isa", "bogus"], {}, "unknown ISA"),
            ([], {"NNRT_ISA": "bogus"}, "NNRT_ISA='bogus'"),
            (["--input", "nope=" + zero], {}, "no input 'nope'"),
            (["--shape", "input:0=1x64x64x3"], {}, "fixed to 128"),
        ]
        f8 = os.path.join(tmp, "f8.npy")
        write_npy(f8, "<f8", (1, 128, 128, 3), bytes(8 * 128 * 128 * 3))
        bad.append((["--input", f"input:0={f8}"], {}, "only little-endian float32"))
        small = os.path.join(tmp, "small.npy")
        write_npy(small, "<f4", (1, 64, 64, 3), bytes(4 * 64 * 64 * 3))
        bad.append((["--input", f"input:0={small}"], {}, "shape does not match"))
        for args, env, fragment in bad:
            rc, _, err = tool(d, "nnrt-run", model, *args, env=env)
            check(rc != 0 and rc > 0 and fragment in err, f"nnrt-run {args} {env}: exit {rc}, stderr {err!r}")
        rc, _, err = tool(d, "nnrt-run", os.path.join(tmp, "missing.onnx"))
        check(rc == 1 and "cannot open" in err, f"missing model: exit {rc}, {err!r}")
    print("tools:", "all checks passed" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
