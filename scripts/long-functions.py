#!/usr/bin/env python3
"""Functions in src/ longer than N lines (default 100), longest first: a function is counted from its
`fn` line to the closing brace at the same indentation (rustfmt's layout).

    scripts/long-functions.py [N]
"""
import glob
import re
import sys

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 100
found = []
for path in sorted(glob.glob("src/**/*.rs", recursive=True)):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(pub(\([^)]*\))? )?(async )?fn (\w+)", line)
        if not m:
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                if j - i + 1 > limit:
                    found.append((j - i + 1, path, i + 1, m.group(5)))
                break
for length, path, line, name in sorted(found, reverse=True):
    print(f"{length:5} {path}:{line} {name}")
