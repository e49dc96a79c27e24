#!/usr/bin/env python3
# docs/tutorial.md cannot drift from the code: this checks it the way its
# first lines say.
#
#  - The last ```c block is the complete program.
#  - Every other ```c block is an excerpt of it: its non-blank lines,
#    stripped of indentation, appear in the program in the same order
#    and consecutively (blank lines aside); a line "..." stands for
#    program lines left out. A block with a main() of its own is instead
#    compiled and run alone.
#  - The ```sh blocks run as written, in order, in a fresh copy of the
#    source tree holding the program as app.c; then the blocks that run
#    ./app run again (after section 7's trace-mode rebuild). Each ./app
#    run must print "done: every mbuf back". One word is changed: the
#    EAL's --file-prefix (which every block that runs a program must give)
#    becomes this run's own, for runs side by side must not share a
#    runtime directory.
#
#   check_tutorial.py SOURCE_ROOT [--excerpts-only]
import os
import re
import shutil
import subprocess
import sys
import tempfile

DONE = 'done: every mbuf back'
PREFIX_OPTION = re.compile(r'--file-prefix=\S+')
PREFIX = 'evpl-tutorial-%d' % os.getpid()


def blocks(md):
    """[(language, text, line number)] of the fenced blocks."""
    out = []
    for m in re.finditer(r'^```(\w*)[^\n]*\n(.*?)^```[ \t]*$', md,
                         re.M | re.S):
        out.append((m.group(1), m.group(2), md[:m.start()].count('\n') + 1))
    return out


def code_lines(text):
    return [l.strip() for l in text.splitlines() if l.strip()]


def check_excerpt(frag, program):
    """None if frag is an excerpt of program, else why not."""
    prog = code_lines(program)
    chunks, cur = [], []
    for l in code_lines(frag):
        if l == '...':
            if cur:
                chunks.append(cur)
            cur = []
        else:
            cur.append(l)
    if cur:
        chunks.append(cur)
    pos = 0
    for chunk in chunks:
        found = -1
        for i in range(pos, len(prog) - len(chunk) + 1):
            if prog[i:i + len(chunk)] == chunk:
                found = i
                break
        if found < 0:
            # The longest prefix that does match, to say where it parts.
            best = 0
            for i in range(pos, len(prog)):
                k = 0
                while (k < len(chunk) and i + k < len(prog) and
                       prog[i + k] == chunk[k]):
                    k += 1
                best = max(best, k)
            return ('these lines are not in the program, in this order '
                    'and consecutively:\n    ' +
                    '\n    '.join(chunk) +
                    '\n  (the first %d match; the next does not: %r)'
                    % (best, chunk[min(best, len(chunk) - 1)]))
        pos = found + len(chunk)
    return None


def source_copy(src, dst):
    """The files of the source tree a fresh clone has (and new ones)."""
    try:
        names = subprocess.run(
            ['git', '-C', src, 'ls-files', '-z', '--cached', '--others',
             '--exclude-standard'], check=True, capture_output=True,
            text=True).stdout.split('\0')
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns('build*'))
        return
    for name in names:
        path = os.path.join(src, name)
        if not name or not os.path.isfile(path):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, name)), exist_ok=True)
        shutil.copy2(path, os.path.join(dst, name))


def run_sh(block, cwd, line):
    env = {k: v for k, v in os.environ.items()
           if k not in ('PKG_CONFIG_PATH', 'LD_LIBRARY_PATH')}
    if re.search(r'\./(app|standalone)', block) and \
            not PREFIX_OPTION.search(block):
        print('FAILED: the sh block at line %d runs a program without '
              '--file-prefix: it would share a runtime directory with '
              'every other such run' % line)
        return None
    block = PREFIX_OPTION.sub('--file-prefix=' + PREFIX, block)
    print('$ (block at line %d)\n%s' % (line, block.rstrip()), flush=True)
    p = subprocess.run(['sh', '-e', '-c', block], cwd=cwd, env=env,
                       capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        print(out)
        print('FAILED: the sh block at line %d exited %d' % (line,
                                                             p.returncode))
        return None
    if './app' in block:
        print(p.stdout)
        if DONE not in p.stdout:
            print(out)
            print('FAILED: the program did not print "%s"' % DONE)
            return None
    return out


def main():
    src = os.path.abspath(sys.argv[1])
    excerpts_only = '--excerpts-only' in sys.argv[2:]
    md = open(os.path.join(src, 'docs', 'tutorial.md')).read()
    bl = blocks(md)
    cblocks = [b for b in bl if b[0] == 'c']
    if not cblocks or not re.search(r'\bmain\s*\(', cblocks[-1][1]):
        print('FAILED: the last c block is not a complete program')
        return 1
    program = cblocks[-1][1]
    failures = 0
    standalone = []
    for lang, text, line in cblocks[:-1]:
        if re.search(r'\bmain\s*\(', text):
            standalone.append((text, line))
            continue
        why = check_excerpt(text, program)
        if why:
            print('FAILED: the c block at line %d: %s' % (line, why))
            failures += 1
        else:
            print('ok: the c block at line %d is an excerpt of the program'
                  % line)
    others = [b for b in bl if b[0] not in ('c', 'sh')]
    for lang, _, line in others:
        print('FAILED: the block at line %d is %r, neither c nor sh: this '
              'test would not check it' % (line, lang or 'untagged'))
        failures += 1
    if failures or excerpts_only:
        return 1 if failures else 0

    work = tempfile.mkdtemp(prefix='evpl-tutorial-')
    try:
        tree = os.path.join(work, 'evpl-dpdk')
        source_copy(src, tree)
        with open(os.path.join(tree, 'app.c'), 'w') as f:
            f.write(program)
        shblocks = [b for b in bl if b[0] == 'sh']
        for _, text, line in shblocks:
            if run_sh(text, tree, line) is None:
                return 1
        for _, text, line in shblocks:
            if './app' in text and run_sh(text, tree, line) is None:
                return 1
        for i, (text, line) in enumerate(standalone):
            path = os.path.join(tree, 'standalone%d.c' % i)
            with open(path, 'w') as f:
                f.write(text)
            block = ('export PKG_CONFIG_PATH=$PWD/build/meson-uninstalled\n'
                     'cc -Wall standalone%d.c $(pkg-config --cflags --libs '
                     'evpl-dpdk) -o standalone%d\n'
                     'LD_LIBRARY_PATH=$PWD/build ./standalone%d -l 0 '
                     '--no-pci --no-huge -m 256 --no-shconf '
                     '--file-prefix=app\n' % (i, i, i))
            if run_sh(block, tree, line) is None:
                return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir('/var/run/dpdk/' + PREFIX)
        except OSError:
            pass
    print('ok: the tutorial\'s commands ran as written; the program ran '
          'in a plain and a trace-mode build')
    return 0


if __name__ == '__main__':
    sys.exit(main())
