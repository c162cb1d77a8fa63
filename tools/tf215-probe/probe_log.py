"""TensorFlow's float32 tf.math.log on this CPU: packet lanes and the scalar tail.

Run by hand (never in CI), in either venv:
    PY probe_log.py OUT_DIR [N]
Draws the same N random positive normal floats every time (default 10,000,000; seed 20261204),
evaluates tf.math.log on packet lanes (one tensor, length a multiple of 8) and on tail lanes
(rows of 7 through tf.map_fn, one Log kernel per row), compares them with the emulations in
f32emu.py (Eigen plog_float as qbn4j's F32 has it) and with glibc logf, and writes
OUT_DIR/log-tf<version>-{packet,tail}.f32 for compare_log.py.
"""
import ctypes
import os
import subprocess
import sys
import tempfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import f32emu as E

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
rng = np.random.default_rng(20261204)
a = rng.integers(0x00800000, 0x7F800000, n // 2, dtype=np.uint32).view(np.float32)
b = np.exp(rng.uniform(np.log(1e-12), np.log(1e12), n - n // 2)).astype(np.float32)
xs = np.concatenate([a, b])
xs = np.concatenate([xs, np.ones((-xs.size) % 56, np.float32)])  # multiple of 8 and of 7

d = tempfile.mkdtemp()
with open(os.path.join(d, "l.c"), "w") as f:
    f.write("#include <math.h>\nvoid logf_all(const float* x, float* y, long n)"
            " { for (long i = 0; i < n; i++) y[i] = logf(x[i]); }\n")
subprocess.check_call(["gcc", "-O2", "-shared", "-fPIC", "-o", os.path.join(d, "l.so"),
                       os.path.join(d, "l.c"), "-lm"])
lib = ctypes.CDLL(os.path.join(d, "l.so"))


def glibc_logf(x):
    y = np.empty_like(x)
    lib.logf_all(x.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p),
                 ctypes.c_long(x.size))
    return y


def ulps(y, ref):
    return y.view(np.int32).astype(np.int64) - ref.view(np.int32).astype(np.int64)


LN2F = np.float32(np.log(2))


def ceil_floor_diff(y, ref):
    qa, qb = y / LN2F, ref / LN2F
    return np.count_nonzero((np.ceil(qa) != np.ceil(qb)) | (np.floor(qa) != np.floor(qb)))


def report(name, y, ref):
    dd = ulps(y, ref)
    vals, cnt = np.unique(dd, return_counts=True)
    hist = ", ".join(f"{v:+d}:{c}" for v, c in zip(vals, cnt)) if vals.size <= 12 else \
        f"{vals.size} distinct, max |ulp| {np.abs(dd).max()}"
    print(f"  {name}: {np.count_nonzero(dd)} of {dd.size} differ ({hist}); "
          f"ceil/floor of y/ln2 differ on {ceil_floor_diff(y, ref)}")


print(f"tensorflow {tf.__version__}, numpy {np.__version__}, {xs.size} floats")
cr = np.log(xs.astype(np.float64)).astype(np.float32)
gl = glibc_logf(xs)
report("glibc logf vs correctly rounded (no TF)", gl, cr)
print("PACKET lanes")
yp = tf.math.log(tf.constant(xs)).numpy()
report("vs emulated Eigen plog_float (f32emu, = qbn4j F32.logPacketLane)", yp, E.plog_float(xs))
report("vs glibc logf", yp, gl)
report("vs correctly rounded", yp, cr)
print("TAIL lanes (rows of 7 via tf.map_fn)")
X = xs.reshape(-1, 7)
f = tf.function(lambda v: tf.map_fn(tf.math.log, v),
                input_signature=[tf.TensorSpec([None, 7], tf.float32)])
yt = np.concatenate([f(X[i:i + 200000]).numpy() for i in range(0, X.shape[0], 200000)]).reshape(-1)
chk = np.concatenate([tf.math.log(X[i]).numpy() for i in range(0, 3000)])
print(f"  map_fn rows vs eager rows (first 3000 rows): {np.count_nonzero(ulps(yt[:chk.size], chk))} differ")
report("vs glibc logf", yt, gl)
report("vs correctly rounded (= qbn4j F32.logScalarLane up to StrictMath)", yt, cr)
report("vs emulated Eigen plog_float", yt, E.plog_float(xs))
tag = tf.__version__
yp.astype("<f4").tofile(os.path.join(out, f"log-tf{tag}-packet.f32"))
yt.astype("<f4").tofile(os.path.join(out, f"log-tf{tag}-tail.f32"))
xs.astype("<f4").tofile(os.path.join(out, "log-in.f32"))
