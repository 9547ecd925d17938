#!/usr/bin/env python3
# The night's grid against issue 14's bar: every cell of the evening's tree
# (2026-12-03-evening.csv, else 2026-12-03-pm.csv), with the cells the night
# measured (2026-12-03-night-{d64,g8}.csv, graph-replayed, SDPA beside in the
# same process) replaced by the night's table kernel's time:
#   G = 8 at d 64 / 128 (Sq = 1): m32;  <= 4 packed rows at d = 64 (Sq = 1
#   G 1 / 4, Sq = 4 G = 1): n64s3 where its measured split count is the
#   table's (min_blocks_per_split 2: not at 1k batch 1 (8 splits, measured
#   at 4) nor at 8k batch 1 (33, measured at 32): those keep the evening's).
#   python3 2026-12-03-night-summary.py > 2026-12-03-night.md (and -csv)
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
rows = {}
for name in ("2026-12-03-pm.csv", "2026-12-03-evening.csv"):
    for r in csv.DictReader(open(os.path.join(HERE, name))):
        key = (int(r["d"]), int(r["sq"]), int(r["g"]), int(r["sk"]), int(r["batch"]))
        rows[key] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]), us=float(r["fa2_us"]),
                         pct=float(r["pct_copy"]), ratio=float(r["ratio_best"]), src=name[11:-4])
TAKE = {"q1-g8-d128": "m32", "q1-g8-d64": "m32", "q1-g1-d64": "n64s3", "q1-g4-d64": "n64s3",
        "q4-g1-d64": "n64s3"}
for name in ("2026-12-03-night-d64.csv", "2026-12-03-night-g8.csv"):
    for r in csv.DictReader(open(os.path.join(HERE, name))):
        if TAKE.get(r["kind"]) != r["label"]:
            continue
        sq, g, d = (int(x[1:]) for x in r["kind"].split("-"))
        sk, batch = int(r["sk"]), int(r["batch"])
        if r["label"] == "n64s3" and batch == 1 and sk in (1024, 8192):
            continue  # the table's split count there was not measured
        rows[(d, sq, g, sk, batch)] = dict(kv_mb=float(r["kv_mb"]), splits=int(r["splits"]),
                                           us=float(r["us"]), pct=float(r["pct_copy"]),
                                           ratio=float(r["ratio_best"]), src="night")
w = csv.writer(open(os.path.join(HERE, "2026-12-03-night.csv"), "w", newline=""))
w.writerow(["d", "sq", "g", "sk", "batch", "kv_mb", "splits", "fa2_us", "pct_copy", "ratio_best", "src"])
for k in sorted(rows):
    r = rows[k]
    w.writerow(list(k) + [f"{r['kv_mb']:.1f}", r["splits"], f"{r['us']:.2f}", f"{r['pct']:.1f}",
                          f"{r['ratio']:.4f}", r["src"]])
big = [(k, r) for k, r in rows.items() if r["kv_mb"] >= 256]
small = [(k, r) for k, r in rows.items() if r["kv_mb"] < 256]
out = sys.stdout
out.write(f"cells {len(rows)} (night {sum(r['src'] == 'night' for r in rows.values())}); "
          f"K/V >= 256 MB: {len(big)}, >= 80% copy {sum(r['pct'] >= 80 for _, r in big)}, "
          f">= 1.0x best SDPA {sum(r['ratio'] >= 1.0 for _, r in big)}, "
          f"both {sum(r['pct'] >= 80 and r['ratio'] >= 1.0 for _, r in big)}, "
          f"min ratio {min(r['ratio'] for _, r in big):.3f}; K/V < 256 MB: {len(small)}, "
          f">= 1.0x {sum(r['ratio'] >= 1.0 for _, r in small)}, min ratio {min(r['ratio'] for _, r in small):.3f}\n\n")
out.write("Cells under 1.0x the faster of SDPA flash / cuDNN:\n\n"
          "| d | Sq | G | Sk | batch | MB | splits | fa2 us | % copy | fa2/best | src |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|\n")
for k in sorted(rows):
    r = rows[k]
    if r["ratio"] < 1.0:
        out.write(f"| {' | '.join(map(str, k))} | {r['kv_mb']:.0f} | {r['splits']} | {r['us']:.1f} | "
                  f"{r['pct']:.0f} | {r['ratio']:.3f} | {r['src']} |\n")
