#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""The examples (examples/), run the way their READMEs run them, on
virtual ports, each checked by what it prints.

    test_examples.py EXAMPLES_BUILD_DIR CASE huge|nohuge|none
    test_examples.py --list

The first line of --list names the cases run in both memory modes, the
second those run once (mode "none": under --no-huge). Exit 77 (skip) for
"huge" without free hugepages.

- skeleton: two net_null ports, 100000 packets forwarded; exit 0 (every
  mbuf back), received == sent + dropped.
- ip_frag: --selftest on a net_ring: datagrams of 1 B to 65507 B
  fragmented at MTU 1500 and 9000, looped back, reassembled and checked
  byte for byte; every one back, none wrong, nothing held, every mbuf and
  slab back.
- ip_frag-faults: the same through the lossy network (loss, duplication,
  reordering, three rounds): every datagram that lost no fragment back and
  right, each one that did timed out (none delivered), the duplicates
  dropped, nothing held at the end.
- ip_frag-twins: half the fragments twice and half held back (a fixed
  seed): a datagram every fragment of which came twice can complete twice
  (the second copy whole after the table completed and forgot the first);
  each datagram is checked once, and only such a one comes again.
- tcp_seg: --selftest: a 1 MiB stream at MSS 1448, and 100001 bytes at MSS
  1000, every segment checked (checksums, lengths, sequence numbers, IP
  ids, PSH and FIN, payload).
- ip_frag-bench, tcp_seg-bench: --bench for a few jobs: it runs, every row
  is there with each of its ways, and the JSON says ours was converted the
  library's way (a smoke test: no time is asserted).
"""

import json
import os
import subprocess
import sys

TWICE = ["skeleton", "ip_frag", "ip_frag-faults", "ip_frag-twins", "tcp_seg"]
ONCE = ["ip_frag-bench", "tcp_seg-bench"]


# Hugepages an example run here takes: its context's pool, its slabs, the
# EAL's own, with room.
PAGES = 96


def hugepages_run():
    """A program that reserves hugepages as the test programs do, where
    the build names one (EVPL_TEST_HUGEPAGES_RUN: it waits for pages other
    tests hold, then gives the EAL exactly its share), else None."""
    return os.environ.get("EVPL_TEST_HUGEPAGES_RUN") or None


def hugepages_short():
    """Whether a hugepage run must skip."""
    hp = hugepages_run()
    if hp is not None:
        return subprocess.run([hp, str(PAGES), "--check"]).returncode == 77
    return hugepages_free() < 128


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


def eal(mode, vdevs):
    cpu = sorted(os.sched_getaffinity(0))[0]
    args = ["--lcores=0@%d" % cpu, "--no-pci", "--log-level=lib.eal:warning"]
    if mode == "huge":
        args.append("--in-memory")
    else:
        args += ["--no-huge", "-m", "512", "--no-shconf"]
    return args + ["--vdev=" + v for v in vdevs]


def run(exe, mode, vdevs, opts, timeout=240):
    hp = hugepages_run() if mode == "huge" else None
    cmd = ([hp, str(PAGES)] if hp else []) + [exe] + eal(mode, vdevs) + \
        ["--"] + opts
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print(p.stdout[-4000:], p.stderr[-4000:], flush=True)
    return p


def summary(p):
    """The JSON object an example prints at exit, and its exit status."""
    assert p.stdout.strip(), "no output; stderr:\n" + p.stderr
    return json.loads(p.stdout[p.stdout.index("{"):]), p.returncode


def books(d, rc):
    assert d["pool"]["free_at_end"] == d["pool"]["size"], d["pool"]
    assert d["slabs_outstanding"] == 0, d
    assert d["ok"] and rc == 0, "exit %d: %s" % (rc, d)


def case_skeleton(bdir, mode):
    p = run(os.path.join(bdir, "skeleton"), mode, ["net_null0", "net_null1"],
            ["--packets", "100000"])
    assert p.returncode == 0, "exit %d\n%s" % (p.returncode, p.stderr)
    line = [x for x in p.stdout.splitlines() if "received" in x][-1]
    words = line.replace(",", "").replace(";", "").split()
    rx, tx, dropped = (int(words[words.index(w) + 1])
                       for w in ("received", "sent", "dropped"))
    assert rx >= 100000 and rx == tx + dropped, line
    assert "of" in line and line.split(":")[-1].split()[0] == \
        line.split(":")[-1].split()[2], line


def case_ip_frag(bdir, mode):
    d, rc = summary(run(os.path.join(bdir, "ip_frag"), mode, ["net_ring0"],
                        ["--selftest", "--timeout-ms", "200"]))
    books(d, rc)
    assert d["built"] == 48 and d["completed"] == 48, d
    assert d["checked"] == 48 and d["wrong"] == 0, d
    r = d["reasm"]
    assert r["held_datagrams"] == r["held_frags"] == r["held_bytes"] == 0, r
    # The sizes past each MTU went as fragments and came back whole.
    assert r["completed"] > 0 and r["fragments"] > r["completed"], r


def case_ip_frag_faults(bdir, mode):
    d, rc = summary(run(os.path.join(bdir, "ip_frag"), mode, ["net_ring0"],
                        ["--selftest", "--timeout-ms", "100", "--count", "3",
                         "--loss", "30000", "--dup", "50000",
                         "--reorder", "100000", "--seed", "7"]))
    books(d, rc)
    f, r = d["faults"], d["reasm"]
    assert f["dropped"] > 0 and f["duplicated"] > 0 and f["reordered"] > 0, f
    assert d["wrong"] == 0 and d["checked"] == d["completed"], d
    # Exactly the datagrams that lost no fragment came back...
    assert d["completed"] + f["datagrams_hit"] == d["built"], d
    # ...and each that did was given up at its timeout and freed.
    assert r["timed_out"] >= f["datagrams_hit"], (f, r)
    assert r["duplicates"] > 0, r
    assert r["held_datagrams"] == r["held_frags"] == r["held_bytes"] == 0, r


def case_ip_frag_twins(bdir, mode):
    # Half the fragments received twice, half held back: with seed 3 every
    # fragment of four datagrams comes twice, and of two of them a whole
    # copy comes after the table completed (and forgot) the first.
    d, rc = summary(run(os.path.join(bdir, "ip_frag"), mode, ["net_ring0"],
                        ["--selftest", "--timeout-ms", "100",
                         "--dup", "500000", "--reorder", "500000",
                         "--seed", "3"]))
    books(d, rc)
    f = d["faults"]
    assert f["datagrams_hit"] == 0 and d["wrong"] == 0, d
    # Each datagram checked once; a second completion is counted apart,
    # and only of a datagram every fragment of which went twice.
    assert d["built"] == d["checked"] == 48, d
    assert 0 < f["again"] <= len(f["twinned"]), f
    assert d["completed"] == d["checked"] + f["again"], d


def case_tcp_seg(bdir, mode):
    exe = os.path.join(bdir, "tcp_seg")
    for opts in (["--selftest"],
                 ["--selftest", "--bytes", "100001", "--mss", "1000"]):
        d, rc = summary(run(exe, mode, ["net_ring0"], opts))
        books(d, rc)
        assert d["wrong"] == 0 and d["fin"], d
        assert d["bytes_back"] == d["bytes"], d
        assert d["segments"] >= d["bytes"] // d["mss"], d


def bench(exe, ways):
    p = run(exe, "nohuge", [], ["--bench", "--iters", "20", "--reps", "1",
                                "--json"], timeout=600)
    assert p.returncode == 0, "exit %d\n%s" % (p.returncode, p.stderr)
    d, _ = summary(p)
    assert d["rows"], d
    # scripts/perf-report.py shows only the library's own conversion.
    assert d["convert"] == "whole", d
    for row in d["rows"]:
        for w in ways(row):
            assert row[w + "_ns"]["median"] > 0, row
    return d


def case_ip_frag_bench(bdir, _mode):
    d = bench(os.path.join(bdir, "ip_frag"),
              lambda r: ["ours"] if "alone" in r["name"] else
              ["ours", "hand"] if "MTU 1500, " in r["name"] and "65000" in
              r["name"] and "reassemble" in r["name"] else
              ["ours", "dpdk", "hand"])
    assert len(d["rows"]) == 9, d


def case_tcp_seg_bench(bdir, _mode):
    d = bench(os.path.join(bdir, "tcp_seg"), lambda r: ["ours", "dpdk",
                                                         "hand"])
    assert len(d["rows"]) == 2, d


def main():
    if sys.argv[1:] == ["--list"]:
        print(" ".join(TWICE))
        print(" ".join(ONCE))
        return 0
    if len(sys.argv) != 4 or sys.argv[2] not in TWICE + ONCE:
        print(__doc__, file=sys.stderr)
        return 2
    bdir, case, mode = sys.argv[1:]
    if mode == "huge" and hugepages_short():
        print("SKIP: too few hugepages; the nohuge run covers it")
        return 77
    try:
        globals()["case_" + case.replace("-", "_")](bdir, mode)
    except AssertionError as e:
        print("FAIL: %s: %s" % (case, e))
        return 1
    print("OK: " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
