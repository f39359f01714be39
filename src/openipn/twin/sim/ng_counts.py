"""NG signalling as the gNB counts it per cell: UE-associated NG connections and PDU session
resource setups.

- UECNTX.ConnEstabAtt / UECNTX.ConnEstabSucc (TS 28.552 §5.1.1.16, NRCellCU; trigger per
  TS 38.413 as we read it: an INITIAL UE MESSAGE sent to the AMF is an attempt, the AMF's first
  answer on that UE-associated NG connection a success) [K: names and triggers not verified
  against the spec text]. The twin sends one for each initial registration (answered unless
  the AMF drops it in overload or the attempt is cut off) and one Service Request for each
  registered terminal that sets up an RRC connection again (answered in the share the AMF's
  load lets through); registration storms and cloned SIMs add theirs (the AMF answers, with a
  reject or an accept).
- SM.PDUSessionSetupReq / SM.PDUSessionSetupSucc per S-NSSAI (TS 28.552 §5.1.1.5, NRCellCU)
  [K]: the gNB receives a PDU session resource setup (PDU SESSION RESOURCE SETUP REQUEST, or
  INITIAL CONTEXT SETUP REQUEST with PDU sessions for a terminal that connects again) only
  after the SMF established the N4 session (TS 23.502 §4.3.2.2.1 steps 10-12), so a failing
  SMF/UPF shows at the SMF, not here; the gNB fails a setup it cannot admit (the same radio
  admission as its DRB) or whose N3 path to the anchor UPF is down (no transport resource).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray


@dataclass
class NgCounts:
    """Per-cell NG counts of one step (fractions allowed: expected counts)."""

    ue_att: FloatArray  # (cell,)
    ue_succ: FloatArray
    pdu_req: FloatArray  # (cell, slice)
    pdu_succ: FloatArray


def ue_contexts(
    serving: IntArray, n_cells: int, attempts: FloatArray, answered: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """UE-associated NG connection attempts and answers per serving cell."""
    cell = np.maximum(serving, 0)
    has = (serving >= 0) & (attempts > 0)
    att = np.bincount(cell[has], weights=attempts[has], minlength=n_cells)
    succ = np.bincount(cell[has], weights=answered[has], minlength=n_cells)
    return att.astype(np.float64), succ.astype(np.float64)


def n3_reachable(gnb_upf: BoolArray, gnb: IntArray, upf: IntArray) -> BoolArray:
    """Per terminal: its gNB has a user-plane path to its anchor UPF."""
    if not gnb_upf.size:
        return np.zeros(len(gnb), bool)
    return (upf >= 0) & (gnb >= 0) & gnb_upf[np.maximum(gnb, 0), np.maximum(upf, 0)]


def pdu_setups(
    slot: IntArray, shape: tuple[int, int], requested: BoolArray, setup: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """PDU session resource setups requested and completed per (cell, slice) slot."""
    size = shape[0] * shape[1]
    req = np.bincount(slot[requested], minlength=size).reshape(shape)
    succ = np.bincount(slot[requested & setup], minlength=size).reshape(shape)
    return req.astype(np.float64), succ.astype(np.float64)
