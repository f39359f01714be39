"""Prometheus text format 0.0.4 codec and the Open5GS metric table."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openipn.codecs.prom_text import (
    MetricFamily,
    MetricType,
    PromTextError,
    Sample,
    decode,
    encode,
    format_value,
    histogram_samples,
)
from promtool_kit import promtool_check


def conventional_families() -> list[MetricFamily]:
    """Families that follow the Prometheus naming conventions, with tricky strings."""
    return [
        MetricFamily(
            "http_requests_total",
            MetricType.COUNTER,
            'Requests served, with a \\ backslash,\na new line and "quotes".',
            [
                Sample("http_requests_total", {"method": "post", "code": "200"}, 1027),
                Sample("http_requests_total", {"method": 'we"ird\\\n', "code": "400"}, 3, 17),
            ],
        ),
        MetricFamily(
            "room_temperature_celsius",
            MetricType.GAUGE,
            "Temperature",
            [
                Sample("room_temperature_celsius", {"room": "a"}, math.nan),
                Sample("room_temperature_celsius", {"room": "b"}, math.inf),
                Sample("room_temperature_celsius", {"room": "c"}, -math.inf),
                Sample("room_temperature_celsius", {"room": "d"}, -0.25),
            ],
        ),
        MetricFamily(
            "rpc_duration_seconds",
            MetricType.HISTOGRAM,
            "RPC latency",
            histogram_samples("rpc_duration_seconds", [0.05, 0.5, 1], [2, 5, 7], 3.5, 9)
            + histogram_samples("rpc_duration_seconds", [0.05], [1], 0.01, 1, {"op": "x"}),
        ),
        MetricFamily(
            "payload_size_bytes",
            MetricType.SUMMARY,
            "Payload sizes",
            [
                Sample("payload_size_bytes", {"quantile": "0.5"}, 120.5),
                Sample("payload_size_bytes", {"quantile": "0.99"}, 1e21),
                Sample("payload_size_bytes_sum", {}, 2.5e-7),
                Sample("payload_size_bytes_count", {}, 4),
            ],
        ),
    ]


EXPECTED_TEXT = """\
# HELP http_requests_total Requests served, with a \\\\ backslash,\\na new line and "quotes".
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027
http_requests_total{method="we\\"ird\\\\\\n",code="400"} 3 17
# HELP room_temperature_celsius Temperature
# TYPE room_temperature_celsius gauge
room_temperature_celsius{room="a"} NaN
room_temperature_celsius{room="b"} +Inf
room_temperature_celsius{room="c"} -Inf
room_temperature_celsius{room="d"} -0.25
# HELP rpc_duration_seconds RPC latency
# TYPE rpc_duration_seconds histogram
rpc_duration_seconds_bucket{le="0.05"} 2
rpc_duration_seconds_bucket{le="0.5"} 5
rpc_duration_seconds_bucket{le="1"} 7
rpc_duration_seconds_bucket{le="+Inf"} 9
rpc_duration_seconds_sum 3.5
rpc_duration_seconds_count 9
rpc_duration_seconds_bucket{op="x",le="0.05"} 1
rpc_duration_seconds_bucket{op="x",le="+Inf"} 1
rpc_duration_seconds_sum{op="x"} 0.01
rpc_duration_seconds_count{op="x"} 1
# HELP payload_size_bytes Payload sizes
# TYPE payload_size_bytes summary
payload_size_bytes{quantile="0.5"} 120.5
payload_size_bytes{quantile="0.99"} 1e+21
payload_size_bytes_sum 2.5e-07
payload_size_bytes_count 4
"""


def test_encode_exact_text() -> None:
    assert encode(conventional_families()) == EXPECTED_TEXT


def test_encoded_text_passes_promtool_without_complaints() -> None:
    code, complaints = promtool_check(encode(conventional_families()))
    assert (code, complaints) == (0, [])


def test_decode_of_encoded_text_gives_the_families_back() -> None:
    decoded = decode(EXPECTED_TEXT)
    assert [f.name for f in decoded] == [f.name for f in conventional_families()]
    assert decoded[0] == conventional_families()[0]
    assert decoded[0].samples[1].labels["method"] == 'we"ird\\\n'
    assert decoded[0].help == 'Requests served, with a \\ backslash,\na new line and "quotes".'
    assert math.isnan(decoded[1].samples[0].value)
    assert [s.value for s in decoded[1].samples[1:]] == [math.inf, -math.inf, -0.25]
    assert decoded[2:] == conventional_families()[2:]
    assert list(decoded[2].samples[6].labels) == ["op", "le"]  # order kept


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "-0.0"),
        (42.0, "42"),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        (2.0**70, "1.1805916207174113e+21"),
        (math.nan, "NaN"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
    ],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text


def test_decode_tolerates_comments_blanks_spacing_and_go_spellings() -> None:
    text = (
        "\n# just a comment\n#\n   \n"
        "# HELP  up   Whether the target is up\n"
        "#   TYPE up gauge\n"
        'up{job="a" , instance = "b",} 1\n'
        '\t up{job="c"}\t0 -5\n'
        "other_thing +inf\n"
        "nan_thing nan\n"
        "last_one 3"  # no final line feed
    )
    families = decode(text)
    assert [(f.name, f.type, f.help) for f in families] == [
        ("up", MetricType.GAUGE, "Whether the target is up"),
        ("other_thing", MetricType.UNTYPED, ""),
        ("nan_thing", MetricType.UNTYPED, ""),
        ("last_one", MetricType.UNTYPED, ""),
    ]
    assert dict(families[0].samples[0].labels) == {"job": "a", "instance": "b"}
    assert families[0].samples[1].timestamp_ms == -5
    assert families[1].samples[0].value == math.inf
    assert math.isnan(families[2].samples[0].value)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('a 1\nfoo{a="b} 1\n', 2, "malformed label"),
        ('foo{a="\\q"} 1\n', 1, "invalid escape"),
        ("# HELP foo bad \\t escape\n", 1, "invalid escape"),
        ("foo 1 2 3\n", 1, "value and an optional timestamp"),
        ("foo\n", 1, "value and an optional timestamp"),
        ('foo{a="b"}\n', 1, "value and an optional timestamp"),
        ("foo bar\n", 1, "not a number"),
        ("foo 1_000\n", 1, "not a number"),
        ("foo 0x1p3\n", 1, "not a number"),
        ("foo 1 1.5\n", 1, "not a timestamp"),
        ("1foo 1\n", 1, "expected a metric name"),
        ("foo-bar 1\n", 1, "unexpected '-'"),
        ('foo{a="1",a="2"} 1\n', 1, "appears twice"),
        ('foo{a="1" b="2"} 1\n', 1, "expected ','"),
        ('foo{__name__="x"} 1\n', 1, "not a valid label name"),
        ("# TYPE foo bogus\n", 1, "unknown metric type"),
        ("# TYPE foo counter extra\n", 1, "unknown metric type"),
        ("# TYPE\n", 1, "without a valid metric name"),
        ("# HELP 9x y\n", 1, "without a valid metric name"),
        ("foo 1\n# TYPE foo counter\n", 2, "after its samples"),
        ("# HELP foo a\n# HELP foo b\n", 2, "second HELP"),
        ("# TYPE foo gauge\n# TYPE foo gauge\n", 2, "second TYPE"),
        ("a 1\nb 1\na 2\n", 3, "separated from family a"),
        ("a 1\na 1\n", 2, "duplicate series"),
        ("# TYPE h histogram\nh 1\n", 2, "not a sample of histogram h"),
        ("# TYPE h histogram\nh_bucket 1\n", 2, "needs a 'le' label"),
        ('# TYPE h histogram\nh_bucket{le="x"} 1\n', 2, "not a number"),
        ('# TYPE h histogram\nh_sum{le="1"} 1\n', 2, "must not have a 'le'"),
        ('# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nz 1\n', 1, "no +Inf bucket"),
        ('# TYPE h histogram\nh_bucket{le="1"} 1\n', 1, "no +Inf bucket"),
        ("# TYPE s summary\ns 1\n", 2, "needs a 'quantile' label"),
        ("x 1\r\n", 1, "not a number"),
    ],
)
def test_decode_rejects_malformed_input_naming_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(PromTextError, match=re.escape(message)) as caught:
        decode(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")


@pytest.mark.parametrize(
    "families",
    [
        [MetricFamily("a", MetricType.GAUGE), MetricFamily("a", MetricType.GAUGE)],
        [MetricFamily("bad-name", MetricType.GAUGE)],
        [MetricFamily("c", MetricType.COUNTER, samples=[Sample("c_total", {}, 1)])],
        [MetricFamily("g", MetricType.GAUGE, samples=[Sample("g", {"1x": "y"}, 1)])],
        [MetricFamily("h", MetricType.HISTOGRAM, samples=[Sample("h_sum", {}, 1)])],
        [MetricFamily("g", MetricType.GAUGE, samples=[Sample("g", {}, 1), Sample("g", {}, 2)])],
    ],
)
def test_encode_rejects_invalid_families(families: list[MetricFamily]) -> None:
    with pytest.raises(PromTextError):
        encode(families)


def test_histogram_samples_checks_its_input() -> None:
    with pytest.raises(PromTextError, match="increase"):
        histogram_samples("h", [1, 1], [0, 0], 0, 0)
    with pytest.raises(PromTextError, match="bounds"):
        histogram_samples("h", [1, 2], [0], 0, 0)


# ---- property: decode(encode(x)) == x ----------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_HELP = _TEXT.filter(lambda s: not s.startswith((" ", "\t")))  # leading blanks are not kept
_LABEL_NAMES = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in ("le", "quantile")
)
_LABELS = st.dictionaries(_LABEL_NAMES, _TEXT, max_size=3)
_VALUES = st.floats(allow_nan=True, allow_infinity=True)
_TIMESTAMPS = st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def _family(draw: st.DrawFn, name: str) -> MetricFamily:
    kind = draw(st.sampled_from(MetricType))
    label_sets = draw(st.lists(_LABELS, max_size=3, unique_by=lambda d: frozenset(d.items())))
    samples: list[Sample] = []
    for labels in label_sets:
        if kind is MetricType.HISTOGRAM:
            bounds = sorted(draw(st.sets(st.floats(-1e6, 1e6), max_size=3)))
            counts = sorted(draw(st.lists(st.integers(0, 99), min_size=len(bounds) + 1)))
            samples += histogram_samples(
                name, bounds, counts[: len(bounds)], draw(_VALUES), counts[len(bounds)], labels
            )
        elif kind is MetricType.SUMMARY:
            quantiles = draw(st.sets(st.floats(0, 1), max_size=2))
            samples += [
                Sample(name, {**labels, "quantile": format_value(q)}, draw(_VALUES))
                for q in sorted(quantiles)
            ]
            samples += [Sample(f"{name}_sum", labels, draw(_VALUES))]
            samples += [Sample(f"{name}_count", labels, draw(st.integers(0, 10**9)))]
        else:
            samples.append(Sample(name, labels, draw(_VALUES), draw(_TIMESTAMPS)))
    return MetricFamily(name, kind, draw(_HELP), samples)


@st.composite
def _families(draw: st.DrawFn) -> list[MetricFamily]:
    # Distinct names that cannot be mistaken for another family's _sum/_count/_bucket.
    names = draw(st.lists(st.from_regex(r"[a-z:][a-z0-9:]{0,8}", fullmatch=True), unique=True))
    return [draw(_family(name)) for name in names[:4]]


def _comparable(families: list[MetricFamily]) -> list[object]:
    """Families as plain data, with NaN made comparable and label order kept."""
    return [
        (
            f.name,
            f.type,
            f.help,
            [(s.name, tuple(s.labels.items()), repr(s.value), s.timestamp_ms) for s in f.samples],
        )
        for f in families
    ]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_families())
def test_round_trip(families: list[MetricFamily]) -> None:
    text = encode(families)
    decoded = decode(text)
    assert _comparable(decoded) == _comparable(families)
    assert encode(decoded) == text


@settings(max_examples=15, deadline=None)
@given(_families())
def test_promtool_parses_whatever_encode_writes(families: list[MetricFamily]) -> None:
    code, complaints = promtool_check(encode(families))
    assert code in (0, 3), complaints  # 3 = lint complaints only, 1 = parse error
