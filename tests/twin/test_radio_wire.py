"""Radio measurements on the wire: PM bin counters in a schema-valid TS 32.435 file, and the
terminal report's serving and neighbour values as the platform reads them back."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from openipn.codecs.terminal_report import Neighbour, TerminalKey, decode_neighbours
from openipn.codecs.ts32435_pm import encode_meas_collec
from openipn.codecs.ts32435_read import decode
from openipn.codecs.ves_parse import parse_event
from openipn.collect.terminals import terminal_reports
from openipn.twin import adapters
from openipn.twin.emit.terminal_reports import reporter_for
from openipn.twin.sim.measure import Family
from openipn.twin.sim.report_radio import bin_names

sys.path.insert(0, str(Path(__file__).parent / "sim"))
from sim_kit import run, warm_plant

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"
XSD_FILE = SAMPLES / "measCollec_plusString.xsd"


def test_pm_file_with_radio_bins_validates_and_reads_back(tmp_path: Path) -> None:
    r = run(warm_plant(), 18)
    world = r.sim.world
    element = world.elements.names[world.gnbs.me[world.cells.gnb[0]]]
    measurements = r.report.elements[element]
    assert measurements
    begin, end = r.report.begin, r.report.end
    pm = adapters.pm_file(element=element, measurements=measurements, begin=begin, end=end,
                          vendor="Acme", sw_version=None,
                          element_dn=world.dns.element_dn(element),
                          periods=r.report.periods)  # fmt: skip
    path = tmp_path / adapters.pm_name(element, begin, end)
    path.write_bytes(encode_meas_collec(pm))
    if XSD_FILE.exists():
        import xmlschema

        xmlschema.XMLSchema(str(XSD_FILE)).validate(str(path))
    else:
        pytest.skip(f"TS 32.435 XSD not at {XSD_FILE}")
    read = decode(path)
    written = {(cls, ldn): values for cls, ldn, values in measurements}
    seen = 0
    for info in read.meas_infos:
        for family in Family:
            for name in bin_names(family):
                if name not in info.meas_types:
                    continue
                assert info.gran_period_s == r.report.periods[info.meas_info_id]  # its own job
                for ldn, result in info.column(name).items():
                    key = next(
                        k for k in written if k[0] == info.meas_info_id and ldn.endswith(k[1])
                    )
                    assert result == written[key][name]
                    seen += 1
    assert seen >= sum(len(bin_names(f)) for f in Family)  # every family of one cell at least


def test_terminal_report_carries_what_each_terminal_measured() -> None:
    sim = warm_plant()
    reporter = reporter_for(sim, 10.0, "terminal-monitor", "OpenIPN twin")
    assert reporter is not None
    state = {"n": 0}

    def sequence() -> int:
        state["n"] += 1
        return state["n"]

    view = run(sim, 1).last.terminals
    events = reporter.events(view, sim.now, sequence)
    reports = {r.terminal: r for e in events for r in terminal_reports(parse_event(e))}
    assert sorted(reports) == sorted(view.names)
    for i, name in enumerate(view.names):
        report = reports[name]
        for key, column in ((TerminalKey.RSRP_DBM, view.rsrp_dbm),
                            (TerminalKey.RSRQ_DB, view.rsrq_db),
                            (TerminalKey.SINR_DB, view.sinr_db)):  # fmt: skip
            value = float(column[i])
            if math.isnan(value):
                assert key not in report.numbers  # not connected: nothing measured, no 0
            else:
                assert report.numbers[key] == pytest.approx(value, abs=0.05)
        heard = [
            Neighbour(int(p), float(q))
            for p, q in zip(view.nbr_pci[i], view.nbr_rsrp_dbm[i], strict=True)
            if p >= 0
        ]
        decoded = decode_neighbours(report.text)
        assert [n.pci for n in decoded] == [n.pci for n in heard]
        assert np.allclose([n.rsrp_dbm for n in decoded], [n.rsrp_dbm for n in heard], atol=0.05)
    assert any(decode_neighbours(r.text) for r in reports.values())
