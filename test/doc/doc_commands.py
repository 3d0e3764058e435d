#!/usr/bin/env python3
"""The command lines of README.md and docs/*.md, run: doc_test (and the
long ones too with `make doctest`).

Every ```sh block is run with bash -e, README.md first and then docs/ in
name order, all in one scratch folder that holds links to the source
tree's scenarios/, profiles/, bench/, scripts/ and Makefile and to the
build folder as build/, so that what a block writes (results/, study/, ...)
stays there and a later block can read it, as a reader following the docs
would.  A block is left out when the line before it says why:

    <!-- doctest: skip: REASON -->   never run (privileged, a placeholder)
    <!-- doctest: long -->           run only with --long (make doctest)

and the line `make test` is not run (it is the suite this test belongs to).
Usage synopses (lines `ipsec-sim COMMAND ...` in blocks without a language)
must be the program's own usage text, word for word.

usage: doc_commands.py SOURCE_DIR BUILD_DIR [--long]"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

MARK = re.compile(r"<!--\s*doctest:\s*(skip|long)\b:?\s*(.*?)\s*-->")
NOT_RUN = {"make test": "the suite this test belongs to"}


def blocks(path):
    """(line, language, text, mark) of each fenced block of `path`."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        mark = MARK.search(lines[i - 1]) if i > 0 else None
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        yield start, m.group(1), "\n".join(body), mark


def commands(text):
    """The block's lines with backslash continuations joined."""
    out, cur = [], ""
    for line in text.split("\n"):
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        out.append(cur + line)
        cur = ""
    return [c for c in out if c.strip()]


def usage(build):
    r = subprocess.run([os.path.join(build, "ipsec-sim"), "--help"], capture_output=True,
                       text=True)
    # each line's description follows three spaces; continuation lines
    # are indented under the command
    lines = [re.split(r"(?<=\S)   +", l)[0] for l in r.stderr.split("\n")
             if not (l.startswith("                  ") and not l.strip().startswith("["))]
    text = "\n".join(lines).replace("\n                  ", " ")
    return {" ".join(l.split()) for l in text.split("\n") if l.strip().startswith("ipsec-sim ")}


def synopses(text):
    """`ipsec-sim COMMAND ...` lines of a block, continuation lines joined."""
    out = []
    for line in text.split("\n"):
        if line.startswith("ipsec-sim "):
            out.append(line)
        elif out and line.startswith(" ") and line.strip().startswith("["):
            out[-1] += " " + line.strip()
        elif line.strip():
            out.append(None)
    # a synopsis names what it takes in capitals (SCENARIO, DB, ...)
    return [" ".join(s.split()) for s in out if s and re.search(r"\b[A-Z]{2,}", s)]


def scratch(src, build):
    w = tempfile.mkdtemp(prefix="doctest-")
    for name in ("scenarios", "profiles", "bench", "scripts", "Makefile", "test"):
        os.symlink(os.path.join(src, name), os.path.join(w, name))
    os.symlink(build, os.path.join(w, "build"))
    return w


def main():
    sys.stdout.reconfigure(line_buffering=True)
    src, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    long_too = "--long" in sys.argv[3:]
    docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    known = usage(build)
    work = scratch(src, build)
    env = dict(os.environ, BUILD="build")
    failed = ran = 0
    try:
        for doc in docs:
            name = os.path.relpath(doc, src)
            for line, lang, text, mark in blocks(doc):
                if lang == "":
                    if mark and mark.group(1) == "skip":
                        print(f"skip {name}:{line}: {mark.group(2)}")
                        continue
                    for s in synopses(text):
                        if s.split()[1] in {u.split()[1] for u in known} and s not in known:
                            print(f"FAIL {name}:{line}: synopsis differs from the usage text:"
                                  f"\n  doc:   {s}\n  usage: " +
                                  next(u for u in known if u.split()[1] == s.split()[1]))
                            failed += 1
                    continue
                if lang not in ("sh", "bash"):
                    continue
                if mark and (mark.group(1) == "skip" or not long_too):
                    print(f"skip {name}:{line}: {mark.group(2) or mark.group(1)}")
                    continue
                script = []
                for c in commands(text):
                    bare = re.sub(r"\s+#\s.*$", "", c).strip()  # without its comment
                    if bare in NOT_RUN:
                        print(f"skip {name}:{line}: '{bare}': {NOT_RUN[bare]}")
                    else:
                        script.append(c)
                t = time.time()
                r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(script)],
                                   cwd=work, env=env, capture_output=True, text=True)
                ran += 1
                if r.returncode != 0:
                    failed += 1
                    print(f"FAIL {name}:{line}: exit {r.returncode}\n" +
                          "\n".join("  $ " + c for c in script) +
                          f"\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
                else:
                    print(f"ok   {name}:{line} ({time.time() - t:.1f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{ran} blocks run, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
