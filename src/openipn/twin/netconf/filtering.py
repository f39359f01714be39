"""Subtree filtering of <get>/<get-config> replies (RFC 6241 §6)."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from openipn.codecs.nrm_yang import KEY


def subtree_filter(data: etree._Element, filter_element: etree._Element) -> etree._Element:
    """A copy of `data` (a <data> element) keeping only what the filter selects.

    An empty filter selects nothing (RFC 6241 §6.4.2). A list entry that is returned partly
    always carries its key `id`, so that a client can tell entries apart.
    """
    result = etree.Element(data.tag, nsmap=_nsmap(data))
    for selector in _element_children(filter_element):
        for node in _element_children(data):
            if _same_node(node, selector):
                kept = _filter_node(node, selector)
                if kept is not None:
                    result.append(kept)
    return result


def _nsmap(element: etree._Element) -> Any:
    """The element's namespace map (typed Any: lxml-stubs reject the None default key)."""
    return element.nsmap


def _element_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _same_node(node: etree._Element, selector: etree._Element) -> bool:
    """Same local name; a selector without a namespace matches any (RFC 6241 §6.2.1)."""
    wanted = etree.QName(selector)
    found = etree.QName(node)
    return found.localname == wanted.localname and wanted.namespace in (None, found.namespace)


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _filter_node(node: etree._Element, selector: etree._Element) -> etree._Element | None:
    """The filtered copy of one data node, or None when the selector rejects it."""
    children = _element_children(selector)
    if not children:
        # A selection node (§6.2.4), or a content match node tested on a leaf (§6.2.5).
        text = _text(selector)
        return copy.deepcopy(node) if not text or text == _text(node) else None
    matches = [child for child in children if not len(child) and _text(child)]
    if not all(_has_match(node, match) for match in matches):
        return None
    keys = [c for c in children if c not in matches and etree.QName(c).localname == KEY]
    others = [c for c in children if c not in matches and c not in keys]
    if not others and not keys:
        return copy.deepcopy(node)  # only content match nodes: the whole entry (§6.2.5)
    result = etree.Element(node.tag, nsmap=_nsmap(node))
    result.attrib.update(node.attrib)
    for child in _element_children(node):
        if etree.QName(child).localname == KEY or any(_same_node(child, m) for m in matches):
            result.append(copy.deepcopy(child))
    if not others:
        return result
    fixed = len(result)
    for other in others:
        for child in _element_children(node):
            if _same_node(child, other):
                kept = _filter_node(child, other)
                if kept is not None:
                    result.append(kept)
    return result if len(result) > fixed else None


def _has_match(node: etree._Element, match: etree._Element) -> bool:
    return any(
        _same_node(child, match) and _text(child) == _text(match)
        for child in _element_children(node)
    )
