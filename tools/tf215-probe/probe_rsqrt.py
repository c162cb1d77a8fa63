"""TensorFlow 2.15.1 float32 tf.math.rsqrt on this CPU: packet lanes and the scalar tail.

Run by hand (never in CI) in the quantizeml 0.17.1 venv:
    /work/venv/qml17/bin/python probe_rsqrt.py TABLE [N]
TABLE is a VRSQRTPS run-length table (../../../shared/data/rsqrtps-amd-zen4.txt format), N the number
of random floats (default 10,000,000). Prints counts; exit status 0 whatever they are.
"""
import os
import sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import f32emu as E

table = E.load_rsqrtps_table(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
rng = np.random.default_rng(20261203)
# half: uniform over all positive normal bit patterns; half: log-uniform over [1e-6, 1e4]
# (the moving_variance + epsilon range of real layers); plus every power of two 2^-126..2^127.
a = rng.integers(0x00800000, 0x7F800000, n // 2, dtype=np.uint32).view(np.float32)
b = np.exp(rng.uniform(np.log(1e-6), np.log(1e4), n - n // 2)).astype(np.float32)
p2 = np.ldexp(np.float32(1), np.arange(-126, 128)).astype(np.float32)
xs = np.concatenate([a, b, p2])
pad = (-xs.size) % 8
xs = np.concatenate([xs, np.ones(pad, np.float32)])  # length multiple of 8: packet lanes only


def ulps(y, ref):
    return y.view(np.int32).astype(np.int64) - ref.view(np.int32).astype(np.int64)


def cr_rsqrt(x):  # correctly rounded float32 of 1/sqrt(x) (float64 is exact enough here)
    return (1.0 / np.sqrt(x.astype(np.float64))).astype(np.float32)


def report(name, y, ref):
    d = ulps(y, ref)
    vals, cnt = np.unique(d, return_counts=True)
    print(f"  {name}: {np.count_nonzero(d)} of {d.size} differ; ulp histogram "
          + ", ".join(f"{v:+d}:{c}" for v, c in zip(vals, cnt)))


print(f"tensorflow {tf.__version__}, numpy {np.__version__}")
print(f"PACKET lanes: {xs.size} floats ({n} random + {p2.size} powers of two + {pad} pad)")
y = tf.math.rsqrt(tf.constant(xs)).numpy()
r = E.rsqrtps(xs, table)
new = E.newton_tf215(xs, r)
old = E.newton_tf212(xs, r)
report("vs table + new Newton form h=(x*r)*r-1; y=(r*-0.5)*h+r", y, new)
report("vs table + TF 2.12 form r*(1.5+(-0.5r)(x r))", y, old)
report("vs correctly rounded", y, cr_rsqrt(xs))
d = ulps(new, old)
print(f"  new form vs old form (emulated, same table): {np.count_nonzero(d)} of {d.size} differ "
      f"({100.0 * np.count_nonzero(d) / d.size:.2f}%), max |ulp| {np.abs(d).max()}")
k = np.arange(-126, 128)
yp2 = y[n:n + p2.size]
bad = [(int(kk), int(u)) for kk, u in zip(k, ulps(yp2, cr_rsqrt(p2))) if u]
print(f"  powers of two 2^k, k=-126..127, not correctly rounded on packet lanes: {len(bad)}; "
      f"k=-40..40: " + (", ".join(f"{kk}:{u:+d}" for kk, u in bad if -40 <= kk <= 40) or "none"))
sp = np.array([0.0, -0.0, np.inf, 1e-40, -1.0, np.nan, 1.0, 4.0], np.float32)
print("  specials [0, -0, inf, 1e-40, -1, nan, 1, 4] ->", tf.math.rsqrt(tf.constant(sp)).numpy().tolist())

# Scalar tail: rows of 7, each row its own rsqrt (7 < 8: every lane is a tail lane). tf.map_fn in a
# tf.function runs one Rsqrt kernel per row; checked against eager per-row calls on a sample.
print(f"TAIL lanes (rows of 7 via tf.map_fn, one Rsqrt per row)")
m = (xs.size // 7) * 7
X = xs[:m].reshape(-1, 7)
f = tf.function(lambda v: tf.map_fn(tf.math.rsqrt, v),
                input_signature=[tf.TensorSpec([None, 7], tf.float32)])
ys = np.concatenate([f(X[i:i + 200000]).numpy() for i in range(0, X.shape[0], 200000)]).reshape(-1)
chk = np.concatenate([tf.math.rsqrt(X[i]).numpy() for i in range(0, 3000)])
print(f"  map_fn rows vs eager rows (first 3000 rows): {np.count_nonzero(ulps(ys[:chk.size], chk))} differ")
xt = xs[:m]
recip = (np.float32(1) / np.sqrt(xt)).astype(np.float32)  # f32(1 / f32(sqrt x))
report("vs f32(1/f32(sqrt(x)))", ys, recip)
report("vs correctly rounded", ys, cr_rsqrt(xt))
report("vs table + new Newton form", ys, new[:m])
print("  specials [0, -0, inf, 1e-40, -1, nan, 1] ->", tf.math.rsqrt(tf.constant(sp[:7])).numpy().tolist())
