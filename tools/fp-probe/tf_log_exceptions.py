"""Lists where TensorFlow's float32 log gives a ceil/floor of log(x)/ln2 other than the exact one.

Run by hand (never in CI) in the generator's virtual environment (quantizeml 0.5.2,
TensorFlow 2.12.1, numpy 1.23.5, Python 3.11):
    python tf_log_exceptions.py packet > tf_packet_log_exceptions.txt
    python tf_log_exceptions.py scalar > tf_scalar_log_exceptions.txt   (glibc logf via ctypes)
Every positive normal float x is visited. The exact ceil(log2 x) is e+1 (e the unbiased exponent)
unless x is a power of two, where it is e; floor is e. A line "bits ceil floor" is printed for
each x whose computed ceil or floor differs from the exact one. CheckLog.java prints the same list
for qbn4j's emulation, and the two must be identical.
"""
import os
import sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

LN2F = np.float32(np.log(2))
mode = sys.argv[1]
if mode == "packet":
    import tensorflow as tf
    def log(x):
        return tf.math.log(tf.constant(x)).numpy()  # length is a multiple of 8: packet lanes only
else:
    import ctypes
    libm = ctypes.CDLL("libm.so.6")
    # numpy has no hook to glibc logf; call it through a vectorised C helper compiled on the fly.
    import subprocess, tempfile
    src = r'''
    #include <math.h>
    void logf_all(const float* x, float* y, long n) { for (long i = 0; i < n; i++) y[i] = logf(x[i]); }
    '''
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "l.c"), "w") as f:
        f.write(src)
    subprocess.check_call(["gcc", "-O2", "-shared", "-fPIC", "-o", os.path.join(d, "l.so"), os.path.join(d, "l.c"), "-lm"])
    lib = ctypes.CDLL(os.path.join(d, "l.so"))
    def log(x):
        y = np.empty_like(x)
        lib.logf_all(x.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p), ctypes.c_long(x.size))
        return y

CHUNK = 1 << 24
for start in range(0x00800000, 0x7f800000, CHUNK):
    bits = np.arange(start, start + CHUNK, dtype=np.uint32)
    x = bits.view(np.float32)
    l = log(x)
    q = l / LN2F
    c = np.ceil(q).astype(np.int64)
    fl = np.floor(q).astype(np.int64)
    e = ((bits >> 23).astype(np.int64) - 127)
    pow2 = (bits & 0x7fffff) == 0
    ce = np.where(pow2, e, e + 1)
    bad = np.nonzero((c != ce) | (fl != e))[0]
    for i in bad:
        print("%08x %d %d" % (bits[i], c[i], fl[i]))
