"""Progress on stderr while AWS is read: a spinner on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def progress(message: str) -> Iterator[None]:
    """Show ``message`` with a spinner on stderr while the block runs (only on a terminal)."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    console = Console(stderr=True, highlight=False, markup=False)
    with console.status(message, spinner="dots"):
        yield
