"""Progress on stderr while AWS is read: a spinner on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def progress(message: str, *, no_color: bool = False) -> Iterator[None]:
    """Show ``message`` with a spinner on stderr while the block runs (only on a terminal)."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    console = Console(stderr=True, highlight=False, markup=False, no_color=no_color or None)
    with console.status(message, spinner="dots"):
        yield
