"""Writes that a reader never sees half-done: one file through a temp file and a rename, and a set of files
(the release) switched as a whole through a staging folder and a commit marker.

A release set is written like this, holding a lock on the target folder (flock on the folder itself):

1. every file is written and fsynced into ``.release-staging/`` (a crash here leaves the old set untouched);
2. ``.release-staging/COMMIT`` lists the file names; its rename is the commit point;
3. each staged file is renamed over its target, then the marker and the staging folder are removed.

``recover_release(folder)`` runs at the start of the next command: a staging folder with a marker is rolled
forward (the renames are repeated for the files still staged), one without a marker is deleted. So after any
interruption the next command sees either the whole old set or the whole new one. Files get the permissions
the umask gives (0644 by default), like any file the user creates.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

STAGING = ".release-staging"
MARKER = "COMMIT"
REASONER_TEMP_PREFIX = "ifnonto-reason-"  # + pid + "-": the reasoner's private temp folder (ifnonto.reason)


def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode())  # mkstemp makes 0600 files; a release is read by other users too
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else "\n"
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


@contextmanager
def release_lock(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the folder's release lock; with ``wait=False`` yield False at once if another process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock; so does the death of the process


def _write_staged(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _roll_forward(folder: Path, staging: Path) -> None:
    names = json.loads((staging / MARKER).read_text(encoding="utf-8"))["files"]
    for name in names:
        if (staging / name).exists():
            os.replace(staging / name, folder / name)
    _fsync_dir(folder)
    (staging / MARKER).unlink()


def _recover_locked(folder: Path) -> str | None:
    staging = folder / STAGING
    outcome = None
    if staging.is_dir():
        if (staging / MARKER).is_file():
            _roll_forward(folder, staging)
            outcome = "completed an interrupted release switch"
        else:
            outcome = "removed the files of an interrupted build (the previous release is unchanged)"
        shutil.rmtree(staging)
    # temp files of single-file writes killed before their rename
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    return outcome


def recover_release(folder: Path) -> str | None:
    """Finish or undo a release switch that a killed process left behind; say which, or None if none was found.
    Does nothing while another process holds the lock (its own switch is under way)."""
    folder = Path(folder)
    if not (folder / STAGING).exists() and not any(folder.glob(".*.tmp")):
        return None
    with release_lock(folder, wait=False) as locked:
        return _recover_locked(folder) if locked else None


def write_all(files: dict[Path, str]) -> None:
    """Replace a set of files in one folder as a whole (see the module's description)."""
    folders = {Path(path).parent for path in files}
    if len(folders) != 1:
        raise ValueError(f"a release set lives in one folder, got {sorted(map(str, folders))}")
    folder = folders.pop()
    mode = _file_mode()
    with release_lock(folder):
        _recover_locked(folder)
        staging = folder / STAGING
        staging.mkdir()
        names = sorted(Path(path).name for path in files)
        for path, text in files.items():
            _write_staged(staging / Path(path).name, text.encode("utf-8"), mode)
        _write_staged(staging / f".{MARKER}.tmp", json.dumps({"files": names}).encode("utf-8"), mode)
        _fsync_dir(staging)
        os.replace(staging / f".{MARKER}.tmp", staging / MARKER)  # the commit point
        _fsync_dir(staging)
        _roll_forward(folder, staging)
        shutil.rmtree(staging)


def remove_orphaned_temp_folders() -> list[Path]:
    """Remove the reasoner's temp folders whose process is gone (killed before it could clean up)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{REASONER_TEMP_PREFIX}*-*"):
        pid = folder.name[len(REASONER_TEMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
