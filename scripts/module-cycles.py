#!/usr/bin/env python3
"""Which top-level modules of src/ import each other in circles.

Reads every `crate::name` path (and `use crate::{a, b}` lists) under each
top-level module of src/ and prints the strongly connected components of
that graph (modules that reach each other), then every pair that imports
both ways, then each module's imports. Usage: scripts/module-cycles.py
(from the repository's top). Exit code 1 when there is a circle.
"""
import collections
import os
import re
import sys

SKIP = {"lib.rs", "main.rs", "cli.rs", "commands.rs", "terminal.rs"}  # the binary and the crate root


def modules():
    out = {}
    for name in sorted(os.listdir("src")):
        path = os.path.join("src", name)
        if name.endswith(".rs") and name not in SKIP:
            out[name[:-3]] = [path]
        elif os.path.isdir(path):
            out[name] = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".rs")]
    return out


def imports(mods):
    graph = collections.defaultdict(set)
    for m, files in mods.items():
        for path in files:
            text = open(path, encoding="utf-8").read()
            names = re.findall(r"crate::(\w+)", text)
            for group in re.findall(r"use crate::\{([^}]*)\}", text):
                names += re.findall(r"(\w+)", group)
            graph[m].update(n for n in names if n != m and n in mods)
    return graph


def components(graph, nodes):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    mods = modules()
    graph = imports(mods)
    circles = components(graph, sorted(mods))
    for c in circles:
        print("circle:", " ".join(c))
    for a in sorted(graph):
        for b in sorted(graph[a]):
            if a < b and a in graph[b]:
                print("both ways:", a, b)
    for m in sorted(mods):
        print(f"{m} -> {' '.join(sorted(graph[m]))}")
    return 1 if circles else 0


if __name__ == "__main__":
    sys.exit(main())
