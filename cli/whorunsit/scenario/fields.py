"""The building blocks of the declarative scenario format (see ``spec.py``).

A format is written once as nested ``Section``s of ``Field``s; the walker (``walk.py``)
reads YAML by it and the JSON Schema (``jsonschema.py``) is emitted from it. Defaults are
written the way a user would write them ("13w", "50%") and read by the same kind, so
the default a schema shows is exactly the one the loader applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from whorunsit.scenario.kinds import Kind


@dataclass(frozen=True)
class Field:
    key: str
    spec: Spec
    doc: str
    #: the default as a user would write it; None = no value (absent, or derived later)
    default: Any = None
    #: how a derived default is worked out, for the reference and the schema
    default_doc: str = ""
    required: bool = False


@dataclass(frozen=True)
class Section:
    """A mapping with a fixed set of keys."""

    what: str
    doc: str
    fields: tuple[Field, ...]
    #: may carry ``count: N`` to stamp out N copies (inside a MapOf)
    stampable: bool = False

    def field(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


@dataclass(frozen=True)
class MapOf:
    """A mapping from user-chosen names (teams, applications...) to items."""

    what: str
    item: Spec
    doc: str = ""
    #: fewest entries that make sense (a scenario needs a team, an application, a path)
    min_entries: int = 0


@dataclass(frozen=True)
class ListOf:
    item: Spec
    min_items: int = 0
    max_items: int = 10_000


@dataclass(frozen=True)
class Either:
    """A value written either as a scalar (``none``) or as a mapping."""

    scalar: Kind
    mapping: Section


Spec = Union[Kind, Section, MapOf, ListOf, Either]  # noqa: UP007 (a runtime alias)
