"""A ``--catalog`` file's records with every pattern on RE2, so matching them takes linear time whatever they are.

See ``catalog/regex_safety.py`` for why: built-in patterns stay on Python's ``re`` (linted and
timed), a user's run on RE2, which no pattern can make backtrack.
"""

from __future__ import annotations

import dataclasses

from codedeploy_doctor.catalog.records import CauseRecord, Conditions
from codedeploy_doctor.catalog.regex_safety import TextPattern, UnsupportedPattern, linear_pattern


def on_linear_engine(record: CauseRecord) -> CauseRecord:
    """Return ``record`` with every pattern of every condition block compiled for RE2 (a user's record).

    Raises :class:`UnsupportedPattern` naming the pattern when RE2 cannot run it.
    """
    return dataclasses.replace(
        record,
        when=_conditions_on_re2(record.when),
        signals=_conditions_on_re2(record.signals),
        unless=_conditions_on_re2(record.unless),
        any_of=tuple(_conditions_on_re2(block) for block in record.any_of),
    )


def _conditions_on_re2(block: Conditions) -> Conditions:
    def convert(pattern: TextPattern) -> TextPattern:
        try:
            return linear_pattern(pattern.pattern)
        except UnsupportedPattern as error:
            raise UnsupportedPattern(f"pattern {pattern.pattern!r}: {error}") from None

    return dataclasses.replace(
        block,
        patterns=tuple(convert(pattern) for pattern in block.patterns),
        hint_patterns=tuple(convert(pattern) for pattern in block.hint_patterns),
        script_patterns=tuple(convert(pattern) for pattern in block.script_patterns),
        facts=tuple((name, convert(pattern)) for name, pattern in block.facts),
    )
