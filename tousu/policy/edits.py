"""Changes to a policy's TOML text made in place: comments, citations and layout kept.

The administration's policy forms change a few values of a long, commented document (a
deadline's amount, a category's name, a reply template). Rewriting the document from its
parsed data would drop every comment and citation, so the text is edited where the value
stands (tomlkit) and the rest is left byte for byte as it was. Each change names an array
of tables (``categories``, ``deadlines``, ``departments``, ``routing``,
``reply.templates``) and an element by its position; the caller finds positions in the
parsed :class:`~tousu.policy.schema.Policy`, whose tuples keep the document's order.

The result is plain text: whether it is a valid policy is for
:func:`tousu.policy.loader.parse_toml` (the same schema as the TOML view) to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Table, Whitespace

ARRAYS = ("categories", "deadlines", "departments", "routing", "reply.templates")


class EditError(ValueError):
    """The text cannot be changed in place (it is not TOML, or an element is not where the
    parsed policy says). ``path`` names the array and element."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Set:
    """Set keys of element ``index`` of ``array``; a value of None removes the key."""

    array: str
    index: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Append:
    """Add an element at the end of ``array`` with ``values`` (None values left out)."""

    array: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Remove:
    """Remove element ``index`` of ``array``."""

    array: str
    index: int


Change = Set | Append | Remove


def apply(source: str, changes: Iterable[Change]) -> str:
    """``source`` with ``changes`` made in order; the untouched text stays as written.

    Positions refer to the document as it is when each change is made: callers that remove
    several elements of one array remove the last first.
    """
    try:
        doc = tomlkit.parse(source)
    except TOMLKitError as exc:
        raise EditError("(document)", f"not valid TOML: {exc}") from None
    for change in changes:
        if isinstance(change, Append):
            _append(doc, change.array, change.values)
        elif isinstance(change, Remove):
            _remove(doc, change.array, change.index)
        else:
            element = _element(doc, change.array, change.index)
            _set(element, change.values)
    text: str = doc.as_string()
    return text


def _path(name: str) -> list[str]:
    if name not in ARRAYS:
        raise EditError(name, "not an array the forms change")
    return name.split(".")


def _array(doc: Container, name: str, *, create: bool) -> AoT | Array | None:
    """The array named ``name`` (a dotted path), or None; created empty when asked."""
    found = _located(doc, name, create=create)
    return found[2] if found is not None else None


def _located(doc: Container, name: str, *, create: bool) -> tuple[Any, str, AoT | Array] | None:
    """(the table holding it, its key, the array named ``name``), or None."""
    parent: Any = doc
    parts = _path(name)
    for part in parts[:-1]:
        if part not in parent:
            if not create:
                return None
            parent.append(part, tomlkit.table(is_super_table=True))
        parent = parent[part]
    key = parts[-1]
    if key not in parent:
        if not create:
            return None
        parent.append(key, tomlkit.aot())
    array = parent[key]
    if not isinstance(array, AoT | Array):
        raise EditError(name, "is not an array of tables")
    return parent, key, array


def _element(doc: Container, name: str, index: int) -> Table | InlineTable:
    array = _array(doc, name, create=False)
    if array is None or not 0 <= index < len(array):
        raise EditError(f"{name}.{index}", "no such element")
    element = array[index]
    if not isinstance(element, Table | InlineTable):
        raise EditError(f"{name}.{index}", "is not a table")
    return element


def _value(value: Any) -> Any:
    """A value as TOML writes it: text with line breaks as a multi-line string."""
    if isinstance(value, str) and "\n" in value:
        return tomlkit.string(value, multiline=True)
    if isinstance(value, tuple):
        return list(value)
    return value


def _trailing(table: Table) -> list[tuple[Any, Item]]:
    """Detach the blank lines and comments at the end of ``table``: they introduce what
    follows it in the document, so new keys go before them."""
    body = table.value.body
    out: list[tuple[Any, Item]] = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace | Comment):
        out.insert(0, body.pop())
    return out


def _set(element: Table | InlineTable, values: dict[str, Any]) -> None:
    trailing = _trailing(element) if isinstance(element, Table) else []
    for key, value in values.items():
        if value is None:
            if key in element:
                del element[key]
        else:
            element[key] = _value(value)
    if isinstance(element, Table):
        element.value.body.extend(trailing)


def _append(doc: Container, name: str, values: dict[str, Any]) -> None:
    array = _array(doc, name, create=True)
    assert array is not None
    present = {k: _value(v) for k, v in values.items() if v is not None}
    if isinstance(array, Array):  # written inline: ``categories = [{...}, ...]``
        inline = tomlkit.inline_table()
        inline.update(present)
        array.append(inline)
        return
    table = tomlkit.table()
    for key, value in present.items():
        table[key] = value
    if len(array):
        last = array[-1]
        trailing = _trailing(last)
        last.value.body.append((None, Whitespace("\n")))
        array.append(table)
        table.value.body.extend(trailing or [(None, Whitespace("\n"))])
    else:
        array.append(table)
        table.value.body.append((None, Whitespace("\n")))


def _remove(doc: Container, name: str, index: int) -> None:
    found = _located(doc, name, create=False)
    if found is None or not 0 <= index < len(found[2]):
        raise EditError(f"{name}.{index}", "no such element")
    parent, key, array = found
    if len(array) == 1:  # the last one: the key goes, not an empty ``key = []`` left behind
        del parent[key]
        return
    if isinstance(array, AoT) and index > 0:
        # Comments that end the removed table introduce what follows it: they stay.
        trailing = _trailing(array[index])
        if any(isinstance(item, Comment) for _, item in trailing):
            while trailing and isinstance(trailing[0][1], Whitespace):
                trailing.pop(0)
            array[index - 1].value.body.extend(trailing)
    del array[index]


def codes(items: Sequence[Any]) -> dict[str, int]:
    """Positions of elements by their ``code``."""
    return {item.code: i for i, item in enumerate(items)}
