"""NETCONF XML of the openipn-nrm YANG module: config trees, edit-config and their changes.

The datastore model is a plain nested dict that mirrors the YANG tree: a list is a dict from
`id` to entry, an entry holds `attributes` (leaf name to int, float or str) and its child lists,
e.g. `{"ManagedElement": {"me-1": {"attributes": {}, "GNBDUFunction": {"gnb-1": {...}}}}}`.
Schema tables, value checks and rpc-error live in `openipn.codecs.nrm_yang`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from openipn.codecs.nrm_yang import (
    ATTRIBUTES,
    BASE_NS,
    KEY,
    MANAGED_ELEMENT,
    NRM_CAPABILITY,
    NRM_MODULE,
    NRM_NS,
    NRM_PREFIX,
    ErrorTag,
    ListSpec,
    Location,
    RpcError,
    Tree,
    Value,
    dn_of,
    format_value,
    invalid_value,
    nsmap,
    parse_dn,
    parse_id,
    parse_value,
    parse_xml,
    q,
    spec_at,
    xpath_of,
)

__all__ = [
    "BASE_NS",
    "NRM_CAPABILITY",
    "NRM_NS",
    "Change",
    "ErrorTag",
    "Operation",
    "RpcError",
    "Tree",
    "Value",
    "config_to_xml",
    "diff_configs",
    "edit_config_changes",
    "edit_xml_for",
    "entry_to_xml",
    "to_string",
    "xml_to_config",
]


@dataclass(frozen=True)
class Change:
    """One difference between two configs.

    `path` is the DN of the object (TS 32.300), followed by `/attributes/<leaf>` for a leaf
    change. An object created or deleted as a whole has its entry dict as `new` or `old`.
    """

    path: str
    old: Value | Tree | None
    new: Value | Tree | None

    @property
    def dn(self) -> str:
        """The DN of the changed object."""
        return self.path.partition(f"/{ATTRIBUTES}/")[0]

    @property
    def attribute(self) -> str | None:
        """The changed leaf, or None when the whole object was created or deleted."""
        _, sep, leaf = self.path.partition(f"/{ATTRIBUTES}/")
        return leaf if sep else None


class Operation(StrEnum):
    """edit-config operations (RFC 6241 §7.2) plus the default-operation `none`."""

    MERGE = "merge"
    REPLACE = "replace"
    CREATE = "create"
    DELETE = "delete"
    REMOVE = "remove"
    NONE = "none"


def config_to_xml(tree: Tree, *, wrapper: str = "config") -> etree._Element:
    """The datastore as XML inside a NETCONF <config> (or <data>) element."""
    root = etree.Element(q(BASE_NS, wrapper), nsmap=nsmap(BASE_NS))
    for key, entry in tree.get(MANAGED_ELEMENT.name, {}).items():
        root.append(entry_to_xml(MANAGED_ELEMENT, key, entry))
    return root


def entry_to_xml(spec: ListSpec, key: str, entry: Tree) -> etree._Element:
    """One list entry (with its contained objects) as an XML element."""
    element = etree.Element(q(NRM_NS, spec.name), nsmap=nsmap(NRM_NS))
    etree.SubElement(element, q(NRM_NS, KEY)).text = key
    attributes = entry.get(ATTRIBUTES, {})
    if attributes:
        container = etree.SubElement(element, q(NRM_NS, ATTRIBUTES))
        for leaf in spec.leaves:
            if leaf.name in attributes:
                node = etree.SubElement(container, q(NRM_NS, leaf.name))
                node.text = format_value(leaf, attributes[leaf.name])
    for child in spec.children:
        for child_key, child_entry in entry.get(child.name, {}).items():
            element.append(entry_to_xml(child, child_key, child_entry))
    return element


def to_string(element: etree._Element) -> str:
    """Pretty-printed XML text of an element."""
    return etree.tostring(element, pretty_print=True, encoding="unicode")


def xml_to_config(xml: str | bytes | etree._Element) -> Tree:
    """The datastore dict of a <config>/<data> element; state leaves are kept, other modules'
    data is skipped."""
    root = parse_xml(xml)
    if _local(root, NRM_NS) != MANAGED_ELEMENT.name:
        wrapper = etree.Element(q(BASE_NS, "data"))
        wrapper.extend(copy.deepcopy(child) for child in root if _local(child, NRM_NS))
        root = wrapper
    tree, _ = edit_config_changes(root, {}, "merge", allow_state=True)
    return tree


def edit_config_changes(
    edit_xml: str | bytes | etree._Element,
    base: Tree,
    default_operation: str = "merge",
    *,
    allow_state: bool = False,
) -> tuple[Tree, list[Change]]:
    """Apply an edit-config <config> to `base` (RFC 6241 §7.2); return the new tree and changes.

    The edit is atomic: on the first error an RpcError is raised and `base` is untouched.
    """
    root = parse_xml(edit_xml)
    try:
        operation = Operation(default_operation)
    except ValueError:
        raise RpcError(
            ErrorTag.INVALID_VALUE, f"default-operation {default_operation!r}", error_type="rpc"
        ) from None
    editor = _Editor(operation, allow_state)
    # default-operation replace: the <config> replaces the whole datastore (RFC 6241 §7.2)
    new = {} if operation is Operation.REPLACE else copy.deepcopy(base)
    entries = [root] if _local(root, NRM_NS) == MANAGED_ELEMENT.name else list(root)
    for element in entries:
        if _local(element, NRM_NS) != MANAGED_ELEMENT.name:
            raise _unknown(element, "/")
        editor.edit_list(MANAGED_ELEMENT, element, new, ())
    return new, diff_configs(base, new)


def _local(element: etree._Element, namespace: str) -> str | None:
    """The local name of an element in `namespace` (None for comments or other namespaces)."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    return qname.localname if qname.namespace == namespace else None


def _unknown(element: etree._Element, parent_path: str) -> RpcError:
    qname = etree.QName(element)
    if qname.namespace not in (NRM_NS, None):
        return RpcError(
            ErrorTag.UNKNOWN_NAMESPACE,
            f"namespace {qname.namespace} is not supported",
            path=parent_path,
            info={"bad-element": qname.localname, "bad-namespace": qname.namespace or ""},
        )
    return RpcError(
        ErrorTag.UNKNOWN_ELEMENT,
        f"{qname.localname} is not a node of {NRM_MODULE}",
        path=parent_path,
        info={"bad-element": qname.localname},
    )


class _Editor:
    """Walks an edit-config tree against the schema table, editing a datastore copy in place."""

    def __init__(self, default: Operation, allow_state: bool) -> None:
        self.default, self.allow_state = default, allow_state

    def operation(self, element: etree._Element, inherited: Operation) -> Operation:
        raw = element.get(q(BASE_NS, "operation"))
        if raw is None:
            return inherited
        if raw not in {op.value for op in Operation} - {Operation.NONE}:
            raise RpcError(
                ErrorTag.BAD_ATTRIBUTE,
                f"operation {raw!r} is not one of merge, replace, create, delete, remove",
                error_type="rpc",
                info={"bad-attribute": "operation", "bad-element": etree.QName(element).localname},
            )
        return Operation(raw)

    def edit_list(
        self,
        spec: ListSpec,
        element: etree._Element,
        parent: Tree,
        location: Location,
        inherited: Operation | None = None,
    ) -> None:
        op = self.operation(element, inherited or self.default)
        key_element = element.find(q(NRM_NS, KEY))
        here = xpath_of(location, spec.name)
        if key_element is None:
            raise RpcError(
                ErrorTag.MISSING_ELEMENT,
                f"{spec.name} needs its key {KEY}",
                path=here,
                info={"bad-element": KEY},
            )
        key = parse_id(key_element.text, f"{here}/{NRM_PREFIX}:{KEY}")
        own = (*location, (spec.name, key))
        entries = parent.setdefault(spec.name, {})
        entry = self.entry_for(op, entries, key, own)
        if entry is not None:
            self.edit_children(spec, element, entry, own, op)
        if not entries:
            del parent[spec.name]

    def entry_for(self, op: Operation, entries: Tree, key: str, own: Location) -> Tree | None:
        exists = key in entries
        if op in (Operation.DELETE, Operation.REMOVE):
            if op is Operation.DELETE and not exists:
                raise _exists_or_missing(False, own, xpath_of(own))
            entries.pop(key, None)
            return None
        if (op is Operation.CREATE and exists) or (op is Operation.NONE and not exists):
            raise _exists_or_missing(exists, own, xpath_of(own))
        if op is Operation.REPLACE or not exists:
            entries[key] = {ATTRIBUTES: {}}
        entry: Tree = entries[key]
        return entry

    def edit_children(
        self, spec: ListSpec, element: etree._Element, entry: Tree, own: Location, op: Operation
    ) -> None:
        for child in element:
            name = _local(child, NRM_NS)
            if not isinstance(child.tag, str) or name == KEY:
                continue
            child_spec = spec.child(name) if name else None
            if name == ATTRIBUTES:
                self.edit_attributes(spec, child, entry.setdefault(ATTRIBUTES, {}), own, op)
            elif child_spec is not None:
                self.edit_list(child_spec, child, entry, own, op)
            else:
                raise _unknown(child, xpath_of(own))

    def edit_attributes(
        self, spec: ListSpec, element: etree._Element, attrs: Tree, own: Location, op: Operation
    ) -> None:
        op = self.operation(element, op)
        if op in (Operation.DELETE, Operation.REMOVE, Operation.REPLACE, Operation.CREATE):
            if (op is Operation.DELETE and not attrs) or (op is Operation.CREATE and attrs):
                raise _exists_or_missing(bool(attrs), own, xpath_of(own, ATTRIBUTES))
            attrs.clear()
            if op in (Operation.DELETE, Operation.REMOVE):
                return
        for child in element:
            if isinstance(child.tag, str):
                self.edit_leaf(spec, child, attrs, own, op)

    def edit_leaf(
        self, spec: ListSpec, element: etree._Element, attrs: Tree, own: Location, op: Operation
    ) -> None:
        name = _local(element, NRM_NS)
        leaf = spec.leaf(name) if name else None
        if leaf is None:
            raise _unknown(element, xpath_of(own, ATTRIBUTES))
        path = xpath_of(own, ATTRIBUTES, leaf.name)
        if not leaf.config and not self.allow_state:
            invalid_value(path, "read-only (config false) and cannot be edited")
        op = self.operation(element, op)
        if op in (Operation.DELETE, Operation.REMOVE):
            if op is Operation.DELETE and leaf.name not in attrs:
                raise _exists_or_missing(False, own, path)
            attrs.pop(leaf.name, None)
            return
        value = parse_value(leaf, (element.text or "").strip(), path)
        if op is Operation.CREATE and leaf.name in attrs:
            raise _exists_or_missing(True, own, path)
        if op is not Operation.NONE:
            attrs[leaf.name] = value


def _exists_or_missing(exists: bool, own: Location, path: str) -> RpcError:
    tag = ErrorTag.DATA_EXISTS if exists else ErrorTag.DATA_MISSING
    what = "already exists" if exists else "does not exist"
    node = "" if path == xpath_of(own) else f"{path.rsplit(':', 1)[-1]} of "
    return RpcError(tag, f"{node}{dn_of(own)} {what}", path=path)


def diff_configs(old: Tree, new: Tree) -> list[Change]:
    """Every difference between two datastore trees, in schema order."""
    name = MANAGED_ELEMENT.name
    return list(_diff_list(MANAGED_ELEMENT, old.get(name, {}), new.get(name, {}), ()))


def _diff_list(spec: ListSpec, old: Tree, new: Tree, location: Location) -> Iterator[Change]:
    for key in [*old, *(key for key in new if key not in old)]:
        own = (*location, (spec.name, key))
        if key not in new:
            yield Change(dn_of(own), copy.deepcopy(old[key]), None)
        elif key not in old:
            yield Change(dn_of(own), None, copy.deepcopy(new[key]))
        else:
            yield from _diff_entry(spec, old[key], new[key], own)


def _diff_entry(spec: ListSpec, old: Tree, new: Tree, own: Location) -> Iterator[Change]:
    old_attrs, new_attrs = old.get(ATTRIBUTES, {}), new.get(ATTRIBUTES, {})
    for leaf in spec.leaves:
        before, after = old_attrs.get(leaf.name), new_attrs.get(leaf.name)
        if before != after:
            yield Change(f"{dn_of(own)}/{ATTRIBUTES}/{leaf.name}", before, after)
    for child in spec.children:
        yield from _diff_list(child, old.get(child.name, {}), new.get(child.name, {}), own)


def edit_xml_for(dn: str, values: dict[str, Value | None]) -> etree._Element:
    """A <config> that sets (or, for None, removes) attributes of the object a DN names."""
    location = parse_dn(dn)
    spec = spec_at(location)
    if spec is None:
        raise ValueError(f"{dn!r} does not name a class of {NRM_MODULE}")
    root = etree.Element(q(BASE_NS, "config"), nsmap=nsmap(BASE_NS, nc=BASE_NS))
    parent = root
    for name, key in location:
        parent = etree.SubElement(parent, q(NRM_NS, name), nsmap=nsmap(NRM_NS))
        etree.SubElement(parent, q(NRM_NS, KEY)).text = key
    container = etree.SubElement(parent, q(NRM_NS, ATTRIBUTES))
    for name, value in values.items():
        leaf = spec.leaf(name)
        if leaf is None:
            raise ValueError(f"{spec.name} has no attribute {name!r}")
        node = etree.SubElement(container, q(NRM_NS, name))
        if value is None:
            node.set(q(BASE_NS, "operation"), Operation.REMOVE)
        else:
            node.text = format_value(leaf, value)
    return root
