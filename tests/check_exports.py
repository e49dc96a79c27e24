#!/usr/bin/env python3
# The shared library exports exactly what the public headers declare with
# EVPL_EXPORT: nothing internal leaks out, nothing declared is missing.
import re
import subprocess
import sys

lib, headers = sys.argv[1], sys.argv[2:]

declared = set()
for h in headers:
    text = '\n'.join(l for l in open(h).read().splitlines()
                     if not l.lstrip().startswith('#'))
    for decl in re.findall(r'EVPL_EXPORT\b(.*?)[;{]', text, re.S):
        names = re.findall(r'([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(|$)', decl.strip())
        if names:
            declared.add(names[0])

out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                     capture_output=True, text=True).stdout
exported = {line.split()[-1] for line in out.splitlines() if line.strip()}

ok = True
for name in sorted(exported - declared):
    print(f'exported but not declared EVPL_EXPORT in a public header: {name}')
    ok = False
for name in sorted(declared - exported):
    print(f'declared EVPL_EXPORT but not exported: {name}')
    ok = False
print(f'{len(exported)} exported symbols checked')
sys.exit(0 if ok else 1)
