"""Model fields whose values are sealed under their case's key.

In memory a sealed field holds plain text (or, for :class:`SealedJSONField`, plain
data); in the database only ``s1:…`` ciphertext. Values are opened lazily on first
read. Writing plain text through ``QuerySet.update`` is refused, so nothing reaches the
database in clear by accident. A case whose key was destroyed (crypto-shredding)
reads back as empty.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.db import models

from tousu.privacy.crypto import SEALED_PREFIX, open_sealed, seal, unwrap

if TYPE_CHECKING:
    _TextBase = models.TextField[Any, Any]
else:
    _TextBase = models.TextField


class Sealed:
    """A value as stored: not opened yet."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


_KEYS: OrderedDict[str, bytes] = OrderedDict()
_KEYS_MAX = 20_000


def _unwrapped(wrapped: str) -> bytes:
    key = _KEYS.get(wrapped)
    if key is None:
        key = unwrap(wrapped)
        _KEYS[wrapped] = key
        if len(_KEYS) > _KEYS_MAX:
            _KEYS.popitem(last=False)
    return key


def case_key(instance: models.Model) -> bytes | None:
    """The key of the case this row belongs to; None once the key was destroyed."""
    case: Any = instance if getattr(instance, "_is_case", False) else instance.case  # type: ignore[attr-defined]
    wrapped: str = case.sealed_key
    return _unwrapped(wrapped) if wrapped else None


class _Descriptor:
    def __init__(self, field: SealedTextField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Sealed):
            key = case_key(instance)
            text = "" if key is None else open_sealed(key, value.token, context=self.field.context)
            value = self.field.decode(text)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class SealedTextField(_TextBase):
    """Text sealed under the case key (identity, contact details, free text)."""

    if TYPE_CHECKING:  # what django-stubs' plugin reads for the attribute types
        _pyi_private_set_type: Any
        _pyi_private_get_type: str

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _Descriptor(self))

    def encode(self, value: Any) -> str:
        return "" if value is None else str(value)

    def decode(self, text: str) -> Any:
        return text

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str) and value.startswith(SEALED_PREFIX):
            return Sealed(value)
        return self.decode(value or "")

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            return value.token
        text = self.encode(value)
        if text == "":
            return ""
        key = case_key(model_instance)
        if key is None:
            raise ValueError("this case's key was destroyed; its personal data cannot be written")
        return seal(key, text, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if isinstance(value, str) and (value == "" or value.startswith(SEALED_PREFIX)):
            return value
        raise ValueError(f"{self.context}: a sealed field cannot be written or searched in clear")


class SealedJSONField(SealedTextField):
    """Structured details (participants, witnesses...) sealed as JSON."""

    if TYPE_CHECKING:
        _pyi_private_set_type: Any
        _pyi_private_get_type: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def encode(self, value: Any) -> str:
        if not value:
            return ""
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def decode(self, text: str) -> Any:
        return json.loads(text) if text else {}
