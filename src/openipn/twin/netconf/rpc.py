"""NETCONF operations of the twin (RFC 6241 §7, §8.3, §8.4, §8.6) and the module's restart."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from openipn.codecs.netconf_xml import Change, config_to_xml, edit_config_changes
from openipn.codecs.nrm_yang import (
    ATTRIBUTES,
    BASE_NS,
    MANAGED_ELEMENT,
    NRM_NS,
    ErrorTag,
    ListSpec,
    RpcError,
    Tree,
    find_entry,
    nsmap,
    parse_dn,
    parse_xml,
    q,
    spec_at,
)
from openipn.twin.netconf.datastore import (
    DEFAULT_CONFIRM_TIMEOUT_S,
    CommitCallback,
    Datastore,
    Datastores,
)
from openipn.twin.netconf.filtering import subtree_filter

# (element, class, DN of the object below its element, e.g. `GNBDUFunction=1,NRCellDU=3`)
# -> operationalState
StateCallback = Callable[[str, str, str], str | None]
RestartCallback = Callable[[str, str], None]  # (element, DN of the target)
OPERATIONAL_STATE = "operationalState"


def _no_state(element: str, cls: str, object_id: str) -> None:
    """Default state source: derive operationalState from administrativeState."""


def _no_restart(element: str, target: str) -> None:
    """Default restart hook: nothing to do."""


def _no_commit(element: str, changes: list[Change]) -> None:
    """Default commit hook: accept every change."""


@dataclass(frozen=True)
class ElementHooks:
    """How the simulation follows the NETCONF server of one element."""

    on_commit: CommitCallback = _no_commit
    check_commit: CommitCallback = _no_commit  # the commit's checks only: <validate>
    state: StateCallback = _no_state
    on_restart: RestartCallback = _no_restart


class RpcSession(Protocol):
    """What an operation needs from the session that received it."""

    session_id: int
    element: str
    datastores: Datastores
    hooks: ElementHooks

    def close_after_reply(self) -> None:
        """End the session once the reply is sent."""

    def kill(self, session_id: int) -> bool:
        """Terminate another session of the same server; False if there is none."""


Content = list[etree._Element] | None  # None means <ok/>
Handler = Callable[[RpcSession, etree._Element], Content]


def handle_message(session: RpcSession, message: bytes) -> bytes:
    """The <rpc-reply> to one received message (RFC 6241 §4.1-§4.4)."""
    attributes: dict[str, str] = {}
    try:
        root = parse_xml(message)
        if root.tag != q(BASE_NS, "rpc"):
            raise RpcError(ErrorTag.MALFORMED_MESSAGE, "expected <rpc>", error_type="rpc")
        attributes = {str(k): str(v) for k, v in root.attrib.items()}
        content = _dispatch(session, root)
    except RpcError as exc:
        content = [exc.to_xml()]
    reply = etree.Element(q(BASE_NS, "rpc-reply"), nsmap=nsmap(BASE_NS))
    for name, value in attributes.items():
        reply.set(name, value)
    if content is None:
        etree.SubElement(reply, q(BASE_NS, "ok"))
    else:
        reply.extend(content)
    return etree.tostring(reply, xml_declaration=True, encoding="UTF-8")


def _dispatch(session: RpcSession, root: etree._Element) -> Content:
    if root.get("message-id") is None:
        raise RpcError(
            ErrorTag.MISSING_ATTRIBUTE,
            "<rpc> needs a message-id attribute",
            error_type="rpc",
            info={"bad-attribute": "message-id", "bad-element": "rpc"},
        )
    operations = [child for child in root if isinstance(child.tag, str)]
    if len(operations) != 1:
        raise RpcError(ErrorTag.MALFORMED_MESSAGE, "<rpc> holds one operation", error_type="rpc")
    operation = operations[0]
    handler = HANDLERS.get(str(operation.tag))
    if handler is None:
        raise RpcError(
            ErrorTag.OPERATION_NOT_SUPPORTED,
            f"operation {etree.QName(operation).localname} is not supported",
            error_type="protocol",
        )
    return handler(session, operation)


def _param(operation: etree._Element, name: str) -> etree._Element | None:
    return operation.find(q(BASE_NS, name))


def _text_param(operation: etree._Element, name: str) -> str | None:
    found = _param(operation, name)
    return None if found is None else (found.text or "").strip()


def _datastore(operation: etree._Element, container: str) -> Datastore:
    """The datastore named in <source>/<target> (RFC 6241 §7.1)."""
    parent = _param(operation, container)
    if parent is None:
        raise RpcError(
            ErrorTag.MISSING_ELEMENT,
            f"<{container}> is required",
            error_type="protocol",
            info={"bad-element": container},
        )
    names = [etree.QName(child).localname for child in parent if isinstance(child.tag, str)]
    try:
        return Datastore(names[0] if names else "")
    except ValueError:
        name = names[0] if names else "(none)"
        raise RpcError(
            ErrorTag.INVALID_VALUE,
            f"datastore {name} is not supported (running, candidate)",
            error_type="protocol",
            info={"bad-element": container},
        ) from None


def with_state(tree: Tree, element: str, state: StateCallback) -> Tree:
    """A copy of running with operationalState filled in for every object that has one."""
    result = copy.deepcopy(tree)
    _fill_state(MANAGED_ELEMENT, result.get(MANAGED_ELEMENT.name, {}), element, state)
    return result


def _fill_state(
    spec: ListSpec, entries: Tree, element: str, state: StateCallback, above: str = ""
) -> None:
    for key, entry in entries.items():
        # below the ManagedElement, the object's DN relative to its element
        here = "" if spec is MANAGED_ELEMENT else f"{above}{',' if above else ''}{spec.name}={key}"
        if spec.leaf(OPERATIONAL_STATE) is not None:
            attributes = entry.setdefault(ATTRIBUTES, {})
            locked = attributes.get("administrativeState") == "LOCKED"
            value = state(element, spec.name, here) or ("DISABLED" if locked else "ENABLED")
            attributes[OPERATIONAL_STATE] = value
        for child in spec.children:
            _fill_state(child, entry.get(child.name, {}), element, state, here)


def _reply_data(tree: Tree, operation: etree._Element) -> Content:
    data = config_to_xml(tree, wrapper="data")
    selector = _param(operation, "filter")
    if selector is not None:
        if selector.get("type", "subtree") != "subtree":
            raise RpcError(
                ErrorTag.OPERATION_NOT_SUPPORTED,
                "only subtree filters are supported",
                error_type="protocol",
            )
        data = subtree_filter(data, selector)
    return [data]


def _get(session: RpcSession, operation: etree._Element) -> Content:
    running = session.datastores.read(Datastore.RUNNING)
    return _reply_data(with_state(running, session.element, session.hooks.state), operation)


def _get_config(session: RpcSession, operation: etree._Element) -> Content:
    source = _datastore(operation, "source")
    return _reply_data(session.datastores.read(source), operation)


_ERROR_OPTIONS = {"stop-on-error", "continue-on-error", "rollback-on-error"}
_TEST_OPTIONS = {"test-then-set", "set", "test-only"}


def _edit_config(session: RpcSession, operation: etree._Element) -> Content:
    """edit-config on the candidate; every edit is atomic, whatever the error-option."""
    if _datastore(operation, "target") is not Datastore.CANDIDATE:
        raise RpcError(
            ErrorTag.OPERATION_NOT_SUPPORTED,
            "running is not writable (no :writable-running); edit the candidate and commit",
            error_type="protocol",
        )
    config = _param(operation, "config")
    if config is None:
        raise RpcError(
            ErrorTag.MISSING_ELEMENT,
            "<config> is required (<url> is not supported)",
            error_type="protocol",
            info={"bad-element": "config"},
        )
    error_option = _text_param(operation, "error-option") or "rollback-on-error"
    test_option = _text_param(operation, "test-option") or "test-then-set"
    if error_option not in _ERROR_OPTIONS or test_option not in _TEST_OPTIONS:
        raise RpcError(ErrorTag.INVALID_VALUE, "bad error-option or test-option", error_type="rpc")
    default = _text_param(operation, "default-operation") or "merge"
    session.datastores.edit(
        session.session_id, config, default, test_only=test_option == "test-only"
    )
    return None


def _timeout(operation: etree._Element) -> float:
    text = _text_param(operation, "confirm-timeout")
    if text is None:
        return DEFAULT_CONFIRM_TIMEOUT_S
    if not text.isdigit() or not 1 <= int(text) <= 2**32 - 1:
        raise RpcError(ErrorTag.INVALID_VALUE, f"confirm-timeout {text!r} is not 1..4294967295")
    return float(text)


def _commit(session: RpcSession, operation: etree._Element) -> Content:
    session.datastores.commit(
        session.session_id,
        confirmed=_param(operation, "confirmed") is not None,
        timeout_s=_timeout(operation),
        persist=_text_param(operation, "persist"),
        persist_id=_text_param(operation, "persist-id"),
    )
    return None


def _cancel_commit(session: RpcSession, operation: etree._Element) -> Content:
    session.datastores.cancel_commit(session.session_id, _text_param(operation, "persist-id"))
    return None


def _discard_changes(session: RpcSession, operation: etree._Element) -> Content:
    session.datastores.discard(session.session_id)
    return None


def _lock(session: RpcSession, operation: etree._Element) -> Content:
    session.datastores.lock(_datastore(operation, "target"), session.session_id)
    return None


def _unlock(session: RpcSession, operation: etree._Element) -> Content:
    session.datastores.unlock(_datastore(operation, "target"), session.session_id)
    return None


def _validate(session: RpcSession, operation: etree._Element) -> Content:
    """validate (RFC 6241 §8.6.4.1): the candidate or an inline config passes commit's checks."""
    source = _param(operation, "source")
    inline = None if source is None else source.find(q(BASE_NS, "config"))
    if inline is not None:
        config, _ = edit_config_changes(inline, {}, "merge")
        session.datastores.validate(config)
    elif _datastore(operation, "source") is Datastore.CANDIDATE:
        session.datastores.validate()
    return None  # running is what the element runs: valid by construction


def _close_session(session: RpcSession, operation: etree._Element) -> Content:
    session.close_after_reply()
    return None


def _kill_session(session: RpcSession, operation: etree._Element) -> Content:
    text = _text_param(operation, "session-id") or ""
    target = int(text) if text.isdigit() else 0
    if target == session.session_id or not session.kill(target):
        raise RpcError(
            ErrorTag.INVALID_VALUE,
            f"session-id {text!r} is not another open session",
            error_type="protocol",
        )
    return None


def _restart(session: RpcSession, operation: etree._Element) -> Content:
    """The module's restart RPC: the target must be this element or one of its functions."""
    found = operation.find(q(NRM_NS, "target"))
    dn = "" if found is None else (found.text or "").strip()
    try:
        location = parse_dn(dn)
    except ValueError:
        location = ()
    running = session.datastores.read(Datastore.RUNNING)
    if (
        not location
        or location[0] != (MANAGED_ELEMENT.name, session.element)
        or spec_at(location) is None
        or find_entry(running, location) is None
    ):
        raise RpcError(
            ErrorTag.INVALID_VALUE,
            f"target {dn!r} is not this managed element or one of its functions",
            path="/oipn:restart/oipn:target",
        )
    session.hooks.on_restart(session.element, dn)
    status = etree.Element(q(NRM_NS, "status"), nsmap=nsmap(NRM_NS))
    status.text = "accepted"
    return [status]


HANDLERS: dict[str, Handler] = {
    q(BASE_NS, "get"): _get,
    q(BASE_NS, "get-config"): _get_config,
    q(BASE_NS, "edit-config"): _edit_config,
    q(BASE_NS, "commit"): _commit,
    q(BASE_NS, "cancel-commit"): _cancel_commit,
    q(BASE_NS, "discard-changes"): _discard_changes,
    q(BASE_NS, "lock"): _lock,
    q(BASE_NS, "unlock"): _unlock,
    q(BASE_NS, "validate"): _validate,
    q(BASE_NS, "close-session"): _close_session,
    q(BASE_NS, "kill-session"): _kill_session,
    q(NRM_NS, "restart"): _restart,
}
