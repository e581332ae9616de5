r"""Catalog patterns that cannot hang a run: a lint for every pattern, and RE2 for a user's.

Python's ``re`` backtracks: a pattern such as ``(a|a)*$``, ``(\w+\s?)+$`` or
``\d*\d*\d*x`` takes exponential or high-polynomial time on a line of a few dozen characters.
Two defences, applied when a catalog is loaded:

- :func:`backtracking_risk`, a lint on the parsed pattern, refuses the shapes that backtrack
  super-linearly or with a large constant: a repeated group holding a repetition (nested
  quantifiers: ``(a+)+``, ``(.*a){25}``), two repetitions that can match the same characters side
  by side (adjacent overlapping quantifiers, bounded or not: ``\d*\d*``, ``\S{0,40}.{0,80}``),
  and a repetition of alternatives that can start with the same character (``(a|a)*``). It runs
  on the built-in catalog and on ``--catalog`` files; the built-in patterns are also timed on
  adversarial input by ``tests/reliability/test_regex_safety.py``.
- a ``--catalog`` file's patterns run on RE2 (:func:`linear_pattern`, the ``google-re2``
  bindings), whose matching time is linear in the text whatever the pattern, so no pattern can
  bypass the bound. RE2 has no look-around and no back-references: a user pattern that needs
  them is refused at load time with that reason.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Protocol


def _stdlib(new: str, old: str) -> Any:
    """The regular-expression parser's module: ``re._parser`` since Python 3.11, ``sre_parse`` before."""
    try:
        return importlib.import_module(new)
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module(old)


_sre: Any = _stdlib("re._constants", "sre_constants")
_parser: Any = _stdlib("re._parser", "sre_parse")


class TextPattern(Protocol):
    """What the matcher needs of a compiled pattern: Python's ``re.Pattern`` and :class:`Re2Pattern` both are one."""

    @property
    def pattern(self) -> str:
        """The pattern's source text."""

    @property
    def groupindex(self) -> Mapping[str, int]:
        """The pattern's named groups and their numbers."""

    @property
    def flags(self) -> int:
        """Python ``re`` flags the pattern is read with (``re.IGNORECASE``...)."""

    def search(self, text: str, /) -> object | None:
        """A match anywhere in ``text``, or None."""

    def fullmatch(self, text: str, /) -> object | None:
        """A match of the whole of ``text``, or None."""

    def __hash__(self) -> int:
        """Patterns are looked up in caches and sets."""


# --- the lint ----------------------------------------------------------------------------------

_REPEATS: Final = frozenset(
    op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
_ZERO_WIDTH: Final = frozenset({_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT})
_GROUPS: Final = frozenset(op for op in (_sre.SUBPATTERN, getattr(_sre, "ATOMIC_GROUP", None)) if op is not None)

# The characters a piece of pattern can match are compared on a sample alphabet: every ASCII
# character and a few others (a letter with an accent, a CJK character, a no-break space).
_ALPHABET: Final = (*(chr(code) for code in range(128)), "é", "日", "\u00a0")
_CATEGORY_TESTS: Final = {
    _sre.CATEGORY_DIGIT: re.compile(r"\d"),
    _sre.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _sre.CATEGORY_SPACE: re.compile(r"\s"),
    _sre.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    _sre.CATEGORY_WORD: re.compile(r"\w"),
    _sre.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


@dataclass(frozen=True)
class _Piece:
    """One element of a parsed sequence, with what the lint needs to know of it."""

    op: Any
    value: Any
    chars: frozenset[str]
    """Sample characters any part of its match can hold."""
    nullable: bool
    """It can match the empty string."""
    repeat_max: int
    """For a repetition: its upper bound (``MAXREPEAT`` when unbounded); 0 otherwise."""
    repeat_min: int = 0
    """For a repetition: its lower bound."""


def backtracking_risk(pattern: str, *, ignore_case: bool = True) -> str | None:
    """Say why ``pattern`` can backtrack super-linearly (or with a large constant), or None when it cannot.

    An invalid pattern is not judged here (the compiler says why it is invalid): None.
    """
    try:
        tree = _parser.parse(pattern, re.IGNORECASE if ignore_case else 0)
    except (re.error, OverflowError, RecursionError):
        return None
    folded = ignore_case or bool(tree.state.flags & re.IGNORECASE)
    try:
        return _risk_in(list(tree), folded)
    except RecursionError:
        return "it nests too deeply to be checked"


def _risk_in(items: Sequence[tuple[Any, Any]], folded: bool) -> str | None:
    pieces = [_piece(op, value, folded) for op, value in _flatten(items)]
    for index, piece in enumerate(pieces):
        if piece.repeat_max > 1:
            body = list(piece.value[2])
            if _holds_repeat(body):
                return "it repeats a repeated group (nested quantifiers, like (a+)+ or (.*a){25})"
            if _overlapping_branches(body, folded):
                return "it repeats alternatives that can start with the same character (like (a|a)*)"
            if piece.repeat_max > piece.repeat_min:
                clash = _overlapping_neighbour(pieces, index)
                if clash is not None:
                    return (
                        "two repetitions side by side can match the same characters (adjacent overlapping "
                        f"quantifiers, like \\d*\\d* or \\S{{0,40}}.{{0,80}}): {clash}"
                    )
        for inner in _children(piece.op, piece.value):
            found = _risk_in(inner, folded)
            if found is not None:
                return found
    return None


def _flatten(items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    r"""The sequence with plain groups opened up, so ``(?:a\s*)\s*`` shows its two repetitions side by side."""
    for op, value in items:
        if op is _sre.SUBPATTERN and not any(sub_op is _sre.BRANCH for sub_op, _ in value[3]):
            yield from _flatten(value[3])
        else:
            yield op, value


def _opened(items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """The sequence with every group opened up (capturing or not), down to repetitions and choices."""
    for op, value in items:
        if op is _sre.SUBPATTERN:
            yield from _opened(value[3])
        elif op in _GROUPS:
            yield from _opened(value)
        else:
            yield op, value


def _children(op: Any, value: Any) -> Iterator[list[tuple[Any, Any]]]:
    if op in _REPEATS:
        yield list(value[2])
    elif op is _sre.SUBPATTERN:
        yield list(value[3])
    elif op in _GROUPS:
        yield list(value)
    elif op is _sre.BRANCH:
        for branch in value[1]:
            yield list(branch)
    elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
        yield list(value[1])
    elif op is getattr(_sre, "GROUPREF_EXISTS", None):
        for branch in value[1:]:
            if branch is not None:
                yield list(branch)


def _holds_repeat(items: Iterable[tuple[Any, Any]]) -> bool:
    for op, value in items:
        if op in _REPEATS and value[1] > 1:
            return True
        if any(_holds_repeat(inner) for inner in _children(op, value)):
            return True
    return False


def _overlapping_branches(body: list[tuple[Any, Any]], folded: bool) -> bool:
    """A choice in a repeated body that two alternatives can make on the same text.

    The parser factors common prefixes out (``(a|a)`` becomes ``a`` then a choice between two
    empty alternatives), so two alternatives that can both match nothing are a clash too.
    """
    for op, value in _opened(body):
        if op is not _sre.BRANCH:
            continue
        branches = [list(branch) for branch in value[1]]
        if sum(_nullable(branch) for branch in branches) > 1:
            return True
        starts = [_first_chars(branch, folded) for branch in branches]
        if any(starts[i] & starts[j] for i in range(len(starts)) for j in range(i + 1, len(starts))):
            return True
    return False


def _overlapping_neighbour(pieces: list[_Piece], index: int) -> str | None:
    """A later repetition reachable from ``pieces[index]`` through pieces that may match nothing, sharing characters with it."""
    here = pieces[index]
    for later in pieces[index + 1 :]:
        if later.op in _ZERO_WIDTH:
            continue
        if later.repeat_max > 1 and here.chars & later.chars:
            shared = "".join(sorted(here.chars & later.chars, key=lambda char: (not char.isalnum(), char)))[:8]
            return f"both can match {shared!r}"
        if not later.nullable:
            return None
    return None


def _piece(op: Any, value: Any, folded: bool) -> _Piece:
    if op in _REPEATS:
        body = list(value[2])
        return _Piece(op, value, _chars(body, folded), value[0] == 0 or _nullable(body), int(value[1]), int(value[0]))
    if op in _ZERO_WIDTH:
        return _Piece(op, value, frozenset(), True, 0)
    return _Piece(op, value, _chars([(op, value)], folded), _nullable([(op, value)]), 0)


def _nullable(items: list[tuple[Any, Any]]) -> bool:
    low, _high = _parser.SubPattern(_parser.State(), items).getwidth()
    return bool(low == 0)


def _first_chars(items: list[tuple[Any, Any]], folded: bool) -> frozenset[str]:
    found: set[str] = set()
    for op, value in items:
        if op in _ZERO_WIDTH:
            continue
        found |= _chars([(op, value)], folded) if op not in _REPEATS else _first_chars(list(value[2]), folded)
        if not _nullable([(op, value)]):
            break
    return frozenset(found)


def _chars(items: Iterable[tuple[Any, Any]], folded: bool) -> frozenset[str]:
    """Sample characters anything in ``items`` can match."""
    found: set[str] = set()
    for op, value in items:
        if op is _sre.LITERAL:
            found |= _cased(chr(value), folded)
        elif op is _sre.NOT_LITERAL:
            found |= {char for char in _ALPHABET if char not in _cased(chr(value), folded)}
        elif op is _sre.ANY:
            found |= set(_ALPHABET) - {"\n"}
        elif op is _sre.IN:
            found |= _set_chars(value, folded)
        else:
            for inner in _children(op, value):
                found |= _chars(inner, folded)
    return frozenset(found)


def _set_chars(items: Sequence[tuple[Any, Any]], folded: bool) -> set[str]:
    negate = any(op is _sre.NEGATE for op, _ in items)
    inside: set[str] = set()
    for op, value in items:
        if op is _sre.LITERAL:
            inside |= _cased(chr(value), folded)
        elif op is _sre.RANGE:
            low, high = value
            inside |= {
                char for char in _ALPHABET if low <= ord(char) <= high or (folded and low <= ord(char.swapcase()[0]) <= high)
            }
        elif op is _sre.CATEGORY and value in _CATEGORY_TESTS:
            inside |= {char for char in _ALPHABET if _CATEGORY_TESTS[value].match(char)}
    return set(_ALPHABET) - inside if negate else inside


def _cased(char: str, folded: bool) -> set[str]:
    return {char, char.lower(), char.upper()} if folded else {char}


# --- RE2 for user patterns ---------------------------------------------------------------------


class UnsupportedPattern(ValueError):
    """A pattern RE2 cannot run (look-around, back-references): it has no linear-time guarantee."""


class Re2Pattern:
    """A case-insensitive pattern run by RE2: matching time linear in the text, whatever the pattern."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._regexp = _re2_compile(source)

    @property
    def pattern(self) -> str:
        """The pattern's source text."""
        return self._source

    @property
    def groupindex(self) -> Mapping[str, int]:
        """The pattern's named groups and their numbers."""
        return dict(self._regexp.groupindex)

    @property
    def flags(self) -> int:
        """Case-insensitive, as every catalog pattern is (in Python ``re`` terms, for tools that parse the source)."""
        return int(re.IGNORECASE)

    def search(self, text: str, /) -> object | None:
        """A match anywhere in ``text``, or None."""
        return self._regexp.search(text)  # type: ignore[no-any-return]

    def fullmatch(self, text: str, /) -> object | None:
        """A match of the whole of ``text``, or None."""
        return self._regexp.fullmatch(text)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Re2Pattern({self._source!r})"


def _re2_compile(source: str) -> Any:
    module = _re2()
    options = module.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        return module.compile(source, options)
    except module.error as error:
        reason = str(error) or "unsupported syntax"
        raise UnsupportedPattern(
            f"RE2, which runs catalog files in linear time, cannot run it ({reason}): "
            "look-around and back-references are not available in a --catalog file"
        ) from None


@cache
def _re2() -> Any:
    import re2  # type: ignore[import-untyped]

    return re2


def linear_pattern(source: str) -> Re2Pattern:
    """Compile a user's pattern for RE2 (case-insensitive), or raise :class:`UnsupportedPattern`."""
    return Re2Pattern(source)
