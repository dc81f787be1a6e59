"""Frames over a pipe or socket: an 8-byte length, a JSON header, then the header's blobs.

What comes from a student's process is hostile: every size is capped before anything is
read into memory, and a reader never waits without a deadline.
"""
from __future__ import annotations

import json
import select
import struct
import time

MAX_HEADER = 4 << 20
MAX_BLOB = 64 << 20
MAX_FRAME = 160 << 20


class FrameError(Exception):
    pass


def encode(header: dict, blobs: dict[str, bytes] | None = None) -> bytes:
    blobs = blobs or {}
    data = json.dumps({**header, "blobs": {k: len(v) for k, v in blobs.items()}}).encode()
    return struct.pack(">Q", len(data)) + data + b"".join(blobs.values())


class Reader:
    """Reads frames from a file descriptor (pipe or socket) with a deadline per read."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()
        self.closed = False

    def _fill(self, size: int, deadline: float) -> None:
        import os
        while len(self.buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(self.fd, min(1 << 20, max(size - len(self.buffer), 65536)))
            if not chunk:
                self.closed = True
                raise EOFError
            self.buffer += chunk

    def _take(self, size: int, deadline: float) -> bytes:
        self._fill(size, deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read(self, deadline: float) -> tuple[dict, dict[str, bytes]]:
        """The next frame; TimeoutError past `deadline` (time.monotonic()), EOFError at the end,
        FrameError for anything malformed or oversized (the stream is then unusable)."""
        (length,) = struct.unpack(">Q", self._take(8, deadline))
        if length > MAX_HEADER:
            raise FrameError(f"a header of {length} bytes")
        try:
            header = json.loads(self._take(length, deadline))
        except (UnicodeDecodeError, ValueError):
            raise FrameError("a header that is not JSON") from None
        sizes = header.get("blobs") if isinstance(header, dict) else None
        if not isinstance(sizes, dict) or not all(isinstance(v, int) and 0 <= v <= MAX_BLOB for v in sizes.values()) \
                or sum(sizes.values()) > MAX_FRAME:
            raise FrameError("blobs of a bad size")
        blobs = {str(k): self._take(v, deadline) for k, v in sizes.items()}
        return header, blobs
