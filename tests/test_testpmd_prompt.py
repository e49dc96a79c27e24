#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""evpl-testpmd as dpdk-testpmd's users drive it: the testpmd> prompt fed
from a script through a pipe, and the statistics read by the parser a
testpmd script would use.

    test_testpmd_prompt.py EVPL_TESTPMD CASE huge|nohuge|none
    test_testpmd_prompt.py --list

A prompt case writes its commands one at a time, each after the answer to
the one before (the next "testpmd> " prompt), waits where the script says,
and checks the answers, the exit status and the final summary: the books
balanced over every run, the pool's free count back where it started.
The layout case runs evpl-testpmd and, where it is installed, dpdk-testpmd
itself, and requires the same blocks with the same lines once the numbers
are left out. Exit 77 (skip) for "huge" without free hugepages.
"""

import codecs
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_testpmd import (catch_signals, die_with_parent,  # noqa: E402
                          eal_args, hugepages_too_few, launch)

NULL = ["net_null0", "net_null1"]
RING = ["net_ring0", "net_ring1"]
PROMPT = "testpmd> "

# What dpdk-testpmd 22.11 printed here for net_null ports (its NIC
# statistics page, and the forward statistics at its stop), for when it is
# not installed: the layout is compared, not the numbers.
TESTPMD_SAMPLE = """
Port statistics ====================================
  ######################## NIC statistics for port 0  ########################
  RX-packets: 9182208    RX-missed: 0          RX-bytes:  0
  RX-errors: 0
  RX-nombuf:  0         
  TX-packets: 8881120    TX-errors: 0          TX-bytes:  0

  Throughput (since last show)
  Rx-pps:      8846844          Rx-bps:            0
  Tx-pps:      8846844          Tx-bps:            0
  ############################################################################
Telling cores to stop...
Waiting for lcores to finish...

  ---------------------- Forward statistics for port 0  ----------------------
  RX-packets: 20208320       RX-dropped: 0             RX-total: 20208320
  TX-packets: 20208320       TX-dropped: 0             TX-total: 20208320
  ----------------------------------------------------------------------------

  ---------------------- Forward statistics for port 1  ----------------------
  RX-packets: 20208320       RX-dropped: 0             RX-total: 20208320
  TX-packets: 20208320       TX-dropped: 0             TX-total: 20208320
  ----------------------------------------------------------------------------

  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++
  RX-packets: 40416640       RX-dropped: 0             RX-total: 40416640
  TX-packets: 40416640       TX-dropped: 0             TX-total: 40416640
  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++

Done.
"""

# What dpdk-testpmd 22.11 answered to the port and configuration commands
# people type daily, on two net_null ports (-i --total-num-mbufs=2048, two
# lcores), for when it is not installed: the lines' shapes are compared,
# not their numbers or addresses.
TESTPMD_DAILY = """testpmd> show port stats 0

  ######################## NIC statistics for port 0  ########################
  RX-packets: 0          RX-missed: 0          RX-bytes:  0
  RX-errors: 0
  RX-nombuf:  0         
  TX-packets: 0          TX-errors: 0          TX-bytes:  0

  Throughput (since last show)
  Rx-pps:            0          Rx-bps:            0
  Tx-pps:            0          Tx-bps:            0
  ############################################################################
testpmd> show port summary all
Number of available ports: 2
Port MAC Address       Name         Driver         Status   Link
0    C2:C0:AB:2A:3B:91 net_null0    net_null       up       10 Gbps
1    B2:BB:F7:57:74:98 net_null1    net_null       up       10 Gbps
testpmd> show port xstats 0
###### NIC extended statistics for port 0 
rx_good_packets: 0
tx_good_packets: 0
rx_good_bytes: 0
tx_good_bytes: 0
rx_missed_errors: 0
rx_errors: 0
tx_errors: 0
rx_mbuf_allocation_errors: 0
rx_q0_packets: 0
rx_q0_bytes: 0
rx_q0_errors: 0
tx_q0_packets: 0
tx_q0_bytes: 0
testpmd> clear port xstats all
testpmd> port stop 0
Stopping ports...
Checking link statuses...
Done
testpmd> port start 0
Port 0: C2:C0:AB:2A:3B:91
Checking link statuses...
Done
testpmd> port stop all
Stopping ports...
Checking link statuses...
Done
testpmd> port start all
Port 0: C2:C0:AB:2A:3B:91
Port 1: B2:BB:F7:57:74:98
Checking link statuses...
Done
testpmd> set nbcore 1
Number of forwarding cores set to 1
testpmd> set verbose 1
Change verbose level from 0 to 1
testpmd> set verbose 0
Change verbose level from 1 to 0
testpmd> set promisc all on
testpmd> show config rxtx
  io packet forwarding packets/burst=32
  nb forwarding cores=1 - nb forwarding ports=1
  port 0: RX queue number: 1 Tx queue number: 1
    Rx offloads=0x0 Tx offloads=0x0
    RX queue: 0
      RX desc=0 - RX free threshold=0
      RX threshold registers: pthresh=0 hthresh=0  wthresh=0
      RX Offloads=0x0
    TX queue: 0
      TX desc=0 - TX free threshold=0
      TX threshold registers: pthresh=0 hthresh=0  wthresh=0
      TX offloads=0x0 - TX RS bit threshold=0
  port 1: RX queue number: 1 Tx queue number: 1
    Rx offloads=0x0 Tx offloads=0x0
    RX queue: 0
      RX desc=0 - RX free threshold=0
      RX threshold registers: pthresh=0 hthresh=0  wthresh=0
      RX Offloads=0x0
    TX queue: 0
      TX desc=0 - TX free threshold=0
      TX threshold registers: pthresh=0 hthresh=0  wthresh=0
      TX offloads=0x0 - TX RS bit threshold=0
testpmd> show config cores
List of forwarding lcores:  1
testpmd> show port info 0

********************* Infos for port 0  *********************
MAC address: 46:B1:0E:52:4F:39
Device name: net_null0
Driver name: net_null
Firmware-version: not available
Devargs: 
Connect to socket: 0
memory allocation on the socket: 0
Link status: up
Link speed: 10 Gbps
Link duplex: full-duplex
Autoneg status: Off
MTU: 1500
Promiscuous mode: enabled
Allmulticast mode: enabled
Maximum number of MAC addresses: 1
Maximum number of MAC addresses of hash filtering: 0
VLAN offload: 
  strip off, filter off, extend off, qinq strip off
Redirection table size: 128
Supported RSS offload flow types:
  ipv4  ipv4-frag  ipv4-tcp  ipv4-udp  ipv4-sctp  ipv4-other
  ipv6  ipv6-frag  ipv6-tcp  ipv6-udp  ipv6-sctp  ipv6-other
  l2-payload  ipv6-ex  ipv6-tcp-ex  ipv6-udp-ex  port  vxlan
  geneve  nvgre  mpls
Minimum size of RX buffer: 0
Maximum configurable length of RX packet: 4294967295
Maximum configurable size of LRO aggregated packet: 0
Current number of RX queues: 1
Max possible RX queues: 1024
Max possible number of RXDs per queue: 65535
Min possible number of RXDs per queue: 0
RXDs number alignment: 1
Current number of TX queues: 1
Max possible TX queues: 1024
Max possible number of TXDs per queue: 65535
Min possible number of TXDs per queue: 0
TXDs number alignment: 1
Max segment number per packet: 65535
Max segment number per MTU/TSO: 65535
Device capabilities: 0x0( )
Device error handling mode: none
"""

# ---- the parser a testpmd script would use --------------------------------

HEADERS = [
    ("nic", re.compile(r"#+ NIC statistics for port (\d+) +#+$")),
    ("fwd", re.compile(r"-+ Forward statistics for port (\d+) +-+$")),
    ("acc", re.compile(r"\++ Accumulated forward statistics for all "
                       r"ports\++$")),
]
FIELD = re.compile(r"([A-Za-z][A-Za-z-]*):\s+(\d+)")


def blocks(text):
    """[(kind, port or None, {field: value}, [skeleton lines])] in order:
    a block runs from its header to the border line that closes it."""
    out, cur = [], None
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        s = line.strip()
        if cur is None:
            for kind, rx in HEADERS:
                m = rx.search(s)
                if m:
                    port = int(m.group(1)) if m.groups() else None
                    cur = (kind, port, {}, [skeleton(line)])
                    break
            continue
        cur[3].append(skeleton(line))
        if s and set(s) <= set("#-+"):
            out.append(cur)
            cur = None
            continue
        for name, value in FIELD.findall(s):
            cur[2][name] = int(value)
    return out


def skeleton(line):
    """The line with every MAC address, number (and the padding around
    them) left out."""
    line = re.sub(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", "MAC", line.rstrip("\r"))
    return re.sub(r" *\d+ *", " N ", line).rstrip()


def first_of_each(bl):
    seen = {}
    for kind, _port, _fields, skel in bl:
        seen.setdefault(kind, skel)
    return seen


def same_layout(ours, theirs, what):
    a, b = first_of_each(blocks(ours)), first_of_each(blocks(theirs))
    assert set(a) == set(b), "%s: blocks %s, testpmd's %s" % (
        what, sorted(a), sorted(b))
    for kind in a:
        assert a[kind] == b[kind], "%s: %s block differs:\n%s\n---\n%s" % (
            what, kind, "\n".join(a[kind]), "\n".join(b[kind]))


# ---- running the program ---------------------------------------------------

class Prog:
    """A running program whose stdout and stderr are read as they come
    (with universal newlines, as text=True reads them). Use it in a with
    block: however the block ends (a failed assertion, a timeout, a
    signal), the program is killed if it still runs and reaped, and the
    readers end with it. It also dies with this test (die_with_parent).
    rate: read at most so many bytes a second, as a slow terminal does
    (the program's writes then wait for room in the pipe)."""

    def __init__(self, cmd, rate=None):
        print("$ " + " ".join(cmd), flush=True)
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  preexec_fn=die_with_parent)
        self.buf = {"out": [], "err": []}
        self.lock = threading.Lock()
        self.rate = rate
        # Daemons: a reader never keeps this test from exiting.
        self.threads = [threading.Thread(target=self._read, args=(f, k),
                                         daemon=True)
                        for f, k in ((self.p.stdout, "out"),
                                     (self.p.stderr, "err"))]
        for t in self.threads:
            t.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, f, key):
        # What there is, not a character at a time: the forwarding lcores
        # print every packet under set verbose.
        dec = codecs.getincrementaldecoder("utf-8")("replace")
        cr = ""
        while True:
            b = os.read(f.fileno(), 4096 if self.rate else 65536)
            if self.rate:
                time.sleep(len(b) / self.rate)
            t = cr + dec.decode(b, final=not b)
            cr = "\r" if b and t.endswith("\r") else ""
            t = t[:len(t) - len(cr)].replace("\r\n", "\n").replace("\r", "\n")
            with self.lock:
                self.buf[key].append(t)
            if not b:
                return

    def text(self, key):
        with self.lock:
            b = self.buf[key]
            if len(b) > 1:
                b[:] = ["".join(b)]
            return b[0] if b else ""

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def wait_for(self, key, pred, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred(self.text(key)):
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError("timed out or exited (%s) waiting on %s:\n%s\n"
                             "--- stderr:\n%s" % (self.p.poll(), key,
                                                  self.text("out"),
                                                  self.text("err")))

    def finish(self, timeout=60):
        """The exit status once the program ends of itself (stdin closed):
        it is killed (close) if it does not within timeout."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.p.wait(timeout=timeout)
        for t in self.threads:
            t.join(timeout=timeout)
        return rc

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        # Its end of the pipes went with it: the readers see their end.
        for t in self.threads:
            t.join(timeout=10)
        try:
            self.p.stdin.close()
        except OSError:  # what was left unsent, to a program gone
            pass


class Until:
    """A step's pause that asks again: the command is sent again until its
    answer satisfies pred, as someone at the prompt looks again until the
    lcores have done what the next step needs (they work on their own
    time, however loaded the machine)."""

    def __init__(self, pred, timeout=30):
        self.pred, self.timeout = pred, timeout


def clip(text, keep=50000):
    """text, or its start and end where it is long (packets printed)."""
    if len(text) <= 2 * keep:
        return text
    return "%s\n[... %d characters ...]\n%s" % (
        text[:keep], len(text) - 2 * keep, text[-keep:])


def answer_of(part, command):
    """(what came before the echo of command, its answer) in part, the
    text after a prompt; None where part lacks the echo."""
    lines = part.split("\n")
    k = next((j for j, line in enumerate(lines)
              if line.strip() == command), None)
    if k is None:
        return None
    return "\n".join(lines[:k]) + "\n" if k else "", \
        "\n".join(lines[k + 1:])


def ask(prog, key, command):
    """command at the prompt: its answer once the next prompt came (None
    where the echo cannot be found)."""
    n = prog.text(key).count(PROMPT)
    prog.send(command)
    prog.wait_for(key, lambda t: t.count(PROMPT) > n)
    got = answer_of(prog.text(key).split(PROMPT)[n], command)
    return got and got[1]


def ask_until(prog, key, command, until):
    """command at the prompt again and again until its answer satisfies
    until.pred; the number of times it was asked."""
    end = time.monotonic() + until.timeout
    asked = 0
    while True:
        a = ask(prog, key, command)
        asked += 1
        if a is not None and until.pred(a):
            return asked
        assert time.monotonic() < end, \
            "%r: never answered as required:\n%s" % (command, a)
        time.sleep(0.05)


def drive(exe, mode, vdevs, nfwd, app, script, json_out=True, quit=True,
          rate=None):
    """Run with -i and feed script: (command, pause), pause being 0, a
    predicate on the output to wait for after the answer, or Until; never
    a time, which stands in for what the lcores did only on a quiet
    machine. Returns (exit status, {command index: answer}, stdout, stderr,
    the JSON summary or None). The prompt and the answers are on stdout,
    or stderr under --json."""
    cmd = launch(exe, mode) + eal_args(mode, vdevs, nfwd) + ["--", "-i"] + \
        (["--json"] if json_out else []) + app
    key = "err" if json_out else "out"
    sent = []   # the script index of each command sent, in order
    with Prog(cmd, rate) as prog:
        prog.wait_for(key, lambda t: PROMPT in t)
        for i, (cmd_, pause) in enumerate(script):
            if isinstance(pause, Until):
                sent += [i] * ask_until(prog, key, cmd_, pause)
                continue
            ask(prog, key, cmd_)
            sent.append(i)
            # A predicate on the output: what the lcores must have printed
            # before the next command, so that nothing they print lands
            # between a prompt and the next command's echo.
            if callable(pause):
                prog.wait_for(key, pause)
            else:
                assert pause == 0, pause
        if quit:
            prog.send("quit")
        rc = prog.finish()
        out, err = prog.text("out"), prog.text("err")
    sys.stderr.write(clip(err if json_out else out))
    answers = {}
    parts = (err if json_out else out).split(PROMPT)[1:]
    for j, part in enumerate(parts[:len(sent)]):
        # The forwarding lcores print on their own time: what they print
        # after the prompt and before the command's echo is the previous
        # command's (a run it started), as it would be on a terminal. A
        # command sent again (Until) answers with its last answer.
        i = sent[j]
        got = answer_of(part, script[i][0])
        assert got is not None, (clip(part), script[i][0])
        if got[0]:
            owner = next((s for s in reversed(sent[:j]) if s != i), None)
            assert owner is not None, (clip(part), script[i][0])
            answers[owner] += got[0]
        answers[i] = got[1]
    d = json.loads(out) if json_out else None
    return rc, answers, out, err, d


def books_hold(rc, d, runs):
    assert rc == 0, "exit status %d" % rc
    assert d["runs"] == runs, d["runs"]
    t = d["totals"]
    assert t["balanced"] and t["owed"] == t["tx_packets"] + t["dropped"], t
    assert d["pool"]["outstanding"] == 0, d["pool"]
    assert d["pool"]["free_at_end"] == d["pool"]["size"], d["pool"]
    assert d["lcore_errors"] == 0


def port_stats(answer):
    return {p: f for k, p, f, _ in blocks(answer) if k == "nic"}


def fwd_stats(answer):
    """Per port and "all" (the Accumulated block)."""
    r = {}
    for k, p, f, _ in blocks(answer):
        if k == "fwd":
            r[p] = f
        elif k == "acc":
            r["all"] = f
    return r


def received(n):
    """Until show fwd stats all says n packets received or more: the
    lcores have run so far (never a fixed time)."""
    return Until(lambda a: fwd_stats(a).get("all", {}).get("RX-packets", 0)
                 >= n)


FORWARDED = received(1)


# ---- cases -------------------------------------------------------------------

def case_stats(exe, mode):
    """Counters move after start, stop reports the run, clear zeroes the
    counters, set fwd changes what the lcores run; what the stop blocks say
    adds up to evpl's own books."""
    script = [
        ("show port stats all", 0),          # 0
        ("start", 0),                        # 1
        # Until both ports' counters moved: the lcore has run.
        ("show port stats all",
         Until(lambda a: len(port_stats(a)) == 2 and all(
             f["RX-packets"] > 0 and f["TX-packets"] > 0
             for f in port_stats(a).values()))),   # 2
        ("show fwd stats all", 0),           # 3
        ("stop", 0),                         # 4
        ("clear port stats all", 0),         # 5
        ("show port stats all", 0),          # 6
        ("show fwd stats all", 0),           # 7
        ("set fwd macswap", 0),              # 8
        ("show config fwd", 0),              # 9
        ("start", 0),                        # 10
        ("show fwd stats all", FORWARDED),   # 11
        ("stop", 0),                         # 12
    ]
    rc, a, _out, _err, d = drive(exe, mode, NULL, 1, ["--forward-mode=io"],
                                 script)
    books_hold(rc, d, 2)
    before = port_stats(a[0])
    assert sorted(before) == [0, 1], before
    assert all(f["RX-packets"] == 0 and f["TX-packets"] == 0
               for f in before.values()), before
    during = port_stats(a[2])
    assert all(f["RX-packets"] > 0 and f["TX-packets"] > 0
               for f in during.values()), during
    fwd = fwd_stats(a[3])
    assert fwd["all"]["RX-packets"] > 0, fwd
    assert "Telling cores to stop" in a[4] and "Done." in a[4], a[4]
    run1 = fwd_stats(a[4])
    assert "NIC statistics for port 0 cleared" in a[5], a[5]
    assert all(f["RX-packets"] == 0 and f["TX-packets"] == 0 and
               f["TX-errors"] == 0 for f in port_stats(a[6]).values()), a[6]
    assert fwd_stats(a[7])["all"]["RX-total"] == 0, a[7]
    assert "Set macswap packet forwarding mode" in a[8], a[8]
    assert a[9].startswith("macswap packet forwarding"), a[9]
    assert a[10].startswith("macswap packet forwarding"), a[10]
    run2 = fwd_stats(a[12])
    assert d["mode"] == "macswap"
    # io touches no iovec, macswap does: the second run ran macswap.
    e = d["evpl"]
    assert 0 < e["rx_pkts"] < d["totals"]["rx_packets"], e
    assert e["rx_pkts"] == run2["all"]["RX-packets"], (e, run2)
    # testpmd's lines and evpl's books count the same packets.
    t = d["totals"]
    assert run1["all"]["RX-packets"] + run2["all"]["RX-packets"] == \
        t["rx_packets"], (run1, run2, t)
    assert run1["all"]["TX-total"] + run2["all"]["TX-total"] == \
        t["tx_packets"] + t["dropped"], (run1, run2, t)


def case_tx_first(exe, mode):
    """set fwd, set burst and set txpkts reach the next start tx_first:
    each port receives one burst of the new size, well-formed with the new
    lengths."""
    script = [
        ("set fwd rxonly", 0),
        ("set burst 8", 0),
        ("set txpkts 42,1000", 0),
        ("show config txpkts", 0),
        ("start tx_first", 0),
        # Until the burst of each port came back.
        ("show fwd stats all", received(2 * 8)),
        ("stop", 0),
    ]
    rc, a, _out, _err, d = drive(exe, mode, RING, 1, [], script)
    books_hold(rc, d, 1)
    assert "Number of packets per burst set to 8" in a[1], a[1]
    assert "Segment sizes: 42,1000" in a[3], a[3]
    assert d["burst"] == 8 and d["txpkts"] == [42, 1000], d
    stop = fwd_stats(a[6])
    for p in d["ports"]:
        assert p["generated"] == 8 and p["rx_packets"] == 8, p
        assert p["rx_ipv4_udp"] == 8, p
        assert stop[p["port"]]["RX-packets"] == 8, stop


def case_refusals(exe, mode):
    """What dpdk-testpmd refuses is refused, and leaves things as they
    were; the end of input quits as quit does."""
    script = [
        ("stop", 0),
        ("start", 0),
        ("start", 0),
        ("set fwd iovec", 0),
        ("set burst 8", 0),
        ("stop", 0),
        ("set fwd pipeline", 0),
        ("set burst 0", 0),
        ("set txpkts 20", 0),
        ("frobnicate", 0),
        ("show config fwd", 0),
        ("help", 0),
    ]
    rc, a, _out, err, d = drive(exe, mode, NULL, 1, [], script, quit=False)
    books_hold(rc, d, 1)
    for w in ("Packet forwarding not started",
              "Packet forwarding already started",
              "Please stop forwarding first",
              "pipeline needs two forwarding lcores",
              "not in 1..512", "42 header bytes"):
        assert w in err, "no %r" % w
    assert "not supported by evpl-testpmd" in a[9], a[9]
    assert a[10].startswith("iovec packet forwarding"), a[10]
    assert "packets/burst=32" in a[10], a[10]
    for c in ("start tx_first", "show fwd stats all", "set fwd",
              "clear port stats|xstats PORT|all", "show port info|summary|"
              "stats|xstats PORT|all", "port stop|start", "set nbcore",
              "set portlist", "set verbose", "set promisc", "show config "
              "rxtx|cores", "show rxq|txq info", "quit"):
        assert c in a[11], "help lacks %s" % c
    assert d["mode"] == "iovec" and d["burst"] == 32, d


def case_defaults(exe, mode):
    """The prompt starts in iovec mode, so a first start and stop goes
    through the library, and it says how to reach dpdk-testpmd's io (which
    touches no iovec) and the other modes."""
    rc, a, _out, err, d = drive(exe, mode, NULL, 1, [],
                                [("start", 0),
                                 ("show fwd stats all", FORWARDED),
                                 ("stop", 0)])
    books_hold(rc, d, 1)
    assert d["mode"] == "iovec", d["mode"]
    assert a[0].startswith("iovec packet forwarding"), a[0]
    banner = err.split(PROMPT)[0]
    assert "Forwarding mode iovec" in banner, banner
    assert "'set fwd io'" in banner and "'help'" in banner, banner
    e = d["evpl"]
    assert e["rx_pkts"] == d["totals"]["rx_packets"] > 0, (e, d["totals"])
    assert e["tx_pkts"] > 0, e


def case_auto_start(exe, mode):
    """--auto-start: forwarding runs before the first command."""
    rc, a, _out, err, d = drive(exe, mode, NULL, 1, ["--auto-start"],
                                [("show fwd stats all", FORWARDED)])
    books_hold(rc, d, 1)
    assert "Start automatic packet forwarding" in err
    assert fwd_stats(a[0])["all"]["RX-packets"] > 0, a[0]
    assert "Telling cores to stop" in err.split(PROMPT)[-1]


def case_text(exe, mode):
    """Without --json everything is on stdout, in order: the prompt's
    echo, the answers, testpmd's stop lines at quit, then evpl's own."""
    rc, a, out, _err, _d = drive(exe, mode, NULL, 1, [],
                                 [("start", 0)], json_out=False)
    assert rc == 0, rc
    tail = out.split(PROMPT)[-1]
    assert tail.lstrip().startswith("quit"), tail
    bl = blocks(tail)
    assert [b[0] for b in bl] == ["fwd", "fwd", "acc"], bl
    evpl = tail[tail.index("Done."):]
    assert re.search(r"books: .*: balanced", evpl), evpl
    assert "zero outstanding" in evpl and "1 run," in evpl, evpl


def case_sigterm(exe, mode):
    """A signal at the prompt stops forwarding and ends as quit does."""
    cmd = launch(exe, mode) + eal_args(mode, NULL, 1) + \
        ["--", "-i", "-a", "--json"]
    with Prog(cmd) as prog:
        prog.wait_for("err", lambda t: PROMPT in t)
        ask_until(prog, "err", "show fwd stats all", FORWARDED)
        prog.p.send_signal(signal.SIGTERM)
        rc = prog.p.wait(timeout=60)
        prog.finish()
        out, err = prog.text("out"), prog.text("err")
    sys.stderr.write(err)
    d = json.loads(out)
    books_hold(rc, d, 1)
    assert d["totals"]["rx_packets"] > 0
    assert "signal 15" in err


DAILY = ["show port stats 0", "show port info 0", "show port summary all",
         "show port xstats 0", "clear port xstats all", "port stop 0",
         "port start 0", "port stop all", "port start all", "set nbcore 1",
         "set verbose 1", "set verbose 0", "set promisc all on",
         "show config rxtx", "show config cores"]


def transcript(text, script):
    """{command: its answer} of a prompt's output."""
    answers = {}
    for part in text.split(PROMPT)[1:]:
        echo, _, rest = part.partition("\n")
        if echo.strip() in script and echo.strip() not in answers:
            answers[echo.strip()] = rest
    return answers


def same_answers(ours, theirs, what):
    for cmd in DAILY:
        a = [skeleton(l) for l in ours[cmd].splitlines()]
        b = [skeleton(l) for l in theirs[cmd].splitlines()]
        assert a == b, "%s: %r differs:\n%s\n--- dpdk-testpmd:\n%s" % (
            what, cmd, "\n".join(a), "\n".join(b))


def testpmd_daily(mode):
    """dpdk-testpmd's answers to DAILY here, or None where it does not
    run. stdbuf: its answers (stdio) and its prompt (written straight to
    the terminal) come out in order only line-buffered."""
    testpmd, stdbuf = shutil.which("dpdk-testpmd"), shutil.which("stdbuf")
    if testpmd is None or stdbuf is None:
        return None
    cmd = [stdbuf, "-oL", testpmd] + eal_args(mode, NULL, 1) + \
        ["--", "-i", "--total-num-mbufs=2048"]
    with Prog(cmd) as t:
        try:
            t.wait_for("out", lambda x: PROMPT in x)
            for c in DAILY:
                ask(t, "out", c)
            t.send("quit")
        except (AssertionError, BrokenPipeError) as e:
            print("dpdk-testpmd did not run here: %s" % e)
            return None
        t.finish()
        return transcript(t.text("out"), DAILY)


def case_daily_layout(exe, mode):
    """The port and configuration commands of DAILY answer with
    dpdk-testpmd's lines, whatever the numbers and addresses: against
    dpdk-testpmd run now where it is installed, else against its recorded
    answers. (io mode, which show config rxtx names, as testpmd's.)"""
    rc, a, out, _err, _d = drive(exe, mode, NULL, 1, ["--forward-mode=io"],
                                 [(c, 0) for c in DAILY], json_out=False)
    assert rc == 0, rc
    ours = {c: a[i] for i, c in enumerate(DAILY)}
    same_answers(ours, transcript(TESTPMD_DAILY, DAILY),
                 "against the recorded dpdk-testpmd")
    theirs = testpmd_daily(mode)
    if theirs is None:
        print("compared with the recorded answers only")
        return
    same_answers(ours, theirs, "against dpdk-testpmd run now")
    print("OK: the same answers as dpdk-testpmd run now")


def case_daily(exe, mode):
    """What the daily commands do: one port's statistics page; stopped
    ports keep start from running until started again; set nbcore,
    set portlist and start tx_first N shape the next run; set verbose
    prints the packets; queue info as the driver reports it; anything else
    is answered with its usage or as not supported, never "Bad arguments"
    alone."""
    pkt = "length=64 - nb_segs=1"
    script = [
        ("show port stats 1", 0),                # 0
        ("show port info all", 0),               # 1
        ("port stop 0", 0),                      # 2
        ("start", 0),                            # 3
        ("port start all", 0),                   # 4
        ("set portlist 1", 0),                   # 5
        ("show config cores", 0),                # 6
        ("set verbose 1", 0),                    # 7
        # 3 bursts of 32, each packet printed: wait for all of them.
        ("start tx_first 3", lambda t: t.count(pkt) >= 96),   # 8
        ("stop", 0),                             # 9
        ("show rxq info 1 0", 0),                # 10
        ("show port foo", 0),                    # 11
        ("set promisc 7 on", 0),                 # 12
        ("flow list 0", 0),                      # 13
        ("set nbcore 9", 0),                     # 14
        ("set portlist 0,1", 0),                 # 15
        # One burst on each port, still printed: wait for them too.
        ("start tx_first", lambda t: t.count(pkt) >= 96 + 64),  # 16
        ("stop", 0),                             # 17
        ("set verbose 0", 0),                    # 18
    ]
    rc, a, _out, err, d = drive(exe, mode, RING, 1, ["--forward-mode=rxonly"],
                                script)
    books_hold(rc, d, 2)
    assert sorted(port_stats(a[0])) == [1], a[0]
    assert a[1].count("Infos for port") == 2, a[1]
    assert "Stopping ports..." in a[2] and "Done" in a[2], a[2]
    assert "Not all ports were started" in a[3], a[3]
    assert "Port 0: " in a[4] and "Port 1 is now not stopped" in a[4], a[4]
    assert "changed to number of configured ports 1" in a[5], a[5]
    assert "pair with itself" in a[5], a[5]
    assert a[6].startswith("List of forwarding lcores:"), a[6]
    assert "Change verbose level from 0 to 1" in a[7], a[7]
    # The first run: port 1 alone, paired with itself, 3 bursts of 32
    # sent on it and received back, each printed.
    run1 = fwd_stats(a[9])
    assert sorted(k for k in run1 if k != "all") == [1], run1
    assert run1[1]["RX-packets"] == 96, run1
    dumped = a[8] + a[9]
    assert "port 1/queue 0: received" in dumped, dumped
    assert dumped.count(pkt) == 96, dumped
    assert "Failed to retrieve information for port: 1, RX queue: 0" in \
        a[10] or "Infos for port 1 , RX queue 0" in a[10], a[10]
    assert "Bad arguments" in a[11] and "show port info|summary|stats|" \
        "xstats PORT|all" in a[11], a[11]
    assert "Invalid port 7" in a[12], a[12]
    assert "not supported by evpl-testpmd" in a[13], a[13]
    assert "help" in a[13], a[13]
    assert "nb fwd cores 9 > 1" in a[14], a[14]
    # The second run: both ports again, one burst each.
    run2 = fwd_stats(a[17])
    assert run2[0]["RX-packets"] == 32 and run2[1]["RX-packets"] == 32, run2
    assert "Change verbose level from 1 to 0" in a[18], a[18]
    ports = {p["port"]: p for p in d["ports"]}
    assert ports[1]["generated"] == 96 + 32 and ports[0]["generated"] == 32, \
        ports


# Commands asked while the lcores print every packet, read at a slow
# terminal's pace (case_verbose).
VERBOSE_ASKS = 10
VERBOSE_RATE = 1 << 20
PKT_LINE = re.compile(r"  src=([0-9A-F]{2}:){5}[0-9A-F]{2} - "
                      r"dst=([0-9A-F]{2}:){5}[0-9A-F]{2} - pool=\S+ - "
                      r"type=0x[0-9a-f]{4} - length=\d+ - nb_segs=\d+")
BURST_LINE = re.compile(r"port \d+/queue \d+: received \d+ packets")


def case_verbose(exe, mode):
    """While the forwarding lcores print every packet (packets going round
    two net_ring ports, io), every prompt and every answer still comes
    whole, and so does every packet line. Guards the lock tp_prompt holds
    while cmdline writes (cmdline.c): cmdline writes the prompt and the
    echo a character at a time to the descriptor the lcores print to, and
    without the lock their lines land inside "testpmd> " within a few
    commands, so that the prompt the driver waits for never comes."""
    script = [("set verbose 1", 0),
              ("start tx_first", lambda t: t.count("nb_segs=") >= 64)] + \
        [("show config cores", 0)] * VERBOSE_ASKS + \
        [("set verbose 0", 0), ("stop", 0)]
    rc, a, _out, err, d = drive(exe, mode, RING, 1, ["--forward-mode=io"],
                                script, rate=VERBOSE_RATE)
    books_hold(rc, d, 1)
    lines = 0
    for line in err.splitlines():
        # The lcores print while the prompt waits for input: after it.
        body = line[len(PROMPT):] if line.startswith(PROMPT) else line
        if "src=" in body:
            assert PKT_LINE.fullmatch(body), line
            lines += 1
        elif "/queue" in body:
            assert BURST_LINE.fullmatch(body), line
    assert lines >= 64, lines
    for i in range(2, 2 + VERBOSE_ASKS):
        assert a[i].startswith("List of forwarding lcores:"), clip(a[i], 500)
    print("OK: %d packet lines, %d prompts, each whole" % (
        lines, err.count(PROMPT)))


def case_layout(exe, mode):
    """The NIC statistics page and the stop's forward statistics have
    testpmd's blocks and lines, whatever the numbers; the parser reads
    from them what evpl's books say."""
    eal = eal_args(mode, NULL, 1)
    cmd = launch(exe, mode) + eal + ["--", "--stats-period=1",
                                     "--duration=1.1"]
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                       preexec_fn=die_with_parent)
    print(p.stdout)
    assert p.returncode == 0, p.stderr
    ours = p.stdout
    same_layout(ours, TESTPMD_SAMPLE, "against the recorded dpdk-testpmd")
    fwd = fwd_stats(ours)
    m = re.findall(r"port (\d+): received (\d+) sent (\d+) dropped (\d+)",
                   ours)
    assert len(m) == 2, m
    assert fwd["all"]["RX-packets"] == sum(int(x[1]) for x in m), (fwd, m)
    assert fwd["all"]["TX-total"] == sum(int(x[2]) + int(x[3]) for x in m)
    assert "Port statistics ====" in ours

    testpmd = shutil.which("dpdk-testpmd")
    if testpmd is None:
        print("dpdk-testpmd not installed: compared with the recorded "
              "sample only")
        return
    # stdbuf: its statistics page as it prints it (stdio), to wait for.
    cmd = [shutil.which("stdbuf") or "stdbuf", "-oL"] + \
        launch(testpmd, mode) + eal + ["--", "--total-num-mbufs=2048",
                                       "--stats-period=1"]
    with Prog(cmd) as t:
        # Its first page comes a period after forwarding starts, one block
        # per port; the signal then stops the run.
        try:
            t.wait_for("out", lambda x: x.count("Tx-bps:") >= 2, timeout=60)
        except AssertionError as e:
            print("dpdk-testpmd did not start here: compared with the "
                  "recorded sample only\n%s" % e)
            return
        t.p.send_signal(signal.SIGINT)
        t.finish()
        theirs, terr = t.text("out"), t.text("err")
    if "Forward statistics" not in theirs:
        print("dpdk-testpmd did not run here (exit %s): compared with the "
              "recorded sample only\n%s" % (t.p.returncode, terr))
        return
    same_layout(ours, theirs, "against dpdk-testpmd run now")
    print("OK: the same layout as dpdk-testpmd run now")


PROMPT_CASES = {
    "prompt-stats": case_stats,
    "prompt-tx-first": case_tx_first,
    "prompt-refusals": case_refusals,
    "prompt-defaults": case_defaults,
    "prompt-daily": case_daily,
    "prompt-verbose": case_verbose,
    "prompt-auto-start": case_auto_start,
    "prompt-text": case_text,
    "prompt-sigterm": case_sigterm,
}
ONCE = {"summary-layout": case_layout, "daily-layout": case_daily_layout}


def main():
    if sys.argv[1:] == ["--list"]:
        print(" ".join(PROMPT_CASES))
        print(" ".join(ONCE))
        return 0
    exe, case, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    catch_signals()
    if mode == "huge" and hugepages_too_few():
        print("SKIP: too few hugepages on this machine; the nohuge run "
              "covers it")
        return 77
    if case in ONCE:
        ONCE[case](exe, "nohuge" if mode == "none" else mode)
    else:
        PROMPT_CASES[case](exe, mode)
    print("OK: " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
