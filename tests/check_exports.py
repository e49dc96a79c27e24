#!/usr/bin/env python3
# The library's exports, three ways that must agree: the EVPL_EXPORT
# declarations of the public headers, the symbol version map (version.map),
# and the dynamic symbols of the built shared library.
#
# A declaration belongs to one of two nodes, as in DPDK's maps: those of
# the library-private headers (evpl_*_pvt.h: what the headers' inline code
# calls, which applications must not) to INTERNAL, every other one to
# EVPL_DPDK_<ABI>, the API.
#
#   check_exports.py --map MAP --abi ABI [--output COPY] HEADER...
#       Build time, before the library links: every EVPL_EXPORT
#       declaration has a line in its node of MAP and MAP lists nothing
#       else. With --output, MAP is copied there once it passes: meson
#       links with that copy, so a missing line stops the build.
#
#   check_exports.py --map MAP --abi ABI --lib LIB HEADER...
#       Test time: the above, and LIB's soname is libevpl-dpdk.so.<ABI>,
#       it exports (objdump -T) exactly the declarations, each with the
#       version of its node (not Base, not unversioned).
import argparse
import os
import re
import shutil
import subprocess
import sys


def declared_exports(headers):
    """{name: header} of every EVPL_EXPORT declaration."""
    declared = {}
    for h in headers:
        text = '\n'.join(l for l in open(h).read().splitlines()
                         if not l.lstrip().startswith('#'))
        text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
        for decl in re.findall(r'EVPL_EXPORT\b(.*?)[;{]', text, re.S):
            names = re.findall(r'([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|$)',
                               decl.strip())
            if names:
                declared[names[0]] = os.path.basename(h)
    return declared


def read_map(path):
    """[(node, [global names], has 'local: *')] in file order."""
    text = re.sub(r'/\*.*?\*/', ' ', open(path).read(), flags=re.S)
    text = re.sub(r'#[^\n]*', ' ', text)
    nodes = []
    for node, body in re.findall(r'([A-Za-z0-9_.]+)\s*\{(.*?)\}\s*'
                                 r'[A-Za-z0-9_.]*\s*;', text, re.S):
        names, local_all, scope = [], False, None
        for item in body.split(';'):
            item = item.strip()
            m = re.match(r'(global|local)\s*:\s*(.*)', item, re.S)
            if m:
                scope, item = m.group(1), m.group(2).strip()
            if not item:
                continue
            if scope == 'local':
                local_all = local_all or item == '*'
            else:
                names.append(item)
        nodes.append((node, names, local_all))
    return nodes


INTERNAL = 'INTERNAL'


def node_of(header, abi):
    """The version node a declaration of header belongs to."""
    return INTERNAL if header.endswith('_pvt.h') else 'EVPL_DPDK_' + abi


def check_map(map_path, abi, headers):
    errors = []
    mapname = os.path.basename(map_path)
    node = 'EVPL_DPDK_' + abi
    declared = declared_exports(headers)
    nodes = read_map(map_path)
    listed = {}
    for name, names, _ in nodes:
        for n in names:
            listed[n] = name
    if node not in [n for n, _, _ in nodes]:
        errors.append(f'{mapname} has no node {node} (the ABI version '
                      f'meson.build derives is {abi}): rename its node')
    if not any(local_all for _, _, local_all in nodes):
        errors.append(f'{mapname} lacks "local: *;": everything else must '
                      f'stay unexported')
    for n in sorted(set(declared) - set(listed)):
        errors.append(f'{n} is declared EVPL_EXPORT in {declared[n]} but '
                      f'{mapname} does not list it: add "{n};" to {mapname} '
                      f'(node {node_of(declared[n], abi)}, global:)')
    for n in sorted(set(declared) & set(listed)):
        want = node_of(declared[n], abi)
        if listed[n] != want:
            errors.append(f'{mapname} lists {n} in node {listed[n]}, but '
                          f'{declared[n]} declares it: move it to node '
                          f'{want}')
    for n in sorted(set(listed) - set(declared)):
        errors.append(f'{mapname} lists {n}, which no public header declares '
                      f'EVPL_EXPORT: remove it from {mapname}, or declare it')
    return declared, errors


def dynamic_symbols(lib):
    """{name: version} of the symbols lib defines, from objdump -T."""
    out = subprocess.run(['objdump', '-T', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        # 0000000000012340 g    DF .text  0000000000000012  EVPL_DPDK_0.2 evpl_create
        m = re.match(r'^[0-9a-f]+\s.{7}\s(\S+)\s+[0-9a-f]+\s+(\S+)\s+(\S+)$',
                     line)
        if not m:
            m = re.match(r'^[0-9a-f]+\s.{7}\s(\S+)\s+[0-9a-f]+\s+(\S+)$', line)
            if not m:
                continue
            section, version, name = m.group(1), '(none)', m.group(2)
        else:
            section, version, name = m.groups()
        if section == '*UND*':
            continue
        if section == '*ABS*' and name == version:
            continue  # the version node's own definition
        syms[name] = version
    return syms


def soname(lib):
    out = subprocess.run(['objdump', '-p', lib], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r'^\s*SONAME\s+(\S+)', out, re.M)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--map', required=True)
    ap.add_argument('--abi', required=True)
    ap.add_argument('--output')
    ap.add_argument('--lib')
    ap.add_argument('headers', nargs='+')
    a = ap.parse_args()

    declared, errors = check_map(a.map, a.abi, a.headers)
    node = 'EVPL_DPDK_' + a.abi

    if a.lib:
        want = 'libevpl-dpdk.so.' + a.abi
        got = soname(a.lib)
        if got != want:
            errors.append(f'soname is {got}, not {want}')
        syms = dynamic_symbols(a.lib)
        for n in sorted(set(syms) - set(declared)):
            errors.append(f'exported but not declared EVPL_EXPORT in a '
                          f'public header: {n} (version {syms[n]})')
        for n in sorted(set(declared) - set(syms)):
            errors.append(f'declared EVPL_EXPORT in {declared[n]} but not '
                          f'exported: {n}')
        for n in sorted(set(syms) & set(declared)):
            want = node_of(declared[n], a.abi)
            if syms[n] != want:
                errors.append(f'{n} has version {syms[n]}, not {want}')
        print(f'{len(syms)} exported symbols checked: soname {got}, '
              f'versions {node} and {INTERNAL}')

    for e in errors:
        print('error: ' + e, file=sys.stderr)
    if errors:
        return 1
    internal = sum(1 for h in declared.values()
                   if node_of(h, a.abi) == INTERNAL)
    print(f'{os.path.basename(a.map)}: {len(declared)} EVPL_EXPORT '
          f'declarations, {len(declared) - internal} in node {node}, '
          f'{internal} in {INTERNAL}')
    if a.output:
        shutil.copyfile(a.map, a.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
