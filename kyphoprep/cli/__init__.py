"""The command line: a thin typer layer over the pure core (see ``kyphoprep.cli.application``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyphoprep.cli.application import build_app, main

if TYPE_CHECKING:
    import typer

__all__ = ["app", "build_app", "main"]


def __getattr__(name: str) -> typer.Typer:
    # ``app``, the whole app, is built on first use: ``main()`` builds only the command it runs.
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
