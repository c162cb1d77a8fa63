"""ceil/floor of quantizeml's log2 and tf.math.rsqrt on x = 2^k, k = -40..40, on this CPU.

Run by hand (never in CI), in either venv:   PY probe_pow2.py
"packet": the 81 values sit in one tensor of 88 (7 ones appended), all on packet lanes;
"scalar": each value is evaluated alone (a tensor of 1). "eager" calls the functions directly,
"graph" inside tf.function (Grappler on, as model.predict runs). The log2 is quantizeml's own
ceil_log2/floor_log2 (tf.experimental.numpy.log2 = log(x) / np.log(2)).
"""
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import quantizeml
from quantizeml.tensors.qtensor import ceil_log2, floor_log2

ks = np.arange(-40, 41)
xs = np.ldexp(np.float32(1), ks).astype(np.float32)
packet_in = np.concatenate([xs, np.ones(7, np.float32)])
cr = (1.0 / np.sqrt(xs.astype(np.float64))).astype(np.float32)


def run(fn, mode, lanes):
    g = tf.function(fn) if mode == "graph" else fn
    if lanes == "packet":
        return np.asarray(g(tf.constant(packet_in)))[:xs.size]
    return np.array([np.asarray(g(tf.constant(xs[i:i + 1])))[0] for i in range(xs.size)])


print(f"quantizeml {quantizeml.__version__ if hasattr(quantizeml, '__version__') else '?'}, "
      f"tensorflow {tf.__version__}")
print("| mode | evaluation | k where ceil_log2(2^k) != k | k where floor_log2(2^k) != k | k where rsqrt(2^k) is not correctly rounded (ulps) |")
print("|---|---|---|---|---|")
for mode in ("eager", "graph"):
    for lanes in ("packet", "scalar"):
        c = run(lambda t: ceil_log2(t), mode, lanes)
        f = run(lambda t: floor_log2(t), mode, lanes)
        r = run(lambda t: tf.math.rsqrt(t), mode, lanes)
        u = r.view(np.int32).astype(np.int64) - cr.view(np.int32).astype(np.int64)
        bc = ", ".join(f"{k}" for k, v in zip(ks, c) if v != k) or "none"
        bf = ", ".join(f"{k}" for k, v in zip(ks, f) if v != k) or "none"
        ur = [(int(k), int(x)) for k, x in zip(ks, u) if x]
        if len(ur) == ks.size and len({x for _, x in ur}) == 1:
            br = f"all 81 ({ur[0][1]:+d})"
        else:
            br = ", ".join(f"{k} ({x:+d})" for k, x in ur) or "none"
        print(f"| {mode} | {lanes} | {bc} | {bf} | {br} |")
