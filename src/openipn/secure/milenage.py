"""3GPP MILENAGE authentication and key generation functions.

Implements the example algorithm set of 3GPP TS 35.206 ("Specification of the MILENAGE
algorithm set: Algorithm specification"), clause 4.1, on top of AES-128 as the block cipher
kernel E_K (TS 35.206 clause 3, Rijndael with 128-bit key and block; AES-128 is the same
cipher).  Test data lives in TS 35.207 (implementors' test data) and TS 35.208 (design
conformance test data).

The functions and their outputs (TS 33.102 clause 6.3, TS 35.206 clause 4.1):

* f1  -> MAC-A, network authentication code (64 bits)
* f1* -> MAC-S, resynchronisation authentication code (64 bits)
* f2  -> RES, user response (64 bits)
* f3  -> CK, cipher key (128 bits)
* f4  -> IK, integrity key (128 bits)
* f5  -> AK, anonymity key (48 bits)
* f5* -> AK for resynchronisation (48 bits)

A :class:`Milenage` instance holds one subscriber's K and OPc and keeps one AES-ECB encryptor
for that key, so a full authentication vector costs six single-block AES operations.  Instances
are immutable but the cached encryptor is not thread-safe: use one instance per thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

__all__ = ["Milenage", "MilenageOutput", "compute_opc"]

# Field sizes in bytes (TS 35.206 clause 2.3 / 4.1).
K_LEN = 16
OP_LEN = 16
RAND_LEN = 16
SQN_LEN = 6
AMF_LEN = 2

# TS 35.206 clause 4.1: 128-bit constants c1..c5, shown as integers (c1 is all zeros, c2..c5
# have a single one bit in the least significant positions 127, 126, 125 and 124) ...
_C1 = 0
_C2 = 1
_C3 = 2
_C4 = 4
_C5 = 8
# ... and rotation amounts r1..r5 in bits.  All are multiples of 8, so rot() can work on bytes.
_R1 = 64
_R2 = 0
_R3 = 32
_R4 = 64
_R5 = 96


def _check_len(name: str, value: bytes, size: int) -> bytes:
    """Return ``value`` as bytes, or raise ValueError naming ``name`` if it is not ``size`` long."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    data = bytes(value)
    if len(data) != size:
        raise ValueError(f"{name} must be {size} bytes ({size * 8} bits), got {len(data)} bytes")
    return data


def _new_encryptor(k: bytes) -> CipherContext:
    """Return an AES-128-ECB encryptor for single-block E_K operations (TS 35.206 clause 3)."""
    return Cipher(algorithms.AES(k), modes.ECB()).encryptor()


def _to_int(data: bytes) -> int:
    """Interpret a block as a big-endian integer (bit 0 of the spec is the most significant)."""
    return int.from_bytes(data, "big")


def _to_block(value: int) -> bytes:
    """Encode a 128-bit integer as a 16-byte block."""
    return value.to_bytes(16, "big")


def _rot(block: bytes, bits: int) -> bytes:
    """rot(x, r) of TS 35.206 clause 4.1: cyclic shift of x by r bits towards the MSB."""
    n = bits // 8
    return block[n:] + block[:n]


def compute_opc(k: bytes, op: bytes) -> bytes:
    """Derive OPc = OP XOR E_K(OP) from subscriber key K and operator variant OP (35.206 §4.1)."""
    k = _check_len("k", k, K_LEN)
    op = _check_len("op", op, OP_LEN)
    e_op = _new_encryptor(k).update(op)
    return _to_block(_to_int(e_op) ^ _to_int(op))


@dataclass(frozen=True, slots=True, repr=False)
class MilenageOutput:
    """All MILENAGE outputs for one (RAND, SQN, AMF) challenge."""

    mac_a: bytes
    mac_s: bytes
    res: bytes
    ck: bytes
    ik: bytes
    ak: bytes
    ak_star: bytes

    def __repr__(self) -> str:
        """Hide the values: CK and IK are session keys."""
        return "MilenageOutput(<mac_a, mac_s, res, ck, ik, ak, ak_star hidden>)"


@dataclass(frozen=True, slots=True, repr=False)
class Milenage:
    """MILENAGE f1, f1*, f2, f3, f4, f5 and f5* for one subscriber key K and its OPc."""

    k: bytes = field(repr=False)
    opc: bytes = field(repr=False)
    _enc: CipherContext = field(init=False, repr=False, compare=False)
    _opc_int: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate K and OPc and prepare the reusable AES encryptor."""
        k = _check_len("k", self.k, K_LEN)
        opc = _check_len("opc", self.opc, OP_LEN)
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "opc", opc)
        object.__setattr__(self, "_enc", _new_encryptor(k))
        object.__setattr__(self, "_opc_int", _to_int(opc))

    @classmethod
    def from_op(cls, k: bytes, op: bytes) -> Milenage:
        """Build an instance from K and the operator variant OP, deriving OPc on the way."""
        return cls(k, compute_opc(k, op))

    def __repr__(self) -> str:
        """Never show K or OPc."""
        return "Milenage(<k, opc hidden>)"

    # -- kernel -------------------------------------------------------------------------------

    def _e(self, block: int) -> int:
        """E_K applied to a 128-bit integer, returned as an integer."""
        return _to_int(self._enc.update(_to_block(block)))

    def _temp(self, rand: bytes) -> int:
        """TEMP = E_K(RAND XOR OPc) (TS 35.206 clause 4.1)."""
        rand = _check_len("rand", rand, RAND_LEN)
        return self._e(_to_int(rand) ^ self._opc_int)

    def _out1(self, temp: int, sqn: bytes, amf: bytes) -> bytes:
        """OUT1 = E_K(TEMP XOR rot(IN1 XOR OPc, r1) XOR c1) XOR OPc, IN1 = SQN||AMF||SQN||AMF."""
        sqn = _check_len("sqn", sqn, SQN_LEN)
        amf = _check_len("amf", amf, AMF_LEN)
        in1 = _to_int(sqn + amf + sqn + amf)
        rotated = _to_int(_rot(_to_block(in1 ^ self._opc_int), _R1))
        return _to_block(self._e(temp ^ rotated ^ _C1) ^ self._opc_int)

    def _out(self, temp: int, r: int, c: int) -> bytes:
        """OUTn = E_K(rot(TEMP XOR OPc, rn) XOR cn) XOR OPc for n = 2..5 (TS 35.206 clause 4.1)."""
        rotated = _to_int(_rot(_to_block(temp ^ self._opc_int), r))
        return _to_block(self._e(rotated ^ c) ^ self._opc_int)

    # -- public functions ---------------------------------------------------------------------

    def f1(self, rand: bytes, sqn: bytes, amf: bytes) -> bytes:
        """f1: network authentication code MAC-A = OUT1[0..63]."""
        return self._out1(self._temp(rand), sqn, amf)[:8]

    def f1_star(self, rand: bytes, sqn: bytes, amf: bytes) -> bytes:
        """f1*: resynchronisation authentication code MAC-S = OUT1[64..127]."""
        return self._out1(self._temp(rand), sqn, amf)[8:]

    def f2(self, rand: bytes) -> bytes:
        """f2: user response RES = OUT2[64..127]."""
        return self._out(self._temp(rand), _R2, _C2)[8:]

    def f3(self, rand: bytes) -> bytes:
        """f3: cipher key CK = OUT3."""
        return self._out(self._temp(rand), _R3, _C3)

    def f4(self, rand: bytes) -> bytes:
        """f4: integrity key IK = OUT4."""
        return self._out(self._temp(rand), _R4, _C4)

    def f5(self, rand: bytes) -> bytes:
        """f5: anonymity key AK = OUT2[0..47]."""
        return self._out(self._temp(rand), _R2, _C2)[:6]

    def f5_star(self, rand: bytes) -> bytes:
        """f5*: resynchronisation anonymity key AK = OUT5[0..47]."""
        return self._out(self._temp(rand), _R5, _C5)[:6]

    def f2345(self, rand: bytes) -> tuple[bytes, bytes, bytes, bytes]:
        """Return (RES, CK, IK, AK) with TEMP computed once; the usual HSS/UDM vector path."""
        temp = self._temp(rand)
        out2 = self._out(temp, _R2, _C2)
        return out2[8:], self._out(temp, _R3, _C3), self._out(temp, _R4, _C4), out2[:6]

    def compute(self, rand: bytes, sqn: bytes, amf: bytes) -> MilenageOutput:
        """Run every function for one challenge with six AES operations in total."""
        temp = self._temp(rand)
        out1 = self._out1(temp, sqn, amf)
        out2 = self._out(temp, _R2, _C2)
        return MilenageOutput(
            mac_a=out1[:8],
            mac_s=out1[8:],
            res=out2[8:],
            ck=self._out(temp, _R3, _C3),
            ik=self._out(temp, _R4, _C4),
            ak=out2[:6],
            ak_star=self._out(temp, _R5, _C5)[:6],
        )
