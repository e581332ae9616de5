"""The known-causes catalog: records shipped as data, matched against failure evidence.

Public API: ``builtin_catalog()``, ``load_catalog(extra)``, ``Catalog.match/get/to_cause``,
``format_cause_list``, ``exit_code_meaning``. The records live in ``causes.json`` beside this
module; docs/causes.md is generated from them (``python -m codedeploy_doctor.catalog.docs``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from codedeploy_doctor.catalog.codes import exit_code_meaning
from codedeploy_doctor.catalog.matching import match_all
from codedeploy_doctor.catalog.model import CauseMatch, FailureEvidence
from codedeploy_doctor.catalog.records import (
    CATALOG_FORMAT,
    CatalogFormatError,
    CauseRecord,
    Conditions,
    parse_catalog_document,
)
from codedeploy_doctor.catalog.regex_safety import UnsupportedPattern
from codedeploy_doctor.catalog.user_patterns import on_linear_engine
from codedeploy_doctor.errors import BadInputError
from codedeploy_doctor.files import read_bounded
from codedeploy_doctor.report import Cause

__all__ = [
    "CATALOG_FORMAT",
    "Catalog",
    "CauseMatch",
    "CauseRecord",
    "Conditions",
    "FailureEvidence",
    "builtin_catalog",
    "exit_code_meaning",
    "format_cause_list",
    "load_catalog",
]

BUILTIN_RESOURCE = "causes.json"
"""The data file shipped in this package."""


@dataclass(frozen=True)
class Catalog:
    """An ordered, id-unique set of cause records."""

    records: tuple[CauseRecord, ...]
    """Every record, in catalog order."""
    _by_id: dict[str, CauseRecord] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, CauseRecord] = {}
        for record in self.records:
            if record.id in by_id:
                raise ValueError(f"duplicate cause id {record.id!r}")
            by_id[record.id] = record
        if not any(record.is_catch_all for record in self.records):
            raise ValueError("the catalog has no catch-all generic record (a generic record with no conditions)")
        object.__setattr__(self, "_by_id", by_id)

    def get(self, cause_id: str) -> CauseRecord | None:
        """Return the record with this id, or None."""
        return self._by_id.get(cause_id)

    def match(self, evidence: FailureEvidence) -> list[CauseMatch]:
        """Return the records that explain the failure, best first; never empty.

        Specific records come first (records from ``--catalog`` files before built-in ones, then by
        evidence strength); the list always ends with one generic record (``CauseMatch.generic``)
        that explains the error code, exit code or status.
        """
        return match_all(self.records, evidence)

    def to_cause(self, match: CauseMatch) -> Cause:
        """Build the report's ``Cause`` for a match: text from the record, evidence from the match."""
        record = self._by_id.get(match.cause_id)
        if record is None:
            raise KeyError(f"no cause {match.cause_id!r} in the catalog")
        explanation = record.explanation
        if match.detail:
            explanation = f"{explanation} {match.detail}"
        return Cause(
            id=record.id,
            title=record.title,
            confidence=match.confidence,
            explanation=explanation,
            fix=record.fix,
            evidence=match.evidence,
            docs=record.docs,
            where=record.where,
        )

    def with_records(self, records: tuple[CauseRecord, ...]) -> Catalog:
        """Return a catalog where ``records`` replace same-id records in place; new ones come first."""
        replaced = {record.id: record for record in records}
        kept = tuple(replaced.pop(record.id, record) for record in self.records)
        return Catalog(records=tuple(replaced.values()) + kept)


def _parse_text(text: str, source: str) -> tuple[CauseRecord, ...]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogFormatError(f"{source}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise CatalogFormatError(f"{source}: JSON nested too deeply to be a catalog") from None
    try:
        return parse_catalog_document(document, source)
    except RecursionError:
        raise CatalogFormatError(f"{source}: a record is nested too deeply") from None


MAX_CATALOG_BYTES = 4 * 1024 * 1024
"""A ``--catalog`` file larger than this is refused before it is read."""


@cache
def builtin_catalog() -> Catalog:
    """Return the catalog shipped with cd-doctor (parsed once per process)."""
    text = resources.files(__package__).joinpath(BUILTIN_RESOURCE).read_text(encoding="utf-8")
    return Catalog(records=_parse_text(text, f"built-in {BUILTIN_RESOURCE}"))


def load_catalog(extra: Path | Sequence[Path] | None = None) -> Catalog:
    """Return the built-in catalog plus a user's ``--catalog`` files (any number, in order).

    A user record replaces a built-in (or an earlier file's) record with the same id, and every
    user record ranks before every built-in one whenever both match. Raises ``BadInputError``
    with a one-line reason naming the file and the record.
    """
    builtin = builtin_catalog()
    paths = [extra] if isinstance(extra, Path) else list(extra or ())
    catalog = builtin
    for path in paths:
        catalog = catalog.with_records(_read_user_records(path, builtin))
    return catalog


def _read_user_records(path: Path, builtin: Catalog) -> tuple[CauseRecord, ...]:
    try:
        text = read_bounded(path, limit=MAX_CATALOG_BYTES, what="catalog file").decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadInputError(
            f"cannot read catalog file {path}: {error}", tip="pass a readable UTF-8 JSON file to --catalog"
        ) from None
    try:
        # A user's patterns run on RE2: linear time whatever they are (catalog/regex_safety.py).
        records = tuple(on_linear_engine(record) for record in _parse_text(text, str(path)))
        catch_alls = {record.id for record in builtin.records if record.is_catch_all}
        for record in records:
            if record.id in catch_alls and not record.is_catch_all:
                raise CatalogFormatError(
                    f"{path}: record {record.id!r} replaces the built-in catch-all and must stay generic with no conditions"
                )
        return tuple(dataclasses.replace(record, origin="user") for record in records)
    except UnsupportedPattern as error:
        raise BadInputError(f"{path}: {error}", tip="see docs/causes.md, 'Writing your own records'") from None
    except (CatalogFormatError, ValueError) as error:
        raise BadInputError(str(error), tip="see docs/causes.md, 'Writing your own records'") from None


def format_cause_list(catalog: Catalog) -> list[tuple[str, str]]:
    """List ``(id, title)`` for every record, in catalog order (for ``cd-doctor causes``)."""
    return [(record.id, record.title) for record in catalog.records]
