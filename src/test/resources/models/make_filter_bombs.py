"""Writes the HDF5 filter-bomb fixtures of issue 11 (class 3), next to this script. Run by hand, never in CI:

    /work/venv/qml/bin/python make_filter_bombs.py

Provenance: h5py 3.16.0, numpy 1.23.5, Python 3.11 (the qml virtual environment), on 2026-12-03, AMD EPYC
family 25 model 1 (Zen 3 Milan); no randomness (seed not used).

    lzf_bomb.h5   keras2_weights.h5 with bn_add's gamma re-written as one LZF chunk of its 10 floats, and the
                  filter's third parameter (the chunk's uncompressed size, 40) patched to 0x7ffffff0: jhdf
                  0.11.0 allocated that many bytes before decoding
    gzip_bomb.h5  keras2_weights.h5 with bn_add's gamma a deflate-filtered dataset of 10 floats whose one chunk
                  is a zlib stream of 512 MiB of zeros (about 500 KB): jhdf inflated all of it
    lzf_bomb_model.h5, gzip_bomb_model.h5
                  the same two bombs in keras2_model.h5 (a full model, which the command line loads), used by
                  tools/hostile-check.sh
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
MODEL = os.path.join(HERE, "keras2_model.h5")
MODEL_PATH = "model_weights/bn_add/bn_add/gamma:0"


def lzf_bomb(src, path, target):
    shutil.copy(src, target)
    with h5py.File(target, "r+") as f:
        gamma = f[path][()]
        group = f[path.rsplit("/", 1)[0]]
        del f[path]
        group.create_dataset("gamma:0", data=gamma, chunks=(10,), compression="lzf")
    data = bytearray(open(target, "rb").read())
    # the filter pipeline message: id 32000 (0x7d00), then name "lzf", then cd_values (..., ..., 40)
    at = data.find(b"lzf\x00")
    assert at > 0
    size_at = data.find(struct.pack("<I", 40), at, at + 64)
    assert size_at > 0, "the LZF chunk-size parameter was not found"
    data[size_at:size_at + 4] = struct.pack("<I", 0x7FFFFFF0)
    open(target, "wb").write(bytes(data))


def gzip_bomb(src, path, target):
    shutil.copy(src, target)
    with h5py.File(target, "r+") as f:
        group = f[path.rsplit("/", 1)[0]]
        del f[path]
        d = group.create_dataset("gamma:0", shape=(10,), dtype="f4", chunks=(10,), compression="gzip")
        c = zlib.compressobj(9)
        block = bytes(1 << 20)
        raw = b"".join(c.compress(block) for _ in range(512)) + c.flush()
        d.id.write_direct_chunk((0,), raw, 0)


for name, make, src, path in [("lzf_bomb.h5", lzf_bomb, SRC, PATH), ("gzip_bomb.h5", gzip_bomb, SRC, PATH),
                              ("lzf_bomb_model.h5", lzf_bomb, MODEL, MODEL_PATH),
                              ("gzip_bomb_model.h5", gzip_bomb, MODEL, MODEL_PATH)]:
    make(src, path, os.path.join(HERE, name))
    print(name, os.path.getsize(os.path.join(HERE, name)))
