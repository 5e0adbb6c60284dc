"""The plateau test of docs/fuzzing.md ("What counts as level"), test 1.

Compares two libFuzzer `-print_coverage=1` replays made by the same
AddressSanitizer build (the corpus copied 30 minutes before the end of a
run, and at the end) and prints what the second covers that the first does
not: per cutover function (grouped by the file a function is defined in),
and by the source line of each edge, where an edge on a line of a file
under SRC_PREFIX counts as cutover's own even inside a library's generic
function, and an edge on a library's line counts with the library even when
inlined into a cutover function.

    python3 fuzz/coverage_diff.py first.txt second.txt [SRC_PREFIX]

SRC_PREFIX defaults to /work/main/src/ (the checkout the build was made in).
"""
import re, sys, collections
SRC = sys.argv[3] if len(sys.argv) > 3 else '/work/main/src/'
def load(p):
    funcs = {}
    cur = None
    for line in open(p, errors='replace'):
        s = line.strip()
        m = re.match(r'(UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) (.*) (\S+:\d+)$', s)
        if m:
            key = (m.group(4), m.group(5))
            cur = funcs.setdefault(key, {'cov': 0, 'tot': int(m.group(3)), 'un': collections.Counter()})
            cur['cov'] = max(cur['cov'], int(m.group(2)))
            continue
        m = re.match(r'UNCOVERED_PC: (\S+)$', s)
        if m and cur is not None:
            cur['un'][m.group(1)] += 1
    return funcs
a, b = load(sys.argv[1]), load(sys.argv[2])
own = lambda path: path.startswith(SRC)
by_line_own, by_line_lib, new_funcs, lost = collections.Counter(), collections.Counter(), [], []
per_func = []
for key, fb in sorted(b.items()):
    fa = a.get(key, {'cov': 0, 'tot': fb['tot'], 'un': collections.Counter()})
    if fb['cov'] > fa['cov'] and own(key[1].rsplit(':', 1)[0]):
        per_func.append((key[0], fa['cov'], fb['cov'], fb['tot']))
    if fa['cov'] == 0 and fb['cov'] > 0:
        new_funcs.append((key, fb['cov']))
        continue
    gained = fa['un'] - fb['un']
    for path, n in gained.items():
        (by_line_own if own(path) else by_line_lib)[(path, key[0])] += n
    if fb['un'] - fa['un']:
        lost.append((key, dict(fb['un'] - fa['un'])))
tot = lambda d: sum(f['cov'] for k, f in d.items() if own(k[1].rsplit(':', 1)[0]))
print(f"per function (cutover functions): {tot(a)} -> {tot(b)}")
for name, x, y, t in per_func:
    print(f"   {x} -> {y} / {t}  {name[:100]}")
print(f"by source line, edges on lines under {SRC}: +{sum(by_line_own.values())}")
for (path, fn), n in sorted(by_line_own.items()):
    print(f"   +{n}  {path}  (in {fn[:80]})")
print(f"by source line, library lines inlined into or called from covered functions: +{sum(by_line_lib.values())}")
libgroups = collections.Counter()
for (path, fn), n in by_line_lib.items():
    m = re.search(r'registry/src/[^/]+/([^/]+?)-\d', path)
    libgroups[m.group(1) if m else ('std' if '/rustc/' in path else path.split('/')[-1])] += n
for g, n in libgroups.most_common(12):
    print(f"   +{n}  {g}")
print(f"functions covered for the first time: {len(new_funcs)}")
for (name, loc), c in new_funcs:
    print(f"   {c} edges  {name[:80]}  {loc}  {'OWN' if own(loc.rsplit(':',1)[0]) else ''}")
if lost:
    print(f"functions with edges lost (should not happen): {len(lost)}")
    for k, d in lost[:10]:
        print('  ', k[0][:80], d)
