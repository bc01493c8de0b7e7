"""Terminal output: errors without tracebacks, tables and progress (rich)."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)
from rich.table import Table
from rich.text import Text

from ..errors import NeuroamError

__all__ = ["out", "err", "guarded", "print_error", "print_table", "progress_bar"]

class _Lazy:
    """A rich Console made at each use, so that redirected streams (tests, pipes) are
    honoured; output that is not a terminal gets 200 columns instead of 80."""

    def __init__(self, stderr: bool):
        self.stderr = stderr

    def console(self) -> Console:
        stream = sys.stderr if self.stderr else sys.stdout
        width = None if stream.isatty() else 200
        return Console(file=stream, highlight=False, width=width)

    def print(self, *args, **kwargs) -> None:
        self.console().print(*args, **kwargs)


out = _Lazy(stderr=False)
err = _Lazy(stderr=True)

EXIT_INPUT = 2  #: bad input (any NeuroamError)
EXIT_FAILED = 1  #: the study ran but some runs failed
EXIT_INTERRUPTED = 130  #: Ctrl-C (finished runs are kept for --resume)


def print_error(message: str, title: str = "error") -> None:
    """``error: <message>`` in red, with no markup interpretation of the message."""
    err.print(Text.assemble((f"{title}: ", "bold red"), (message, "red")))


def leave(code: int):
    """Exit with ``code``. Batches still computing in threads of this process (a study
    stopped by an error or Ctrl-C) are abandoned: the process ends at once, as finishing
    them would take as long as they have left and unwinding threads that are inside XLA
    aborts the interpreter. Everything worth keeping (partial files, the lock, no
    half-written results.h5) was settled before this point."""
    busy = [t for t in threading.enumerate() if t.name.startswith("neuroam-batch") and
            t.is_alive()]
    if busy:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code)


def guarded(fn: Callable) -> Callable:
    """Run a command; a NeuroamError prints its message (no traceback) and exits 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NeuroamError as exc:
            print_error(str(exc))
            leave(EXIT_INPUT)
        except KeyboardInterrupt:
            print_error("interrupted. Finished runs are kept; continue with `neuroam run "
                        "SCENARIO --out DIR --resume`.", "stopped")
            leave(EXIT_INTERRUPTED)

    return wrapper


def _numeric(cell: str) -> bool:
    head = cell.split("±")[0].strip()
    try:
        float(head)
        return True
    except ValueError:
        return head in ("–", "", "ok") or head.endswith("failed")


def print_table(header: list[str], rows: list[list[str]], title: str = "") -> None:
    table = Table(title=title or None, header_style="bold", title_justify="left")
    for i, h in enumerate(header):
        numeric = bool(rows) and all(_numeric(r[i]) for r in rows)
        # text columns (labels) keep up to 24 characters however narrow the terminal:
        # the numbers are no use without them
        width = min(24, max([len(r[i]) for r in rows] + [1])) if not numeric else None
        # headers fold rather than end in "…": two keys cut to one prefix read alike
        table.add_column(Text(h), justify="right" if numeric else "left", no_wrap=numeric,
                         min_width=width, overflow="fold")
    for row in rows:
        table.add_row(*[Text(c) for c in row])
    out.print(table)


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool = True) -> Iterator[Callable]:
    """A progress bar over runs; yields the driver's ``progress(event, run, record)``."""
    if not enabled:
        yield lambda *a: None
        return
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), console=err.console(),
                   transient=False)
    task = bar.add_task("runs", total=total)

    def update(event: str, run, record) -> None:
        if event == "start":
            bar.update(task, description=Text(run.describe()[:60]).plain)
        else:
            bar.advance(task)
            if record is not None and not record.ok:
                bar.console.print(Text(f"run {run.run_id} failed: "
                                       f"{record.error.splitlines()[0]}", style="red"))

    with bar:
        yield update
    sys.stderr.flush()
