"""kyphoprep: a dated, plain-language preparation plan for kyphoplasty and vertebroplasty."""

from __future__ import annotations

__version__ = "0.1.0"
