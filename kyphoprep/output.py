"""Write an output where the person asked, without ever losing or half-writing a file.

The bytes go to a temporary file in the same folder, are flushed to disk, and
only then take the final name: a crash or Ctrl-C leaves the old file (or no
file), never a truncated one. Without --force an existing file is never
replaced; the final step uses a hard link, which fails if the name was taken in
the meantime, so even a race cannot overwrite.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from kyphoprep.errors import OutputError

STDOUT = "-"


def _already_exists(target: str) -> OutputError:
    return OutputError(f"'{target}' already exists. Add --force to replace it, or choose another name.")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(data: bytes, target: str, *, force: bool) -> None:
    """Write *data* to *target* (``-`` is standard output), atomically."""
    if target == STDOUT:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(target)
    if path.is_dir():
        raise OutputError(f"'{target}' is a folder. Give a file name, such as {path / 'plan.txt'}.")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"The folder '{folder}' does not exist. Create it first or choose another place.")
    if path.exists() and not force:
        raise _already_exists(target)
    try:
        # Closed by the ``with handle`` below; creating it needs its own error message.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(f"Cannot write in '{folder}': {exc.strerror or exc}.") from None
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private (0600); the result gets the usual permissions.
        os.chmod(temporary, 0o666 & ~_current_umask())
        if force:
            os.replace(temporary, path)
        else:
            _place_without_overwrite(temporary, path, target)
    except OSError as exc:
        raise OutputError(f"Cannot write '{target}': {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _place_without_overwrite(temporary: Path, path: Path, target: str) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise _already_exists(target) from None
    except OSError:
        # Some file systems (FAT, some network shares) have no hard links.
        if path.exists():
            raise _already_exists(target) from None
        os.replace(temporary, path)
