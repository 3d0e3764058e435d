"""Checks the text of gnuplot SVG figures: no two texts overlap and none
leaves the canvas (test/sim/figures.sh).  A text's box is estimated from its
font size (an average character 0.55 em wide, ascent 0.8 em, descent 0.2
em), its anchor and its rotation (the box around the rotated one), as gnuplot's svg terminal writes them:
<g transform="translate(X,Y) rotate(A)" ... font-size="S" text-anchor="...">
<text>...</text>.  Prints one line per problem; exit status 1 if any."""
import html
import math
import re
import sys

TEXT = re.compile(
    r'<g transform="translate\(([-\d.]+),([-\d.]+)\)(?: rotate\(([-\d.]+)\))?"'
    r'[^>]*?font-size="([\d.]+)"[^>]*?text-anchor="(\w+)"[^>]*>\s*<text>(.*?)</text>',
    re.S)


def boxes(svg):
    for m in TEXT.finditer(svg):
        x, y, angle, size, anchor, text = m.groups()
        text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        if not text:
            continue
        x, y, size = float(x), float(y), float(size)
        w = len(text) * 0.55 * size
        lo = {"start": 0, "middle": -w / 2, "end": -w}[anchor]
        # the box in the text's own frame, rotated as SVG does (clockwise,
        # y down), then the box around that
        t = math.radians(float(angle or 0))
        corners = [(lo + dx, dy) for dx in (0, w) for dy in (-0.8 * size, 0.2 * size)]
        xs = [x + cx * math.cos(t) - cy * math.sin(t) for cx, cy in corners]
        ys = [y + cx * math.sin(t) + cy * math.cos(t) for cx, cy in corners]
        yield text, (min(xs), min(ys), max(xs), max(ys))


def check(path):
    svg = open(path).read()
    m = re.search(r'<svg[^>]*width="(\d+)"[^>]*height="(\d+)"', svg)
    width, height = float(m.group(1)), float(m.group(2))
    found = list(boxes(svg))
    problems = []
    for text, (x0, y0, x1, y1) in found:
        if x0 < -1 or y0 < -1 or x1 > width + 1 or y1 > height + 1:
            problems.append("%s: %r leaves the canvas (%.0f,%.0f)-(%.0f,%.0f) of %.0fx%.0f"
                            % (path, text, x0, y0, x1, y1, width, height))
    for i, (t, a) in enumerate(found):
        for u, b in found[i + 1:]:
            # 1 px of slack: neighbours may touch
            if a[0] + 1 < b[2] and b[0] + 1 < a[2] and a[1] + 1 < b[3] and b[1] + 1 < a[3]:
                problems.append("%s: %r overlaps %r" % (path, t, u))
    return len(found), problems


bad = 0
for p in sys.argv[1:]:
    n, problems = check(p)
    for line in problems:
        print(line)
    bad += len(problems)
    print("%s: %d texts, %d problems" % (p, n, len(problems)))
sys.exit(1 if bad else 0)
