"""The twin's per-NF /metrics endpoints (real HTTP servers on 127.0.0.1) and the Open5GS table."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator, Sequence

import httpx
import pytest

from openipn.codecs.open5gs_metrics import (
    METRICS,
    TO_TS28552,
    Collection,
    HistogramValue,
    MetricValue,
    Open5gsNf,
    families_for,
    plmnid_label,
    snssai_label,
    specs_for,
    to_ts28552,
)
from openipn.codecs.prom_text import (
    CONTENT_TYPE,
    LABEL_NAME_RE,
    METRIC_NAME_RE,
    MetricFamily,
    MetricType,
    Sample,
    decode,
    encode,
)
from openipn.model.identifiers import PlmnId, Snssai
from openipn.twin.emit.metrics_server import MetricsServers
from promtool_kit import promtool_check

TOTAL_COMPLAINT = re.compile(r'(\S+) counter metrics should have "_total" suffix')
SLICE = ("00101", "1-000001")


def port_is_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Nf:
    """Values of one simulated NF, changed by the test like the simulation would."""

    def __init__(self, nf_type: str, values: dict[str, MetricValue]) -> None:
        self.nf_type, self.values = nf_type, values

    def __call__(self) -> Sequence[MetricFamily]:
        return families_for(self.nf_type, self.values)


@pytest.fixture
def nfs() -> dict[str, Nf]:
    return {
        "amf": Nf("AMF", {"ran_ue": 4, "fivegs_amffunction_rm_registeredsubnbr": {SLICE: 4}}),
        "smf": Nf("SMF", {"fivegs_smffunction_sm_pdusessioncreationreq": {SLICE: 9}}),
        "upf": Nf("UPF", {"fivegs_ep_n3_gtp_indatavolumeqosleveln3upf": {"1": 1500}}),
    }


@pytest.fixture
def servers(nfs: dict[str, Nf]) -> Iterator[MetricsServers]:
    with MetricsServers() as running:
        running.start({name: (0, callback) for name, callback in nfs.items()})
        yield running


def scrape(servers: MetricsServers, nf: str) -> httpx.Response:
    return httpx.get(servers.url(nf), timeout=5)


def series(families: list[MetricFamily]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(s.labels.items())): s.value for family in families for s in family.samples
    }


def test_each_nf_has_its_own_free_port(servers: MetricsServers) -> None:
    ports = servers.ports
    assert set(ports) == {"amf", "smf", "upf"}
    assert len(set(ports.values())) == 3
    assert all(port > 0 and port_is_open(port) for port in ports.values())
    assert servers.url("amf") == f"http://127.0.0.1:{ports['amf']}/metrics"


def test_scrape_shows_callback_values_with_open5gs_names_and_labels(
    servers: MetricsServers,
) -> None:
    response = scrape(servers, "amf")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE
    amf = series(decode(response.text))
    assert amf[("ran_ue", ())] == 4
    assert (
        amf[
            (
                "fivegs_amffunction_rm_registeredsubnbr",
                (("plmnid", "00101"), ("snssai", "1-000001")),
            )
        ]
        == 4
    )
    assert amf[("fivegs_amffunction_rm_reginitreq", ())] == 0
    smf = series(decode(scrape(servers, "smf").text))
    key = (
        "fivegs_smffunction_sm_pdusessioncreationreq",
        (("plmnid", "00101"), ("snssai", "1-000001")),
    )
    assert smf[key] == 9
    assert ("ran_ue", ()) not in smf
    upf = decode(scrape(servers, "upf").text)
    [volume] = [f for f in upf if f.name == "fivegs_ep_n3_gtp_indatavolumeqosleveln3upf"]
    assert volume.type is MetricType.COUNTER
    assert [(dict(s.labels), s.value) for s in volume.samples] == [({"qfi": "1"}, 1500)]


def test_each_scrape_encodes_the_current_values(
    servers: MetricsServers, nfs: dict[str, Nf]
) -> None:
    assert series(decode(scrape(servers, "amf").text))[("ran_ue", ())] == 4
    nfs["amf"].values["ran_ue"] = 11
    nfs["amf"].values["fivegs_amffunction_rm_reginitfail"] = {"111": 2}
    after = series(decode(scrape(servers, "amf").text))
    assert after[("ran_ue", ())] == 11
    assert after[("fivegs_amffunction_rm_reginitfail", (("cause", "111"),))] == 2


@pytest.mark.parametrize("nf", ["amf", "smf", "upf"])
def test_scraped_text_passes_promtool_except_open5gs_counter_names(
    servers: MetricsServers, nf: str
) -> None:
    text = scrape(servers, nf).text
    code, complaints = promtool_check(text)
    families = decode(text)
    counters = {f.name for f in families if f.type is MetricType.COUNTER and f.samples}
    assert any(f.type is MetricType.COUNTER and not f.samples for f in families)  # kept, unlinted
    flagged = {m[1] for line in complaints if (m := TOTAL_COMPLAINT.fullmatch(line))}
    # Open5GS counters lack the conventional _total suffix; that lint (exit 3) is all there is.
    assert len(flagged) == len(complaints), complaints
    assert flagged == counters
    assert code == 3


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/", 200, "OK\n"),
        ("GET", "/metrics/", 400, "Bad Request\n"),
        ("GET", "/metric", 400, "Bad Request\n"),
        ("GET", "/pdu-info", 400, "Bad Request\n"),
        ("POST", "/metrics", 400, "Invalid HTTP Method\n"),
        ("DELETE", "/", 400, "Invalid HTTP Method\n"),
    ],
)
def test_paths_and_methods_behave_like_open5gs(
    servers: MetricsServers, method: str, path: str, status: int, body: str
) -> None:
    response = httpx.request(method, f"http://127.0.0.1:{servers.ports['amf']}{path}", timeout=5)
    assert (response.status_code, response.text) == (status, body)


def test_query_string_is_ignored_like_open5gs(servers: MetricsServers) -> None:
    response = httpx.get(servers.url("upf") + "?x=1", timeout=5)
    assert response.status_code == 200
    assert "fivegs_ep_n3_gtp_indatapktn3upf 0\n" in response.text


def test_failing_callback_gives_500_and_the_server_keeps_serving() -> None:
    calls = []

    def flaky() -> Sequence[MetricFamily]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("simulation not ready")
        return families_for("PCF", {})

    with MetricsServers() as running:
        running.start({"pcf": (0, flaky)})
        assert httpx.get(running.url("pcf"), timeout=5).status_code == 500
        second = httpx.get(running.url("pcf"), timeout=5)
        assert second.status_code == 200
        assert "# TYPE fivegs_pcffunction_pa_sessionnbr gauge\n" in second.text


def test_stop_closes_every_port_and_can_be_repeated(servers: MetricsServers) -> None:
    ports = servers.ports
    servers.stop()
    assert not any(port_is_open(port) for port in ports.values())
    assert servers.ports == {}
    servers.stop()


def test_explicit_port_is_used_and_a_busy_port_starts_nothing() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        free = holder.getsockname()[1]
    with MetricsServers() as running:
        assert running.start({"amf": (free, Nf("AMF", {}))}) == {"amf": free}
        assert port_is_open(free)
        others = MetricsServers()
        with pytest.raises(OSError):
            others.start({"smf": (0, Nf("SMF", {})), "amf": (free, Nf("AMF", {}))})
        assert others.ports == {}
        with pytest.raises(RuntimeError, match="already started"):
            running.start({"smf": (0, Nf("SMF", {}))})
    assert not port_is_open(free)


# ---- Open5GS metric table ---------------------------------------------------------------


def test_table_names_labels_and_types_are_well_formed() -> None:
    for nf in Open5gsNf:
        specs = specs_for(nf)
        assert specs, nf
        assert len({s.name for s in specs}) == len(specs)
    for spec in METRICS:
        assert METRIC_NAME_RE.fullmatch(spec.name)
        assert all(LABEL_NAME_RE.fullmatch(label) for label in spec.labels)
        assert not spec.name.endswith("_total")  # Open5GS names are verbatim
        assert spec.help and not spec.help.startswith(" ")
        assert (spec.type is MetricType.HISTOGRAM) == bool(spec.buckets)


@pytest.mark.parametrize(
    ("name", "kind", "labels"),
    [
        ("ran_ue", MetricType.GAUGE, ()),
        ("amf_session", MetricType.GAUGE, ()),
        ("gnb", MetricType.GAUGE, ("addr",)),
        ("fivegs_amffunction_rm_reginitreq", MetricType.COUNTER, ()),
        ("fivegs_amffunction_rm_reginitfail", MetricType.COUNTER, ("cause",)),
        ("fivegs_amffunction_rm_registeredsubnbr", MetricType.GAUGE, ("plmnid", "snssai")),
        ("fivegs_amffunction_rm_regtime", MetricType.HISTOGRAM, ()),
        ("fivegs_smffunction_sm_pdusessioncreationreq", MetricType.COUNTER, ("plmnid", "snssai")),
        ("fivegs_smffunction_sm_sessionnbr", MetricType.GAUGE, ("plmnid", "snssai")),
        ("fivegs_smffunction_sm_qos_flow_nbr", MetricType.GAUGE, ("plmnid", "snssai", "fiveqi")),
        ("ues_active", MetricType.GAUGE, ()),
        ("pfcp_sessions_active", MetricType.GAUGE, ()),
        ("fivegs_ep_n3_gtp_indatapktn3upf", MetricType.COUNTER, ()),
        ("fivegs_ep_n3_gtp_outdatavolumeqosleveln3upf", MetricType.COUNTER, ("qfi",)),
        ("fivegs_upffunction_upf_sessionnbr", MetricType.GAUGE, ()),
        ("fivegs_upffunction_upf_qosflows", MetricType.GAUGE, ("dnn",)),
        ("fivegs_pcffunction_pa_policyamassosucc", MetricType.COUNTER, ("plmnid", "snssai")),
    ],
)
def test_open5gs_names_types_and_labels(
    name: str, kind: MetricType, labels: tuple[str, ...]
) -> None:
    [spec] = [s for s in METRICS if s.name == name]
    assert (spec.type, spec.labels) == (kind, labels)


def test_regtime_buckets_are_open5gs_exponential() -> None:
    [spec] = [s for s in METRICS if s.name == "fivegs_amffunction_rm_regtime"]
    assert spec.buckets == (20, 40, 80, 160, 320, 640, 1280, 2560)


@pytest.mark.parametrize(
    ("name", "measurements", "method", "sub"),
    [
        ("fivegs_amffunction_rm_reginitreq", ("RM.RegInitReq",), Collection.CC, None),
        ("fivegs_amffunction_rm_reginitfail", ("RM.RegInitFail",), Collection.CC, "cause"),
        (
            "fivegs_amffunction_rm_registeredsubnbr",
            ("RM.RegisteredSubNbrMean", "RM.RegisteredSubNbrMax"),
            Collection.SI,
            "snssai",
        ),
        (
            "fivegs_smffunction_sm_pdusessioncreationreq",
            ("SM.PduSessionCreationReq",),
            Collection.CC,
            "snssai",
        ),
        ("fivegs_ep_n3_gtp_indatapktn3upf", ("GTP.InDataPktN3UPF",), Collection.CC, None),
        ("fivegs_pcffunction_pa_policyamassoreq", ("PA.PolicyAMAssoReq",), Collection.CC, "snssai"),
    ],
)
def test_ts28552_mapping(
    name: str, measurements: tuple[str, ...], method: Collection, sub: str | None
) -> None:
    ref = to_ts28552(name)
    assert ref is not None
    assert (ref.measurements, ref.method, ref.subcounter_label) == (measurements, method, sub)
    assert ref.measurement == measurements[0]


def test_ts28552_table_is_consistent() -> None:
    assert to_ts28552("ran_ue") is None
    assert to_ts28552("no_such_metric") is None
    by_name = {s.name: s for s in METRICS}
    for name, ref in TO_TS28552.items():
        assert all(re.fullmatch(r"[A-Z0-9]+\.[A-Za-z0-9]+", m) for m in ref.measurements)
        assert ref.subcounter_label is None or ref.subcounter_label in by_name[name].labels
        kind = by_name[name].type
        expected = Collection.SI if kind is MetricType.GAUGE else Collection.CC
        assert ref.method is expected, name


def test_label_value_helpers_match_open5gs_spelling() -> None:
    assert plmnid_label(PlmnId(mcc="001", mnc="01")) == "00101"
    assert plmnid_label(PlmnId(mcc="999", mnc="123")) == "999123"
    assert snssai_label(Snssai(sst=1)) == "1"
    assert snssai_label(Snssai(sst=1, sd="00000A")) == "1-00000a"


def test_families_for_defaults_label_less_metrics_to_zero() -> None:
    families = families_for("amf", {})
    by_name = {f.name: f for f in families}
    assert [f.name for f in families] == [s.name for s in specs_for("AMF")]
    assert by_name["ran_ue"].samples == (Sample("ran_ue", {}, 0),)
    assert by_name["gnb"].samples == ()  # labelled: appears once counted
    regtime = by_name["fivegs_amffunction_rm_regtime"].samples
    assert [s.value for s in regtime] == [0.0] * 11
    assert regtime[8].labels == {"le": "+Inf"}


def test_families_for_renders_values_with_open5gs_labels() -> None:
    values = {
        "ran_ue": 7,
        "fivegs_amffunction_rm_registeredsubnbr": {SLICE: 5},
        "fivegs_amffunction_rm_reginitfail": {"111": 2},
        "fivegs_amffunction_rm_regtime": HistogramValue.of(
            [20.0 * 2**k for k in range(8)], [15, 30, 5000]
        ),
    }
    text = encode(families_for("AMF", values))
    assert "\nran_ue 7\n" in text
    assert '\nfivegs_amffunction_rm_registeredsubnbr{plmnid="00101",snssai="1-000001"} 5\n' in text
    assert '\nfivegs_amffunction_rm_reginitfail{cause="111"} 2\n' in text
    assert '\nfivegs_amffunction_rm_regtime_bucket{le="20"} 1\n' in text
    assert '\nfivegs_amffunction_rm_regtime_bucket{le="2560"} 2\n' in text
    assert '\nfivegs_amffunction_rm_regtime_bucket{le="+Inf"} 3\n' in text
    assert "\nfivegs_amffunction_rm_regtime_sum 5045\n" in text
    assert decode(text) == families_for("AMF", values)


@pytest.mark.parametrize(
    ("nf", "values", "error"),
    [
        ("NRF", {}, ValueError),
        ("AMF", {"ues_active": 1}, ValueError),  # an SMF metric
        ("AMF", {"fivegs_amffunction_rm_registeredsubnbr": {("00101",): 1}}, ValueError),
        ("AMF", {"fivegs_amffunction_rm_reginitreq": -1}, ValueError),
        ("AMF", {"fivegs_amffunction_rm_reginitreq": {"x": 1}}, TypeError),
        ("AMF", {"gnb": 1}, TypeError),
        ("AMF", {"fivegs_amffunction_rm_regtime": 1}, TypeError),
        ("AMF", {"fivegs_amffunction_rm_regtime": HistogramValue((1,) * 8, 1, 0)}, ValueError),
    ],
)
def test_families_for_rejects_bad_values(nf: str, values: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        families_for(nf, values)  # type: ignore[arg-type]


@pytest.mark.parametrize("nf", list(Open5gsNf))
def test_promtool_only_objects_to_open5gs_counter_names(nf: Open5gsNf) -> None:
    values: dict[str, object] = {}
    for spec in specs_for(nf):
        if spec.labels:
            values[spec.name] = {tuple(f"v{i}" for i in range(len(spec.labels))): 3}
    families = families_for(nf, values)  # type: ignore[arg-type]
    code, complaints = promtool_check(encode(families))
    counters = {f.name for f in families if f.type is MetricType.COUNTER}
    flagged = {m[1] for line in complaints if (m := TOTAL_COMPLAINT.fullmatch(line))}
    assert len(flagged) == len(complaints), complaints  # nothing but the _total lint
    assert flagged == counters
    assert code == (3 if counters else 0)
