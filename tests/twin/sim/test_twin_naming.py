"""The twin names what it emits through the model's one DN builder, vendor naming included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from sim_kit import EXAMPLES, START, WARM_STEPS

from openipn.codecs.ts32435_pm import encode_meas_collec
from openipn.collect.pm_parse import parse_pm
from openipn.model.dn import DnBook
from openipn.model.document import SiteDocument, parse_document
from openipn.model.objref import ObjectRef
from openipn.model.resolve import Resolver
from openipn.twin import adapters
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.impairments import Impairments

ELEMENT = "me-gnb-ws1-01"


def vendor_named() -> SiteDocument:
    raw: dict[str, Any] = yaml.safe_load((EXAMPLES / "small.yaml").read_text(encoding="utf-8"))
    element = next(me for me in raw["managed_elements"] if me["name"] == ELEMENT)
    element["naming"] = {"dn_prefix": "SubNetwork=G3", "local_dn": "RBS-17"}
    for gnb in raw["gnbs"]:
        if gnb["managed_element"] == ELEMENT:
            gnb["du_function_id"] = 5
    document, issues = parse_document(raw)
    assert issues == []
    return document


def test_pm_files_of_a_vendor_named_element_use_the_model_dns() -> None:
    document = vendor_named()
    book, resolver = DnBook.from_document(document), Resolver(document)
    sim = Simulation(document, seed=3, start=START)
    for _ in range(WARM_STEPS):
        sim.step(Impairments())
    report = sim.collect_period(sim.time)
    begin = sim.time - dt.timedelta(minutes=3)
    pm = adapters.pm_file(
        element=ELEMENT, measurements=report.elements[ELEMENT], begin=begin, end=sim.time,
        vendor="Acme", sw_version=None, element_dn=book.element_dn(ELEMENT),
    )  # fmt: skip
    objects = set(parse_pm(encode_meas_collec(pm)).objects)
    cells = [c for c, (gnb, _) in book.cells.items() if book.gnbs[gnb][0] == ELEMENT]
    assert {book.dn(ObjectRef("cell", c)) for c in cells} <= objects
    assert all(o.startswith("SubNetwork=G3,ManagedElement=RBS-17,") for o in objects - {
        book.element_dn(ELEMENT)})  # fmt: skip
    assert {str(resolver.resolve(o).ref) for o in objects} >= {f"cell:{c}" for c in cells}
    assert all(resolver.resolve(o).dn == o for o in objects)  # already canonical
