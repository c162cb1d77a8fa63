"""Writes the HDF5 filter-bomb fixtures of issue 11 (class 3), next to this script. Run by hand, never in CI:

    /work/venv/qml/bin/python make_filter_bombs.py

Provenance: h5py 3.16.0, numpy 1.23.5, Python 3.11 (the qml virtual environment), on 2026-12-03, AMD EPYC
family 25 model 1 (Zen 3 Milan); no randomness (seed not used).

    lzf_bomb.h5   keras2_weights.h5 with bn_add's gamma re-written as one LZF chunk of its 10 floats, and the
                  filter's third parameter (the chunk's uncompressed size, 40) patched to 0x7ffffff0: jhdf
                  0.11.0 allocated that many bytes before decoding
    gzip_bomb.h5  keras2_weights.h5 with bn_add's gamma a deflate-filtered dataset of 10 floats whose one chunk
                  is a zlib stream of 512 MiB of zeros (about 500 KB): jhdf inflated all of it
"""
import os
import shutil
import struct
import zlib

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "keras2_weights.h5")
PATH = "bn_add/bn_add/gamma:0"


def rewrite(target, **kwargs):
    shutil.copy(SRC, target)
    with h5py.File(target, "r+") as f:
        gamma = f[PATH][()]
        del f[PATH]
        d = f["bn_add/bn_add"].create_dataset("gamma:0", data=gamma, chunks=(10,), **kwargs)
        return d.name


lzf = os.path.join(HERE, "lzf_bomb.h5")
rewrite(lzf, compression="lzf")
data = bytearray(open(lzf, "rb").read())
# the filter pipeline message: id 32000 (0x7d00), then name "lzf", then cd_values (..., ..., 40)
at = data.find(b"lzf\x00")
assert at > 0
size_at = data.find(struct.pack("<I", 40), at, at + 64)
assert size_at > 0, "the LZF chunk-size parameter was not found"
data[size_at:size_at + 4] = struct.pack("<I", 0x7FFFFFF0)
open(lzf, "wb").write(bytes(data))

gz = os.path.join(HERE, "gzip_bomb.h5")
shutil.copy(SRC, gz)
with h5py.File(gz, "r+") as f:
    del f[PATH]
    d = f["bn_add/bn_add"].create_dataset("gamma:0", shape=(10,), dtype="f4", chunks=(10,), compression="gzip")
    c = zlib.compressobj(9)
    block = bytes(1 << 20)
    raw = b"".join(c.compress(block) for _ in range(512)) + c.flush()
    d.id.write_direct_chunk((0,), raw, 0)
print(os.path.getsize(lzf), os.path.getsize(gz))
