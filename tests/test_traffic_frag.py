#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""The examples against the Linux kernel's own IP stack: ip_frag's
fragments and reassembly, tcp_seg's segments, on a veth pair between two
network namespaces this test makes.

    test_traffic_frag.py EXAMPLES_BUILD_DIR CASE [CASE...]   (or "all")
    test_traffic_frag.py --list

    ns K (the kernel)                          ns E (the example)
    kIP/24 on k<pid>  <---- veth ---->  e<pid> = net_af_packet port 0

The "in" cases give the example a net_tap port instead and move the tap
interface it makes (t<pid>) into K, where it is the kernel's interface:
net_af_packet in DPDK 22.11 joins its sockets to a fanout group with
PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles IP fragments before
the port sees them, and ip_frag would have none to reassemble.

Cases (MTU 1500 unless named):
- out, out-9000: ip_frag --send fragments UDP datagrams of 1 B to 65507 B
  (two rounds); a plain UDP socket in K receives every one whole, each
  byte-identical (sha256) to the one sent, none twice.
- out-faults: the same through the example's lossy network (loss,
  duplication, reordering of the fragments sent): every datagram that lost
  no fragment arrives, right and once; none that lost one arrives. Once,
  but for a datagram whose every fragment went twice (ip_frag's
  "twinned"): the kernel may complete it, forget it, and complete its
  second copy, as UDP allows; such a one may arrive twice.
- out-twins: half the fragments twice and half held back, a fixed seed
  that twins whole datagrams: the kernel takes some twice, only those.
- in: a UDP socket in K sends the same datagrams (the kernel fragments
  them); ip_frag --echo reassembles each and answers with its echo,
  fragmented; the socket gets every reply, byte-identical. At MTU 1500
  only: the port is a net_tap (below), whose largest MTU in DPDK 22.11 is
  1500.
- in-faults: the fragments ip_frag receives go through its lossy network:
  every datagram that lost no fragment is answered, right; each that lost
  one times out in the example, and is freed. A twinned one may be
  answered twice, as above.
- in-twins: the fixed seed of out-twins on the fragments ip_frag
  receives: every datagram answered, and some twinned ones twice.
- tcp, tcp-9000: tcp_seg --connect opens a connection to a listening
  socket in K (SYN, SYN-ACK, ACK, driven by the example) and sends 1 MiB
  cut by its segmenter; the socket reads it byte for byte (sha256); both
  ends close.
- tcp-faults: the same with the segments sent lost, duplicated and
  reordered: the example resends, the stream still arrives exact.
Every case: the example exits 0 with every mbuf and slab back and nothing
held in its reassembly table.

Names carry the process id (namespaces evplfr<pid>-<case>-{k,e},
interfaces k<pid>, e<pid>, a subnet and ports derived from it), so runs in
parallel do not collide; a run removes namespaces an earlier, killed run
left. Cleans up on exit and on SIGINT, SIGTERM, SIGHUP. Each case within
150 s. Hugepages when 256 are free and EVPL_NOHUGE is not 1 (or, where
the build names a tests/hugepages_run in EVPL_TEST_HUGEPAGES_RUN, through
it: 128 reserved as the test programs reserve theirs), else --no-huge. Exit 77 (skip) without root, ip or ethtool, where namespaces
or veth pairs cannot be made, without /dev/net/tun (the in cases), or with
EVPL_TRAFFIC=0.
"""

import collections
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

PREFIX = "evplfr"
# Hugepages an example takes (its pool of 10 KiB segments at MTU 9000, its
# slabs, the EAL's own, with room), where the build reserves them.
PAGES = 128
DEADLINE_S = 150
SIZES = (1, 2, 7, 8, 9, 100, 1000, 1471, 1472, 1473, 1480, 2000, 2952, 2953,
         4096, 8000, 8972, 8973, 9000, 16384, 32768, 50000, 65000, 65507)
ROUNDS = 2
TCP_BYTES = 1 << 20
FAULTS = ["--loss", "20000", "--dup", "50000", "--reorder", "100000"]
# Half the fragments twice, half held back, seed 3: sending (out-twins),
# every fragment of datagrams 12, 34 and 35 goes twice (ip_frag's
# "twinned"), and the kernel completes two of them twice (a whole second
# copy after the first); receiving (in-twins), four are twinned and
# ip_frag's table completes two twice.
TWINS = ["--dup", "500000", "--reorder", "500000", "--seed", "3"]
# af_packet's ring frames hold a frame behind their header, and the port
# receives each into one mbuf, which must hold the whole ring frame: at MTU
# 9000 the example's segments are made 10240 bytes (--segment-size).
AFP = {1500: "framesz=2048,blocksz=4096,framecnt=2048",
       9000: "framesz=10240,blocksz=20480,framecnt=512"}

# name: (program, MTU, faults: None, or the example's fault options, the
# seed the process id where they name none)
CASES = {
    "out": ("send", 1500, None),
    "out-9000": ("send", 9000, None),
    "out-faults": ("send", 1500, FAULTS),
    "out-twins": ("send", 1500, TWINS),
    "in": ("echo", 1500, None),
    "in-faults": ("echo", 1500, FAULTS),
    "in-twins": ("echo", 1500, TWINS),
    "tcp": ("tcp", 1500, None),
    "tcp-9000": ("tcp", 9000, None),
    "tcp-faults": ("tcp", 1500, FAULTS),
}


class Interrupted(BaseException):
    pass


_libc = ctypes.CDLL(None, use_errno=True)


def _pdeathsig():
    _libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def sh(cmd, ns=None, check=True, timeout=30):
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       preexec_fn=_pdeathsig)
    if check and p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd),
                                                    p.returncode, p.stdout,
                                                    p.stderr))
    return p


def pattern(size, seq):
    """The examples' test payload (examples/lib/pkt.h)."""
    return bytes((i * 131 + seq * 7 + size) % 251 for i in range(size))


def datagrams():
    """(seq, size) of every datagram, as ip_frag numbers them."""
    return [(r * len(SIZES) + i, s) for r in range(ROUNDS)
            for i, s in enumerate(SIZES)]


# The kernel's side, run in K. Each prints one JSON line.
UDP_SINK = r"""
import hashlib, json, socket, sys
ip, port, want = sys.argv[1], int(sys.argv[2]), set(sys.argv[3].split(","))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
s.bind((ip, port))
print("ready", flush=True)
got, bad, twice = [], 0, 0
s.settimeout(60)
while True:
    try:
        d = s.recv(1 << 17)
    except socket.timeout:
        break
    h = hashlib.sha256(d).hexdigest()
    if h not in want:
        bad += 1
    elif h in got:
        twice += 1
    got.append(h)
    s.settimeout(3)
print(json.dumps({"got": got, "bad": bad, "twice": twice}), flush=True)
"""

UDP_PINGER = r"""
import hashlib, json, socket, sys
ip, port, eip, eport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
wait = float(sys.argv[5])
sizes = [int(x) for x in sys.argv[6].split(",")]
rounds = int(sys.argv[7])
def pattern(size, seq):
    return bytes((i * 131 + seq * 7 + size) % 251 for i in range(size))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)
s.bind((ip, port))
# A reply is matched by its bytes to the datagram it answers, not by when
# it comes: under load a reply may come after its wait ran out, while the
# next datagram is awaited, and it is still that datagram's answer.
outstanding = {}  # sha256 of a datagram sent and not yet answered -> seq
done = set()      # sha256 of those answered
answered, again, wrong = 0, 0, 0
def receive(until_seq):
    # Replies until until_seq's (None: until none is outstanding), or
    # until wait seconds pass with none.
    global answered, again, wrong
    while outstanding:
        s.settimeout(wait)
        try:
            back = s.recv(1 << 17)
        except socket.timeout:
            return
        h = hashlib.sha256(back).digest()
        seq = outstanding.pop(h, None)
        if seq is None:
            # A second answer to one answered, or bytes none sent had.
            if h in done:
                again += 1
            else:
                wrong += 1
            continue
        done.add(h)
        answered += 1
        if seq == until_seq:
            return
for r in range(rounds):
    for i, size in enumerate(sizes):
        seq = r * len(sizes) + i
        d = pattern(size, seq)
        outstanding[hashlib.sha256(d).digest()] = seq
        s.sendto(d, (eip, eport))
        receive(seq)
receive(None)
lost = sorted(outstanding.values())
print(json.dumps({"sent": rounds * len(sizes), "answered": answered,
                  "again": again, "wrong": wrong, "lost": lost}),
      flush=True)
"""

TCP_SINK = r"""
import hashlib, json, socket, sys
ip, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = hashlib.sha256(bytes((i * 131 + total) % 251
                            for i in range(total))).hexdigest()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ip, port))
s.listen(1)
s.settimeout(60)
print("ready", flush=True)
c, peer = s.accept()
c.settimeout(60)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
c.close()
print(json.dumps({"bytes": n, "right": h.hexdigest() == want,
                  "peer": "%s:%d" % peer}), flush=True)
"""


class Case:
    def __init__(self, bdir, name):
        self.bdir = bdir
        self.name = name
        self.kind, self.mtu, self.faults = CASES[name]
        pid = os.getpid()
        self.ns_k = "%s%d-%s-k" % (PREFIX, pid, name)
        self.ns_e = "%s%d-%s-e" % (PREFIX, pid, name)
        self.if_k = "k%d" % pid
        self.if_e = "e%d" % pid
        self.tap = "t%d" % pid
        net = "10.%d.%d" % (100 + pid % 100, (pid // 100) % 250)
        self.ip_k, self.ip_e = net + ".1", net + ".2"
        self.port_k = 20000 + pid % 20000
        self.port_e = 40000 + pid % 20000
        self.mac_e = "02:e0:%02x:%02x:%02x:01" % ((pid >> 16) & 255,
                                                   (pid >> 8) & 255,
                                                   pid & 255)
        self.made = []
        self.procs = []

    def namespaces(self):
        for ns in (self.ns_k, self.ns_e):
            sh(["ip", "netns", "add", ns])
            self.made.append(ns)
            sh(["sh", "-c", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
                "net.ipv6.conf.default.disable_ipv6=1 2>/dev/null; "
                "ip link set lo up"], ns=ns)

    @staticmethod
    def plain(ns, dev):
        """The kernel checks and makes every checksum itself, and sends
        nothing larger than the MTU (no GSO frames for the port)."""
        sh(["ethtool", "-K", dev, "rx", "off", "tx", "off", "sg", "off",
            "tso", "off", "gso", "off", "gro", "off"], ns=ns, check=False)

    def veth(self):
        self.namespaces()
        sh(["ip", "-n", self.ns_e, "link", "add", self.if_e, "mtu",
            str(self.mtu), "type", "veth", "peer", "name", self.if_k, "mtu",
            str(self.mtu), "netns", self.ns_k])
        for ns, dev in ((self.ns_k, self.if_k), (self.ns_e, self.if_e)):
            self.plain(ns, dev)
            sh(["ip", "-n", ns, "link", "set", dev, "up"])
        self.kernel_side()

    def take_tap(self, ex):
        """The example's tap interface made K's, once the example says
        its port is set up: net_tap opens each queue on the interface by
        name, and a queue opened after the move would make a new tap in
        E."""
        seen = []
        while True:
            line = ex.stderr.readline()
            seen.append(line)
            assert line, "the example did not start:\n" + "".join(seen)
            if "port 0 ready" in line:
                break
        sh(["ip", "-n", self.ns_e, "link", "set", self.tap, "netns",
            self.ns_k])
        self.if_k = self.tap
        sh(["ip", "-n", self.ns_k, "link", "set", self.tap, "mtu",
            str(self.mtu)])
        self.plain(self.ns_k, self.tap)
        sh(["ip", "-n", self.ns_k, "link", "set", self.tap, "up"])
        self.kernel_side()

    def kernel_side(self):
        sh(["ip", "-n", self.ns_k, "addr", "add", self.ip_k + "/24", "dev",
            self.if_k])
        # The example answers no ARP: the kernel knows its address.
        sh(["ip", "-n", self.ns_k, "neigh", "replace", self.ip_e, "lladdr",
            self.mac_e, "dev", self.if_k, "nud", "permanent"])
        link = json.loads(sh(["ip", "-n", self.ns_k, "-j", "link", "show",
                              self.if_k]).stdout)
        self.mac_k = link[0]["address"]

    def spawn_k(self, script, *args):
        p = subprocess.Popen(["ip", "netns", "exec", self.ns_k,
                              sys.executable, "-c", script] +
                             [str(a) for a in args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             start_new_session=True, preexec_fn=_pdeathsig)
        self.procs.append(p)
        return p

    def example(self, prog, opts, wait=True, port=None):
        seg = ["--segment-size", "10240"] if self.mtu > 1500 else []
        cpu = sorted(os.sched_getaffinity(0))[0]
        args = ["--lcores=0@%d" % cpu, "--no-pci",
                "--log-level=lib.eal:warning",
                port or "--vdev=net_af_packet0,iface=%s,%s" % (
                    self.if_e, AFP[self.mtu])]
        hp = os.environ.get("EVPL_TEST_HUGEPAGES_RUN")
        launch = []
        if os.environ.get("EVPL_NOHUGE") == "1":
            huge = False
        elif hp:
            # Reserved as the test programs reserve theirs: it waits for
            # pages other tests hold and gives the EAL exactly its share.
            huge   = subprocess.run([hp, str(PAGES), "--check"]).returncode \
                != 77
            launch = [hp, str(PAGES)] if huge else []
        else:
            huge = hugepages_free() >= 256
        if huge:
            args.append("--in-memory")
        else:
            args += ["--no-huge", "-m", "512", "--no-shconf"]
        cmd = ["ip", "netns", "exec", self.ns_e] + launch + [
            os.path.join(self.bdir, prog)] + args + ["--"] + opts + seg + [
            "--src", "%s:%d" % (self.ip_e, self.port_e), "--src-mac",
            self.mac_e, "--dst", "%s:%d" % (self.ip_k, self.port_k)]
        # An echo goes back to the request's source address; the others
        # send to the kernel's interface.
        if self.kind != "echo":
            cmd += ["--dst-mac", self.mac_k]
        if self.faults:
            cmd += self.faults
            if "--seed" not in self.faults:
                cmd += ["--seed", str(os.getpid())]
        print("$ " + " ".join(cmd), flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             start_new_session=True, preexec_fn=_pdeathsig)
        self.procs.append(p)
        return self.finish(p) if wait else p

    @staticmethod
    def finish(p, timeout=120):
        out, err = p.communicate(timeout=timeout)
        print(out[-3000:], err[-3000:], flush=True)
        assert out.strip(), "no summary (exit %d):\n%s" % (p.returncode, err)
        d = json.loads(out[out.index("{"):])
        assert d["pool"]["free_at_end"] == d["pool"]["size"], d["pool"]
        assert d["slabs_outstanding"] == 0, d
        assert p.returncode == 0 and d["ok"], "exit %d: %s" % (p.returncode,
                                                               d)
        return d

    @staticmethod
    def line(p, timeout=120):
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0 and out.strip(), \
            "kernel side: exit %d\n%s%s" % (p.returncode, out, err)
        return json.loads(out.strip().splitlines()[-1])

    # --- the cases ----------------------------------------------------------
    def out(self):
        want = {hashlib.sha256(pattern(size, seq)).hexdigest(): seq
                for seq, size in datagrams()}
        sink = self.spawn_k(UDP_SINK, self.ip_k, self.port_k, ",".join(want))
        assert sink.stdout.readline().strip() == "ready"
        d = self.example("ip_frag", ["--send", "--mtu", str(self.mtu),
                                     "--count", str(ROUNDS), "--sizes",
                                     ",".join(map(str, SIZES))])
        k = self.line(sink)
        assert d["built"] == len(want), d
        assert k["bad"] == 0, k
        # Once each; twice only a datagram whose every fragment went
        # twice: its second copy can come after the kernel completed
        # (and forgot) the first, and is then a datagram again.
        twins = set(d["faults"]["twinned"])
        times = collections.Counter(want[h] for h in k["got"])
        assert all(c == 1 or (c == 2 and q in twins)
                   for q, c in times.items()), (times, twins)
        assert k["twice"] <= len(twins), (k["twice"], twins)
        got = set(times)
        lost = set(d["faults"]["hit"])
        expect = {seq for seq, _ in datagrams()} - lost
        assert got == expect, "received %d of %d; missing %s, extra %s" % (
            len(got), len(expect), sorted(expect - got),
            sorted(got - expect))
        if self.faults == FAULTS:
            assert lost and d["faults"]["duplicated"] > 0 and \
                d["faults"]["reordered"] > 0, d["faults"]
        if self.faults == TWINS:
            # The kernel did take a datagram twice, and only such a one.
            assert not lost and k["twice"] > 0, (k["twice"], twins)
        print("RESULT %s: %d datagrams received (%d twice, of %s twinned),"
              " %d lost to faults" % (self.name, len(got), k["twice"],
                                      sorted(twins), len(lost)))

    def echo(self):
        self.namespaces()
        ex = self.example("ip_frag", ["--echo", "--mtu", str(self.mtu),
                                      "--timeout-ms", "500"], wait=False,
                          port="--vdev=net_tap0,iface=" + self.tap)
        self.take_tap(ex)
        pinger = self.spawn_k(UDP_PINGER, self.ip_k, self.port_k, self.ip_e,
                              self.port_e, 1.5 if self.faults else 2,
                              ",".join(map(str, SIZES)), ROUNDS)
        try:
            k = self.line(pinger, timeout=DEADLINE_S)
        finally:
            ex.send_signal(signal.SIGINT)
            d = self.finish(ex)
        r, f = d["reasm"], d["faults"]
        assert k["wrong"] == 0, k
        # Every datagram completed is answered; one whose every fragment
        # went twice may complete, and be answered, a second time (a
        # second answer can come after the pinger stopped listening).
        assert d["completed"] == d["echoed"], d
        extra = d["echoed"] - k["answered"]
        assert k["again"] <= extra <= len(d["faults"]["twinned"]), (d, k)
        assert r["held_datagrams"] == r["held_frags"] == 0, r
        if not self.faults:
            assert k["answered"] == k["sent"], k
            print("RESULT %s: %d answered" % (self.name, k["answered"]))
            return
        if self.faults == TWINS:
            # None lost; the example did complete, and answer, a twinned
            # datagram twice.
            assert k["answered"] == k["sent"] and f["datagrams_hit"] == 0, \
                (d, k)
            assert extra > 0, (d, k)
            print("RESULT %s: %d answered, %d twice (%d heard), of %d"
                  " twinned" % (self.name, k["answered"], extra, k["again"],
                                len(f["twinned"])))
            return
        # Every datagram either came back or lost a fragment to the faults,
        # and then timed out in the example, freed; unless it lost every
        # fragment, and so never reached the table (hit_whole).
        assert k["answered"] + f["datagrams_hit"] == k["sent"], (d, k)
        assert f["datagrams_hit"] > 0, f
        assert r["timed_out"] >= f["datagrams_hit"] - f["hit_whole"], (f, r)
        print("RESULT %s: %d answered, %d timed out" % (
            self.name, k["answered"], r["timed_out"]))

    def tcp(self):
        sink = self.spawn_k(TCP_SINK, self.ip_k, self.port_k, TCP_BYTES)
        assert sink.stdout.readline().strip() == "ready"
        mss = self.mtu - 40 if self.mtu > 1500 else 1448
        d = self.example("tcp_seg", ["--connect", "--bytes", str(TCP_BYTES),
                                     "--mss", str(mss)])
        k = self.line(sink)
        assert k["bytes"] == TCP_BYTES and k["right"], k
        assert k["peer"] == "%s:%d" % (self.ip_e, self.port_e), k
        assert d["established"] and d["all_acked"] and d["peer_closed"], d
        if self.faults:
            assert d["retransmits"] > 0, d
        print("RESULT %s: %d segments, %d resends, peer MSS %d" % (
            self.name, d["segments"], d["retransmits"], d["peer_mss"]))

    def run(self):
        if self.kind != "echo":
            self.veth()
        {"send": self.out, "echo": self.echo, "tcp": self.tcp}[self.kind]()

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for ns in reversed(self.made):
            sh(["ip", "netns", "del", ns], check=False)
        self.made = []


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


def sweep_stale():
    """Namespaces left by runs that were killed before cleaning up."""
    for line in sh(["ip", "netns", "list"], check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(PREFIX + r"(\d+)-", name)
        if m and int(m.group(1)) != os.getpid() and \
                not os.path.exists("/proc/%s" % m.group(1)):
            for pid in sh(["ip", "netns", "pids", name],
                          check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            sh(["ip", "netns", "del", name], check=False)


def why_skip(names):
    if os.environ.get("EVPL_TRAFFIC", "1") == "0":
        return "EVPL_TRAFFIC=0"
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_SYS_ADMIN"
    for tool in ("ip", "ethtool"):
        if shutil.which(tool) is None:
            return "no %s (./quickstart.sh installs it)" % tool
    if any(CASES[n][0] == "echo" for n in names) and \
            not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun for net_tap"
    probe = "%s%d-probe" % (PREFIX, os.getpid())
    p = sh(["ip", "netns", "add", probe], check=False)
    if p.returncode != 0:
        return "cannot create a network namespace: " + p.stderr.strip()
    try:
        p = sh(["ip", "-n", probe, "link", "add", "v0", "type", "veth",
                "peer", "name", "v1"], check=False)
        if p.returncode != 0:
            return "cannot create a veth pair: " + p.stderr.strip()
    finally:
        sh(["ip", "netns", "del", probe], check=False)
    return None


def on_signal(sig, frame):
    raise Interrupted("signal %d" % sig)


def main():
    if sys.argv[1:] == ["--list"]:
        print(" ".join(CASES))
        return 0
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bdir = os.path.abspath(sys.argv[1])
    names = list(CASES) if sys.argv[2:] == ["all"] else sys.argv[2:]
    for n in names:
        if n not in CASES:
            print("unknown case %r; --list names them" % n, file=sys.stderr)
            return 2
    why = why_skip(names)
    if why is not None:
        print("SKIP: " + why)
        return 77
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, on_signal)
    sweep_stale()
    failed = []
    for n in names:
        case = Case(bdir, n)
        signal.alarm(DEADLINE_S)
        try:
            case.run()
            print("OK: " + n, flush=True)
        except (Exception, Interrupted) as e:  # noqa: BLE001
            print("FAIL: %s: %s: %s" % (n, type(e).__name__, e), flush=True)
            failed.append(n)
            if isinstance(e, Interrupted) and "14" not in str(e):
                break
        finally:
            signal.alarm(0)
            case.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
