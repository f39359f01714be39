"""Running and candidate datastores of one managed element, with locks and confirmed commit."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lxml import etree

from openipn.codecs.netconf_xml import Change, diff_configs, edit_config_changes
from openipn.codecs.nrm_yang import ATTRIBUTES, MANAGED_ELEMENT, ErrorTag, RpcError, Tree

log = logging.getLogger(__name__)

CommitCallback = Callable[[str, list[Change]], None]
DEFAULT_CONFIRM_TIMEOUT_S = 600  # RFC 6241 §8.4.5.1


class Datastore(StrEnum):
    """The configuration datastores the server offers (:candidate, RFC 6241 §8.3)."""

    RUNNING = "running"
    CANDIDATE = "candidate"


@dataclass
class _PendingCommit:
    """A confirmed commit waiting for its confirming commit (RFC 6241 §8.4)."""

    backup: Tree  # running before the first confirmed commit
    session_id: int
    persist: str | None
    timer: threading.Timer | None = field(default=None, repr=False)


class Datastores:
    """Datastores of one managed element; every method is atomic and thread-safe."""

    def __init__(
        self,
        element: str,
        running: Tree,
        on_commit: CommitCallback,
        check: CommitCallback | None = None,
    ) -> None:
        self.element = element
        self._on_commit = on_commit
        self._check = check
        self._guard = threading.RLock()
        self._running = copy.deepcopy(running)
        self._candidate = copy.deepcopy(running)
        self._locks: dict[Datastore, int] = {}
        self._pending: _PendingCommit | None = None

    def read(self, datastore: Datastore) -> Tree:
        """A copy of a datastore."""
        with self._guard:
            tree = self._running if datastore is Datastore.RUNNING else self._candidate
            return copy.deepcopy(tree)

    def edit(
        self,
        session_id: int,
        config: etree._Element,
        default_operation: str = "merge",
        *,
        test_only: bool = False,
    ) -> list[Change]:
        """edit-config on the candidate (RFC 6241 §7.2); atomic, so rollback-on-error holds."""
        with self._guard:
            self._check_unlocked(Datastore.CANDIDATE, session_id)
            new, changes = edit_config_changes(config, self._candidate, default_operation)
            if not test_only:
                self._candidate = new
            return changes

    def set_local(self, path: str, leaf: str, value: Any) -> bool:
        """A change made on the element itself (not over NETCONF): running and candidate follow.

        `path` is the object's DN below its element (`GNBDUFunction=1,NRCellDU=3`). Returns
        False when no such object exists here. No commit hook runs: the simulation made this
        change and only the datastores have to show it.
        """
        with self._guard:
            found = False
            for tree in (self._running, self._candidate):
                for element in tree.get(MANAGED_ELEMENT.name, {}).values():
                    entry = _at(element, path)
                    if entry is not None:
                        entry.setdefault(ATTRIBUTES, {})[leaf] = value
                        found = True
            return found

    def validate(self, config: Tree | None = None) -> None:
        """validate (RFC 6241 §8.6.4.1): the checks `commit` runs, on the candidate or `config`."""
        with self._guard:
            target = self._candidate if config is None else config
            changes = diff_configs(self._running, target)
        if changes and self._check is not None:
            try:
                self._check(self.element, changes)
            except RpcError:
                raise
            except Exception as exc:  # the element's own checks name what they refuse
                message = f"the element would reject the change: {exc}"
                raise RpcError(ErrorTag.OPERATION_FAILED, message) from exc

    def discard(self, session_id: int) -> None:
        """discard-changes: the candidate becomes a copy of running (RFC 6241 §8.3.4.2)."""
        with self._guard:
            self._check_unlocked(Datastore.CANDIDATE, session_id)
            self._candidate = copy.deepcopy(self._running)

    def lock(self, datastore: Datastore, session_id: int) -> None:
        """Lock a datastore for one session (RFC 6241 §7.5)."""
        with self._guard:
            holder = self._locks.get(datastore)
            if holder is not None:
                raise _lock_denied(f"{datastore} is locked by session {holder}", holder)
            if datastore is Datastore.CANDIDATE and self._candidate != self._running:
                raise _lock_denied("the candidate has uncommitted changes", 0)
            pending = self._pending
            if datastore is Datastore.RUNNING and pending and pending.session_id != session_id:
                raise _lock_denied("another session has a confirmed commit in progress", 0)
            self._locks[datastore] = session_id

    def unlock(self, datastore: Datastore, session_id: int) -> None:
        """Release a lock this session holds (RFC 6241 §7.6)."""
        with self._guard:
            if self._locks.get(datastore) != session_id:
                raise RpcError(
                    ErrorTag.OPERATION_FAILED, f"this session holds no lock on {datastore}"
                )
            del self._locks[datastore]
            if datastore is Datastore.CANDIDATE:
                # Releasing the candidate lock discards its changes (RFC 6241 §8.3.5.2).
                self._candidate = copy.deepcopy(self._running)

    def commit(
        self,
        session_id: int,
        *,
        confirmed: bool = False,
        timeout_s: float = DEFAULT_CONFIRM_TIMEOUT_S,
        persist: str | None = None,
        persist_id: str | None = None,
    ) -> list[Change]:
        """commit, confirmed commit or confirming commit (RFC 6241 §8.3.4.1, §8.4.5.1)."""
        with self._guard:
            self._check_unlocked(Datastore.RUNNING, session_id)
            self._check_unlocked(Datastore.CANDIDATE, session_id)
            pending = self._pending
            if pending is not None:
                self._check_may_follow_up(pending, session_id, persist_id)
            elif persist_id is not None:
                raise RpcError(ErrorTag.INVALID_VALUE, "no confirmed commit is in progress")
            backup = pending.backup if pending else copy.deepcopy(self._running)
            changes = self._apply(copy.deepcopy(self._candidate))
            self._cancel_timer()
            self._pending = None
            if confirmed:
                owner = pending.session_id if pending and persist is None else session_id
                token = persist if persist is not None else (pending.persist if pending else None)
                self._pending = _PendingCommit(backup, owner, token)
                self._start_timer(timeout_s)
            return changes

    def cancel_commit(self, session_id: int, persist_id: str | None = None) -> list[Change]:
        """cancel-commit: roll back the confirmed commit in progress (RFC 6241 §8.4.4.1)."""
        with self._guard:
            pending = self._pending
            if pending is None:
                raise RpcError(ErrorTag.OPERATION_FAILED, "no confirmed commit is in progress")
            self._check_may_follow_up(pending, session_id, persist_id)
            return self._roll_back()

    def session_closed(self, session_id: int) -> None:
        """Release the session's locks; roll back its non-persistent confirmed commit."""
        with self._guard:
            for datastore in [d for d, holder in self._locks.items() if holder == session_id]:
                self.unlock(datastore, session_id)
            pending = self._pending
            if pending and pending.persist is None and pending.session_id == session_id:
                self._roll_back()  # RFC 6241 §8.4.1: session ended before the confirming commit

    def close(self) -> None:
        """Stop the confirm timer (server shutdown); running stays as it is."""
        with self._guard:
            self._cancel_timer()
            self._pending = None

    def confirm_pending(self) -> bool:
        """True while a confirmed commit waits for confirmation."""
        with self._guard:
            return self._pending is not None

    def holder(self, datastore: Datastore) -> int | None:
        """The session holding a lock on a datastore, if any."""
        with self._guard:
            return self._locks.get(datastore)

    def _check_unlocked(self, datastore: Datastore, session_id: int) -> None:
        holder = self._locks.get(datastore)
        if holder is not None and holder != session_id:
            raise RpcError(
                ErrorTag.IN_USE,
                f"{datastore} is locked by session {holder}",
                error_type="protocol",
                info={"session-id": str(holder)},
            )

    @staticmethod
    def _check_may_follow_up(
        pending: _PendingCommit, session_id: int, persist_id: str | None
    ) -> None:
        if pending.persist is not None:
            if persist_id != pending.persist:
                raise RpcError(
                    ErrorTag.INVALID_VALUE, "persist-id does not match the persist token"
                )
        elif persist_id is not None:
            raise RpcError(ErrorTag.INVALID_VALUE, "the confirmed commit has no persist token")
        elif pending.session_id != session_id:
            raise RpcError(
                ErrorTag.OPERATION_FAILED,
                f"the confirmed commit of session {pending.session_id} can only be confirmed "
                "or cancelled by that session",
            )

    def _apply(self, new_running: Tree) -> list[Change]:
        """Make `new_running` the running config and tell the simulation; undo if it fails."""
        changes = diff_configs(self._running, new_running)
        if not changes:
            return []
        old_running, self._running = self._running, new_running
        try:
            self._on_commit(self.element, changes)
        except Exception as exc:
            self._running = old_running
            log.exception("on_commit failed for %s", self.element)
            message = f"the element rejected the change: {exc}"
            raise RpcError(ErrorTag.OPERATION_FAILED, message) from exc
        return changes

    def _roll_back(self) -> list[Change]:
        pending = self._pending
        assert pending is not None
        self._cancel_timer()
        self._pending = None
        changes = self._apply(copy.deepcopy(pending.backup))
        self._candidate = copy.deepcopy(self._running)
        return changes

    def _start_timer(self, timeout_s: float) -> None:
        pending = self._pending
        assert pending is not None
        timer = threading.Timer(timeout_s, self._expire, args=(pending,))
        timer.daemon = True
        pending.timer = timer
        timer.start()

    def _cancel_timer(self) -> None:
        if self._pending and self._pending.timer:
            self._pending.timer.cancel()

    def _expire(self, pending: _PendingCommit) -> None:
        """The confirm timeout passed without a confirming commit: restore the backup."""
        with self._guard:
            if self._pending is not pending:
                return  # confirmed, cancelled or extended meanwhile
            log.info("confirmed commit on %s not confirmed in time; rolling back", self.element)
            try:
                self._roll_back()
            except RpcError:
                log.exception("rollback of %s failed", self.element)


def _lock_denied(message: str, holder: int) -> RpcError:
    """lock-denied names the holder's session (0 when not a session, RFC 6241 §7.5)."""
    return RpcError(
        ErrorTag.LOCK_DENIED, message, error_type="protocol", info={"session-id": str(holder)}
    )


def _at(entry: Tree, path: str) -> Tree | None:
    """The entry a relative DN (`Class=key,Class=key`) names below `entry`, or None."""
    for rdn in path.split(","):
        cls, _, key = rdn.partition("=")
        child = entry.get(cls, {})
        if not isinstance(child, dict) or not isinstance(child.get(key), dict):
            return None
        entry = child[key]
    return entry
