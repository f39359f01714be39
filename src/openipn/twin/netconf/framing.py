"""NETCONF message framing over SSH (RFC 6242 §4): end-of-message and chunked."""

from __future__ import annotations

import re

END_OF_MESSAGE = b"]]>]]>"  # RFC 6242 §4.3, NETCONF 1.0
END_OF_CHUNKS = b"\n##\n"  # RFC 6242 §4.2
MAX_CHUNK_SIZE = 4_294_967_295  # RFC 6242 §4.2
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # guard against a peer that never ends a message
_CHUNK_HEADER = re.compile(rb"\n#([1-9][0-9]{0,9})\n")


class FramingError(ValueError):
    """The peer broke the framing rules; RFC 6242 §4.2 says to close the session."""


def frame(message: bytes, *, chunked: bool) -> bytes:
    """One message framed for sending: a single chunk in 1.1, the EOM marker in 1.0."""
    if chunked:
        return b"\n#%d\n" % len(message) + message + END_OF_CHUNKS
    return message + END_OF_MESSAGE


class FrameReader:
    """Splits a byte stream into messages; `chunked` may switch after the hello exchange."""

    def __init__(self) -> None:
        self.chunked = False
        self._buffer = bytearray()
        self._chunks = bytearray()  # data of the chunked message read so far

    def feed(self, data: bytes) -> None:
        """Add bytes received from the peer."""
        self._buffer += data
        if len(self._buffer) + len(self._chunks) > MAX_MESSAGE_BYTES:
            raise FramingError(f"message longer than {MAX_MESSAGE_BYTES} bytes")

    def pop(self) -> bytes | None:
        """The next complete message, or None until more bytes arrive."""
        return self._pop_chunked() if self.chunked else self._pop_eom()

    def _pop_eom(self) -> bytes | None:
        end = self._buffer.find(END_OF_MESSAGE)
        if end < 0:
            return None
        message = bytes(self._buffer[:end])
        del self._buffer[: end + len(END_OF_MESSAGE)]
        return message

    def _pop_chunked(self) -> bytes | None:
        while True:
            if self._buffer.startswith(END_OF_CHUNKS):
                del self._buffer[: len(END_OF_CHUNKS)]
                if not self._chunks:
                    raise FramingError("end-of-chunks without a chunk")
                message, self._chunks = bytes(self._chunks), bytearray()
                return message
            header = _CHUNK_HEADER.match(self._buffer)
            if header is None:
                self._check_partial_header()
                return None
            size = int(header.group(1))
            if size > MAX_CHUNK_SIZE:
                raise FramingError(f"chunk size {size} exceeds {MAX_CHUNK_SIZE}")
            start = header.end()
            if len(self._buffer) < start + size:
                return None
            self._chunks += self._buffer[start : start + size]
            del self._buffer[: start + size]

    def _check_partial_header(self) -> None:
        """Fail fast on bytes that can never become a chunk header or end-of-chunks."""
        head = bytes(self._buffer[:13])
        if not head:
            return
        if not re.fullmatch(rb"\n(#([1-9][0-9]{0,9})?|##?)?", head):
            raise FramingError(f"bad chunk header {head!r}")
