"""Convert the command line's plain option values without loading pydantic (about 80 ms of start-up).

Typer 0.29 converts every option value through a pydantic ``TypeAdapter``, so any command with
a string, path or number option imports pydantic before it runs. The options of cd-doctor are
all plain: strings, paths, lists of paths, a float, an enum. :func:`install` makes Typer convert
a *well-formed* value of those types directly, the way pydantic would (``Path(value)``,
``float(value)``, ``OutputFormat(value)``); any other value, and any other type, still goes to
Typer's own conversion, so a bad value gets Typer's own error message. If Typer's internals are
not what this expects (another version), nothing is changed: start-up is only slower.
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Union, get_args, get_origin

_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""A float spelt plainly (no spaces, no inf or nan: those go to pydantic, to keep its rules)."""


class _NotPlain(ValueError):
    """The value is not one this module converts: let Typer convert it."""


def _unwrap(annotation: Any) -> Any:
    """``X`` for ``Optional[X]``."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(kept) == 1:
            return kept[0]
    return annotation


def _plain(annotation: Any, value: Any) -> Any:
    """The converted value, or :class:`_NotPlain`."""
    annotation = _unwrap(annotation)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        if isinstance(value, (list, tuple)):
            return [_plain(item, element) for element in value]
        raise _NotPlain
    if annotation is str and isinstance(value, str):
        return value
    if annotation is Path and isinstance(value, (str, Path)) and value != "":
        return Path(value)
    if annotation is float and isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        for member in annotation:
            if value is member or value == member.value:
                return member
    raise _NotPlain


def install() -> bool:
    """Make Typer convert plain values directly; True when it was done."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
    except ImportError:
        return False
    original: Callable[[Any], Any] | None = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_cd_doctor_plain", False):
        return original is not None
    typers_own: Callable[[Any], Any] = original

    class PlainRuntimeParam(RuntimeParam):
        """Converts plain values itself, and hands anything else to Typer's own conversion."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return _plain(self.annotation, value)
            except _NotPlain:
                descriptor = self.__dict__["descriptor"]
                return typers_own(descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        if getattr(descriptor, "file_annotation", None) is not None:
            return typers_own(descriptor)
        runtime = PlainRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        object.__setattr__(runtime, "descriptor", descriptor)
        return runtime

    build_runtime_param._cd_doctor_plain = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build_runtime_param)  # noqa: B010 - not an exported name of typer.core
    return True
