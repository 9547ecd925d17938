#!/usr/bin/env python3
# Round 4's grid against issue 14's bar: round 3's summary (2026-12-03-night.csv)
# with every cell that round 4's grid pass measured (2026-12-03-night-grid.csv:
# the table's kernels of 5-8 packed rows and of <= 4 packed rows at d = 64,
# graph-replayed, SDPA beside in the same process) replaced by that pass, and
# the two d = 64 Sq = 1 8k batch-1 cells where equal splits change the count
# (33 -> 32) by the variants' 32-split launch of the same PTX
# (2026-12-03-night-splits-d64.csv, label new@2), and d = 128 G = 1 / 4 128k
# batch 1 / 8 by the variants' table kernel (-night-splits-d128.csv, "new").
#   python3 2026-12-03-night-splits-summary.py [--d128-g8-16rows] > 2026-12-03-night-splits-bar[-16rows].md
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
rows = {}
for r in csv.DictReader(open(os.path.join(HERE, "2026-12-03-night.csv"))):
    key = tuple(int(r[c]) for c in ("d", "sq", "g", "sk", "batch"))
    rows[key] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["fa2_us"]),
                     pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src=r["src"])
for r in csv.DictReader(open(os.path.join(HERE, "2026-12-03-night-grid.csv"))):
    key = tuple(int(r[c]) for c in ("d", "sq", "g", "sk", "batch"))
    rows[key] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["fa2_us"]),
                     pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src="grid4")
for r in csv.DictReader(open(os.path.join(HERE, "2026-12-03-night-splits-d64.csv"))):
    if r["label"] != "new@2" or int(r["sk"]) != 8192 or int(r["batch"]) != 1:
        continue
    g = int(r["kind"].split("-")[1][1:])
    rows[(64, 1, g, 8192, 1)] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["us"]),
                                     pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src="equal")
# d = 128 G = 1 / 4 at 128k (the table's PTX, 3 rounds; src var4).
for r in csv.DictReader(open(os.path.join(HERE, "2026-12-03-night-splits-d128.csv"))):
    if r["label"] != "new":
        continue
    g = int(r["kind"].split("-")[1][1:])
    rows[(128, 1, g, int(r["sk"]), int(r["batch"]))] = dict(
        kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["us"]), pct=float(r["pct_copy"]),
        ratio=float(r["ratio_best"]), src="var4")
# --d128-g8-16rows: the table after the d = 128 G = 8 row went back to one
# warp of 16 rows: its cells by that kernel's measurements (the same PTX as
# 034ae1e's): round 3's "new" label (2026-12-03-night-g8.csv, batch 1 / 8),
# else the evening's grid (src evening).
if "--d128-g8-16rows" in sys.argv[1:]:
    for name in ("2026-12-03-pm.csv", "2026-12-03-evening.csv"):
        for r in csv.DictReader(open(os.path.join(HERE, name))):
            key = tuple(int(r[c]) for c in ("d", "sq", "g", "sk", "batch"))
            if key[:3] == (128, 1, 8):
                rows[key] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["fa2_us"]),
                                 pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src=name[11:-4])
    for r in csv.DictReader(open(os.path.join(HERE, "2026-12-03-night-g8.csv"))):
        if r["kind"] == "q1-g8-d128" and r["label"] == "new":
            rows[(128, 1, 8, int(r["sk"]), int(r["batch"]))] = dict(
                kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["us"]),
                pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src="night-new")
big = [r for r in rows.values() if r["kv_mb"] >= 256]
small = [r for r in rows.values() if r["kv_mb"] < 256]
out = sys.stdout
out.write(f"cells {len(rows)} (grid4 {sum(r['src'] == 'grid4' for r in rows.values())}, equal "
          f"{sum(r['src'] == 'equal' for r in rows.values())}, var4 {sum(r['src'] == 'var4' for r in rows.values())}); K/V >= 256 MB: {len(big)}, >= 80% copy "
          f"{sum(r['pct'] >= 80 for r in big)}, >= 1.0x best SDPA {sum(r['ratio'] >= 1.0 for r in big)}, "
          f"both {sum(r['pct'] >= 80 and r['ratio'] >= 1.0 for r in big)}, min ratio "
          f"{min(r['ratio'] for r in big):.3f}; K/V < 256 MB: {len(small)}, >= 1.0x "
          f"{sum(r['ratio'] >= 1.0 for r in small)}, min ratio {min(r['ratio'] for r in small):.3f}\n\n")
out.write("Cells under 1.0x the faster of SDPA flash / cuDNN:\n\n"
          "| d | Sq | G | Sk | batch | MB | splits | fa2 us | % copy | fa2/best | src |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|\n")
for k in sorted(rows):
    r = rows[k]
    if r["ratio"] < 1.0:
        out.write(f"| {' | '.join(map(str, k))} | {r['kv_mb']:.0f} | {r['splits']} | {r['us']:.1f} | "
                  f"{r['pct']:.0f} | {r['ratio']:.4f} | {r['src']} |\n")
