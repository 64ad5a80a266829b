"""Writes .npz files whose damage shows only in the middle of a member:
truncated.npz (the deflate stream of x.npy stops half way; the sizes agree
with what it holds) and corrupt.npz (an invalid deflate block after the first
half), each of 2000 samples of 64 float32, and mismatch.npz (x with 2000
samples, y with 1999)."""
import io
import struct
import sys
import zlib

import numpy as np


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def write_zip(path, members):
    """members: (name, method, raw bytes, uncompressed size, crc)."""
    out, central = b"", b""
    for name, method, raw, size, crc in members:
        offset = len(out)
        encoded = name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21,
                           crc, len(raw), size, len(encoded), 0) + encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method,
                               0, 0x21, crc, len(raw), size, len(encoded), 0, 0, 0,
                               0, 0, offset) + encoded
    directory = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members),
                                 len(members), len(central), directory, 0)
    with open(path, "wb") as f:
        f.write(out)


def deflate_in_two(data):
    """A raw deflate stream of data whose second half starts a new block on
    a byte boundary, and where that half starts."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    half = len(data) // 2
    first = c.compress(data[:half]) + c.flush(zlib.Z_FULL_FLUSH)
    return first + c.compress(data[half:]) + c.flush(), len(first)


folder = sys.argv[1]
rng = np.random.default_rng(0)
x = npy_bytes(rng.uniform(-1, 1, (2000, 64)).astype(np.float32))
stream, cut = deflate_in_two(x)
crc = zlib.crc32(x)
write_zip(f"{folder}/truncated.npz", [("x.npy", 8, stream[:cut], len(x), crc)])
# Block type 11 (BFINAL = 1) does not exist: inflate fails right there.
corrupt = stream[:cut] + b"\x07" + stream[cut + 1:]
write_zip(f"{folder}/corrupt.npz", [("x.npy", 8, corrupt, len(x), crc)])
y = npy_bytes(rng.uniform(-1, 1, (1999, 64)).astype(np.float32))
write_zip(f"{folder}/mismatch.npz", [("x.npy", 0, x, len(x), crc),
                                     ("y.npy", 0, y, len(y), zlib.crc32(y))])
