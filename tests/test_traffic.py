#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""Real traffic through evpl-testpmd: the Linux kernel's own IPv4, ICMP and
TCP, between two network namespaces, forwarded by evpl-testpmd in a third.

    test_traffic.py EVPL_TESTPMD CASE [CASE...]   (or "all")
    test_traffic.py --list

    ns A                     ns F (forwarder)                      ns B
    10.77.0.1/24                                                   10.77.0.2/24
    a0 <--veth--> a1 = net_af_packet port 0  <-evpl-testpmd->  port 1 = b1 <--veth--> b0

The tap cases put the two net_tap interfaces evpl-testpmd makes in ns F
into A and B instead (A's and B's interface is then the tap itself).

Every case, with MTU 9000 on every link:
- ping A -> B at 56, 1400 and 8000 bytes (don't-fragment), no loss;
- after the pings, with the links quiet, the kernel's interface counters
  on the forwarder's side equal the ethdev counters evpl-testpmd prints
  (exactly: nothing else crosses these links, see "counters" below);
- 20 MiB each way over one TCP connection, a sha256 of every byte compared
  at the other end;
- iperf3 TCP for 2 s where iperf3 is installed (figures only);
- evpl-testpmd's --json summary: exit 0, balanced books, no lcore error,
  zero outstanding mbufs; what its lcores counted equals what the driver
  counted, and what the driver counted equals what the kernel counted.

Counters: IPv6 is off in all three namespaces before any link comes up and
the forwarder's interfaces have no address, so the only frames on the
links are the test's own (and the ARP they need); the links come up only
while evpl-testpmd runs. The one inexact relation is af_packet's receive
ring: a frame the kernel counted as received on a1/b1 is lost when the ring
is full (the forwarder was descheduled), and net_af_packet in DPDK 22.11
does not count that loss. So after the bulk transfers the test requires
ethdev RX <= kernel RX and reports the difference as ring overruns (TCP
retransmits them; the checksums prove the data); after the pings, and on
net_tap for the whole run, the counts must be equal.

The forwarding modes that change addresses need matching ones: mac sends
to 02:00:00:00:00:<port>, which A and B get; macswap and split swap the
Ethernet addresses, so A and B share one address.

Cleans up what it creates (namespaces, and with them the links; the
forwarder) even when interrupted; names carry the process id, so runs do
not collide, and a run removes namespaces an earlier, killed run left.
Hugepages (HUGEPAGES of them, reserved through tests/hugepages_run, which
waits for pages other tests hold) where the machine has that many in all
and EVPL_NOHUGE is not 1, else --no-huge.
Exit 77 (skip) where the topology cannot be made: not root, no ip, ping or
ethtool, no namespaces or veth pairs, no /dev/net/tun (tap cases), or
EVPL_TRAFFIC=0.
"""

import ctypes
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
from test_testpmd import hugepages_run, hugepages_too_few  # noqa: E402

A_IP, B_IP = "10.77.0.1", "10.77.0.2"
MTU = 9000
PING_SIZES = (56, 1400, 8000)
TCP_BYTES = 20 << 20
TCP_PORT, IPERF_PORT = 7001, 5201
MAC_A, MAC_B = "02:00:00:00:00:00", "02:00:00:00:00:01"
# af_packet frames hold a whole MTU 9000 frame behind the ring header; the
# PMD receives each into one mbuf, so the data room must hold a frame:
# 10240 - 32 bytes of frame header, plus the 128-byte headroom.
AFP_ARGS = "framesz=10240,blocksz=20480,framecnt=1024"
MBUF_SIZE = 10368
NB_MBUFS = 8192
PREFIX = "evpltr"
# Hugepages the forwarder takes (its NB_MBUFS mbufs of MBUF_SIZE, or the
# default pool, and the EAL's own, with room), reserved as the test
# programs' are (tests/hugepages.h) through this build's hugepages_run.
HUGEPAGES = 128
DEADLINE_S = 240  # one case, all of it

# name: (port kind, forwarding mode, forwarding lcores, addresses)
CASES = {
    "io": ("af_packet", "io", 1, "distinct"),
    "iovec": ("af_packet", "iovec", 1, "distinct"),
    "mac": ("af_packet", "mac", 1, "distinct"),
    "macswap": ("af_packet", "macswap", 1, "same"),
    "clone": ("af_packet", "clone", 1, "distinct"),
    "split": ("af_packet", "split", 1, "same"),
    "pipeline": ("af_packet", "pipeline", 2, "distinct"),
    "tap-iovec": ("tap", "iovec", 1, "distinct"),
    "tap-split": ("tap", "split", 1, "same"),
}


class Skip(Exception):
    pass


class Interrupted(BaseException):
    pass


def log(*a):
    print(*a, flush=True)


def run(cmd, ns=None, check=True, timeout=30, **kw):
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       preexec_fn=die_with_parent, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd),
                                                    p.returncode, p.stdout,
                                                    p.stderr))
    return p


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale():
    """Namespaces of earlier runs that were killed before cleaning up, and
    what still runs in them."""
    p = run(["ip", "netns", "list"], check=False)
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(PREFIX + r"(\d+)-", name)
        if m and int(m.group(1)) != os.getpid() and \
                not pid_alive(int(m.group(1))):
            pids = run(["ip", "netns", "pids", name], check=False).stdout
            for pid in pids.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            run(["ip", "netns", "del", name], check=False)


_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    """In a child before exec: SIGTERM when this test dies, however it
    dies (prctl PR_SET_PDEATHSIG; kept across exec)."""
    _libc.prctl(1, signal.SIGTERM, 0, 0, 0)


def spawn(cmd, **kw):
    return subprocess.Popen(cmd, start_new_session=True,
                            preexec_fn=die_with_parent, **kw)


def counters(ns, dev):
    """The kernel's counters of one interface (those behind
    /sys/class/net/DEV/statistics), through netlink."""
    p = run(["ip", "-n", ns, "-j", "-s", "link", "show", "dev", dev])
    s = json.loads(p.stdout)[0]["stats64"]
    return {"rx": s["rx"]["packets"], "rx_dropped": s["rx"]["dropped"],
            "tx": s["tx"]["packets"], "tx_dropped": s["tx"]["dropped"]}


class Case:
    def __init__(self, exe, name):
        self.exe = exe
        self.name = name
        self.kind, self.mode, self.nfwd, self.macs = CASES[name]
        tag = "%s%d-%s" % (PREFIX, os.getpid(), name)
        self.ns = {"a": tag + "-a", "b": tag + "-b", "f": tag + "-f"}
        self.prefix = tag
        self.made = []
        self.procs = []
        self.fwd = None
        self.err = []
        self.results = {"case": name}
        # net_tap sends nothing longer than the port's MTU, which
        # evpl-testpmd leaves at 1500: there 8000-byte pings go as IP
        # fragments, and the mbufs are the default ones.
        self.mtu = MTU if self.kind == "af_packet" else 1500
        if self.kind == "af_packet":
            # (namespace, its interface, the forwarder's interface)
            self.side = [("a", "a0", "a1"), ("b", "b0", "b1")]
        else:
            self.side = [("a", "tap%da" % os.getpid(), None),
                         ("b", "tap%db" % os.getpid(), None)]

    # --- the topology ---------------------------------------------------
    def netns(self):
        for k in ("a", "b", "f"):
            run(["ip", "netns", "add", self.ns[k]])
            self.made.append(self.ns[k])
            # Off before any link exists: no IPv6 traffic of the kernel's
            # own (router and neighbour solicitations, MLD) on the links.
            run(["sh", "-c", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
                 "net.ipv6.conf.default.disable_ipv6=1 2>/dev/null; "
                 "ip link set lo up"], ns=self.ns[k])

    def veths(self):
        f = self.ns["f"]
        for (k, inner, outer), mac in zip(self.side, (MAC_A, MAC_B)):
            run(["ip", "-n", f, "link", "add", outer, "mtu", str(MTU),
                 "type", "veth", "peer", "name", inner, "mtu", str(MTU),
                 "netns", self.ns[k]])
            if self.macs == "same":
                mac = MAC_A
            run(["ip", "-n", self.ns[k], "link", "set", inner, "address",
                 mac])
            # No offloads: af_packet would see a TCP segment with its
            # checksum left to the "hardware", or a 64 KiB GSO frame, and
            # forward it as it is.
            for ns, dev in ((self.ns[k], inner), (f, outer)):
                run(["ethtool", "-K", dev, "tx", "off", "sg", "off", "tso",
                     "off", "gso", "off", "gro", "off"], ns=ns, check=False)
            run(["ip", "-n", f, "link", "set", outer, "up"])

    def addresses(self):
        for (k, dev, _), ip in zip(self.side, (A_IP, B_IP)):
            ns = self.ns[k]
            run(["sh", "-c", "f=/proc/sys/net/ipv6/conf/%s/disable_ipv6; "
                 "[ ! -e $f ] || echo 1 >$f" % dev], ns=ns)
            run(["ip", "-n", ns, "link", "set", dev, "mtu", str(self.mtu)])
            run(["ip", "-n", ns, "addr", "add", ip + "/24", "dev", dev])
            run(["ip", "-n", ns, "link", "set", dev, "up"])

    def move_taps(self):
        f = self.ns["f"]
        for (k, dev, _), mac in zip(self.side, (MAC_A, MAC_B)):
            run(["ip", "-n", f, "link", "set", dev, "netns", self.ns[k]])
            if self.macs == "same":
                mac = MAC_A
            run(["ip", "-n", self.ns[k], "link", "set", dev, "address", mac])

    # --- the forwarder ----------------------------------------------------
    def eal_args(self):
        cpus = sorted(os.sched_getaffinity(0))[:2]
        args = ["--lcores=(0-%d)@(%s)" % (self.nfwd,
                                          ",".join(map(str, cpus))),
                "--no-pci", "--log-level=lib.eal:warning"]
        # A runtime directory (and telemetry socket) of its own.
        args.append("--file-prefix=" + self.prefix)
        if self.huge:
            args.append("--in-memory")
            self.results["memory"] = "huge"
        else:
            args += ["--no-huge", "-m", "512", "--no-shconf"]
            self.results["memory"] = "nohuge"
        if self.kind == "af_packet":
            for i, (_, _, outer) in enumerate(self.side):
                args.append("--vdev=net_af_packet%d,iface=%s,%s" %
                            (i, outer, AFP_ARGS))
        else:
            for i, (_, dev, _) in enumerate(self.side):
                args.append("--vdev=net_tap%d,iface=%s" % (i, dev))
        return args

    def start(self):
        # On hugepages where the machine has enough in all: pages other
        # tests hold are waited for, not a reason to run without them.
        self.huge = os.environ.get("EVPL_NOHUGE") != "1" and \
            hugepages_enough()
        launch = [hugepages_run(), str(HUGEPAGES)] if self.huge else []
        cmd = ["ip", "netns", "exec", self.ns["f"]] + launch + [self.exe] + \
            self.eal_args() + ["--", "--json", "--forward-mode=" + self.mode,
                               "--stats-period=1"]
        if self.mtu > 1500:
            cmd += ["--mbuf-size=%d" % MBUF_SIZE,
                    "--total-num-mbufs=%d" % NB_MBUFS]
        log("$ " + " ".join(cmd))
        self.fwd = spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        self.procs.append(self.fwd)
        t = threading.Thread(target=self._read_err, daemon=True)
        t.start()
        self.out = []
        t2 = threading.Thread(target=lambda: self.out.append(
            self.fwd.stdout.read()), daemon=True)
        t2.start()
        self.readers = (t, t2)
        deadline = time.monotonic() + 60
        while "%s mode," % self.mode not in self.stderr():
            if self.fwd.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("evpl-testpmd did not start:\n" +
                                     self.stderr())
            time.sleep(0.05)

    def _read_err(self):
        for line in self.fwd.stderr:
            self.err.append(line)

    def stderr(self):
        return "".join(self.err)

    def stop(self):
        """SIGINT, as a user stops it; the --json summary."""
        if self.fwd.poll() is None:
            self.fwd.send_signal(signal.SIGINT)
        try:
            self.fwd.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.fwd.kill()
            self.fwd.wait()
            raise AssertionError("evpl-testpmd did not stop at SIGINT")
        for t in self.readers:
            t.join(timeout=10)
        out = "".join(self.out)
        try:
            return json.loads(out), self.fwd.returncode
        except ValueError:
            raise AssertionError("no JSON summary (exit %d):\n%s\n%s" %
                                 (self.fwd.returncode, out, self.stderr()))

    def pages(self, since):
        """Port statistics pages printed after offset since:
        {port: (RX-packets, TX-packets, TX-errors)}, the last of each."""
        text = self.stderr()[since:]
        got = {}
        for m in re.finditer(r"NIC statistics for port (\d+) .*?\n"
                             r"\s+RX-packets: (\d+).*?\n.*?\n.*?\n"
                             r"\s+TX-packets: (\d+)\s+TX-errors: (\d+)",
                             text):
            got[int(m.group(1))] = tuple(int(x) for x in m.group(2, 3, 4))
        return got

    # --- the kernel's side --------------------------------------------------
    def kernel(self):
        """Per port: the kernel's counters of the interface the port
        reads and writes (for af_packet the forwarder's end of the veth,
        for tap the tap in A or B)."""
        res = []
        for k, inner, outer in self.side:
            if self.kind == "af_packet":
                c = counters(self.ns["f"], outer)
                # What the port reads arrived from the namespace; what it
                # writes leaves for it.
                res.append({"in": c["rx"], "out": c["tx"],
                            "out_dropped": c["tx_dropped"],
                            "in_dropped": c["rx_dropped"]})
            else:
                c = counters(self.ns[k], inner)
                # The tap's transmit is what the port reads.
                res.append({"in": c["tx"], "out": c["rx"],
                            "out_dropped": c["rx_dropped"],
                            "in_dropped": c["tx_dropped"]})
        return res

    def quiet(self):
        """Wait until no counter moves for half a second."""
        last, since = None, time.monotonic()
        deadline = since + 20
        while time.monotonic() < deadline:
            now = self.kernel()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= 0.5:
                return now
            time.sleep(0.1)
        raise AssertionError("the links never went quiet: %s" % last)

    # --- traffic ------------------------------------------------------------
    def ping(self):
        res = {}
        for size in PING_SIZES:
            df = "do" if size + 28 <= self.mtu else "dont"
            p = run(["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-w", "15",
                     "-M", df, "-s", str(size), B_IP], ns=self.ns["a"],
                    check=False, timeout=30)
            log(p.stdout.strip())
            assert p.returncode == 0 and " 0% packet loss" in p.stdout, \
                "ping -s %d: exit %d\n%s%s" % (size, p.returncode, p.stdout,
                                               p.stderr)
            m = re.search(r"= [\d.]+/([\d.]+)/", p.stdout)
            res[size] = float(m.group(1)) if m else None
        self.results["ping_ms"] = res

    def tcp(self):
        srv = spawn(["ip", "netns", "exec", self.ns["b"], sys.executable,
                     "-c", TCP_SERVER, str(TCP_PORT), str(TCP_BYTES)],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(srv)
        line = srv.stdout.readline()
        assert line.startswith("listening"), srv.communicate()
        t0 = time.monotonic()
        cli = run([sys.executable, "-c", TCP_CLIENT, B_IP, str(TCP_PORT),
                   str(TCP_BYTES)], ns=self.ns["a"], check=False, timeout=120)
        secs = time.monotonic() - t0
        out, err = srv.communicate(timeout=30)
        log(cli.stdout.strip(), cli.stderr.strip(), out.strip(), err.strip())
        assert cli.returncode == 0 and srv.returncode == 0, \
            "TCP transfer failed:\n%s%s%s%s" % (cli.stdout, cli.stderr, out,
                                                err)
        sent, sent_sha, got_n, got_sha, back_n, back_sha, back_ok = \
            cli.stdout.split()
        assert int(got_n) == TCP_BYTES and got_sha == sent_sha, \
            "A -> B: %s bytes, sha256 %s; sent %s" % (got_n, got_sha, sent_sha)
        assert int(back_n) == TCP_BYTES and back_ok == "ok", \
            "B -> A: %s bytes, sha256 %s did not match" % (back_n, back_sha)
        self.results["tcp_MBps"] = round(2 * TCP_BYTES / secs / 1e6, 1)

    def listening(self, port):
        """Wait until B listens on port."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            p = run(["ss", "-Hltn", "sport = :%d" % port], ns=self.ns["b"],
                    check=False)
            if p.stdout.strip():
                return
            time.sleep(0.1)
        raise AssertionError("nothing listens on port %d in B" % port)

    def iperf3(self):
        if shutil.which("iperf3") is None:
            self.results["iperf3_Mbps"] = None
            return
        srv = spawn(["ip", "netns", "exec", self.ns["b"], "iperf3", "-s",
                     "-1", "-p", str(IPERF_PORT)], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
        self.procs.append(srv)
        self.listening(IPERF_PORT)
        p = run(["iperf3", "-c", B_IP, "-p", str(IPERF_PORT), "-t", "1",
                 "-J"], ns=self.ns["a"], check=False, timeout=60)
        try:
            d = json.loads(p.stdout)
        except ValueError:
            d = {}
        assert p.returncode == 0 and "sum_received" in d.get("end", {}), \
            "iperf3: exit %d\n%s%s" % (p.returncode, p.stdout[-2000:],
                                       p.stderr)
        r = d["end"]["sum_received"]
        assert r["bytes"] > 0, "iperf3 moved nothing"
        self.results["iperf3_Mbps"] = round(r["bits_per_second"] / 1e6)
        self.results["iperf3_retr"] = d["end"]["sum_sent"].get("retransmits")
        srv.wait(timeout=10)

    # --- the case -----------------------------------------------------------
    def check_pings_counted(self, k):
        """After the pings, links quiet: the ethdev counters (from the
        statistics page evpl-testpmd prints every second) equal the
        kernel's."""
        mark = len(self.stderr())
        deadline = time.monotonic() + 5
        while len(self.pages(mark)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        pg = self.pages(mark)
        assert len(pg) == 2, "no statistics page:\n" + self.stderr()[mark:]
        for port in (0, 1):
            rx, tx, txerr = pg[port]
            assert rx == k[port]["in"], \
                "port %d: ethdev received %d, kernel %s" % (port, rx, k[port])
            assert tx == k[port]["out"] + k[port]["out_dropped"], \
                "port %d: ethdev sent %d, kernel %s" % (port, tx, k[port])
            assert k[port]["out_dropped"] == 0 and txerr == 0, k[port]

    def check_summary(self, d, rc, k):
        err = self.stderr()
        assert rc == 0, "exit status %d; stderr:\n%s" % (rc, err)
        assert d["pool"]["outstanding"] == 0, "leak: %s" % d["pool"]
        if self.kind == "af_packet":
            # net_af_packet holds no mbufs (net_tap keeps its RX ring's).
            assert d["pool"]["free_at_end"] == d["pool"]["size"], d["pool"]
        assert d["lcore_errors"] == 0, d
        t = d["totals"]
        assert t["balanced"], t
        assert t["rx_packets"] * t["fanout"] + t["generated"] == \
            t["tx_packets"] + t["dropped"], t
        ports = d["ports"]
        # What the lcores received, and the drain at the stop, is what
        # the driver received; what they sent, what the driver sent.
        assert sum(p["rx_packets"] for p in ports) + d["drained"] == \
            sum(p["ethdev"]["ipackets"] for p in ports), ports
        overruns = 0
        for i, p in enumerate(ports):
            e = p["ethdev"]
            assert p["tx_packets"] == e["opackets"] and e["oerrors"] == 0, \
                "port %d: lcores sent %d, driver %s" % (i, p["tx_packets"], e)
            assert e["opackets"] == k[i]["out"] + k[i]["out_dropped"], \
                "port %d: driver sent %d, kernel %s" % (i, e["opackets"],
                                                        k[i])
            if self.kind == "tap":
                assert e["ipackets"] == k[i]["in"], \
                    "port %d: driver received %d, kernel %s" % (
                        i, e["ipackets"], k[i])
                # The tap's queue was full: the kernel counts the drop.
                overruns += k[i]["in_dropped"]
            else:
                assert e["ipackets"] <= k[i]["in"], \
                    "port %d: driver received %d, more than the kernel's %s" \
                    % (i, e["ipackets"], k[i])
                overruns += k[i]["in"] - e["ipackets"]
        self.results["frames"] = sum(x["in"] for x in k)
        self.results["overruns"] = overruns
        self.results["dropped"] = t["dropped"]
        self.results["evpl"] = d["evpl"]

    def run(self):
        self.netns()
        if self.kind == "af_packet":
            self.veths()
            self.start()
            self.addresses()
        else:
            self.start()
            self.move_taps()
            self.addresses()
        self.ping()
        self.check_pings_counted(self.quiet())
        self.tcp()
        self.iperf3()
        k_before_stop = self.quiet()
        d, rc = self.stop()
        if self.kind == "af_packet":
            # The forwarder's links are quiet and it is gone: nothing may
            # have arrived since.
            k = self.kernel()
            assert k == k_before_stop, (k_before_stop, k)
        else:
            # The taps went with the forwarder; the links were quiet.
            k = k_before_stop
        self.check_summary(d, rc, k)
        log("RESULT " + json.dumps(self.results))
        return self.results

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
        for ns in reversed(self.made):
            run(["ip", "netns", "del", ns], check=False)
        self.made = []
        # What the EAL leaves of its runtime directory.
        try:
            os.rmdir(os.path.join("/var/run/dpdk", self.prefix))
        except OSError:
            pass


TCP_SERVER = r"""
import hashlib, os, socket, sys
port, total = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen(1)
s.settimeout(60)
print("listening", flush=True)
c, _ = s.accept()
c.settimeout(60)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
back = os.urandom(total)
c.sendall(("%d %s %s\n" % (n, h.hexdigest(),
                           hashlib.sha256(back).hexdigest())).encode())
c.sendall(back)
c.close()
"""

TCP_CLIENT = r"""
import hashlib, os, socket, sys
ip, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = os.urandom(total)
c = socket.create_connection((ip, port), timeout=60)
c.sendall(data)
c.shutdown(socket.SHUT_WR)
f = c.makefile("rb")
got_n, got_sha, back_sha = f.readline().split()
h, n = hashlib.sha256(), 0
while True:
    b = f.read(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
print(total, hashlib.sha256(data).hexdigest(), got_n.decode(),
      got_sha.decode(), n, back_sha.decode(),
      "ok" if h.hexdigest() == back_sha.decode() else "MISMATCH")
"""


def hugepages_enough():
    """Whether the machine has HUGEPAGES hugepages in all (or
    EVPL_TEST_HUGEPAGES says so), and hugepages_run is there."""
    try:
        return not hugepages_too_few(HUGEPAGES)
    except OSError:
        return False


def why_skip(names):
    if os.environ.get("EVPL_TRAFFIC", "1") == "0":
        return "EVPL_TRAFFIC=0"
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_SYS_ADMIN"
    for tool in ("ip", "ping", "ethtool"):
        if shutil.which(tool) is None:
            return "no %s (./quickstart.sh installs it)" % tool
    if any(CASES[n][0] == "tap" for n in names) and \
            not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun for net_tap"
    name = "%s%d-probe" % (PREFIX, os.getpid())
    p = run(["ip", "netns", "add", name], check=False)
    if p.returncode != 0:
        return "cannot create a network namespace: " + p.stderr.strip()
    try:
        p = run(["ip", "-n", name, "link", "add", "v0", "type", "veth",
                 "peer", "name", "v1"], check=False)
        if p.returncode != 0:
            return "cannot create a veth pair: " + p.stderr.strip()
    finally:
        run(["ip", "netns", "del", name], check=False)
    return None


def on_signal(sig, frame):
    raise Interrupted("signal %d" % sig)


def table(rows):
    log("%-10s %-7s %-22s %8s %11s %6s %7s %9s" % (
        "case", "memory", "ping avg ms 56/1400/8000", "TCP MB/s",
        "iperf3 Mb/s", "retr", "frames", "overruns"))
    for r in rows:
        pm = r.get("ping_ms", {})
        log("%-10s %-7s %-22s %8s %11s %6s %7s %9s" % (
            r["case"], r.get("memory"),
            "/".join("%.3f" % pm[s] if pm.get(s) is not None else "-"
                     for s in PING_SIZES),
            r.get("tcp_MBps"), r.get("iperf3_Mbps"), r.get("iperf3_retr"),
            r.get("frames"), r.get("overruns")))


def main():
    if sys.argv[1:] == ["--list"]:
        print(" ".join(CASES))
        return 0
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe = os.path.abspath(sys.argv[1])
    names = list(CASES) if sys.argv[2:] == ["all"] else sys.argv[2:]
    for n in names:
        if n not in CASES:
            print("unknown case %r; --list names them" % n, file=sys.stderr)
            return 2
    why = why_skip(names)
    if why is not None:
        print("SKIP: " + why)
        return 77
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    sweep_stale()
    rows, failed = [], []
    for n in names:
        case = Case(exe, n)
        signal.alarm(DEADLINE_S)
        try:
            rows.append(case.run())
            log("OK: " + n)
        except Exception as e:  # noqa: BLE001 - any failure fails the case
            log("FAIL: %s: %s: %s" % (n, type(e).__name__, e))
            log("evpl-testpmd stderr:\n" + case.stderr()[-3000:])
            failed.append(n)
        except Interrupted as e:
            log("INTERRUPTED: %s (%s)" % (n, e))
            failed.append(n)
            break
        finally:
            signal.alarm(0)
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(s, signal.SIG_IGN)
            case.close()
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(s, on_signal)
    if len(rows) > 1:
        table(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
