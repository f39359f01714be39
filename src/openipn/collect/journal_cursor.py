"""Reading the VES journal in order from a position, following the writer across segments."""

from __future__ import annotations

import logging
from pathlib import Path

from openipn.collect.journal import HEADER_SIZE, Record, decode_at, list_segments, segment_name

log = logging.getLogger(__name__)


class JournalCursor:
    """Reads records in order from a position onwards, following the writer across segments."""

    def __init__(self, directory: Path, position: int, *, chunk_bytes: int = 4 * 1024 * 1024):
        self._directory = directory
        self._chunk = chunk_bytes
        self.position = position  # the next event position wanted
        self._path: Path | None = None
        self._offset = 0
        self._seek(position)

    def _seek(self, position: int) -> None:
        """Start at the segment holding ``position`` (or the oldest one after it)."""
        segments = list_segments(self._directory)
        before = [s for s in segments if s[0] <= position]
        chosen = before[-1] if before else (segments[0] if segments else None)
        if chosen is not None and chosen[0] > position:
            log.warning(
                "journal: positions %d..%d are gone; resuming at %d",
                position,
                chosen[0] - 1,
                chosen[0],
            )
            self.position = chosen[0]
        self._path = chosen[1] if chosen else None
        self._offset = 0

    def read(self, limit: int, max_events: int = 10_000) -> list[Record]:
        """Whole records below position ``limit`` from the cursor on, up to about max_events."""
        found: list[Record] = []
        events = 0
        while events < max_events and self.position < limit:
            batch, moved = self._read_segment(limit)
            if not batch:
                if not moved and not self._advance_segment():
                    break
                continue
            for record in batch:
                found.append(record)
                events += record.count
        return found

    def _read_segment(self, limit: int) -> tuple[list[Record], bool]:
        """Records of the current segment from the offset on, and whether the offset moved."""
        if self._path is None:
            self._seek(self.position)
            if self._path is None:
                return [], False
        try:
            with self._path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read(self._chunk)
        except FileNotFoundError:
            self._path = None
            return [], False
        found, offset = [], 0
        while (record := decode_at(data, offset)) is not None and record.first < limit:
            offset += HEADER_SIZE + len(record.payload)
            if record.end > self.position:
                found.append(record)
                self.position = record.end
        if not found and offset == 0 and len(data) >= self._chunk:  # one record > chunk
            self._chunk *= 2
        self._offset += offset
        return found, offset > 0

    def _advance_segment(self) -> bool:
        """Move to the next segment when the writer has started it at our position."""
        if self._path is None:
            return False
        nxt = self._directory / segment_name(self.position)
        if nxt == self._path or not nxt.exists():
            return False
        self._path, self._offset = nxt, 0
        return True
