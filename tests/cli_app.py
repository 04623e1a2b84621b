"""The whole ``kyphoprep`` app, typed, for the tests that hand it to typer's ``CliRunner``.

``kyphoprep.cli.app`` is the whole app, built on first use by the package's ``__getattr__``;
but the package also has a submodule of that name (``kyphoprep/cli/app.py``), and mypy reads
``from kyphoprep.cli import app`` as that module. The tests import it from here instead, where
the attribute is read as Python reads it and checked to be the app.
"""

from __future__ import annotations

import typer

import kyphoprep.cli


def _whole_app() -> typer.Typer:
    """``kyphoprep.cli.app``, checked: a typer app, not the submodule the name can also mean."""
    built = getattr(kyphoprep.cli, "app")  # noqa: B009 -- the attribute Python sees, not mypy's submodule
    assert isinstance(built, typer.Typer), built
    return built


app = _whole_app()
