"""Two processes share one telemetry store: one appends while the other reads and maintains."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from openipn.store.telemetry.api import AggregateQuery, Retention
from openipn.store.telemetry.parquet_store import open_telemetry_store

UTC = dt.UTC
DAY0 = dt.datetime(2024, 3, 1, tzinfo=UTC)
BATCHES, ROWS = 60, 200

WRITER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    import numpy as np
    from openipn.store.telemetry.api import SampleBatch, Source
    from openipn.store.telemetry.parquet_store import open_telemetry_store

    root = Path(sys.argv[1])
    t0, batches, rows = (int(a) for a in sys.argv[2:5])
    cells = [f"ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU={c}" for c in range(rows)]
    with open_telemetry_store(root, durable=False) as store:
        for b in range(batches):
            batch = SampleBatch(
                objects=cells, object_index=np.arange(rows),
                measurements=["RRC.ConnEstabAtt"], measurement_index=np.zeros(rows, dtype=np.int64),
                starts=np.full(rows, t0 + 900 * b), seconds=np.full(rows, 900),
                values=np.ones(rows),
            )
            store.append(batch, source=Source.PM_FILE, key=f"b{b}", name="")
            # Every batch is sent twice, as an at-least-once sender would.
            assert store.append(batch, source=Source.PM_FILE, key=f"b{b}", name="").duplicate
            time.sleep(0.01)
    """
)


def test_second_process_appends_while_this_one_reads_and_maintains(tmp_path: Path) -> None:
    root = tmp_path / "tsdb"
    store = open_telemetry_store(root, durable=False, orphan_grace_s=60, retire_grace_s=0)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(root),
            str(int(DAY0.timestamp())),
            str(BATCHES),
            str(ROWS),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    query = AggregateQuery(["RRC.ConnEstabAtt"], DAY0, DAY0 + dt.timedelta(days=1))
    seen: list[int] = []
    try:
        while writer.poll() is None:
            seen.append(sum(r.count for r in store.aggregate(query)))
            store.maintain(DAY0 + dt.timedelta(hours=1), Retention())
        _, errors = writer.communicate(timeout=60)
        assert writer.returncode == 0, errors
        seen.append(sum(r.count for r in store.aggregate(query)))
        store.maintain(DAY0 + dt.timedelta(days=3), Retention())
        final = store.aggregate(query)
    finally:
        store.close()
    # A batch is visible whole or not at all, and what is visible never goes away.
    assert all(count % ROWS == 0 for count in seen), seen
    assert seen == sorted(seen)
    assert seen[-1] == BATCHES * ROWS
    assert len(set(seen)) > 2, "the reads did not overlap the appends"
    assert [(r.count, r.total) for r in final] == [(BATCHES * ROWS, float(BATCHES * ROWS))]
    assert len(list((root / "raw").rglob("*.parquet"))) == 1
