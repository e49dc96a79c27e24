#!/usr/bin/env python3
# tests/check_exports.py fails where it must, with a message that says
# what to do: a declaration missing from the map, a map line without a
# declaration, a node not named after the ABI, a declaration in the wrong
# node (the library-private headers' belong to INTERNAL, the API's not),
# and a library whose symbols are unversioned (Base) or of another
# version.
#
#   test_check_exports.py CHECK_EXPORTS MAP ABI LIB HEADER...
import os
import subprocess
import sys
import tempfile

check, map_path, abi, lib, headers = (sys.argv[1], sys.argv[2], sys.argv[3],
                                      sys.argv[4], sys.argv[5:])
failures = 0


def run(args):
    p = subprocess.run([sys.executable, check] + args, capture_output=True,
                       text=True)
    return p.returncode, p.stdout + p.stderr


def expect(name, args, rc_ok, words):
    global failures
    rc, out = run(args)
    ok = (rc == 0) == rc_ok and all(w in out for w in words)
    print(f"{'ok' if ok else 'FAILED'}: {name}")
    if not ok:
        print(f"  exit {rc}, wanted {'0' if rc_ok else 'non-zero'} and "
              f"{words}; output:\n{out}")
        failures += 1


with tempfile.TemporaryDirectory() as d:
    extra_h = os.path.join(d, 'evpl_extra.h')
    with open(extra_h, 'w') as f:
        f.write('/** New. */\nEVPL_EXPORT int evpl_brand_new(void);\n')
    short_map = os.path.join(d, 'version.map')
    with open(map_path) as f:
        text = f.read()
    with open(short_map, 'w') as f:
        f.write(text.replace('\tevpl_mempool;\n', '\tevpl_mempool;\n'
                             '\tevpl_not_declared;\n'))
    # evpl_iovec_abort back in the API node, and evpl_mempool in INTERNAL.
    public_abort = os.path.join(d, 'public_abort.map')
    with open(public_abort, 'w') as f:
        f.write(text.replace('\tevpl_iovec_abort;\n', '')
                .replace('\tevpl_mempool;\n',
                         '\tevpl_mempool;\n\tevpl_iovec_abort;\n', 1))
    internal_mempool = os.path.join(d, 'internal_mempool.map')
    with open(internal_mempool, 'w') as f:
        f.write(text.replace('\tevpl_mempool;\n', '')
                .replace('\tevpl_thread_tag_;\n',
                         '\tevpl_thread_tag_;\n\tevpl_mempool;\n'))
    other_abi = os.path.join(d, 'other.map')
    with open(other_abi, 'w') as f:
        f.write(text.replace('EVPL_DPDK_' + abi + ' {', 'EVPL_DPDK_9.9 {'))
    # A library built without the map: its symbols are unversioned.
    plain_c = os.path.join(d, 'plain.c')
    plain_so = os.path.join(d, 'libevpl-dpdk.so.' + abi)
    plain_h = os.path.join(d, 'plain.h')
    with open(plain_c, 'w') as f:
        f.write('int evpl_plain(void) { return 1; }\n')
    with open(plain_h, 'w') as f:
        f.write('EVPL_EXPORT int evpl_plain(void);\n')
    plain_map = os.path.join(d, 'plain.map')
    with open(plain_map, 'w') as f:
        f.write('EVPL_DPDK_%s {\n\tglobal:\n\tevpl_plain;\n\tlocal: *;\n};\n'
                % abi)
    subprocess.run(['cc', '-shared', '-fPIC', '-o', plain_so,
                    '-Wl,-soname,libevpl-dpdk.so.' + abi, plain_c],
                   check=True)

    expect('the real map, headers and library agree',
           ['--map', map_path, '--abi', abi, '--lib', lib] + headers,
           True, ['EVPL_DPDK_' + abi])
    expect('a new EVPL_EXPORT without its map line says to add it',
           ['--map', map_path, '--abi', abi] + headers + [extra_h],
           False, ['evpl_brand_new', 'add "evpl_brand_new;" to version.map'])
    expect('a map line without a declaration says to remove it',
           ['--map', short_map, '--abi', abi] + headers,
           False, ['lists evpl_not_declared', 'remove it'])
    expect('a library-private declaration in the API node says to move it',
           ['--map', public_abort, '--abi', abi] + headers,
           False, ['lists evpl_iovec_abort in node EVPL_DPDK_' + abi,
                   'move it to node INTERNAL'])
    expect('an API declaration in INTERNAL says to move it',
           ['--map', internal_mempool, '--abi', abi] + headers,
           False, ['lists evpl_mempool in node INTERNAL',
                   'move it to node EVPL_DPDK_' + abi])
    expect('a node not named after the ABI',
           ['--map', other_abi, '--abi', abi] + headers,
           False, ['no node EVPL_DPDK_' + abi])
    expect('the library checked against another ABI: soname and versions',
           ['--map', other_abi, '--abi', '9.9', '--lib', lib] + headers,
           False, ['soname is libevpl-dpdk.so.' + abi,
                   'has version EVPL_DPDK_' + abi + ', not EVPL_DPDK_9.9'])
    expect('unversioned symbols of a library linked without the map',
           ['--map', plain_map, '--abi', abi, '--lib', plain_so, plain_h],
           False, ['evpl_plain has version'])

sys.exit(1 if failures else 0)
