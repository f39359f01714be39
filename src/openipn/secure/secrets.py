"""SM4-GCM encryption of subscriber credentials at rest.

Secrets such as K and OPc are stored as compact ASCII tokens::

    sm4gcm1:<key_id>:<base64url(IV || ciphertext || tag), no padding>

* ``sm4gcm1`` names the format: SM4 block cipher (GB/T 32907-2016, GM/T 0002-2012) in GCM mode
  (NIST SP 800-38D) with a 96-bit random IV and a 128-bit tag (as in RFC 8998 clause 3.1).
* ``key_id`` is the first 8 hex digits of the SM3 digest (GB/T 32905-2016, GM/T 0004-2012) of
  the key, so a stored token says which key encrypted it without revealing the key.
* The caller's ``aad`` (for example the IMSI and the column name) is authenticated but not
  stored, so a token copied to another subscriber or column fails to decrypt.

The master key lives in a key file holding 32 hex digits and a newline, mode 0600, made by
:func:`create_key_file`.  Error messages never contain a key or a plaintext.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "TOKEN_PREFIX",
    "SecretBox",
    "SecretError",
    "check_new_key_allowed",
    "create_key_file",
    "sm3_hex",
]

TOKEN_PREFIX = "sm4gcm1"
KEY_LEN = 16  # SM4 has a 128-bit key (GB/T 32907 clause 5.1).
IV_LEN = 12  # 96-bit GCM IV, the length SP 800-38D recommends for random IVs.
TAG_LEN = 16  # full 128-bit GCM tag.
KEY_ID_LEN = 8  # hex digits of SM3(key) kept as the key id.

_KEY_HEX = re.compile(r"[0-9a-fA-F]{32}")
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class SecretError(Exception):
    """A key file, key or token problem; the message never includes secret material."""


def sm3_hex(data: bytes) -> str:
    """Return the SM3 digest (GB/T 32905) of ``data`` as 64 lowercase hex digits."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def create_key_file(path: Path) -> None:
    """Write a new random 128-bit key to ``path`` (hex, mode 0600); never overwrite a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SecretError(f"cannot create directory {path.parent}: {exc.strerror}") from None
    try:
        # O_EXCL makes the existence check and the creation one atomic step.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SecretError(f"refusing to overwrite existing key file {path}") from None
    except OSError as exc:
        raise SecretError(f"cannot create key file {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # the mode given to open() is filtered by the umask; be explicit.
        os.write(fd, (os.urandom(KEY_LEN).hex() + "\n").encode("ascii"))
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise SecretError(f"cannot write key file {path}: {exc.strerror}") from None
    os.close(fd)


def check_new_key_allowed(
    path: Path, *, database: str | None, sealed_key_ids: set[str], start_over: bool
) -> None:
    """Refuse a new key where stored data was made with another one; say the way out.

    ``database`` names a database that already holds a schema (None when there is none);
    ``sealed_key_ids`` are the key ids of the credentials it holds; ``start_over`` is the
    user's explicit consent to a new key for a database that holds no credentials.
    """
    restore = f"restore the key file {path} from its backup (or point OPENIPN_KEY_FILE at it)"
    if sealed_key_ids:
        raise SecretError(
            f"secrets key {path} is missing but the database {database} holds subscriber "
            f"credentials sealed with key {', '.join(sorted(sealed_key_ids))}; a new key could "
            f"never read them. {restore}; to start over instead, move the data directory and "
            "the database away"
        )
    if database is not None and not start_over:
        raise SecretError(
            f"secrets key {path} is missing but the database {database} exists (it was set "
            f"up with a key); {restore}, or start over with a new key by `openipn run "
            "--new-secrets-key` or `openipn init --new-secrets-key` (the database holds no "
            "subscriber credentials, none is lost)"
        )


def _b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 4648 clause 5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Strict inverse of :func:`_b64url_encode`; raises ValueError on anything else."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError("not unpadded base64url") from exc


class SecretBox:
    """Encrypts and decrypts secrets with one SM4-GCM master key."""

    __slots__ = ("_algorithm", "_key", "_key_id")

    def __init__(self, key: bytes) -> None:
        """Use ``key``, which must be 16 bytes (SM4-128)."""
        if not isinstance(key, bytes | bytearray):
            raise SecretError(f"SM4 key must be bytes, got {type(key).__name__}")
        if len(key) != KEY_LEN:
            raise SecretError(f"SM4 key must be {KEY_LEN} bytes, got {len(key)}")
        self._key = bytes(key)
        self._algorithm = algorithms.SM4(self._key)
        self._key_id = sm3_hex(self._key)[:KEY_ID_LEN]

    @classmethod
    def from_key_file(cls, path: Path) -> SecretBox:
        """Load the key from a file made by :func:`create_key_file` (32 hex digits)."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SecretError(f"key file not found: {path}") from None
        except IsADirectoryError:
            raise SecretError(f"key file {path} is a directory") from None
        except OSError as exc:
            raise SecretError(f"cannot read key file {path}: {exc.strerror}") from None
        try:
            text = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            text = ""
        if not _KEY_HEX.fullmatch(text):
            # Say what is wrong without echoing the content, which may be a real key.
            raise SecretError(
                f"bad key file {path}: expected 32 hex digits (a 128-bit SM4 key) and a newline"
            )
        return cls(bytes.fromhex(text))

    @property
    def key_id(self) -> str:
        """First 8 hex digits of SM3(key): names the key in tokens without revealing it."""
        return self._key_id

    def __repr__(self) -> str:
        """Show the key id only."""
        return f"SecretBox(key_id={self._key_id!r})"

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> str:
        """Encrypt ``plaintext`` bound to ``aad`` and return an ``sm4gcm1:`` token."""
        iv = os.urandom(IV_LEN)
        enc = Cipher(self._algorithm, modes.GCM(iv)).encryptor()
        enc.authenticate_additional_data(aad)
        ciphertext = enc.update(plaintext) + enc.finalize()
        payload = _b64url_encode(iv + ciphertext + enc.tag)
        return f"{TOKEN_PREFIX}:{self._key_id}:{payload}"

    def decrypt(self, token: str, *, aad: bytes) -> bytes:
        """Return the plaintext of ``token``; SecretError if it is malformed, foreign or forged."""
        if not isinstance(token, str):
            raise SecretError(f"token must be str, got {type(token).__name__}")
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise SecretError(
                f"not a {TOKEN_PREFIX} token: expected '{TOKEN_PREFIX}:<key id>:<data>'"
            )
        _, key_id, payload = parts
        if not _KEY_ID.fullmatch(key_id):
            raise SecretError(
                f"malformed {TOKEN_PREFIX} token: key id must be 8 lowercase hex digits"
            )
        if key_id != self._key_id:
            raise SecretError(
                f"token was encrypted with key {key_id}, but the loaded key is {self._key_id}"
            )
        try:
            blob = _b64url_decode(payload)
        except ValueError:
            raise SecretError(f"malformed {TOKEN_PREFIX} token: data is not base64url") from None
        if len(blob) < IV_LEN + TAG_LEN:
            raise SecretError(f"malformed {TOKEN_PREFIX} token: data is too short")
        iv, ciphertext, tag = blob[:IV_LEN], blob[IV_LEN:-TAG_LEN], blob[-TAG_LEN:]
        dec = Cipher(self._algorithm, modes.GCM(iv, tag)).decryptor()
        dec.authenticate_additional_data(aad)
        try:
            return dec.update(ciphertext) + dec.finalize()
        except InvalidTag:
            raise SecretError(
                "token failed authentication: it was altered, the aad does not match, "
                "or it was made with a different key that has the same key id"
            ) from None
