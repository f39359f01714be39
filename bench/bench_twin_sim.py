"""Benchmark the twin's simulation core; prints one JSON result.

Usage: .venv/bin/python bench/bench_twin_sim.py [--gnbs 1000] [--terminals 50000] [--hours 1]
       .venv/bin/python bench/bench_twin_sim.py --site examples/plant.yaml
Builds a synthetic site in memory (3 cells per gNB) unless --site is given, then steps the
simulation for the simulated time at --step-s, collecting a period report every --granularity-s
and the core metrics as often. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from openipn.model.document import SiteDocument, parse_document
from openipn.model.identifiers import luhn_digit
from openipn.sitefile import parse_site_text
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault, impairments_at

SPACING_M = 30.0  # between gNBs
HALL_GNBS = 100  # gNBs per hall (area)
TYPES = (  # terminal type, application, share of the population
    ("agv", "agv-control", 0.10),
    ("robot_cell", "motion-control", 0.20),
    ("qc_camera", "machine-vision-qc", 0.05),
    ("ar_headset", "ar-maintenance", 0.05),
    ("sensor", "sensors", 0.60),
)
SLICES = (("urllc", 2, "000001", "prof-urllc", 82), ("embb", 1, "000002", "prof-embb", 80))
SLICES_SENSORS = ("miot", 3, "000003", "prof-miot", 9)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--gnbs", type=int, default=1000)
    parser.add_argument("--terminals", type=int, default=50_000)
    parser.add_argument("--site", type=Path, help="benchmark this site file instead")
    parser.add_argument("--hours", type=float, default=1.0, help="simulated hours (default 1)")
    parser.add_argument("--step-s", type=float, default=10.0)
    parser.add_argument("--granularity-s", type=float, default=60.0, help="PM period")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault", action="store_true", help="inject a switch failure halfway")
    return parser.parse_args(argv)


def _hall(index: int, columns: int, rows: int) -> list[list[float]]:
    x0, y0 = (index % 5) * columns * SPACING_M, (index // 5) * rows * SPACING_M
    x1, y1 = x0 + columns * SPACING_M, y0 + rows * SPACING_M
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def synthetic_site(gnbs: int, terminals: int, seed: int) -> dict[str, Any]:
    """A large plant: halls of 100 gNBs (3 sectors each) on TSN bridges in a ring."""
    rng = np.random.default_rng(seed)
    halls = math.ceil(gnbs / HALL_GNBS)
    site: dict[str, Any] = _core(halls)
    for h in range(halls):
        _hall_objects(site, h, min(HALL_GNBS, gnbs - h * HALL_GNBS))
    _population(site, terminals, halls, rng)
    return site


def _core(halls: int) -> dict[str, Any]:
    ring = ["cs-1", *[f"tsn-{h}" for h in range(halls)], "cs-2"]
    links = [
        {"name": f"ring-{a}-{b}", "a": a, "b": b, "capacity_mbps": 100_000, "latency_us": 3.0}
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    ]
    core = [("amf-1", "AMF"), ("smf-1", "SMF"), ("pcf-1", "PCF"), ("nrf-1", "NRF")]
    dc = [name for name, _ in core] + ["upf-central", "upf-edge", "mec-1", "gm-1"]
    links += [
        {"name": f"dc-{n}-{s}", "a": n, "b": s, "capacity_mbps": 100_000, "latency_us": 1.0}
        for n in dc
        for s in ("cs-1", "cs-2")
    ]
    elements = [
        {"name": "me-core", "role": "core", "vendor": "Bench"},
        {"name": "me-upf-central", "role": "upf", "vendor": "Bench"},
        {"name": "me-upf-edge", "role": "upf", "vendor": "Bench"},
        {"name": "me-mec-1", "role": "edge", "vendor": "Bench"},
        {"name": "me-gm-1", "role": "timing", "vendor": "Bench"},
        *({"name": f"me-{n}", "role": "transport", "vendor": "Bench"} for n in ring),
    ]
    slices = [*SLICES, SLICES_SENSORS]
    return {
        "site": {"name": "bench", "anchor": {"latitude": 31.3, "longitude": 120.7}},
        "snpn": {"plmn": {"mcc": "999", "mnc": "99"}, "nid": "10000000001"},
        "areas": [],
        "managed_elements": elements,
        "gnbs": [],
        "cells": [],
        "core_functions": [{"name": n, "type": t, "managed_element": "me-core"} for n, t in core],
        "upfs": [
            {
                "name": "upf-central",
                "managed_element": "me-upf-central",
                "dnns": ["internet"],
                "slices": ["embb", "miot"],
            },
            {
                "name": "upf-edge",
                "managed_element": "me-upf-edge",
                "dnns": ["factory"],
                "slices": ["urllc", "embb"],
            },
        ],
        "edge_nodes": [{"name": "mec-1", "managed_element": "me-mec-1", "upf": "upf-edge"}],
        "transport_nodes": [
            {
                "name": n,
                "type": "switch" if n.startswith("cs") else "tsn_bridge",
                "managed_element": f"me-{n}",
            }
            for n in ring
        ],
        "ptp_grandmasters": [{"name": "gm-1", "managed_element": "me-gm-1"}],
        "links": links,
        "slices": [{"name": n, "sst": sst, "sd": sd} for n, sst, sd, _, _ in slices],
        "applications": [
            _application(app, sl, ul, dl)
            for app, sl, ul, dl in (
                ("agv-control", "urllc", 2.0, 1.0),
                ("motion-control", "urllc", 5.0, 5.0),
                ("machine-vision-qc", "embb", 40.0, 2.0),
                ("ar-maintenance", "embb", 20.0, 50.0),
                ("sensors", "miot", 0.1, 0.01),
            )
        ],
        "sim_profiles": [
            {"name": p, "slices": [n], "dnns": ["factory"], "five_qi": q}
            for n, _, _, p, q in slices
        ],
        "terminals": [],
        "subscriptions": [],
    }


def _application(name: str, slice_name: str, ul: float, dl: float) -> dict[str, Any]:
    return {
        "name": name,
        "class": name.replace("-", "_"),
        "slice": slice_name,
        "edge_node": "mec-1",
        "latency_budget_ms": 10.0,
        "areas": ["H0"],
        "bitrate_ul_mbps": ul,
        "bitrate_dl_mbps": dl,
    }


def _hall_objects(site: dict[str, Any], h: int, count: int) -> None:
    columns, rows = 10, 10
    site["areas"].append({"name": f"H{h}", "kind": "workshop", "polygon": _hall(h, columns, rows)})
    x0, y0 = site["areas"][-1]["polygon"][0]
    for k in range(count):
        g = h * HALL_GNBS + k
        name, me = f"gnb-{g}", f"me-gnb-{g}"
        x, y = x0 + (k % columns + 0.5) * SPACING_M, y0 + (k // columns + 0.5) * SPACING_M
        site["managed_elements"].append({"name": me, "role": "gnb", "vendor": "Bench"})
        site["gnbs"].append(
            {
                "name": name,
                "managed_element": me,
                "gnb_id": 1000 + g,
                "gnb_id_length": 24,
                "position": {"x": x, "y": y, "z": 9.0},
                "area": f"H{h}",
            }
        )
        for sector in range(3):
            site["cells"].append(
                {
                    "name": f"{name}-c{sector + 1}",
                    "gnb": name,
                    "cell_local_id": sector + 1,
                    "pci": (g % 336) * 3 + sector,
                    "tac": 1 + h,
                    "arfcn_dl": 805000 if sector == 1 else 798334,
                    "bandwidth_mhz": 90 if sector == 1 else 100,
                    "azimuth_deg": 120.0 * sector,
                    "tilt_deg": 10.0,
                    "antenna_gain_dbi": 8.0,
                }
            )
        site["links"].append(
            {"name": f"acc-{name}", "a": name, "b": f"tsn-{h}", "capacity_mbps": 10_000}
        )


def _population(site: dict[str, Any], terminals: int, halls: int, rng: np.random.Generator) -> None:
    shares = np.array([share for _, _, share in TYPES])
    kinds = rng.choice(len(TYPES), size=terminals, p=shares / shares.sum())
    profile = {"agv-control": 0, "motion-control": 0, "machine-vision-qc": 1, "ar-maintenance": 1}
    for i, kind in enumerate(kinds.tolist()):
        typ, app, _ = TYPES[kind]
        supi = f"imsi-9999900{i:08d}"
        body = f"86451203{i:06d}"
        imei = body + luhn_digit(body)
        prof = SLICES[profile[app]][3] if app in profile else SLICES_SENSORS[3]
        site["terminals"].append(
            {
                "name": f"t-{i}",
                "type": typ,
                "imei": imei,
                "supi": supi,
                "expected_area": f"H{i % halls}",
                "application": app,
            }
        )
        site["subscriptions"].append(
            {"supi": supi, "profile": prof, "imei": imei, "k": f"{i:032x}", "opc": f"{i + 7:032x}"}
        )


def build_document(args: argparse.Namespace) -> SiteDocument:
    """The document to benchmark: a site file, or the synthetic plant."""
    if args.site is not None:
        return parse_site_text(args.site.read_text(encoding="utf-8"), source=str(args.site))
    document, issues = parse_document(synthetic_site(args.gnbs, args.terminals, args.seed))
    if issues:
        raise SystemExit("synthetic site is invalid:\n" + "\n".join(map(str, issues[:10])))
    return document


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build, step and collect; return the measurements."""
    started = time.perf_counter()
    document = build_document(args)
    parsed = time.perf_counter()
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai: a shift runs
    sim = Simulation(document, seed=args.seed, start=start, step_s=args.step_s)
    built = time.perf_counter()
    steps = round(args.hours * 3600 / args.step_s)
    every = max(1, round(args.granularity_s / args.step_s))
    transport = sim.world.transport
    bridge = next(n for n, k in zip(transport.names, transport.kind, strict=True) if "tsn" in k)
    fault = impairments_at([Fault("bench", "switch_down", f"switch:{bridge}")], sim.world)
    healthy = impairments_at([], sim.world)
    step_ms: list[float] = []
    collect_ms: list[float] = []
    alarms = measurements = 0
    for i in range(steps):
        t0 = time.perf_counter()
        result = sim.step(fault if args.fault and steps // 2 <= i < steps * 3 // 4 else healthy)
        step_ms.append((time.perf_counter() - t0) * 1e3)
        alarms += len(result.alarms)
        if (i + 1) % every == 0:
            t0 = time.perf_counter()
            report = sim.collect_period(sim.time)
            sim.core_metrics()
            collect_ms.append((time.perf_counter() - t0) * 1e3)
            measurements += sum(len(m) for m in report.elements.values() if m)
    finished = time.perf_counter()
    world = sim.world
    return {
        "gnbs": len(world.gnbs),
        "cells": len(world.cells),
        "terminals": len(world.terminals),
        "simulated_hours": args.hours,
        "step_s": args.step_s,
        "steps": steps,
        "periods": len(collect_ms),
        "parse_seconds": round(parsed - started, 2),
        "build_seconds": round(built - parsed, 2),
        "step_ms_mean": round(statistics.fmean(step_ms), 1),
        "step_ms_p95": round(sorted(step_ms)[int(0.95 * (len(step_ms) - 1))], 1),
        "collect_ms_mean": round(statistics.fmean(collect_ms), 1) if collect_ms else None,
        "run_seconds": round(finished - built, 1),
        "total_seconds": round(finished - started, 1),
        "alarm_events": alarms,
        "measurements_per_period": measurements // max(1, len(collect_ms)),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON result."""
    print(json.dumps(run(parse_args(argv)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
