"""JSON views of the KPI catalogue and of KPI series, the same in the API and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openipn.assure.kpi_catalog import COUNTER_CLASS, Kpi, parse, terms
from openipn.assure.kpis import KpiResult

DEFAULT_SPAN = dt.timedelta(hours=24)
OBJECT_HELP = (
    "cell:<name>, gnb:<name>, upf:<name>, nf:<name>, slice:<name>, managed_element:<name>, "
    "site, a DN in any form, or the LDN as a PM file wrote it"
)


def kpi_entry(kpi: Kpi) -> dict[str, Any]:
    """A catalogue entry as JSON, with the counters its formula reads and their classes."""
    counters = [t.counter for t in terms(parse(kpi.formula))]
    return {
        "name": kpi.name,
        "title": kpi.title,
        "formula": kpi.formula,
        "unit": kpi.unit.value,
        "objects": sorted(k.value for k in kpi.scopes),
        "sliceable": kpi.sliceable,
        "clause": kpi.clause,
        "tag": kpi.tag.value,
        "notes": kpi.notes,
        "counters": {c: COUNTER_CLASS[c] for c in dict.fromkeys(counters)},
        "optional_counters": sorted(kpi.optional),
    }


def result_body(result: KpiResult) -> dict[str, Any]:
    """A KPI series as JSON."""
    return {
        "name": result.kpi.name,
        "object": result.object,
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "granularity": result.granularity.value,
        "unit": result.kpi.unit.value,
        "rows": [
            {
                "bucket_start": row.bucket_start.isoformat(),
                "object": row.object,
                "value": row.value,
                "unit": row.unit,
                "complete": row.complete,  # false: the bucket runs past the newest data or now
                "inputs": row.inputs,
            }
            for row in result.rows
        ],
    }
