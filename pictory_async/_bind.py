"""Resources bound to a client on first use: ``client.videos`` imports its module then.

``AsyncPictory`` declares each resource as a ``Bound`` attribute. The first access
imports the resource's module, builds the resource with the client and keeps it in the
client's ``__dict__`` (so later accesses are plain attribute reads). ``import
pictory_async`` therefore loads no resource module, and a client copy
(``with_options``) drops what it inherited with ``forget`` so that its resources are its
own.
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, TypeVar, overload

__all__ = ["Bound", "forget"]

R = TypeVar("R")


class Bound(Generic[R]):
    """A resource attribute: ``module.name(client)``, built on first access.

    Args:
        module: The module, relative to the package (``".resources.videos"``).
        name: The resource class in it.
    """

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name
        self._attr = name

    def __set_name__(self, owner: type, attr: str) -> None:
        self._attr = attr

    @overload
    def __get__(self, instance: None, owner: type) -> Bound[R]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> R: ...

    def __get__(self, instance: object | None, owner: type) -> Bound[R] | R:
        if instance is None:
            return self
        cls = getattr(importlib.import_module(self._module, __package__), self._name)
        value: R = cls(instance)
        instance.__dict__[self._attr] = value
        return value


def forget(instance: Any) -> None:
    """Drop the resources ``instance`` has built (a copy's, inherited from its original)."""
    for cls in type(instance).__mro__:
        for attr, value in vars(cls).items():
            if isinstance(value, Bound):
                instance.__dict__.pop(attr, None)
