#!/usr/bin/env python3
"""Builds crates/brief/data/world-110m.tsv, the briefing's world map, from Natural Earth's
1:110m countries as packaged by the npm `world-atlas` package (TopoJSON).

Run once when the map should change; the output is committed, so builds never need npm:

    python3 scripts/brief-build-map.py            # fetches world-atlas@2.0.2 with `npm pack`
    python3 scripts/brief-build-map.py DIR        # or reads DIR/countries-110m.json and DIR/package.json

Each output line is one country: its ISO 3166-1 numeric id (empty where Natural Earth has none),
the name world-atlas gives it, and its outline as SVG path data, already projected with the
Natural Earth projection into a 1000 x 520 box and rounded to 0.1 unit. Antarctica is left out
(no State to shade, and it would take a fifth of the height). Standard library only.
"""

import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "world-atlas"
VERSION = "2.0.2"
WIDTH = 1000.0
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "brief", "data", "world-110m.tsv")


def fetch(tmp):
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    with tarfile.open(os.path.join(tmp, f"{PACKAGE}-{VERSION}.tgz")) as tar:
        tar.extractall(tmp, filter="data")
    return os.path.join(tmp, "package")


def natural_earth(lon, lat):
    """The Natural Earth projection (Šavrič, Jenny, Patterson, Petrovič, Hurni 2011), in radians."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


def decode_arcs(topology):
    """Quantized, delta-encoded TopoJSON arcs -> lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def main():
    with tempfile.TemporaryDirectory() as tmp:
        src = sys.argv[1] if len(sys.argv) > 1 else fetch(tmp)
        with open(os.path.join(src, "package.json"), encoding="utf-8") as f:
            package = json.load(f)
        with open(os.path.join(src, "countries-110m.json"), encoding="utf-8") as f:
            topology = json.load(f)
    arcs = decode_arcs(topology)
    # Scale so that longitude -180..180 spans the width; the projection's x range is +-pi*0.8707.
    x_max = math.pi * 0.8707
    y_max = natural_earth(0, 90)[1]
    scale = WIDTH / (2 * x_max)
    height = 520.0
    # Antarctica is left out, so the map is cut at 60 degrees south.
    y_bottom = natural_earth(0, -60)[1]
    y_scale = scale
    y_offset = y_max * y_scale

    def xy(lon, lat):
        x, y = natural_earth(lon, lat)
        return (x + x_max) * scale, y_offset - y * y_scale

    lines = []
    skipped = []
    for g in topology["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        if name == "Antarctica":
            skipped.append(name)
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        path = []
        for polygon in polygons:
            for indexes in polygon:
                pts = [xy(lon, lat) for lon, lat in ring(arcs, indexes)]
                prev = None
                cmds = []
                for x, y in pts:
                    q = (round(x * 10), round(y * 10))
                    if q == prev:
                        continue
                    # A ring that crosses the antimeridian (Fiji, Russia) jumps across the map;
                    # starting a new subpath there keeps each side's fill on its own side.
                    if prev is None or abs(q[0] - prev[0]) > WIDTH * 5:
                        if cmds and len(cmds) > 2:
                            path.append("".join(cmds) + "z")
                        cmds = []
                        cmds.append(f"M{q[0] / 10:g} {q[1] / 10:g}")
                    else:
                        cmds.append(f"l{(q[0] - prev[0]) / 10:g} {(q[1] - prev[1]) / 10:g}")
                    prev = q
                if len(cmds) > 2:
                    path.append("".join(cmds) + "z")
        lines.append((g.get("id", ""), name, "".join(path)))
    view_height = round(y_offset - y_bottom * y_scale + 5)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {PACKAGE} {package['version']} countries-110m.json (Natural Earth 1:110m, public domain); "
                f"Natural Earth projection; viewBox 0 0 {WIDTH:g} {view_height}; built by scripts/brief-build-map.py\n")
        f.write("numeric\tname\tpath\n")
        for numeric, name, path in lines:
            f.write(f"{numeric}\t{name}\t{path}\n")
    print(f"wrote {len(lines)} countries to {os.path.normpath(OUT)} (left out: {', '.join(skipped)}); "
          f"{os.path.getsize(OUT)} bytes, viewBox height {view_height}")


if __name__ == "__main__":
    main()
