"""The ``neuroam`` command: run, validate, schema, list, copy, report, export-netlist."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from ..errors import UnsupportedError
from .console import (EXIT_FAILED, EXIT_INTERRUPTED, err, guarded, leave, out, print_error,
                      print_table, progress_bar)
from .listing import check_what, copy_entry, list_what

__all__ = ["app", "main"]

app = typer.Typer(name="neuroam", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False,
                  help="Simulate energy-based associative memories on ideal and "
                       "hardware implementations, side by side.")

def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("neuroam")
        except PackageNotFoundError:  # a source tree on sys.path, not installed
            from .. import __version__ as v
        typer.echo(f"neuroam {v}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print neuroam's version and exit.")] = False,
) -> None:
    pass


SetOpt = Annotated[Optional[list[str]], typer.Option(
    "--set", "-s", metavar="KEY=VALUE",
    help="Override a scenario value by dotted key, e.g. --set model.n=4 (value read as TOML).")]


def _load(scenario: str, sets: list[str] | None):
    from ..scenario import find_scenario, load_scenario

    return load_scenario(find_scenario(scenario), sets or ())


@app.command()
@guarded
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file (or shipped scenario name).")],
    out_dir: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Output folder (default: results/<scenario name>/).")] = None,
    sets: SetOpt = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted run in --out, keeping its finished runs.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace the results in --out.")] = False,
    workers: Annotated[Optional[int], typer.Option(
        help="Run on a local Dask cluster of N single-threaded worker processes.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        help="Run on an existing Dask cluster (tcp://host:port; default "
             "$DASK_SCHEDULER_ADDRESS when --workers is not given).")] = None,
    threads: Annotated[Optional[int], typer.Option(
        help="Batches run at once in this process (default: one per CPU, at most 4).")]
        = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
):
    """Run a scenario: write DIR/results.h5, DIR/report.md and plots; print a summary."""
    import contextlib
    import os
    import threading

    from ..sweep import run_study
    from ..sweep.distributed import DaskExecutor
    from ..sweep.local import LocalExecutor

    # the report's plotting stack (matplotlib, ~1 s) is imported while the study computes:
    # matplotlib only, which the study never imports (two threads importing one package
    # at once can see it half-initialised: neuroam's own modules load in this thread)
    threading.Thread(target=lambda: __import__("matplotlib.backends.backend_agg"),
                     daemon=True).start()

    if workers is not None and workers < 1:
        raise UnsupportedError(f"--workers {workers}", "a positive number of workers",
                               "Pass --workers 2, say, or leave it out for one process.")
    if threads is not None and threads < 1:
        raise UnsupportedError(f"--threads {threads}", "a positive number of threads",
                               "Pass --threads 1 to run one batch at a time.")
    if scheduler is None and workers is None:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    distributed = scheduler is not None or (workers is not None and workers > 1)

    sc = _load(scenario, sets)
    target = out_dir if out_dir is not None else Path("results") / sc.name
    runs = sc.runs()
    err.print(Text(f"neuroam: {sc.name}: {len(runs)} run(s) -> {target}", style="bold"))
    executor = DaskExecutor(workers=workers, scheduler=scheduler) if distributed \
        else contextlib.nullcontext(LocalExecutor(threads, abandon=True))
    try:
        with executor as ex, progress_bar(len(runs), enabled=progress) as update:
            outcome = run_study(sc, target, overwrite=overwrite, resume=resume,
                                progress=update, executor=ex)
    except KeyboardInterrupt:
        print_error(f"interrupted. Finished batches are kept in {target}; continue with "
                    f"`neuroam run {scenario} --out {target} --resume`"
                    + "".join(f" --set {s!r}" for s in sets or ()) + ".", "stopped")
        leave(EXIT_INTERRUPTED)
    from ..report import make_report, summary_rows, table

    report_error = None
    try:
        written = make_report(outcome.results)
    except Exception as exc:  # noqa: BLE001 - the study is safe in results.h5 already
        report_error, written = f"{type(exc).__name__}: {exc}", []
    header, rows = table(summary_rows(outcome.records), compact=True)
    print_table(header, rows, title=f"{sc.name}: summary")
    if sc.spec.reference:
        from ..report.references import reference_rows
        refs = reference_rows(sc.spec.reference, outcome.records)
        n_ok = sum(r.status == "reproduced" for r in refs)
        out.print(Text(f"published/theoretical values: {n_ok} of {len(refs)} reproduced within "
                       "tolerance (table in report.md)"))
    out.print(Text(f"results: {outcome.results}"))
    if written:
        out.print(Text("report:  " + ", ".join(str(p) for p in written)))
    if outcome.n_skipped:
        out.print(Text(f"resumed: {outcome.n_skipped} finished run(s) kept, "
                       f"{len(outcome.records) - outcome.n_skipped} run now"))
    for r in outcome.failed:
        print_error(f"{r.run_id}: {r.error.splitlines()[0]}", "run failed")
    if report_error:
        print_error(f"the report could not be made ({report_error}). The results are "
                    f"complete in {outcome.results}; remake the report with `neuroam report "
                    f"{outcome.results}`.", "report failed")
    if outcome.failed or report_error:
        raise typer.Exit(EXIT_FAILED)


@app.command()
@guarded
def validate(
    scenario: Annotated[str, typer.Argument(help="Scenario file to check.")],
    sets: SetOpt = None,
):
    """Check a scenario file (and every sweep point) without running it."""
    sc = _load(scenario, sets)
    runs = sc.runs()
    impls = ", ".join(f"{k} ({v.name})" if k != v.name else k
                      for k, v in sc.implementations.items())
    out.print(Text(f"{sc.source}: valid. scenario {sc.name!r}, {len(runs)} run(s): "
                   f"implementations {impls}; seeds {sc.seeds}", style="green"))


@app.command()
@guarded
def schema(
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the schema to this file instead of stdout.")] = None,
):
    """Print the JSON schema of scenario files (for editors)."""
    from ..scenario.schema_export import schema_text

    text = schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        from ..store.writer import output_folder

        output_folder(output.parent, "--output")
        if output.is_dir():
            raise UnsupportedError(f"--output {str(output)!r}, which is a folder",
                                   "a file path for the schema", "Give a file name, e.g. "
                                   f"{output / 'scenario.schema.json'}.")
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UnsupportedError(f"--output {str(output)!r}, which cannot be written "
                                   f"({exc.strerror or exc})", "a writable file path",
                                   "Choose another path or fix its permissions.") from None
        out.print(Text(f"wrote {output}"))


@app.command("list")
@guarded
def list_cmd(
    what: Annotated[str, typer.Argument(
        help="devices, circuits, scenarios or implementations.")],
):
    """List device cards, circuit cards, shipped scenarios or implementations."""
    check_what(what)
    list_what(what)


@app.command()
@guarded
def copy(
    what: Annotated[str, typer.Argument(
        help="scenario, card (a device or circuit card), device or circuit.")],
    name: Annotated[str, typer.Argument(help="Its name, as `neuroam list` shows it.")],
    dest: Annotated[Path, typer.Argument(
        help="The .toml file to write, or else a folder to write NAME.toml in.")],
    overwrite: Annotated[bool, typer.Option(help="Replace DEST if it exists.")] = False,
):
    """Copy a scenario or card (a shipped one, say) to DEST, to edit and use as your own."""
    entry, target = copy_entry(what, name, dest, overwrite=overwrite)
    out.print(Text(f"wrote {target} (a copy of {entry.path}, from the {entry.origin})"))
    if what == "scenario":
        out.print(Text(f"run it with `neuroam run {target}`; the cards it names are looked "
                       "up next to it first, then in the current folder, $NEUROAM_PATH and "
                       "the package."))
    else:
        folder = entry.path.parent.name
        key = "circuit" if folder == "circuits" else "device"
        out.print(Text(f"use it by path ({key} = \"{target}\"), or by the name "
                       f"{target.stem!r} from a {folder}/ folder next to the scenario, in "
                       "the current folder or in $NEUROAM_PATH."))


@app.command()
@guarded
def report(
    results: Annotated[Path, typer.Argument(help="A results.h5 written by `neuroam run`.")],
    out_dir: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Folder for report.md and plots (default: next to the results file).")]
        = None,
):
    """(Re)make report.md and the plots from a results file; print the summary."""
    from ..report import make_report, summary_rows, table
    from ..store import read_records, root_attrs

    attrs = root_attrs(results)
    written = make_report(results, out_dir)
    records = read_records(results, skip=("state", "cues", "final"))
    header, rows = table(summary_rows(records), compact=True)
    print_table(header, rows, title=f"{attrs.get('scenario_name', '')}: summary")
    out.print(Text("report: " + ", ".join(str(p) for p in written)))


from .netlist_cmd import export_netlist  # noqa: E402
app.command("export-netlist")(export_netlist)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``neuroam``)."""
    app(args=argv, prog_name="neuroam")
