"""Compares two dumps of probe_log.py (e.g. TF 2.12.1 and TF 2.15.1), bit for bit.

    python compare_log.py OUT_DIR 2.12.1 2.15.1
"""
import os
import sys
import numpy as np

out, va, vb = sys.argv[1:4]
for lane in ("packet", "tail"):
    a = np.fromfile(os.path.join(out, f"log-tf{va}-{lane}.f32"), "<f4")
    b = np.fromfile(os.path.join(out, f"log-tf{vb}-{lane}.f32"), "<f4")
    diff = np.count_nonzero(a.view(np.int32) != b.view(np.int32))
    print(f"{lane}: TF {va} vs TF {vb}: {diff} of {a.size} floats differ in any bit")
