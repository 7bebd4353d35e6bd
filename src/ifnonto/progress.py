"""Progress display for long commands: a spinner with the current step and the elapsed time (rich), on stderr,
only when stderr is a terminal and the user did not ask for quiet. Piped or quiet runs print nothing here.

    with progress.steps(quiet=args.quiet) as show:
        show("parsing your files")
        ...
        show("running the SHACL shapes")
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence every progress display of this process (the CLI's --quiet)."""
    global _quiet
    _quiet = quiet


def enabled(quiet: bool = False) -> bool:
    stream = sys.stderr
    return not (quiet or _quiet) and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def steps(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Yield a function that names the step now running; the display is removed when the block ends."""
    if not enabled(quiet):
        yield lambda _description: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def show(description: str) -> None:
            bar.update(task, description=description)

        yield show
