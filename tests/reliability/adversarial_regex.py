"""Adversarial inputs for a regular expression, built from its own tokens.

A backtracking pattern is slow on text that almost matches it again and again: its literal
words and a character of each of its classes, repeated. For each pattern this builds 64 KB
lines from those tokens (each token alone, every prefix of the token sequence, with and
without spaces), none of them ending the match, so a search has to try every start.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:
    import re._constants as _sre
    import re._parser as _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

SIZE = 64 * 1024
"""Characters of each adversarial line."""

_CATEGORY_SAMPLE = {
    _sre.CATEGORY_DIGIT: "7",
    _sre.CATEGORY_NOT_DIGIT: "a",
    _sre.CATEGORY_SPACE: " ",
    _sre.CATEGORY_NOT_SPACE: "a",
    _sre.CATEGORY_WORD: "a",
    _sre.CATEGORY_NOT_WORD: ".",
}


def tokens(pattern: str) -> list[str]:
    """The pattern's literal runs and one character of each class, in pattern order."""
    found: list[str] = []
    _walk(list(_parser.parse(pattern, re.IGNORECASE)), found)
    return [token for token in found if token]


def _walk(items: list[tuple[Any, Any]], found: list[str]) -> None:
    run = ""
    for op, value in items:
        char = _one_char(op, value)
        if char is not None:
            run += char
            continue
        found.append(run)
        run = ""
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) or op is getattr(_sre, "POSSESSIVE_REPEAT", None):
            _walk(list(value[2]), found)
        elif op is _sre.SUBPATTERN:
            _walk(list(value[3]), found)
        elif op is _sre.BRANCH:
            for branch in value[1]:
                _walk(list(branch), found)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            _walk(list(value[1]), found)
    found.append(run)


def _one_char(op: Any, value: Any) -> str | None:
    if op is _sre.LITERAL:
        return chr(value)
    if op is _sre.ANY:
        return "a"
    if op is _sre.NOT_LITERAL:
        return "a" if chr(value) != "a" else "b"
    if op is _sre.IN:
        negate = any(item_op is _sre.NEGATE for item_op, _ in value)
        for item_op, item in value:
            if negate:
                return "a" if ("a" not in str(value)) else "z"
            if item_op is _sre.LITERAL:
                return chr(item)
            if item_op is _sre.RANGE:
                return chr(item[0])
            if item_op is _sre.CATEGORY:
                return _CATEGORY_SAMPLE.get(item, "a")
    return None


def adversarial_lines(pattern: str, size: int = SIZE) -> Iterator[tuple[str, str]]:
    """(name, line) pairs: each about ``size`` characters of the pattern's tokens repeated."""
    words = tokens(pattern) or ["a"]
    unit_list: list[tuple[str, str]] = []
    for index, word in enumerate(dict.fromkeys(words)):
        unit_list.append((f"token {index} repeated", word))
    for end in range(1, len(words) + 1):
        unit_list.append((f"first {end} tokens", "".join(words[:end])))
        unit_list.append((f"first {end} tokens, spaced", " ".join(words[:end]) + " "))
    seen: set[str] = set()
    for name, unit in unit_list:
        if unit in seen:
            continue
        seen.add(unit)
        yield name, (unit * (size // len(unit) + 1))[:size]
