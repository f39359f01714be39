"""Cross-object rules of the network model; every rule reports by field path.

Field-level rules (ranges, formats) live on the model classes; these need the whole network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from openipn.model.document import Issue, SiteDocument, object_path
from openipn.model.identifiers import imei_tac_snr
from openipn.model.kinds import BY_SECTION, KINDS, object_key
from openipn.model.suggest import did_you_mean

Keys = dict[str, set[str]]  # the keys of each section
NODE_SECTIONS = tuple(spec.section for spec in KINDS if spec.topology_node)

# (section, field, target sections): every reference in the model, as data.
REFERENCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("managed_elements", "location_area", ("areas",)),
    ("gnbs", "managed_element", ("managed_elements",)),
    ("gnbs", "area", ("areas",)),
    ("cells", "gnb", ("gnbs",)),
    ("cells", "area", ("areas",)),
    ("cells", "slices", ("slices",)),
    ("cells", "neighbours", ("cells",)),
    ("core_functions", "managed_element", ("managed_elements",)),
    ("upfs", "managed_element", ("managed_elements",)),
    ("upfs", "slices", ("slices",)),
    ("upfs", "area", ("areas",)),
    ("edge_nodes", "managed_element", ("managed_elements",)),
    ("edge_nodes", "upf", ("upfs",)),
    ("edge_nodes", "area", ("areas",)),
    ("transport_nodes", "managed_element", ("managed_elements",)),
    ("transport_nodes", "area", ("areas",)),
    ("ptp_grandmasters", "managed_element", ("managed_elements",)),
    ("ptp_grandmasters", "area", ("areas",)),
    ("links", "a", NODE_SECTIONS),
    ("links", "b", NODE_SECTIONS),
    ("applications", "slice", ("slices",)),
    ("applications", "edge_node", ("edge_nodes",)),
    ("applications", "areas", ("areas",)),
    ("sim_profiles", "slices", ("slices",)),
    ("terminals", "expected_area", ("areas",)),
    ("terminals", "application", ("applications",)),
    ("terminals", "supi", ("subscriptions",)),
    ("subscriptions", "profile", ("sim_profiles",)),
)

# (section, field, what): values that must be unique across a section.
UNIQUE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("gnbs", "gnb_id", "gNB ID"),
    ("subscriptions", "iccid", "ICCID"),
    ("subscriptions", "imei", "IMEI binding"),
    ("terminals", "imei", "IMEI"),
    ("terminals", "supi", "SUPI"),
    ("permits", "number", "permit number"),
)


def _values(obj: BaseModel, field: str) -> list[str]:
    value = getattr(obj, field)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _unique_value(field: str, value: str) -> str:
    """IMEI and IMEISV of one device share TAC+SNR (TS 23.003 §6.2), so compare those."""
    return imei_tac_snr(value) if field == "imei" else value


def check_duplicate_keys(doc: SiteDocument) -> Iterable[Issue]:
    """Two objects of one kind with the same name (or SUPI): one issue per repeated key."""
    for spec in KINDS:
        if spec.singleton:
            continue
        counted = Counter(object_key(spec, obj) for obj in doc.objects(spec.section))
        for key, count in counted.items():
            if count > 1:
                yield Issue(
                    f"{object_path(spec, key)}.{spec.key_field}",
                    f"duplicate {spec.kind} {key!r} ({count} {spec.section} have this "
                    f"{spec.key_field})",
                )


def _first_positions(doc: SiteDocument, section: str) -> dict[str, int]:
    cache = doc.__dict__.setdefault("_first_positions", {})
    if section not in cache:
        spec = BY_SECTION[section]
        firsts: dict[str, int] = {}
        for position, obj in enumerate(doc.objects(section)):
            firsts.setdefault(object_key(spec, obj), position)
        cache[section] = firsts
    result: dict[str, int] = cache[section]
    return result


def check_unique_fields(doc: SiteDocument) -> Iterable[Issue]:
    """ICCIDs, IMEIs, gNB IDs and the like that appear twice."""
    for section, field, what in UNIQUE_FIELDS:
        seen: dict[str, int] = {}
        for position, obj in enumerate(doc.objects(section)):
            for value in _values(obj, field):
                compared = _unique_value(field, value)
                if compared in seen:
                    yield Issue(
                        f"{doc.path(section, position)}.{field}",
                        f"duplicate {what} {value} (also {doc.path(section, seen[compared])})",
                    )
                else:
                    seen[compared] = position


def check_references(doc: SiteDocument) -> Iterable[Issue]:
    """References that name no object of the expected kind."""
    keys = {
        spec.section: set(_first_positions(doc, spec.section))
        | doc.unparsed.get(spec.section, set())
        for spec in KINDS
        if not spec.singleton
    }
    for section, field, targets in REFERENCES:
        for position, obj in enumerate(doc.objects(section)):
            for value in _values(obj, field):
                if not any(value in keys[target] for target in targets):
                    kinds = " or ".join(BY_SECTION[t].kind for t in targets)
                    yield Issue(
                        f"{doc.path(section, position)}.{field}",
                        f"{value!r} names no {kinds}{_hint(doc, value, targets, keys)}",
                    )


def _hint(doc: SiteDocument, value: str, targets: tuple[str, ...], keys: Keys) -> str:
    """Why a reference dangles: its object is deleted by this change, or the nearest name."""
    if any(value in doc.removed.get(target, ()) for target in targets):
        return ": this change deletes it, and this object still refers to it"
    return did_you_mean(value, (key for target in targets for key in keys[target]))


def check_node_names(doc: SiteDocument) -> Iterable[Issue]:
    """Topology node names must be unique across node kinds so links are unambiguous."""
    owner: dict[str, str] = {}
    for section in NODE_SECTIONS:
        for position, obj in enumerate(doc.objects(section)):
            name = object_key(BY_SECTION[section], obj)
            if name in owner and owner[name] != section:
                yield Issue(
                    f"{doc.path(section, position)}.name",
                    f"{name!r} is also a {BY_SECTION[owner[name]].kind}; "
                    "link endpoints need unique node names",
                )
            owner.setdefault(name, section)


def check_required_singletons(doc: SiteDocument) -> Iterable[Issue]:
    """A network needs its site and SNPN identity."""
    for section in ("site", "snpn"):
        if doc.singleton(section) is None and section not in doc.managed:
            yield Issue(section, "required section is missing")


CHECKS: tuple[Callable[[SiteDocument], Iterable[Issue]], ...] = (
    check_required_singletons,
    check_duplicate_keys,
    check_unique_fields,
    check_references,
    check_node_names,
)


def validate_document(doc: SiteDocument) -> list[Issue]:
    """Run every cross-object rule (these, radio, service, subscriber) and return all issues."""
    from openipn.model.radio_rules import RADIO_CHECKS
    from openipn.model.service_rules import SERVICE_CHECKS
    from openipn.model.subscriber_rules import SUBSCRIBER_CHECKS

    issues: list[Issue] = []
    for check in (*CHECKS, *RADIO_CHECKS, *SERVICE_CHECKS, *SUBSCRIBER_CHECKS):
        issues.extend(check(doc))
    return issues


def document_warnings(doc: SiteDocument) -> list[Issue]:
    """Run every warning rule: a network that is accepted but will not work as drawn."""
    from openipn.model.transport_rules import TRANSPORT_WARNINGS

    warnings: list[Issue] = []
    for check in TRANSPORT_WARNINGS:
        warnings.extend(check(doc))
    return warnings
