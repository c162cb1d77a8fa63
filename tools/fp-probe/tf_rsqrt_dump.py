"""Dumps TensorFlow's packet-lane float32 rsqrt for every float in [1, 4) and three rescaled copies.

Run by hand (never in CI) in the generator's virtual environment:
    python tf_rsqrt_dump.py OUT_DIR
Writes OUT_DIR/rsqrt_in.f32 and OUT_DIR/rsqrt_out.f32 (raw little-endian float32, 4 * 2^24 values
each); CheckRsqrt.java compares qbn4j's emulation with them value by value.
"""
import os
import sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf

out = sys.argv[1]
base = np.arange(127 << 23, 129 << 23, dtype=np.uint32).view(np.float32)  # [1, 4)
xs = np.concatenate([base, base * np.float32(2.0 ** -40), base * np.float32(2.0 ** 60),
                     base * np.float32(2.0 ** -124)])
ys = tf.math.rsqrt(tf.constant(xs)).numpy()  # length multiple of 8: packet lanes only
xs.astype("<f4").tofile(os.path.join(out, "rsqrt_in.f32"))
ys.astype("<f4").tofile(os.path.join(out, "rsqrt_out.f32"))
print("wrote", xs.size, "values")
