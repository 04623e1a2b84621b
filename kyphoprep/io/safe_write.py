"""Write an output where the person asked, without ever losing or half-writing a file.

The bytes go to a temporary file in the same folder, are flushed to disk, and
only then take the final name: a crash or Ctrl-C leaves the old file (or no
file), never a truncated one. Without --force an existing file is never
replaced; the final step uses a hard link, which fails if the name was taken in
the meantime, so even a race cannot overwrite. Even with --force only a regular
file is replaced, never a pipe or a device; and a name that cannot be meant as
a file (empty, blank, ending in '/', with a line break) is refused first.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from kyphoprep.errors import OutputError
from kyphoprep.io.text_rules import has_control, printable

STDOUT = "-"
CLOSED_STREAMS: set[str] = set()
"""``"stdout"`` when the command was started with standard output closed (``>&-``); see cli.main."""
# As for text options: a line break would split "Wrote ..." and hide the real name.
# Longer names, and longer paths, are cut short in messages, so they stay one readable line.
PART_SHOWN_MAX = 100
SHOWN_MAX = 400
TEMP_NAME_MAX = 40  # characters of the final name kept in the temporary file's name


def shown(path: str | Path) -> str:
    """*path* for a message, on one line: control characters as '?', very long names cut short."""
    text = str(path)
    text = printable(text)
    parts = [_cut(part, PART_SHOWN_MAX) for part in text.split("/")]
    return _cut("/".join(parts), SHOWN_MAX)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit * 3 // 4]}...{text[-(limit // 5) :]}"


def cannot(what: str, exc: OSError) -> OutputError:
    """*what* ("write 'plan.txt'", "write in 'plans'") failed; the reason, and how to fix it when known."""
    message = f"Cannot {what}: {exc.strerror or exc}."
    if exc.errno == errno.ENAMETOOLONG:
        message += " Choose a shorter name."
    return OutputError(message)


def _already_exists(target: str) -> OutputError:
    return OutputError(f"'{target}' already exists. Add --force to replace it, or choose another name.")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _stat(path: str | Path) -> os.stat_result | None:
    """What *path* is (following links), or None if nothing is there; OSError for anything else."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _refuse_special(info: os.stat_result, target: str) -> None:
    """Only a regular file is ever replaced: never a pipe or a device (/dev/null), even with --force."""
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"'{shown(target)}' is {_kind(info.st_mode)}, not a file; kyphoprep never writes over one, "
            "even with --force. Choose another name."
        )


SYSTEM_FOLDERS = ("/dev", "/proc", "/sys")
"""Folders of the operating system, not of a person: kyphoprep never makes or renames a file there."""


def _refuse_link(path: Path, target: str) -> None:
    """A link is never written through or replaced, even with --force (``-o /dev/stdout`` is one)."""
    if not os.path.islink(path):
        return
    try:
        points_to = os.readlink(path)
    except OSError:
        points_to = "?"
    if not os.path.exists(path):
        raise OutputError(
            f"'{shown(target)}' is a link to '{shown(points_to)}', which does not exist; kyphoprep never "
            "writes through a link. Give the name of a real file or folder."
        )
    raise OutputError(
        f"'{shown(target)}' is a link (to '{shown(points_to)}'); kyphoprep never replaces a link, even "
        "with --force. "
        + (
            "To show the plan on the screen, leave out -o (or give -o -)."
            if str(path) in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
            else "Give the real file's name instead, or another name."
        )
    )


def _refuse_system_folder(folder: Path, target: str) -> None:
    real = os.path.realpath(folder)
    for system in SYSTEM_FOLDERS:
        if real == system or real.startswith(system + "/"):
            raise OutputError(
                f"'{shown(target)}' is in {system}, a folder of the operating system; kyphoprep never "
                "writes files there. Choose a folder of your own."
            )


def check_name(target: str) -> None:
    """Refuse a file name that cannot be right whatever is on disk: empty, blank, or with a line break."""
    if has_control(target):
        raise OutputError(
            f"The file name '{shown(target)}' contains a line break or control character; "
            "type it on one line."
        )
    if not target:
        raise OutputError("The file name is empty. Give a file name, such as plan.txt.")
    if not target.strip():
        raise OutputError("The file name is only spaces. Give a file name, such as plan.txt.")


def _check_folder(folder: Path, path: Path) -> None:
    """Refuse a folder that is missing, or that is really a file."""
    for place in (folder, *folder.parents):
        try:
            info = _stat(place)
        except OSError as exc:
            raise cannot(f"write in '{shown(folder)}'", exc) from None
        if info is None:
            continue
        if not stat.S_ISDIR(info.st_mode):
            raise OutputError(
                f"'{shown(place)}' is a file, not a folder. Choose another place, such as "
                f"{shown(place.parent / path.name)}."
            )
        if place == folder:
            return
        break
    raise OutputError(
        f"The folder '{shown(folder)}' does not exist. Create it first or choose another place."
    )


def check_target(target: str, *, force: bool) -> Path:
    """The path to write *target* to, once it is sure to be a file kyphoprep may write; else OutputError."""
    check_name(target)
    path = Path(target)
    _refuse_link(path, target)
    try:
        info = _stat(path)
    except OSError as exc:
        raise cannot(f"write '{shown(target)}'", exc) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(
            f"'{shown(target)}' is a folder. Give a file name, such as {shown(path / 'plan.txt')}."
        )
    name = os.path.basename(target)  # not path.name: Path drops a final '/' or '/.'
    if name in ("", ".", ".."):
        if target.endswith(("/", os.sep)):
            reason = "ends in a slash, so it names a folder, not a file"
        else:
            reason = "names a folder, not a file"
        raise OutputError(
            f"'{shown(target)}' {reason}. Give a file name, such as {shown(path / 'plan.txt')}."
        )
    if not name.strip():
        raise OutputError(
            f"The file name at the end of '{shown(target)}' is only spaces. Give a file name, such as "
            f"{shown(path.parent / 'plan.txt')}."
        )
    if info is not None:
        _refuse_special(info, target)
        if not force:
            raise _already_exists(shown(target))
    _check_folder(path.parent, path)
    _refuse_system_folder(path.parent, target)
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(data: bytes, target: str, *, force: bool) -> None:
    """Write *data* to *target* (``-`` is standard output), atomically."""
    if target == STDOUT:
        if "stdout" in CLOSED_STREAMS:
            raise OutputError(
                "Standard output is closed, so the plan cannot be shown. Give -o FILE to write it to a file."
            )
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader stopped reading: cli.main ends quietly
        except OSError as exc:
            raise cannot("write to standard output", exc) from None
        return
    write_output_with(lambda handle: handle.write(data), target, force=force)


def write_output_with(fill: Callable[[IO[bytes]], object], target: str, *, force: bool) -> None:
    """Write what *fill* writes to the open file it is given to the file *target*, atomically.

    For an output too large to hold in memory at once (the batch's print file); as ``write_output``,
    the file takes its name only once it is whole, and replaces another only with *force*.
    """
    path = check_target(target, force=force)
    folder = path.parent
    try:
        # Closed by the ``with handle`` below; creating it needs its own error message.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=folder, prefix=f".{path.name[:TEMP_NAME_MAX]}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise cannot(f"write in '{shown(folder)}'", exc) from None
    temporary = Path(handle.name)
    try:
        with handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private (0600); the result gets the usual permissions.
        os.chmod(temporary, 0o666 & ~_current_umask())
        if force:
            # Again, just before: a link, pipe or device put there meanwhile is not replaced either.
            _refuse_link(path, target)
            info = _stat(path)
            if info is not None:
                _refuse_special(info, target)
            os.replace(temporary, path)
        else:
            _place_without_overwrite(temporary, path, shown(target))
    except OSError as exc:
        raise cannot(f"write '{shown(target)}'", exc) from None
    finally:
        with contextlib.suppress(OSError):
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
