"""``python -m kyphoprep`` runs the command-line tool."""

from __future__ import annotations

from kyphoprep.cli import main

main()
