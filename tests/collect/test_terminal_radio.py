"""Terminal reports with radio values: the status row keeps the serving values and neighbours."""

from __future__ import annotations

from test_terminals import T0, history, status, stored, telemetry, terminal

from openipn.app import Services
from openipn.codecs.terminal_report import Neighbour, TerminalKey, encode_neighbours
from openipn.collect.terminals import NEIGHBOURS, TerminalStatusHandler
from openipn.store.telemetry.api import TelemetryStore

__all__ = ["telemetry"]  # the store fixture of test_terminals


def test_status_detail_and_history_keep_the_radio_values(
    services: Services, telemetry: TelemetryStore
) -> None:
    heard = [Neighbour(12, -91.5), Neighbour(1007, -97.0)]
    radio = {"rsrpDbm": "-88.4", "rsrqDb": "-9.5", "sinrDb": "14.2"} | encode_neighbours(heard)
    handler = TerminalStatusHandler(services.engine, telemetry)
    handler.handle([stored(T0, {"agv-1": terminal("4.000", "1.00", **radio),
                                "agv-2": terminal(None, "2.00", rsrpDbm="nan")})])  # fmt: skip
    rows = status(services)
    detail = rows["agv-1"].detail
    assert detail[TerminalKey.RSRP_DBM] == -88.4 and detail[TerminalKey.SINR_DB] == 14.2
    assert detail[TerminalKey.RSRQ_DB] == -9.5
    assert detail[NEIGHBOURS] == [{"pci": 12, "rsrpDbm": -91.5}, {"pci": 1007, "rsrpDbm": -97.0}]
    assert (
        TerminalKey.RSRP_DBM not in rows["agv-2"].detail and NEIGHBOURS not in rows["agv-2"].detail
    )
    assert [v for _, v in history(telemetry, "agv-1", "VS.UeSsRsrpDbm")] == [-88.4]
    assert history(telemetry, "agv-2", "VS.UeSsRsrpDbm") == []
