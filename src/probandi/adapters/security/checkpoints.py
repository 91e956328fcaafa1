"""The checkpoint signing key (Ed25519, a PEM file the database never sees) and the archive."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from probandi.domain.errors import Conflict, InvalidInput


def key_id_of(public_hex: str) -> str:
    """A short, stable name for a public key: the start of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def _public_hex(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


class Ed25519CheckpointKey:
    """Signs checkpoints; made from a PKCS#8 PEM file readable by its owner only."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_hex = _public_hex(private.public_key())
        self.key_id = key_id_of(self.public_hex)

    @classmethod
    def generate(cls, path: Path) -> Ed25519CheckpointKey:
        """Create a new key file (mode 0600); refuses to replace an existing one."""
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise Conflict(
                "a key file already exists at %(path)s; it is never replaced", params={"path": path}
            ) from None
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        return cls(private)

    @classmethod
    def load(cls, path: Path) -> Ed25519CheckpointKey:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise InvalidInput(
                "%(path)s is not an Ed25519 private key",
                field="checkpoint_key",
                params={"path": path},
            )
        return cls(private)

    @classmethod
    def load_or_create(cls, path: Path) -> Ed25519CheckpointKey:
        if path.exists():
            return cls.load(path)
        try:
            return cls.generate(path)
        except Conflict:  # another process created it first
            return cls.load(path)

    def sign(self, data: bytes) -> str:
        return self._private.sign(data).hex()


def signature_holds(public_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether `signature_hex` is the key's Ed25519 signature of `data`."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(signature_hex), data)
    except (InvalidSignature, ValueError):
        return False
    return True


class DirectoryArchive:
    """Append-only: each checkpoint is a new read-only file, never overwritten."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def keep(self, name: str, content: bytes) -> str:
        if "/" in name or name.startswith("."):
            raise InvalidInput("a checkpoint file name is a plain name", field="name")
        self._root.mkdir(parents=True, exist_ok=True)
        path = self._root / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            raise Conflict(
                "checkpoint %(path)s exists; checkpoints are never overwritten",
                params={"path": path},
            ) from None
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        dir_fd = os.open(self._root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return str(path)
