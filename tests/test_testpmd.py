#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""evpl-testpmd end to end: each case runs the application for a moment on
virtual ports and checks its --json summary (or, for command-line cases,
its exit status and message).

    test_testpmd.py EVPL_TESTPMD CASE huge|nohuge|none
    test_testpmd.py --list

Every run must exit 0 with the pool's free count back where it started
(outstanding 0), no lcore error, and the books balanced:
rx x fanout + generated = tx + dropped. Each case then checks what it is
about: which ports received and sent, and how the library built the
packets (its counters). Exit 77 (skip) for "huge" without free hugepages.
"""

import atexit
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time

NULL = ["net_null0", "net_null1"]
NULL4 = ["net_null0", "net_null1", "net_null2", "net_null3"]
RING = ["net_ring0", "net_ring1"]


def port(d, i):
    return d["ports"][i]


def flowed_both_ways(d):
    """Both ports received, and each sent what its peer received."""
    p0, p1 = port(d, 0), port(d, 1)
    assert p0["rx_packets"] > 0 and p1["rx_packets"] > 0, "nothing received"
    assert p1["tx_packets"] + p1["dropped"] == p0["rx_packets"] + \
        p1["generated"], "port 0's packets did not all go out of port 1"
    assert p0["tx_packets"] + p0["dropped"] == p1["rx_packets"] + \
        p0["generated"], "port 1's packets did not all go out of port 0"


def iovecs_were_their_mbufs(d):
    """Every packet was received as one iovec and sent as its own mbuf."""
    e = d["evpl"]
    assert e["rx_pkts"] == d["totals"]["rx_packets"], e
    assert e["tx_reused"] == e["tx_pkts"] == e["tx_segs"], e


def check_io(d):
    flowed_both_ways(d)
    assert d["evpl"]["rx_pkts"] == 0 and d["evpl"]["tx_pkts"] == 0, \
        "io mode must not go through iovecs"


def check_iovec(d):
    flowed_both_ways(d)
    iovecs_were_their_mbufs(d)


def check_iovec_chains(d):
    """Three-segment chains circulate through iovec mode's fallback from
    the flat bursts to the general ones: every packet received as three
    iovecs and sent as a three-mbuf chain of the same mbufs."""
    check_circulating(d)
    e = d["evpl"]
    assert e["rx_segs"] == 3 * e["rx_pkts"], e
    assert e["tx_segs"] == 3 * e["tx_pkts"], e
    assert e["tx_reused"] == e["tx_segs"], e
    assert e["tx_copied"] == 0 and e["tx_linearized"] == 0, e


def check_circulating(d):
    """On loopback ports the tx-first bursts keep going round: each seeded
    packet received three times or more. (Not more: three busy lcores on
    two shared CPUs go round a few hundred times a second under load.)"""
    flowed_both_ways(d)
    assert d["totals"]["rx_packets"] >= 3 * d["totals"]["generated"], \
        "the seeded packets did not circulate"


def check_txonly(d, segs):
    t, e = d["totals"], d["evpl"]
    assert t["rx_packets"] == 0
    for p in d["ports"]:
        assert p["tx_packets"] > 0, "a port sent nothing"
        assert p["generated"] == p["tx_packets"] + p["dropped"]
    assert e["tx_pkts"] == t["generated"], e
    if segs == 1:
        assert e["tx_reused"] == e["tx_pkts"], e
    return e


def check_txonly_two_segs_null(d):
    e = check_txonly(d, 2)
    # net_null takes no chains: every packet is copied into one mbuf.
    assert e["tx_linearized"] == e["tx_pkts"], e


def check_txonly_two_segs_ring(d):
    e = check_txonly(d, 2)
    # net_ring takes chains: two segments, each its own mbuf, no copy.
    assert e["tx_segs"] == 2 * e["tx_pkts"] and e["tx_linearized"] == 0, e
    assert e["tx_reused"] == e["tx_segs"], e


def check_rxonly_null(d):
    for p in d["ports"]:
        assert p["rx_packets"] > 0 and p["tx_packets"] == 0


def check_rxonly_valid(d):
    """What txonly's builder writes (here through --tx-first) comes back
    as well-formed Ethernet/IPv4/UDP with matching lengths."""
    for p in d["ports"]:
        assert p["rx_packets"] == d["burst"], p
        assert p["rx_ipv4_udp"] == p["rx_packets"], p


def check_clone(d):
    """Every received packet leaves by every port, by reference."""
    rx = d["totals"]["rx_packets"]
    assert rx > 0
    for p in d["ports"]:
        assert p["tx_packets"] + p["dropped"] == rx + p["generated"], p
    e = d["evpl"]
    assert e["tx_indirect"] > 0 and e["tx_copied"] == 0, e


def check_split_null(d):
    flowed_both_ways(d)
    # A header mbuf in front of the payload's: net_null takes no chains.
    assert d["evpl"]["tx_linearized"] == d["evpl"]["tx_pkts"]


def check_split_ring(d):
    flowed_both_ways(d)
    e = d["evpl"]
    # Header and payload travel as a two-mbuf chain, nothing copied.
    assert e["tx_segs"] > e["tx_pkts"] and e["tx_linearized"] == 0, e
    assert e["tx_copied"] == 0, e


def check_pipeline(d):
    flowed_both_ways(d)
    assert len(d["lcores"]["forwarding"]) == 2


def check_stats_period(d, stderr):
    assert stderr.count("Tx-pps:") >= 4, "no periodic statistics"


def check_forwarding_ports(ids, peers):
    """Exactly these ports forwarded, paired as given."""
    def check(d):
        got = [p["port"] for p in d["ports"]]
        assert got == ids, got
        for p in d["ports"]:
            assert p["peer"] == peers[p["port"]], p
            assert p["rx_packets"] > 0 and p["tx_packets"] > 0, p
    return check


def check_one_lcore(d):
    """--nb-cores=1 of two workers: one lcore forwards both streams."""
    assert len(d["lcores"]["forwarding"]) == 1, d["lcores"]
    flowed_both_ways(d)


def check_eth_peer(d):
    """--eth-peer sets the destination of what mac sends out of a port;
    the other port keeps testpmd's default."""
    macs = {p["port"]: p["peer_mac"] for p in d["ports"]}
    assert macs == {0: "02:00:00:00:00:00", 1: "AA:BB:CC:DD:EE:01"}, macs
    flowed_both_ways(d)


def check_big_mbufs(d):
    """--mbuf-size and --total-num-mbufs make the pool: a 3000-byte txonly
    packet is one mbuf of it, sent as it is."""
    assert d["pool"]["size"] == 2048 and d["pool"]["data_room"] == 4096, \
        d["pool"]
    e = check_txonly(d, 1)
    assert e["tx_segs"] == e["tx_pkts"] and e["tx_linearized"] == 0, e


# name: (ports, forwarding lcores, application arguments, check)
RUNS = {
    "io-null": (NULL, 1, ["--forward-mode=io"], check_io),
    "iovec-null": (NULL, 1, ["--forward-mode=iovec"], check_iovec),
    "iovec-ring": (RING, 1, ["--forward-mode=iovec", "--tx-first"],
                   check_circulating),
    "iovec-ring-3segs": (RING, 1, ["--forward-mode=iovec", "--tx-first",
                                   "--txpkts=42,1000,458"],
                         check_iovec_chains),
    "iovec-ring-2q-2lcores": (RING, 2, ["--forward-mode=iovec", "--rxq=2",
                                        "--tx-first"], check_circulating),
    "mac-ring": (RING, 1, ["--forward-mode=mac", "--tx-first"],
                 check_circulating),
    "macswap-null": (NULL, 1, ["--forward-mode=macswap"], check_iovec),
    "txonly-null-64": (NULL, 1, ["--forward-mode=txonly"],
                       lambda d: check_txonly(d, 1)),
    "txonly-null-1500": (NULL, 1, ["--forward-mode=txonly",
                                   "--txpkts=1500"],
                         lambda d: check_txonly(d, 1)),
    "txonly-null-2segs": (NULL, 1, ["--forward-mode=txonly",
                                    "--txpkts=64,1436"],
                          check_txonly_two_segs_null),
    "txonly-ring-2segs": (RING, 1, ["--forward-mode=txonly",
                                    "--txpkts=64,1436"],
                          check_txonly_two_segs_ring),
    "rxonly-null": (NULL, 1, ["--forward-mode=rxonly"], check_rxonly_null),
    "rxonly-ring-valid-64": (RING, 1, ["--forward-mode=rxonly", "--tx-first"],
                             check_rxonly_valid),
    "rxonly-ring-valid-3segs": (RING, 1, ["--forward-mode=rxonly",
                                          "--tx-first",
                                          "--txpkts=42,1000,458"],
                                check_rxonly_valid),
    "clone-null": (NULL, 1, ["--forward-mode=clone"], check_clone),
    "clone-ring-2q-2lcores": (RING, 2, ["--forward-mode=clone", "--rxq=2",
                                        "--tx-first"], check_clone),
    "split-null": (NULL, 1, ["--forward-mode=split"], check_split_null),
    "split-ring": (RING, 1, ["--forward-mode=split", "--tx-first",
                             "--txpkts=1000"], check_split_ring),
    "pipeline-null": (NULL, 2, ["--forward-mode=pipeline"], check_pipeline),
    "pipeline-ring": (RING, 2, ["--forward-mode=pipeline", "--tx-first"],
                      check_circulating),
    "stats-period": (NULL, 1, ["--forward-mode=iovec", "--stats-period=1",
                               "--duration=2.5"], check_stats_period),
    # testpmd's options
    "nb-cores-1-of-2": (NULL, 2, ["--forward-mode=iovec", "--nb-cores=1"],
                        check_one_lcore),
    "portmask-0x5": (NULL4, 1, ["--portmask=0x5"],
                     check_forwarding_ports([0, 2], {0: 2, 2: 0})),
    "nb-ports-2-of-4": (NULL4, 1, ["--nb-ports=2"],
                        check_forwarding_ports([0, 1], {0: 1, 1: 0})),
    "portmask-nb-ports": (NULL4, 1, ["--portmask=e", "--nb-ports=2"],
                          check_forwarding_ports([1, 2], {1: 2, 2: 1})),
    "eth-peer-mac": (RING, 1, ["--forward-mode=mac", "--tx-first",
                               "--eth-peer=1,aa:bb:cc:dd:ee:01"],
                     check_eth_peer),
    "mbuf-size-total-num": (NULL, 1, ["--forward-mode=txonly",
                                      "--mbuf-size=4096",
                                      "--total-num-mbufs=2048",
                                      "--txpkts=3000", "--rxd=256",
                                      "--txd=512"], check_big_mbufs),
}

# Runs stopped by a signal instead of --duration.
SIGNALS = {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM}

# name: (application arguments, ports (None: fails before the EAL starts),
#        words the message must hold)
BAD = {
    "bad-mode": (["--forward-mode=bogus"], None, ["unknown mode"]),
    "bad-burst-zero": (["--burst=0"], None, ["--burst=0", "1..512"]),
    "bad-burst-word": (["--burst=many"], None, ["--burst=many"]),
    "bad-txpkts-short": (["--txpkts=20"], None, ["42 header bytes"]),
    "bad-txpkts-big": (["--txpkts=4000"], None, ["does not fit"]),
    "bad-option": (["--frobnicate"], None, ["unknown option",
                                             "--frobnicate"]),
    "bad-missing-value": (["--burst"], None, ["--burst", "needs a value"]),
    "bad-txq-below-rxq": (["--rxq=2", "--txq=1"], None, ["--txq=1"]),
    "bad-duration": (["--duration=-1"], None, ["--duration=-1"]),
    "bad-stray-word": (["iovec"], None, ["unexpected argument"]),
    "bad-pipeline-one-lcore": (["--forward-mode=pipeline"], NULL,
                               ["pipeline needs two forwarding lcores"]),
    "bad-no-ports": (["--forward-mode=io"], [], ["no ports"]),
    "bad-nb-cores": (["--nb-cores=2"], NULL, ["--nb-cores=2",
                                              "gave 1 forwarding lcores"]),
    "bad-nb-cores-zero": (["--nb-cores=0"], None, ["--nb-cores=0"]),
    "bad-portmask-word": (["--portmask=zz"], None, ["--portmask=zz",
                                                    "hexadecimal"]),
    "bad-portmask-no-port": (["--portmask=0x4"], NULL, ["--portmask=0x4",
                                                        "none of the 2"]),
    "bad-nb-ports": (["--nb-ports=3"], NULL, ["--nb-ports=3",
                                              "only 2 ports"]),
    "bad-eth-peer": (["--eth-peer=0,01:02"], None, ["--eth-peer=0,01:02"]),
    "bad-eth-peer-port": (["--eth-peer=99999,02:00:00:00:00:01"], None,
                          ["--eth-peer"]),
    "bad-interactive-duration": (["-i", "--duration=1"], None,
                                 ["--duration", "not with --interactive"]),
    "bad-rxd-zero": (["--rxd=0"], None, ["--rxd=0"]),
}

def run_af_packet_mbuf_size(exe):
    """A net_af_packet port whose ring frames (framesz=4096 on lo) do not
    fit the default mbuf: the set-up failure names --mbuf-size and the size
    it needs, and that size is enough (rxonly: nothing is sent on lo)."""
    vdev = ["net_af_packet0,iface=lo,framesz=4096"]
    base = launch(exe, "nohuge") + eal_args("nohuge", vdev, 1) + ["--", "--duration=0.2",
                                                  "--forward-mode=rxonly"]
    print("$ " + " ".join(base), flush=True)
    p = subprocess.run(base, capture_output=True, text=True, timeout=120,
                       preexec_fn=die_with_parent)
    print(p.stderr)
    if "will not fit" not in p.stderr and "set-up" not in p.stderr:
        print("SKIP: no net_af_packet port on lo here (needs CAP_NET_RAW)")
        return 77
    assert p.returncode != 0
    m = re.search(r"pass --mbuf-size=(\d+) or more", p.stderr)
    assert m, "the set-up failure does not name --mbuf-size"
    need = int(m.group(1))
    for size, ok in ((need - 1, False), (need, True)):
        cmd = base + ["--mbuf-size=%d" % size, "--json"]
        print("$ " + " ".join(cmd), flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           preexec_fn=die_with_parent)
        print(p.stderr)
        assert (p.returncode == 0) == ok, (size, p.returncode)
        if ok:
            common_checks(json.loads(p.stdout), p.returncode, p.stderr)
    return 0


# Hugepages one evpl-testpmd (or dpdk-testpmd) run here takes: the largest
# run's pool, rings and EAL, with room.
HUGEPAGES = 64


_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    """In a child before exec: SIGKILL when this test dies, however it
    dies (prctl PR_SET_PDEATHSIG, kept across exec and hugepages_run's)."""
    _libc.prctl(1, signal.SIGKILL, 0, 0, 0)


class Interrupted(BaseException):
    """A signal to this test: raised so that what it started is killed
    on the way out (the with blocks and finally clauses run)."""


def on_signal(sig, _frame):
    raise Interrupted("signal %d" % sig)


def catch_signals():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)


def hugepages_run():
    """This build's tests/hugepages_run: meson names it in
    EVPL_TEST_HUGEPAGES_RUN; otherwise it is found from evpl-testpmd's
    place in the build directory (apps/evpl-testpmd/)."""
    p = os.environ.get("EVPL_TEST_HUGEPAGES_RUN")
    if p:
        return p
    return os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])),
                        "..", "..", "tests", "hugepages_run")


def hugepages_too_few(pages=HUGEPAGES):
    """Whether the machine has fewer than pages hugepages in all (or
    EVPL_TEST_HUGEPAGES says so): then a hugepage run skips. Pages that
    other tests hold are waited for instead (tests/hugepages.h)."""
    return subprocess.run([hugepages_run(), str(pages), "--check"]).returncode \
        == 77


def launch(prog, mode, pages=HUGEPAGES):
    """The start of the command line for DPDK program prog in mode: on
    hugepages through hugepages_run, which waits for pages to reserve as
    the test programs do and gives the EAL exactly them."""
    if mode != "huge":
        return [prog]
    return [hugepages_run(), str(pages), prog]


# A runtime directory (and telemetry socket) of this test's own: tests run
# side by side. What DPDK leaves of it goes at exit.
FILE_PREFIX = "evpl-test-py%d" % os.getpid()


def _remove_runtime_dir():
    for d in ("/var/run/dpdk", os.path.join(
            os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")):
        try:
            os.rmdir(os.path.join(d, FILE_PREFIX))
        except OSError:
            pass


atexit.register(_remove_runtime_dir)


def eal_args(mode, vdevs, nfwd):
    cpus = sorted(os.sched_getaffinity(0))[:2]
    # Floating lcores over (at most) two CPUs: works on any machine, and
    # the main lcore mostly sleeps.
    lcores = "(0-%d)@(%s)" % (nfwd, ",".join(map(str, cpus)))
    args = ["--lcores=" + lcores, "--no-pci", "--log-level=lib.eal:warning",
            "--file-prefix=" + FILE_PREFIX]
    if mode == "huge":
        args.append("--in-memory")
    else:
        args += ["--no-huge", "-m", "512", "--no-shconf"]
    for v in vdevs:
        args.append("--vdev=" + v)
    return args


VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def common_checks(d, rc, stderr):
    assert rc == 0, "exit status %d; stderr:\n%s" % (rc, stderr)
    v = d["version"]
    assert VERSION.match(v["program"]) and v["library"] == v["program"], v
    assert v["dpdk"].startswith("DPDK "), v
    assert d["pool"]["outstanding"] == 0, "leak: %s" % d["pool"]
    assert d["pool"]["free_at_end"] == d["pool"]["size"], d["pool"]
    assert d["lcore_errors"] == 0
    assert d["totals"]["balanced"], d["totals"]
    t = d["totals"]
    assert t["rx_packets"] * t["fanout"] + t["generated"] == \
        t["tx_packets"] + t["dropped"], t


def both_ports_counted(text):
    """Whether the last statistics page in text shows packets received on
    ports 0 and 1."""
    last = dict(re.findall(r"NIC statistics for port (\d+) +#+\n"
                           r"  RX-packets: (\d+)", text))
    return int(last.get("0", 0)) > 0 and int(last.get("1", 0)) > 0


def run_json(exe, mode, vdevs, nfwd, app, stop=None):
    cmd = launch(exe, mode) + eal_args(mode, vdevs, nfwd) + \
        ["--", "--json"] + app
    if stop is not None:
        cmd.append("--stats-period=1")
    elif not any(a.startswith("--duration") for a in app):
        cmd.append("--duration=0.5")
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=die_with_parent)
    try:
        head = ""
        if stop is not None:
            # Once a statistics page (one a second) shows both ports'
            # packets, not after a fixed time: the EAL and the lcores take
            # theirs on a loaded machine.
            end = time.monotonic() + 60
            while not both_ports_counted(head):
                line = p.stderr.readline()
                assert line != "" and time.monotonic() < end, \
                    "no page showing packets on both ports:\n" + head
                head += line
            p.send_signal(stop)
        out, err = p.communicate(timeout=120)
    finally:
        # However the run ended here, the program is gone with it.
        if p.poll() is None:
            p.kill()
        p.wait()
    err = head + err
    sys.stderr.write(err)
    try:
        d = json.loads(out)
    except ValueError:
        raise AssertionError("no JSON summary (exit %d):\n%s\n%s" %
                             (p.returncode, out, err))
    print(json.dumps(d["totals"]), json.dumps(d["evpl"]))
    return d, p.returncode, err


def run_bad(exe, mode, app, vdevs, words):
    if vdevs is not None:
        cmd = launch(exe, mode) + eal_args(mode, vdevs, 1) + ["--"] + app
    else:
        cmd = [exe, "--"] + app
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       preexec_fn=die_with_parent)
    print(p.stderr)
    assert p.returncode != 0, "a bad command line exited 0"
    assert p.stdout.strip() == "", "output on stdout: %r" % p.stdout
    for w in words:
        assert w in p.stderr, "message lacks %r" % w


def run_help(exe):
    p = subprocess.run([exe, "--", "--help"], capture_output=True, text=True,
                       timeout=60, preexec_fn=die_with_parent)
    assert p.returncode == 0, p.returncode
    for m in ("io", "iovec", "mac", "macswap", "txonly", "rxonly", "clone",
              "split", "pipeline", "--txpkts", "--burst", "--rxq", "--txq",
              "--stats-period", "--duration", "--json", "--interactive",
              "--auto-start", "--nb-cores", "--portmask", "--nb-ports",
              "--eth-peer", "--rxd", "--txd", "--mbuf-size",
              "--total-num-mbufs"):
        assert m in p.stdout, "--help does not mention %s" % m
    # Without "--" the EAL answers, as for dpdk-testpmd --help, and its
    # usage goes on with the program's (the EAL's usage hook).
    eal = subprocess.run([exe, "--help"], capture_output=True, text=True,
                         timeout=60, preexec_fn=die_with_parent)
    assert eal.returncode == 0, eal.returncode
    assert "EAL common options" in eal.stdout, eal.stdout
    assert "--forward-mode=MODE" in eal.stdout, \
        "evpl-testpmd --help shows only the EAL's options"
    # iovec is the default mode, and --help says so.
    assert re.search(r"--forward-mode=MODE +iovec .*\n.*\(default\)",
                     p.stdout), p.stdout


def main():
    if sys.argv[1:] == ["--list"]:
        # For meson: cases run in both memory modes, then those run once.
        print(" ".join(list(RUNS) + list(SIGNALS)))
        print(" ".join(["help", "af-packet-mbuf-size"] + list(BAD)))
        return 0
    exe, case, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    catch_signals()
    if mode == "huge" and hugepages_too_few():
        print("SKIP: too few hugepages on this machine; the nohuge run "
              "covers it")
        return 77
    if case == "help":
        run_help(exe)
    elif case == "af-packet-mbuf-size":
        if run_af_packet_mbuf_size(exe) == 77:
            return 77
    elif case in BAD:
        app, vdevs, words = BAD[case]
        run_bad(exe, "nohuge" if mode == "none" else mode, app, vdevs, words)
    elif case in SIGNALS:
        d, rc, err = run_json(exe, mode, NULL, 1, ["--forward-mode=iovec"],
                              stop=SIGNALS[case])
        common_checks(d, rc, err)
        flowed_both_ways(d)
        assert d["seconds"] > 1.0, "stopped before the signal"
    else:
        vdevs, nfwd, app, check = RUNS[case]
        d, rc, err = run_json(exe, mode, vdevs, nfwd, app)
        common_checks(d, rc, err)
        if check is check_stats_period:
            check(d, err)
        else:
            check(d)
    print("OK: " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
