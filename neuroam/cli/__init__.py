"""The ``neuroam`` command line (typer + rich)."""

from .app import app, main

__all__ = ["app", "main"]
