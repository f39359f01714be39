"""SM4-GCM secret boxes, key files and the SM3/SM4 primitives underneath them."""

from __future__ import annotations

import base64
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from openipn.secure.secrets import SecretBox, SecretError, create_key_file, sm3_hex

KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
OTHER_KEY = bytes.fromhex("f0e0d0c0b0a090807060504030201000")
SECRET = b"465b5ce8b199b49faa5f0a2ee238a6bc"  # a subscriber K, as stored in the database
AAD = b"subscriber:001010000000001:k"

TOKEN_RE = re.compile(r"sm4gcm1:[0-9a-f]{8}:[A-Za-z0-9_-]+")


def _split(token: str) -> tuple[str, str, bytes]:
    """Take a token apart into prefix, key id and decoded payload."""
    prefix, key_id, payload = token.split(":")
    return prefix, key_id, base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def _join(prefix: str, key_id: str, blob: bytes) -> str:
    """Inverse of :func:`_split`."""
    return f"{prefix}:{key_id}:{base64.urlsafe_b64encode(blob).rstrip(b'=').decode()}"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(KEY)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """Run with a permissive umask to prove create_key_file sets 0600 itself."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# -- the primitives are the real Chinese national algorithms -------------------------------------


def test_sm3_of_abc_matches_gbt_32905_example() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_matches_gbt_32907_example_1() -> None:
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert enc.update(key) + enc.finalize() == bytes.fromhex("681edf34d206965e86b3e94f536e4246")


# RFC 8998 appendix A.1, the SM4-GCM example.
RFC8998_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
RFC8998_IV = bytes.fromhex("00001234567800000000ABCD")
RFC8998_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
RFC8998_PLAINTEXT = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
RFC8998_CIPHERTEXT = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
)
RFC8998_TAG = bytes.fromhex("83DE3541E4C2B58177E065A9BF7B62EC")


def test_sm4_gcm_matches_rfc_8998_example() -> None:
    enc = Cipher(algorithms.SM4(RFC8998_KEY), modes.GCM(RFC8998_IV)).encryptor()
    enc.authenticate_additional_data(RFC8998_AAD)
    assert enc.update(RFC8998_PLAINTEXT) + enc.finalize() == RFC8998_CIPHERTEXT
    assert enc.tag == RFC8998_TAG


def test_box_decrypts_the_rfc_8998_example() -> None:
    """The token layout really is IV || ciphertext || tag under plain SM4-GCM."""
    box = SecretBox(RFC8998_KEY)
    token = _join("sm4gcm1", box.key_id, RFC8998_IV + RFC8998_CIPHERTEXT + RFC8998_TAG)
    assert box.decrypt(token, aad=RFC8998_AAD) == RFC8998_PLAINTEXT


# -- SecretBox ------------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", [b"", b"x", SECRET, bytes(range(256)) * 40])
def test_round_trip(box: SecretBox, plaintext: bytes) -> None:
    token = box.encrypt(plaintext, aad=AAD)
    assert TOKEN_RE.fullmatch(token), token
    assert token.isascii()
    assert box.decrypt(token, aad=AAD) == plaintext


def test_token_layout(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    prefix, key_id, blob = _split(token)
    assert (prefix, key_id) == ("sm4gcm1", box.key_id)
    assert len(blob) == 12 + len(SECRET) + 16
    assert "=" not in token
    assert SECRET.hex() not in token and SECRET.decode() not in token


def test_fresh_iv_every_time(box: SecretBox) -> None:
    tokens = {box.encrypt(SECRET, aad=AAD) for _ in range(200)}
    assert len(tokens) == 200
    assert len({_split(t)[2][:12] for t in tokens}) == 200


def test_empty_aad_is_allowed_but_still_bound(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=b"")
    assert box.decrypt(token, aad=b"") == SECRET
    with pytest.raises(SecretError, match="failed authentication"):
        box.decrypt(token, aad=b"\x00")


def test_aad_mismatch_fails(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    for wrong in (b"subscriber:001010000000002:k", b"subscriber:001010000000001:opc", b""):
        with pytest.raises(SecretError, match="failed authentication"):
            box.decrypt(token, aad=wrong)


def test_any_flipped_bit_fails(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    prefix, key_id, blob = _split(token)
    for index in range(len(blob)):  # IV, ciphertext and tag alike
        damaged = bytearray(blob)
        damaged[index] ^= 0x01
        with pytest.raises(SecretError, match="failed authentication"):
            box.decrypt(_join(prefix, key_id, bytes(damaged)), aad=AAD)


def test_truncated_or_extended_payload_fails(box: SecretBox) -> None:
    prefix, key_id, blob = _split(box.encrypt(SECRET, aad=AAD))
    for altered in (blob[:-1], blob[1:], blob + b"\x00", blob[:12] + blob[13:]):
        with pytest.raises(SecretError, match="failed authentication"):
            box.decrypt(_join(prefix, key_id, altered), aad=AAD)


def test_wrong_key_is_named_by_key_id(box: SecretBox) -> None:
    other = SecretBox(OTHER_KEY)
    token = box.encrypt(SECRET, aad=AAD)
    with pytest.raises(SecretError, match=f"encrypted with key {box.key_id}.*{other.key_id}"):
        other.decrypt(token, aad=AAD)


def test_wrong_key_with_forged_key_id_fails_authentication(box: SecretBox) -> None:
    other = SecretBox(OTHER_KEY)
    prefix, _, blob = _split(box.encrypt(SECRET, aad=AAD))
    with pytest.raises(SecretError, match="failed authentication"):
        other.decrypt(_join(prefix, other.key_id, blob), aad=AAD)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: "", "not a sm4gcm1 token"),
        (lambda t: t.replace("sm4gcm1", "sm4gcm2", 1), "not a sm4gcm1 token"),
        (lambda t: t.replace("sm4gcm1", "aes256gcm", 1), "not a sm4gcm1 token"),
        (lambda t: t.split(":", 1)[1], "not a sm4gcm1 token"),
        (lambda t: t + ":extra", "not a sm4gcm1 token"),
        (lambda t: " " + t, "not a sm4gcm1 token"),
        (lambda t: t.replace(t.split(":")[1], "ABCDEF12", 1), "key id must be 8 lowercase"),
        (lambda t: t.replace(t.split(":")[1], "1234567", 1), "key id must be 8 lowercase"),
        (lambda t: t + "=", "not base64url"),
        (lambda t: t + "==", "not base64url"),
        (lambda t: t[:-3] + "+/" + t[-1], "not base64url"),
        (lambda t: t + " ", "not base64url"),
        (lambda t: t + "\n", "not base64url"),
        (lambda t: t[:-1] + "é", "not base64url"),
        (lambda t: t.rsplit(":", 1)[0] + ":", "not base64url"),
        (lambda t: t.rsplit(":", 1)[0] + ":AAAAA", "not base64url"),  # impossible length
        (lambda t: t.rsplit(":", 1)[0] + ":" + "A" * 36, "too short"),  # 27 bytes < IV + tag
    ],
)
def test_bad_token_format(box: SecretBox, mutate: Callable[[str], str], message: str) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    with pytest.raises(SecretError, match=message):
        box.decrypt(mutate(token), aad=AAD)


def test_bytes_token_is_rejected(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    with pytest.raises(SecretError, match="token must be str"):
        box.decrypt(token.encode(), aad=AAD)  # type: ignore[arg-type]


def test_error_messages_never_leak_key_or_plaintext(box: SecretBox) -> None:
    token = box.encrypt(SECRET, aad=AAD)
    prefix, key_id, blob = _split(token)
    attempts: list[Callable[[], bytes]] = [
        lambda: box.decrypt(token, aad=b"wrong"),
        lambda: box.decrypt(_join(prefix, key_id, blob[:-1]), aad=AAD),
        lambda: SecretBox(OTHER_KEY).decrypt(token, aad=AAD),
        lambda: box.decrypt(token + "!", aad=AAD),
    ]
    for attempt in attempts:
        with pytest.raises(SecretError) as info:
            attempt()
        text = str(info.value) + repr(info.value)
        for secret in (KEY.hex(), KEY.hex().upper(), OTHER_KEY.hex(), SECRET.decode(), repr(KEY)):
            assert secret not in text
        assert info.value.__cause__ is None  # no chained exception carrying internals


def test_key_id_is_a_prefix_of_sm3_of_the_key(box: SecretBox) -> None:
    assert box.key_id == sm3_hex(KEY)[:8]
    assert re.fullmatch(r"[0-9a-f]{8}", box.key_id)
    assert SecretBox(OTHER_KEY).key_id != box.key_id


def test_repr_shows_key_id_not_key(box: SecretBox) -> None:
    for text in (repr(box), str(box), f"{box}", f"{box!r}"):
        assert box.key_id in text
        assert KEY.hex() not in text
        assert repr(KEY) not in text


@pytest.mark.parametrize("key", [b"", bytes(15), bytes(17), bytes(32)])
def test_bad_key_length(key: bytes) -> None:
    with pytest.raises(SecretError, match=f"SM4 key must be 16 bytes, got {len(key)}"):
        SecretBox(key)


def test_text_key_is_rejected() -> None:
    with pytest.raises(SecretError, match="SM4 key must be bytes"):
        SecretBox(KEY.hex())  # type: ignore[arg-type]


def test_bytearray_key_is_copied() -> None:
    """Typed as bytes, but a bytearray (e.g. a buffer the caller will wipe) works too."""
    key = bytearray(KEY)
    box = SecretBox(key)  # type: ignore[arg-type]
    key[:] = bytes(16)  # the caller wiping its buffer must not change the box
    assert SecretBox(KEY).decrypt(box.encrypt(SECRET, aad=AAD), aad=AAD) == SECRET


# -- key files ------------------------------------------------------------------------------------


def test_create_key_file(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "openipn" / "keys" / "secrets.key"
    create_key_file(path)
    content = path.read_text(encoding="ascii")
    assert re.fullmatch(r"[0-9a-f]{32}\n", content)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    box = SecretBox.from_key_file(path)
    assert box.key_id == sm3_hex(bytes.fromhex(content.strip()))[:8]
    assert box.decrypt(box.encrypt(SECRET, aad=AAD), aad=AAD) == SECRET


def test_key_file_is_0600_even_with_a_permissive_umask(tmp_path: Path, umask_zero: None) -> None:
    path = tmp_path / "secrets.key"
    create_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_key_file_gets_a_new_key(tmp_path: Path) -> None:
    create_key_file(tmp_path / "a.key")
    create_key_file(tmp_path / "b.key")
    assert (tmp_path / "a.key").read_text() != (tmp_path / "b.key").read_text()


def test_create_key_file_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    create_key_file(path)
    before = path.read_bytes()
    with pytest.raises(
        SecretError, match="refusing to overwrite existing key file " + re.escape(str(path))
    ):
        create_key_file(path)
    assert path.read_bytes() == before


def test_create_key_file_refuses_existing_non_key_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("important")
    with pytest.raises(SecretError, match="refusing to overwrite"):
        create_key_file(path)
    assert path.read_text() == "important"


def test_create_key_file_refuses_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "secrets.key"
    link.symlink_to(tmp_path / "elsewhere.key")
    with pytest.raises(SecretError, match="refusing to overwrite"):
        create_key_file(link)
    assert not (tmp_path / "elsewhere.key").exists()


def test_missing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.key"
    with pytest.raises(SecretError, match="key file not found: " + re.escape(str(path))):
        SecretBox.from_key_file(path)


def test_key_file_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="is a directory"):
        SecretBox.from_key_file(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_key_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    create_key_file(path)
    path.chmod(0)
    try:
        with pytest.raises(SecretError, match="cannot read key file " + re.escape(str(path))):
            SecretBox.from_key_file(path)
    finally:
        path.chmod(0o600)


def test_key_file_read_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any other OS error is reported with the path and the reason (works as root too)."""
    path = tmp_path / "secrets.key"
    create_key_file(path)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(
        SecretError, match="cannot read key file " + re.escape(str(path)) + ": Permission denied"
    ):
        SecretBox.from_key_file(path)


def test_create_key_file_reports_os_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(SecretError, match="cannot create directory " + re.escape(str(blocker))):
        create_key_file(blocker / "secrets.key")


def test_create_key_file_reports_open_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(SecretError, match=r"cannot create key file .*: Permission denied"):
        create_key_file(tmp_path / "secrets.key")


def test_key_file_accepts_uppercase_and_surrounding_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    path.write_text(f"  {KEY.hex().upper()}\r\n\n")
    assert SecretBox.from_key_file(path).key_id == SecretBox(KEY).key_id


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n",
        KEY.hex()[:-1].encode() + b"\n",  # 31 digits
        KEY.hex().encode() + b"0\n",  # 33 digits
        (KEY.hex() * 2).encode() + b"\n",  # a 256-bit key
        KEY.hex()[:-1].encode() + b"g\n",  # not hex
        KEY.hex()[:16].encode() + b" " + KEY.hex()[16:].encode() + b"\n",  # inner space
        b"0x" + KEY.hex()[2:].encode(),
        KEY,  # raw binary key instead of hex
        "é".encode() * 16,
    ],
)
def test_bad_key_file_content(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "secrets.key"
    path.write_bytes(content)
    with pytest.raises(
        SecretError, match="bad key file " + re.escape(str(path)) + ": expected 32 hex digits"
    ) as info:
        SecretBox.from_key_file(path)
    assert KEY.hex()[:16] not in str(info.value)  # never echo what may be a real key
