"""Content-addressed blob store on the local file system."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from probandi.domain.errors import InvalidInput, NotFound

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".put-"
_TEMP_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/\.put-[A-Za-z0-9_]+")
# Rollbacks follow their put within seconds; remembering this many recent creations is plenty.
_RECENT_CREATIONS = 10_000


class LocalFileStore:
    """Blobs at root/ab/cd/<sha256>, written once, read-only, never overwritten."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        # sha256 of blobs this process created recently -> whether a later put reused them,
        # so that undoing the first put does not delete a blob another upload now refers to.
        self._recent: OrderedDict[str, bool] = OrderedDict()

    def put(self, data: bytes) -> tuple[str, bool]:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self._path(sha256)
        if self._reuse_existing(sha256, path):
            return sha256, False
        _make_dirs(path.parent)
        temp = _write_temp(path.parent, data)
        try:
            created = self._link(temp, sha256, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        if created:
            _fsync_dir(path.parent)
        return sha256, created

    def read(self, sha256: str) -> bytes:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound("no stored file with this sha256", sha256=sha256) from None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def discard(self, sha256: str) -> None:
        path = self._path(sha256)
        with self._lock:
            if self._recent.pop(sha256, False):
                return
            path.unlink(missing_ok=True)

    def stale_blobs(self, before: datetime) -> list[str]:
        cutoff = before.timestamp()
        return sorted(
            entry.name
            for entry in self._entries()
            if _SHA256.fullmatch(entry.name) and entry.stat().st_mtime < cutoff
        )

    def stale_temp_files(self, before: datetime) -> list[str]:
        cutoff = before.timestamp()
        return sorted(
            os.path.relpath(entry.path, self._root)
            for entry in self._entries()
            if entry.name.startswith(_TEMP_PREFIX) and entry.stat().st_mtime < cutoff
        )

    def remove_stale(self, sha256: str, before: datetime) -> bool:
        path = self._path(sha256)
        # Under the lock that orders puts in this process: a put that reuses the blob
        # refreshes its time first, so it is no longer stale here.
        with self._lock:
            try:
                if path.stat().st_mtime >= before.timestamp():
                    return False
                path.unlink()
            except FileNotFoundError:
                return False
            self._recent.pop(sha256, None)
        return True

    def remove_temp(self, name: str) -> bool:
        if not _TEMP_NAME.fullmatch(name):
            raise InvalidInput("not a temporary file of this store", field="name")
        try:
            (self._root / name).unlink()
        except FileNotFoundError:
            return False
        return True

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        """Every file two directory levels below the root (ab/cd/<name>)."""
        for first in _subdirs(self._root):
            for second in _subdirs(Path(first.path)):
                with os.scandir(second.path) as files:
                    yield from (f for f in files if f.is_file(follow_symlinks=False))

    def _path(self, sha256: str) -> Path:
        # The name becomes a path: anything but 64 lowercase hex digits could escape the root.
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput("a file id is 64 lowercase hex digits (sha256)", field="sha256")
        return self._root / sha256[:2] / sha256[2:4] / sha256

    def _reuse_existing(self, sha256: str, path: Path) -> bool:
        with self._lock:
            if not path.exists():
                return False
            _touch(path)
            self._note_reuse(sha256)
            return True

    def _link(self, temp: str, sha256: str, path: Path) -> bool:
        # A hard link fails if the name exists, so a blob is never replaced, even by
        # another process; the lock orders it against discard within this process.
        with self._lock:
            try:
                os.link(temp, path)
            except FileExistsError:
                _touch(path)
                self._note_reuse(sha256)
                return False
            self._recent[sha256] = False
            while len(self._recent) > _RECENT_CREATIONS:
                self._recent.popitem(last=False)
            return True

    def _note_reuse(self, sha256: str) -> None:
        if sha256 in self._recent:
            self._recent[sha256] = True


def _subdirs(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return [e for e in entries if e.is_dir(follow_symlinks=False) and len(e.name) == 2]
    except FileNotFoundError:
        return []


def _touch(path: Path) -> None:
    # A reused blob is as fresh as a new one: the orphan sweeper judges age by this time,
    # so an upload still on its way to a row keeps the blob it reused.
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)


def _write_temp(directory: Path, data: bytes) -> str:
    fd, temp = tempfile.mkstemp(dir=directory, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o444)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _make_dirs(leaf: Path) -> None:
    if leaf.is_dir():
        return
    leaf.mkdir(parents=True, exist_ok=True)
    # New directory entries must reach the disk too, or a crash loses the blob's path.
    _fsync_dir(leaf.parent)
    _fsync_dir(leaf.parent.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
