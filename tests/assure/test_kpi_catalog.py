"""The KPI catalogue, its formula language and the DN rules of object scopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kpi_kit import small_site

from openipn.assure.kpi_catalog import (
    COUNTER_CLASS,
    KPIS,
    FormulaError,
    Num,
    ScopeKind,
    Term,
    evaluate,
    parse,
    terms,
)
from openipn.assure.scopes import ScopeError, cell_dns, resolve
from openipn.sitefile import check_site_text
from openipn.twin.sim import report
from openipn.twin.sim.naming import cell_cu_ldn, cell_du_ldn, cuup_ldn, function_ldn, n3_ldn
from openipn.twin.sim.world import build_world

PLANT = Path(__file__).resolve().parents[2] / "examples" / "plant.yaml"

# The standard TS 28.554 KPI names the catalogue must carry verbatim (standards.md §3).
STANDARD_NAMES = {"RSR", "AMFMeanRegNbr", "PDUSesMeanNbr"}


def test_every_formula_parses_and_names_known_counters() -> None:
    names = [k.name for k in KPIS]
    assert len(names) == len(set(names)) and set(names) >= STANDARD_NAMES
    for kpi in KPIS:
        used = terms(parse(kpi.formula))
        assert used, kpi.name
        assert {t.counter for t in used} <= set(COUNTER_CLASS), kpi.name
        assert kpi.optional <= {t.counter for t in used}, kpi.name
        assert (ScopeKind.SLICE in kpi.scopes) == kpi.sliceable, kpi.name


def test_formula_precedence_and_none_rules() -> None:
    a, b, c = Term("sum", "A"), Term("sum", "B"), Term("sum", "C")
    node = parse("100 * (sum(A) + sum(B)) / sum(C) - 2")
    assert evaluate(node, {a: 1.0, b: 3.0, c: 8.0}) == 48.0
    assert evaluate(node, {a: 1.0, b: 3.0, c: 0.0}) is None  # zero denominator: no value
    assert evaluate(node, {a: 1.0, c: 8.0}) is None  # a counter without data: no value
    assert parse("8 * 1e6") == parse("8*1e6") and isinstance(parse("2.5"), Num)


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "sum(A) +", "(sum(A)", "eval(A)", "sum(A) sum(B)", "sum(A) ** 2"],
)
def test_formulas_that_do_not_parse(text: str) -> None:
    with pytest.raises(FormulaError):
        parse(text)


def test_counter_names_match_what_the_twin_reports() -> None:
    """Every catalogue counter the twin emits is spelled the same (others are reported to lead)."""
    source = Path(report.__file__).read_text(encoding="utf-8")
    emitted = {c for c in COUNTER_CLASS if f'"{c}' in source}
    emitted |= {
        c for c in COUNTER_CLASS if f'"{c.removesuffix("Mean")}"' in source
    }  # f"{base}Mean"
    expected_missing = {"RM.RegEmergReq", "RM.RegEmergSucc"}  # no emergency registrations
    assert set(COUNTER_CLASS) - emitted == expected_missing


def test_scope_dns_are_the_ones_the_twin_writes() -> None:
    document, _ = check_site_text(PLANT.read_text(encoding="utf-8"))
    world = build_world(document, np.random.default_rng(1))
    for c, name in enumerate(world.cells.names):
        scope = resolve(document, f"cell:{name}")
        assert scope.objects("NRCellDU") == (cell_du_ldn(world, c),)
        assert scope.objects("NRCellCU") == (cell_cu_ldn(world, c),)
        assert scope.objects("GNBCUUPFunction") == (cuup_ldn(world, int(world.cells.gnb[c])),)
    for name in world.upfs.names:
        scope = resolve(document, f"upf:{name}")
        assert scope.objects("EP_N3") == (n3_ldn(world, name),)
    for f in world.amfs() + world.smfs():
        name = world.core.names[f]
        dn = function_ldn(world, world.core.kind[f], name)
        assert resolve(document, f"nf:{name}").dns == {f"{world.core.kind[f]}Function": (dn,)}
    assert len(cell_dns(document)) == len(world.cells)


def test_unknown_objects_are_named() -> None:
    site = small_site()
    with pytest.raises(ScopeError, match="unknown cell 'nope'; known: gnb-ws1-01-c1"):
        resolve(site, "cell:nope")
    with pytest.raises(ScopeError, match="use cell:<name>"):
        resolve(site, "tower:1")
    with pytest.raises(ScopeError, match="not a distinguished name"):
        resolve(site, "ManagedElement=,X=1")
    assert resolve(site, "slice:embb-vision").snssai == "01000002"
