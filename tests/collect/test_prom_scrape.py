"""The Prometheus scraper against real HTTP servers, writing into the real telemetry store."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prom_scrape_kit import AMF_DN, T0, UPF_DN, FakeNf, RawServer, serve, stored

from openipn.codecs.open5gs_metrics import HistogramValue
from openipn.collect.prom_scrape import PromScraper
from openipn.collect.prom_targets import ScrapeTarget
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

S = dt.timedelta(seconds=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TelemetryStore]:
    made = open_telemetry_store(tmp_path / "ts", durable=False)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as made:
        yield made


def _amf(reginit: float, fails: dict[str, float], registered: float) -> dict[str, object]:
    return {
        "fivegs_amffunction_rm_reginitreq": reginit,
        "fivegs_amffunction_rm_reginitfail": fails,
        "fivegs_amffunction_rm_registeredsubnbr": {("00101", "1-000001"): registered},
    }


def test_counters_become_increments_over_event_time_periods(
    store: TelemetryStore, client: httpx.Client
) -> None:
    amf = FakeNf("AMF", _amf(10, {"15": 1}, 7))  # type: ignore[arg-type]
    servers, urls = serve({"amf-1": amf})
    try:
        target = ScrapeTarget(urls["amf-1"], AMF_DN, "AMF")
        scraper = PromScraper([target], store)
        assert scraper.scrape(target, client) == 0  # first scrape: a baseline only
        assert stored(store) == {}
        amf.at, amf.values = T0 + 15 * S, _amf(25, {"15": 3, "62": 2}, 9)  # type: ignore[assignment]
        assert scraper.scrape(target, client) > 0
    finally:
        servers.stop()
    values = stored(store)
    period = (T0, 15)
    assert values[(AMF_DN, "RM.RegInitReq", *period)] == 15
    assert values[(AMF_DN, "RM.RegInitFail", *period)] == 4  # 2 more of cause 15, 2 new of 62
    assert values[(AMF_DN, "RM.RegInitFail.15", *period)] == 2
    assert values[(AMF_DN, "RM.RegInitFail.62", *period)] == 2  # a series born after baseline
    # a gauge: TS 28.552 status inspection, Mean and Max from the sample, per S-NSSAI too
    assert values[(AMF_DN, "RM.RegisteredSubNbrMean", *period)] == 9
    assert values[(AMF_DN, "RM.RegisteredSubNbrMax.01000001", *period)] == 9
    assert values[(AMF_DN, "VS.ran_ue", *period)] == 0  # unmapped: vendor-specific name
    health = scraper.health()[0]
    assert (health.up, health.scrapes, health.failures) == (True, 2, 0)
    assert health.values_stored == len(values)


def test_counter_reset_and_unchanged_time(store: TelemetryStore, client: httpx.Client) -> None:
    amf = FakeNf("AMF", {"fivegs_amffunction_rm_reginitreq": 100})
    servers, urls = serve({"amf-1": amf})
    try:
        target = ScrapeTarget(urls["amf-1"], AMF_DN, "AMF", exclude=("VS.*",))
        scraper = PromScraper([target], store)
        scraper.scrape(target, client)
        amf.at, amf.values = T0 + 10 * S, {"fivegs_amffunction_rm_reginitreq": 130}
        scraper.scrape(target, client)
        assert scraper.scrape(target, client) == 0  # same simulated time: nothing new
        amf.at, amf.values = T0 + 20 * S, {"fivegs_amffunction_rm_reginitreq": 4}  # restarted
        scraper.scrape(target, client)
        amf.at, amf.values = T0 + 30 * S, {"fivegs_amffunction_rm_reginitreq": 9}
        scraper.scrape(target, client)
    finally:
        servers.stop()
    assert stored(store, "RM.RegInitReq") == {
        (AMF_DN, "RM.RegInitReq", T0, 10): 30,
        (AMF_DN, "RM.RegInitReq", T0 + 10 * S, 10): 4,
        (AMF_DN, "RM.RegInitReq", T0 + 20 * S, 10): 5,
    }


def test_without_timestamps_the_scrape_time_is_the_event_time(
    store: TelemetryStore, client: httpx.Client
) -> None:
    amf = FakeNf("AMF", {"fivegs_amffunction_amf_authreq": 1}, at=None)
    clock = iter([T0.timestamp(), T0.timestamp() + 15.4])
    servers, urls = serve({"amf-1": amf})
    try:
        target = ScrapeTarget(urls["amf-1"], AMF_DN, "AMF")
        scraper = PromScraper([target], store, clock=lambda: next(clock), keep_unmapped=False)
        scraper.scrape(target, client)
        amf.values = {"fivegs_amffunction_amf_authreq": 6}
        scraper.scrape(target, client)
    finally:
        servers.stop()
    assert stored(store, "AMF.AuthReq") == {(AMF_DN, "AMF.AuthReq", T0, 15): 5}
    assert stored(store, "VS.") == {}  # keep_unmapped=False


def test_upf_gtp_counters_land_on_ep_n3_and_total_suffix_is_understood(
    store: TelemetryStore, client: httpx.Client
) -> None:
    raw = RawServer(_upf_text(1000, 5, 0))
    try:
        target = ScrapeTarget(raw.url, UPF_DN, "UPF")
        scraper = PromScraper([target], store)
        scraper.scrape(target, client)
        raw.body = _upf_text(1600, 9, 60_000)
        scraper.scrape(target, client)
    finally:
        raw.close()
    values = stored(store)
    n3 = f"{UPF_DN},EP_N3=1"
    assert values[(n3, "GTP.InDataPktN3UPF", T0, 60)] == 600
    assert values[(n3, "GTP.InDataOctN3UPF", T0, 60)] == 4  # summed over qfi
    assert (UPF_DN, "GTP.InDataPktN3UPF", T0, 60) not in values


def _upf_text(packets: int, octets_qfi1: int, dt_ms: int) -> str:
    ts = int(T0.timestamp() * 1000) + dt_ms
    return (
        "# TYPE fivegs_ep_n3_gtp_indatapktn3upf_total counter\n"
        f"fivegs_ep_n3_gtp_indatapktn3upf_total {packets} {ts}\n"
        "# TYPE fivegs_ep_n3_gtp_indatavolumeqosleveln3upf counter\n"
        f'fivegs_ep_n3_gtp_indatavolumeqosleveln3upf{{qfi="1"}} {octets_qfi1} {ts}\n'
        f'fivegs_ep_n3_gtp_indatavolumeqosleveln3upf{{qfi="5"}} 100 {ts}\n'
    )


def test_histogram_mean_is_sum_increment_over_count_increment(
    store: TelemetryStore, client: httpx.Client
) -> None:
    bounds = [20.0 * 2**k for k in range(8)]
    amf = FakeNf("AMF", {"fivegs_amffunction_rm_regtime": HistogramValue.of(bounds, [30, 50])})
    servers, urls = serve({"amf-1": amf})
    try:
        target = ScrapeTarget(urls["amf-1"], AMF_DN, "AMF")
        scraper = PromScraper([target], store)
        scraper.scrape(target, client)
        amf.at = T0 + 15 * S
        later = HistogramValue.of(bounds, [30, 50, 100, 300, 200])
        amf.values = {"fivegs_amffunction_rm_regtime": later}
        scraper.scrape(target, client)
    finally:
        servers.stop()
    assert stored(store, "VS.fivegs_amffunction_rm_regtime") == {
        (AMF_DN, "VS.fivegs_amffunction_rm_regtimeMean", T0, 15): 200.0
    }


def test_failures_are_counted_never_raised(store: TelemetryStore, client: httpx.Client) -> None:
    amf = FakeNf("AMF", down=True)
    servers, urls = serve({"amf-1": amf})
    garbage, slow = RawServer("this is not {prometheus\n"), RawServer("up 1\n", delay_s=5)
    closed = RawServer("")
    closed.close()  # a port nobody listens on any more
    targets = [
        ScrapeTarget(urls["amf-1"], AMF_DN, "AMF", name="http-500"),
        ScrapeTarget(garbage.url, AMF_DN, "AMF", name="garbage"),
        ScrapeTarget(slow.url, AMF_DN, "AMF", timeout_s=0.3, name="slow"),
        ScrapeTarget(closed.url, AMF_DN, "AMF", name="refused"),
    ]
    try:
        scraper = PromScraper(targets, store)
        for target in targets:
            assert scraper.scrape(target, client) == 0
        health = {h.name: h for h in scraper.health()}
        amf.down = False
        scraper.scrape(targets[0], client)
    finally:
        servers.stop()
        garbage.close()
        slow.close()
    assert all(h.up is False for h in health.values())
    assert "HTTP 500" in (health["http-500"].last_error or "")
    back = scraper.health()[0]
    assert (back.up, back.failures, back.scrapes, back.last_error) == (True, 1, 2, None)
    assert "bad exposition text" in (health["garbage"].last_error or "")
    assert "timed out" in (health["slow"].last_error or "")
    assert health["refused"].up is False and health["refused"].failures == 1
    assert stored(store) == {}


def test_worker_threads_scrape_on_their_interval_and_stop(store: TelemetryStore) -> None:
    amf = FakeNf("AMF", {"fivegs_amffunction_rm_reginitreq": 0}, at=None)
    servers, urls = serve({"amf-1": amf})
    target = ScrapeTarget(urls["amf-1"], AMF_DN, "AMF", interval_s=0.1, timeout_s=0.1)
    scraper = PromScraper([target], store)
    try:
        scraper.start()
        with pytest.raises(RuntimeError):
            scraper.start()
        deadline = time.monotonic() + 5
        while scraper.health()[0].scrapes < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        scraper.stop()
        count = scraper.health()[0].scrapes
        time.sleep(0.3)
        assert scraper.health()[0].scrapes == count >= 3  # stopped means stopped
    finally:
        scraper.stop()
        servers.stop()
