"""Named registries: the extension points that downstream apps fill from `AppConfig.ready()`.

An upstream app declares a registry (kinds of course step, publish checks, report kinds, ...)
and asks it at run time what is there; a downstream app registers its own items when Django
loads it. The upstream app never imports the downstream one. Built-in items go through the
same registries, registered first by their own app's `ready()` (INSTALLED_APPS order), so the
order of `items()` is: built-ins, then each downstream app in the order it is installed.

This module imports no app.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class AlreadyRegistered(ValueError):
    """A key was registered twice in the same registry (two apps claiming one name)."""


class Registry(Generic[T]):
    """Items under unique string keys, kept in the order they were registered."""

    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, T] = {}

    def __repr__(self):
        return f"<Registry {self.name}: {', '.join(self._items) or 'empty'}>"

    def register(self, key: str, item: T) -> T:
        """Add `item` under `key`; refuses a key that is already taken. Returns the item."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"{self.name}: a key must be a non-empty string, not {key!r}")
        if key in self._items:
            raise AlreadyRegistered(f"{self.name}: {key!r} is already registered")
        self._items[key] = item
        return item

    def __getitem__(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"{self.name}: nothing registered as {key!r}") from None

    def get(self, key: str, default: T | None = None) -> T | None:
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def keys(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        """(key, item) pairs in the order they were registered."""
        return list(self._items.items())

    def values(self) -> list[T]:
        return list(self._items.values())

    @contextmanager
    def temporary(self):
        """For tests: within the block the registry works on a copy of its items (register
        freely); on leaving, the items it had before come back, whatever was registered."""
        saved = self._items
        self._items = dict(saved)
        try:
            yield self
        finally:
            self._items = saved
