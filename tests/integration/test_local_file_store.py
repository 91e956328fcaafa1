"""LocalFileStore against a real directory: the FileStore port's conformance test."""

from __future__ import annotations

import hashlib
import stat
import threading
from pathlib import Path

import pytest

from probandi.adapters.storage.files import LocalFileStore
from probandi.domain.errors import InvalidInput, NotFound
from probandi.services import ports

DATA = b"%PDF-1.7 an invoice for three handbags"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> ports.FileStore:
    return LocalFileStore(tmp_path)


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_put_stores_a_read_only_blob_by_its_sha256(store: ports.FileStore, tmp_path: Path) -> None:
    sha256, created = store.put(DATA)

    assert (sha256, created) == (SHA, True)
    assert store.exists(SHA)
    assert store.read(SHA) == DATA
    path = blob_path(tmp_path, SHA)
    assert files_under(tmp_path) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_second_put_of_the_same_bytes_leaves_the_file_alone(
    store: ports.FileStore, tmp_path: Path
) -> None:
    store.put(DATA)
    before = blob_path(tmp_path, SHA).stat()

    assert store.put(DATA) == (SHA, False)

    after = blob_path(tmp_path, SHA).stat()
    # Same file (inode, bytes); only its time moves, so the orphan sweeper sees it as fresh.
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)
    assert after.st_mtime_ns >= before.st_mtime_ns
    assert files_under(tmp_path) == [blob_path(tmp_path, SHA)]


def test_put_never_overwrites_an_existing_blob(store: ports.FileStore, tmp_path: Path) -> None:
    path = blob_path(tmp_path, SHA)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"whatever is there stays there")

    assert store.put(DATA) == (SHA, False)
    assert path.read_bytes() == b"whatever is there stays there"


def test_concurrent_puts_of_the_same_bytes_make_one_file(
    store: ports.FileStore, tmp_path: Path
) -> None:
    start = threading.Barrier(8)
    results: list[tuple[str, bool]] = []

    def put() -> None:
        start.wait()
        results.append(store.put(DATA))

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(created for _, created in results) == [False] * 7 + [True]
    assert {sha256 for sha256, _ in results} == {SHA}
    assert files_under(tmp_path) == [blob_path(tmp_path, SHA)]
    assert store.read(SHA) == DATA


def test_discard_undoes_a_fresh_put(store: ports.FileStore) -> None:
    store.put(DATA)

    store.discard(SHA)

    assert not store.exists(SHA)
    with pytest.raises(NotFound):
        store.read(SHA)
    assert store.put(DATA) == (SHA, True)


def test_discard_keeps_a_blob_that_another_put_reused(store: ports.FileStore) -> None:
    store.put(DATA)
    store.put(DATA)

    store.discard(SHA)

    assert store.read(SHA) == DATA


def test_discard_of_a_missing_blob_does_nothing(store: ports.FileStore) -> None:
    store.discard(SHA)

    assert not store.exists(SHA)


def test_read_of_a_missing_blob_is_not_found(store: ports.FileStore) -> None:
    with pytest.raises(NotFound):
        store.read(SHA)


@pytest.mark.parametrize(
    "bad", ["", SHA[:63], SHA.upper(), SHA[:62] + "zz", "../" + SHA[3:], SHA + "\n"]
)
def test_malformed_sha256_is_refused(store: ports.FileStore, bad: str) -> None:
    with pytest.raises(InvalidInput):
        store.read(bad)
    with pytest.raises(InvalidInput):
        store.exists(bad)
    with pytest.raises(InvalidInput):
        store.discard(bad)


def test_blobs_are_spread_over_two_directory_levels(store: ports.FileStore, tmp_path: Path) -> None:
    shas = [store.put(b"document %d" % i)[0] for i in range(5)]

    assert files_under(tmp_path) == sorted(blob_path(tmp_path, sha256) for sha256 in shas)
