"""The command line: a thin typer layer over the pure core (see ``kyphoprep.cli.app``)."""

from __future__ import annotations

from kyphoprep.cli.app import app, main

__all__ = ["app", "main"]
