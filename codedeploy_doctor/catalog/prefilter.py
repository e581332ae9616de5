"""Skip the catalog patterns that cannot match a text, from the literal words each one needs.

Matching one failure ran every pattern of the catalog (about 400) over every line of its log
tail: about 8 ms for a 2 KB tail. Most patterns need some literal text to match at all
(``no space left on device`` needs exactly that; ``hook execution (?:failed|failure)`` needs
``hook execution fail``). Each pattern's *needed literals* are worked out once from its parsed
form: a set of strings at least one of which occurs in any text the pattern matches. A text
that holds none of them cannot match the pattern, so it is not searched. The check is
conservative: a pattern whose needs cannot be worked out (or are shorter than
:data:`MIN_LITERAL` characters) is always searched, so the matches found are exactly the
ones a full search finds (the tests compare both on the catalog's cases and the fixtures).

Case: the catalog's patterns are case-insensitive, so needed literals are lower-cased and the
text is folded the way the regular expression engine compares characters (an ASCII text is
just lower-cased; a non-ASCII character that the engine takes for an ASCII letter, such as the
Kelvin sign for ``k``, is replaced by it).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Final

from codedeploy_doctor.catalog.regex_safety import TextPattern

MIN_LITERAL: Final = 3
"""Needed literals shorter than this are not worth checking: the pattern is always searched."""

MAX_ALTERNATIVES: Final = 32
"""Above this many alternative spellings a run of literals is cut rather than multiplied out."""

MAX_CLASS: Final = 6
"""A character class of at most this many single characters is spelt out into alternatives."""

_Needs = frozenset[str] | None


def _parser() -> Any:
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # Python 3.10
        return importlib.import_module("sre_parse")


_PARSER: Final = _parser()
_C: Final = importlib.import_module("re._constants" if _PARSER.__name__ == "re._parser" else "sre_constants")
_REPEATS: Final = tuple(op for op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)) if op is not None)
_ATOMIC_GROUP: Final = getattr(_C, "ATOMIC_GROUP", object())


def _better(current: _Needs, candidate: _Needs) -> _Needs:
    """The more selective of two necessary literal sets (longest shortest member, then fewest members)."""
    if not candidate or min(len(item) for item in candidate) < MIN_LITERAL:
        return current
    if current is None:
        return candidate
    rank = (min(len(item) for item in candidate), -len(candidate))
    return candidate if rank > (min(len(item) for item in current), -len(current)) else current


def _class_chars(items: Sequence[tuple[Any, Any]]) -> list[str] | None:
    """The characters of a class made only of a few plain ASCII characters, else None."""
    chars: list[str] = []
    for op, value in items:
        if op is not _C.LITERAL or value >= 128:
            return None
        chars.append(chr(value).lower())
    return chars if len(chars) <= MAX_CLASS else None


def _spellings(parsed: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """Every text a purely literal sequence can match (a small finite set), else None."""
    spelt: set[str] = {""}
    for op, value in parsed:
        choices: Iterable[str] | None
        if op is _C.LITERAL and value < 128:
            choices = (chr(value).lower(),)
        elif op is _C.IN:
            choices = _class_chars(value)
        elif op is _C.SUBPATTERN:
            choices = _spellings(value[-1])
        elif op is _C.BRANCH:
            choices = set()
            for branch in value[1]:
                inner = _spellings(branch)
                if inner is None:
                    return None
                choices |= inner
        elif op is _C.AT:
            continue
        else:
            return None
        if choices is None:
            return None
        spelt = {head + tail for head in spelt for tail in choices}
        if len(spelt) > MAX_ALTERNATIVES:
            return None
    return spelt


def _needs_of(parsed: Iterable[tuple[Any, Any]]) -> _Needs:
    """A set of literals one of which occurs in every match of the sequence (None: unknown)."""
    best: _Needs = None
    run: set[str] = {""}

    def close() -> None:
        nonlocal best, run
        best = _better(best, frozenset(run))
        run = {""}

    for op, value in parsed:
        choices: set[str] | None = None
        if op is _C.AT:
            continue  # zero-width: the characters on both sides are adjacent
        if op is _C.LITERAL and value < 128:
            choices = {chr(value).lower()}
        elif op is _C.IN:
            chars = _class_chars(value)
            choices = set(chars) if chars is not None else None
        elif op in (_C.SUBPATTERN, _C.BRANCH):
            choices = _spellings([(op, value)])
        if choices is not None and len(run) * len(choices) <= MAX_ALTERNATIVES:
            run = {head + tail for head in run for tail in choices}
            continue
        close()
        if op is _C.SUBPATTERN:
            best = _better(best, _needs_of(value[-1]))
        elif op is _C.BRANCH:
            inner = [_needs_of(branch) for branch in value[1]]
            if all(item is not None for item in inner):
                best = _better(best, frozenset().union(*(item for item in inner if item is not None)))
        elif op in _REPEATS and value[0] >= 1:
            best = _better(best, _needs_of(value[2]))
        elif op is _ATOMIC_GROUP:
            best = _better(best, _needs_of(value))
    close()
    return best


@lru_cache(maxsize=4096)
def needed_literals(pattern: TextPattern) -> frozenset[str] | None:
    """Lower-cased literals one of which every match of ``pattern`` contains; None when unknown."""
    # A pattern without ``flags`` is a user's RE2 pattern, which always ignores case.
    return _needed_literals(pattern.pattern, int(getattr(pattern, "flags", re.IGNORECASE)))


@lru_cache(maxsize=4096)
def _needed_literals(source: str, flags: int) -> frozenset[str] | None:
    try:
        parsed = _PARSER.parse(source, flags)
    except Exception:  # noqa: BLE001 - an unparsable pattern is simply always searched
        return None
    return _needs_of(parsed)


_FOLDS: dict[str, str] = {}


def _fold_char(char: str) -> str:
    """The ASCII letter the engine takes ``char`` for when ignoring case, or ``char`` lower-cased."""
    folded = _FOLDS.get(char)
    if folded is None:
        folded = next(
            (letter for letter in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(letter, char, re.IGNORECASE)),
            char.lower(),
        )
        _FOLDS[char] = folded
    return folded


def fold(text: str) -> str:
    """``text`` as the literals are compared with it: lower-cased, engine case equivalents made ASCII."""
    if text.isascii():
        return text.lower()
    return "".join(char.lower() if char.isascii() else _fold_char(char) for char in text)


class _Scanner:
    """Finds, in one pass of one expression, which of a known set of literals occur in a text.

    The literals are compiled into one expression shaped like a trie (``con(?:nect(?:ion)?|fig)``)
    inside a lookahead, so each position yields the longest literal starting there; every
    literal that is a prefix of it starts there too.
    """

    def __init__(self, literals: frozenset[str]) -> None:
        self.literals = literals
        ordered = sorted(literals)
        self._prefixes = {word: frozenset(other for other in ordered if word.startswith(other)) for word in ordered}
        self._expression = re.compile(f"(?=({_trie(ordered)}))", re.DOTALL) if ordered else None

    def present(self, text: str) -> frozenset[str]:
        """The literals that occur in ``text`` (already folded)."""
        if self._expression is None:
            return frozenset()
        found: set[str] = set()
        for longest in set(self._expression.findall(text)):
            found |= self._prefixes[longest]
        return frozenset(found)


def _trie(words: Sequence[str]) -> str:
    """An expression matching exactly ``words``, longest first at each branch, shaped like their trie."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends_here = "" in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends_here else body

    return emit(root)


class PatternIndex:
    """Which of many patterns may match a text, found from the literals present in one pass."""

    def __init__(self, patterns: Iterable[TextPattern]) -> None:
        self.patterns = tuple(dict.fromkeys(patterns))
        self.always: frozenset[int] = frozenset()
        always: set[int] = set()
        self._by_literal: dict[str, list[int]] = {}
        for number, pattern in enumerate(self.patterns):
            needs = needed_literals(pattern)
            if needs is None:
                always.add(number)
            else:
                for literal in needs:
                    self._by_literal.setdefault(literal, []).append(number)
        self.always = frozenset(always)
        self.patterns_set = frozenset(self.patterns)
        self.scanner = _Scanner(frozenset(self._by_literal))

    def numbers(self, text: str) -> list[int]:
        """Positions (in :attr:`patterns`) of the patterns that may match ``text`` (folded), in order."""
        chosen = set(self.always)
        for literal in self.scanner.present(text):
            chosen.update(self._by_literal[literal])
        return sorted(chosen)


_index: PatternIndex | None = None
"""The catalog's patterns, once :func:`prime` was called; until then nothing is filtered."""


def prime(patterns: Iterable[TextPattern]) -> PatternIndex:
    """Filter from now on, knowing these patterns (every pattern of the catalog in use).

    Working out the needed literals of 400 patterns costs about 0.1 s, paid back after a few
    dozen failures matched: a diagnosis calls this only when it has many distinct failures to
    match. Patterns not given here are still filtered correctly, one substring search per literal.
    Returns the index of every pattern known so far.
    """
    global _index
    known = _index.patterns if _index is not None else ()
    wanted = tuple(dict.fromkeys((*known, *patterns)))
    if _index is None or wanted != known:
        _index = PatternIndex(wanted)
        _examined.cache_clear()
    return _index


@lru_cache(maxsize=1024)
def _examined(lines: tuple[str, ...]) -> tuple[str, frozenset[TextPattern]]:
    text = fold("\n".join(lines))
    index = _index
    if index is None:
        return text, frozenset()
    return text, frozenset(index.patterns[number] for number in index.numbers(text))


def candidates(patterns: tuple[TextPattern, ...], lines: tuple[str, ...]) -> tuple[TextPattern, ...]:
    """The patterns that may match some line of ``lines``: every one that does, and maybe a few more.

    Before :func:`prime` every pattern is kept (nothing is worked out for a diagnosis of a few failures).
    """
    if not lines or not patterns:
        return ()
    index = _index
    if index is None:
        return patterns
    text, possible = _examined(lines)
    kept: list[TextPattern] = []
    for pattern in patterns:
        if pattern in possible:
            kept.append(pattern)
        elif pattern not in index.patterns_set:
            needs = needed_literals(pattern)
            if needs is None or any(literal in text for literal in needs):
                kept.append(pattern)
    return tuple(kept)
