"""Prometheus text exposition format 0.0.4: typed families, an encoder and a strict decoder.

Rules come from the Prometheus "Exposition formats" document, section "Text-based format"
(format version 0.0.4). Names are kept verbatim: the codec does not add a ``_total`` suffix
to counters, because Open5GS exposes counters without it and the twin must match it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

METRIC_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Go's strconv.ParseFloat syntax (decimal only) and its spellings of NaN and infinities.
_FLOAT_RE = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf(?:inity)?|nan))")
_TIMESTAMP_RE = re.compile(r"-?\d+")
_BLANKS_RE = re.compile(r"[ \t]+")
_LABEL_PAIR_RE = re.compile(
    r'[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(,?)[ \t]*'
)
_LABEL_SET_END_RE = re.compile(r"[ \t]*\}")
_META_RE = re.compile(r"[ \t]*(HELP|TYPE)(?:[ \t]+|$)")
_ESCAPE_RE = re.compile(r"\\(.?)")
# Escape sequences: label values know \\, \" and \n; HELP text knows \\ and \n.
_LABEL_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
_HELP_ESCAPES = {"\\": "\\", "n": "\n"}
_INT_LIMIT = 2.0**63
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


class PromTextError(ValueError):
    """A family or a line that the text format 0.0.4 does not allow."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class MetricType(StrEnum):
    """Metric types of the text format (the ``# TYPE`` line)."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"
    UNTYPED = "untyped"


# Sample-name suffixes each type allows after the family name.
_SUFFIXES: dict[MetricType, tuple[str, ...]] = {
    MetricType.COUNTER: ("",),
    MetricType.GAUGE: ("",),
    MetricType.UNTYPED: ("",),
    MetricType.HISTOGRAM: _HISTOGRAM_SUFFIXES,
    MetricType.SUMMARY: ("", "_sum", "_count"),
}
_TYPE_NAMES = frozenset(kind.value for kind in MetricType)
# (type, suffix) -> label that must be present (True) or absent (False).
_SPECIAL_LABELS: dict[tuple[MetricType, str], tuple[str, bool]] = {
    (MetricType.HISTOGRAM, "_bucket"): ("le", True),
    (MetricType.HISTOGRAM, "_sum"): ("le", False),
    (MetricType.HISTOGRAM, "_count"): ("le", False),
    (MetricType.SUMMARY, ""): ("quantile", True),
    (MetricType.SUMMARY, "_sum"): ("quantile", False),
    (MetricType.SUMMARY, "_count"): ("quantile", False),
}


class Labels(Mapping[str, str]):
    """An immutable label set that keeps its order; equality ignores order, as in Prometheus."""

    __slots__ = ("_dict",)
    _dict: dict[str, str]

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = tuple(items.items() if isinstance(items, Mapping) else items)
        self._dict = dict(pairs)  # a dict keeps insertion order
        if len(self._dict) != len(pairs):
            raise PromTextError(f"duplicate label name in {[k for k, _ in pairs]}")

    def __getitem__(self, key: str) -> str:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __hash__(self) -> int:
        return hash(frozenset(self._dict.items()))

    def __repr__(self) -> str:
        return f"Labels({self._dict!r})"


@dataclass(frozen=True)
class Sample:
    """One line of a family: sample name, labels in order, value, optional timestamp (ms)."""

    name: str
    labels: Mapping[str, str]
    value: float
    timestamp_ms: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.labels, Labels):
            object.__setattr__(self, "labels", Labels(self.labels))
        object.__setattr__(self, "value", float(self.value))


@dataclass(frozen=True)
class MetricFamily:
    """A metric family: name, type, help text and its samples (``help == ""`` means none)."""

    name: str
    type: MetricType
    help: str = ""
    samples: Sequence[Sample] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", MetricType(self.type))
        object.__setattr__(self, "samples", tuple(self.samples))


def format_value(value: float) -> str:
    """Spell a float as Prometheus does: ``NaN``, ``+Inf``, ``-Inf``, integers without ``.0``."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    negative_zero = value == 0 and math.copysign(1.0, value) < 0
    if value.is_integer() and abs(value) < _INT_LIMIT and not negative_zero:
        return str(int(value))
    return repr(value)


def parse_value(token: str, line: int | None = None) -> float:
    """Parse a sample value or ``le``/``quantile`` label value (Go float syntax)."""
    if not _FLOAT_RE.fullmatch(token):
        raise PromTextError(f"{token!r} is not a number", line)
    return float(token)


def escape_label_value(value: str) -> str:
    """Escape a label value: backslash, double quote and line feed."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """Escape HELP text: backslash and line feed."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _unescape(text: str, table: Mapping[str, str], line: int | None) -> str:
    def replace(match: re.Match[str]) -> str:
        if match[1] not in table:
            raise PromTextError(f"invalid escape sequence '\\{match[1]}'", line)
        return table[match[1]]

    return _ESCAPE_RE.sub(replace, text)


def histogram_samples(
    name: str,
    bounds: Sequence[float],
    cumulative: Sequence[float],
    total: float,
    count: float,
    labels: Mapping[str, str] | None = None,
) -> list[Sample]:
    """Samples of one histogram series; the ``+Inf`` bucket (equal to ``count``) is added."""
    if len(bounds) != len(cumulative):
        raise PromTextError(f"{name}: {len(bounds)} bounds but {len(cumulative)} bucket counts")
    if any(b >= a for a, b in zip(bounds[1:], bounds, strict=False)):
        raise PromTextError(f"{name}: bucket bounds must increase")
    base = dict(labels or {})
    pairs = [(b, c) for b, c in zip(bounds, cumulative, strict=True) if not math.isinf(b)]
    pairs.append((math.inf, count))
    samples = [Sample(f"{name}_bucket", {**base, "le": format_value(b)}, c) for b, c in pairs]
    samples.append(Sample(f"{name}_sum", base, total))
    samples.append(Sample(f"{name}_count", base, count))
    return samples


def _member_suffix(family: str, kind: MetricType, sample_name: str) -> str | None:
    for suffix in _SUFFIXES[kind]:
        if sample_name == family + suffix:
            return suffix
    return None


class _FamilyChecker:
    """Checks the samples of one family, one at a time (shared by encoder and decoder)."""

    def __init__(self, name: str, kind: MetricType) -> None:
        self.name, self.kind = name, kind
        self.seen: set[tuple[str, Labels]] = set()
        self.has_inf: dict[Labels, bool] = {}

    def add(self, sample: Sample, line: int | None) -> None:
        suffix = _member_suffix(self.name, self.kind, sample.name)
        if suffix is None:
            raise PromTextError(
                f"sample {sample.name} is not part of {self.kind} {self.name}", line
            )
        labels = Labels(sample.labels)
        for label in labels:
            if not LABEL_NAME_RE.fullmatch(label) or label.startswith("__"):
                raise PromTextError(f"{label!r} is not a valid label name", line)
        if (sample.name, labels) in self.seen:
            raise PromTextError(f"duplicate series {sample.name}{dict(labels)}", line)
        self.seen.add((sample.name, labels))
        special = _SPECIAL_LABELS.get((self.kind, suffix))
        if special is not None:
            self._check_special(sample.name, labels, special, line)

    def _check_special(
        self, name: str, labels: Labels, special: tuple[str, bool], line: int | None
    ) -> None:
        label, required = special
        if required != (label in labels):
            need = "needs" if required else "must not have"
            raise PromTextError(f"{self.kind} sample {name} {need} a {label!r} label", line)
        if self.kind is MetricType.HISTOGRAM:
            rest = Labels((k, v) for k, v in labels.items() if k != "le")
            bound = parse_value(labels["le"], line) if required else None
            is_inf = bound is not None and math.isinf(bound) and bound > 0
            self.has_inf[rest] = self.has_inf.get(rest, False) or is_inf
        elif required:
            parse_value(labels[label], line)

    def finish(self, line: int | None) -> None:
        for labels, has_inf in self.has_inf.items():
            if not has_inf:
                raise PromTextError(f"histogram {self.name}{dict(labels)} has no +Inf bucket", line)


def _format_sample(sample: Sample) -> str:
    pairs = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in sample.labels.items())
    text = f"{sample.name}{{{pairs}}}" if pairs else sample.name
    text = f"{text} {format_value(sample.value)}"
    return text if sample.timestamp_ms is None else f"{text} {sample.timestamp_ms}"


def encode(families: Iterable[MetricFamily]) -> str:
    """Render families as text format 0.0.4; raises PromTextError on an invalid family."""
    lines: list[str] = []
    names: set[str] = set()
    for family in families:
        if not METRIC_NAME_RE.fullmatch(family.name):
            raise PromTextError(f"{family.name!r} is not a valid metric name")
        if family.name in names:
            raise PromTextError(f"family {family.name} appears twice")
        names.add(family.name)
        checker = _FamilyChecker(family.name, family.type)
        for sample in family.samples:
            checker.add(sample, None)
        checker.finish(None)
        if family.help:
            lines.append(f"# HELP {family.name} {escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.type}")
        lines.extend(_format_sample(sample) for sample in family.samples)
    return "".join(f"{line}\n" for line in lines)


@dataclass
class _Building:
    """A family while the decoder reads it."""

    name: str
    line: int
    kind: MetricType | None = None
    help: str | None = None
    samples: list[Sample] = field(default_factory=list)
    checker: _FamilyChecker | None = None

    def add(self, sample: Sample, line: int) -> None:
        if self.checker is None:
            self.checker = _FamilyChecker(self.name, self.kind or MetricType.UNTYPED)
        self.checker.add(sample, line)
        self.samples.append(sample)


def _parse_labels(line: str, pos: int, number: int) -> tuple[list[tuple[str, str]], int]:
    pairs: list[tuple[str, str]] = []
    while True:
        end = _LABEL_SET_END_RE.match(line, pos)
        if end:
            return pairs, end.end()
        match = _LABEL_PAIR_RE.match(line, pos)
        if match is None:
            raise PromTextError(f"malformed label at column {pos + 1}", number)
        if match[1] in dict(pairs):
            raise PromTextError(f"label {match[1]!r} appears twice", number)
        pairs.append((match[1], _unescape(match[2], _LABEL_ESCAPES, number)))
        pos = match.end()
        if not match[3]:
            end = _LABEL_SET_END_RE.match(line, pos)
            if end is None:
                raise PromTextError(f"expected ',' or '}}' at column {pos + 1}", number)
            return pairs, end.end()


def _parse_sample(line: str, number: int) -> Sample:
    match = METRIC_NAME_RE.match(line, len(line) - len(line.lstrip(" \t")))
    if match is None:
        raise PromTextError("expected a metric name", number)
    pos, pairs = match.end(), list[tuple[str, str]]()
    if line.startswith("{", pos):
        pairs, pos = _parse_labels(line, pos + 1, number)
    elif pos < len(line) and line[pos] not in " \t":
        raise PromTextError(f"unexpected {line[pos]!r} after metric name", number)
    fields = _BLANKS_RE.split(line[pos:].strip(" \t"))
    if fields == [""] or len(fields) > 2:
        raise PromTextError("expected a value and an optional timestamp", number)
    value = parse_value(fields[0], number)
    timestamp = None
    if len(fields) == 2:
        if not _TIMESTAMP_RE.fullmatch(fields[1]):
            raise PromTextError(f"{fields[1]!r} is not a timestamp (integer ms)", number)
        timestamp = int(fields[1])
    return Sample(match[0], Labels(pairs), value, timestamp)


class _Decoder:
    """Line-by-line state of decode()."""

    def __init__(self) -> None:
        self.order: list[_Building] = []
        self.by_name: dict[str, _Building] = {}
        self.current: _Building | None = None

    def _close_current(self) -> None:
        if self.current is not None and self.current.checker is not None:
            self.current.checker.finish(self.current.line)

    def _start(self, name: str, line: int) -> _Building:
        self._close_current()
        family = _Building(name, line)
        self.order.append(family)
        self.by_name[name] = family
        self.current = family
        return family

    def feed(self, line: str, number: int) -> None:
        text = line.lstrip(" \t")
        if not text:
            return
        if text.startswith("#"):
            self._comment(text[1:], number)
        else:
            self._sample(_parse_sample(line, number), number)

    def _comment(self, body: str, number: int) -> None:
        meta = _META_RE.match(body)
        if meta is None:
            return  # an ordinary comment
        rest = body[meta.end() :]
        name = METRIC_NAME_RE.match(rest)
        if name is None:
            raise PromTextError(f"{meta[1]} line without a valid metric name", number)
        tail = rest[name.end() :]
        if tail and tail[0] not in " \t":
            raise PromTextError(f"{meta[1]} line: bad metric name {rest.split()[0]!r}", number)
        family = self._metadata_target(name[0], number)
        if meta[1] == "HELP":
            if family.help is not None:
                raise PromTextError(f"second HELP line for {name[0]}", number)
            family.help = _unescape(tail.lstrip(" \t"), _HELP_ESCAPES, number)
            return
        if family.kind is not None:
            raise PromTextError(f"second TYPE line for {name[0]}", number)
        token = tail.strip(" \t")
        if token not in _TYPE_NAMES:
            raise PromTextError(f"unknown metric type {token!r}", number)
        family.kind = MetricType(token)

    def _metadata_target(self, name: str, number: int) -> _Building:
        family = self.by_name.get(name)
        if family is None:
            return self._start(name, number)
        if family is not self.current or family.samples:
            raise PromTextError(f"HELP/TYPE for {name} after its samples or out of group", number)
        return family

    def _sample(self, sample: Sample, number: int) -> None:
        current = self.current
        if current is not None:
            kind = current.kind or MetricType.UNTYPED
            if _member_suffix(current.name, kind, sample.name) is not None:
                current.add(sample, number)
                return
        owner = self._owner(sample.name)
        if owner is current and owner is not None:
            raise PromTextError(
                f"{sample.name} is not a sample of {owner.kind} {owner.name}", number
            )
        if owner is not None:
            raise PromTextError(f"{sample.name} is separated from family {owner.name}", number)
        self._start(sample.name, number).add(sample, number)

    def _owner(self, sample_name: str) -> _Building | None:
        family = self.by_name.get(sample_name)
        if family is not None:
            return family
        for suffix in _HISTOGRAM_SUFFIXES:
            base = sample_name.removesuffix(suffix)
            family = self.by_name.get(base)
            kind = family.kind if family is not None else None
            if kind is not None and _member_suffix(base, kind, sample_name) is not None:
                return family
        return None

    def finish(self) -> list[MetricFamily]:
        self._close_current()
        return [
            MetricFamily(f.name, f.kind or MetricType.UNTYPED, f.help or "", f.samples)
            for f in self.order
        ]


def decode(text: str) -> list[MetricFamily]:
    """Parse text format 0.0.4; raises PromTextError naming the offending line."""
    decoder = _Decoder()
    # Only "\n" ends a line (str.splitlines would also split on "\r", U+2028, ...).
    for number, line in enumerate(text.split("\n"), start=1):
        decoder.feed(line, number)
    return decoder.finish()
