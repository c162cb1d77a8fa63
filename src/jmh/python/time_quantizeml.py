"""Times quantizeml 0.5.2's QuantizedBatchNormalization per call on the benchmark layer and inputs.

Run by hand, never in CI:  python src/jmh/python/time_quantizeml.py [THREADS]
THREADS (optional) sets TensorFlow's intra- and inter-op thread pools (tf.config.threading) before any
op runs; without it TensorFlow uses its defaults (one intra-op thread per core).
Environment of the figures in BENCHMARKS.md: quantizeml 0.5.2, tensorflow 2.12.1 (CPU, eager), numpy
1.23.5, Python 3.11.7, the machine described there, 2026-11-26.

The layer and the int8 inputs are the closed formulas of src/jmh/java/.../BenchLayer.java (every
constant a short binary fraction, so float32 holds it exactly in both languages). For each case the
script prints the median time per call over several calls after one warm-up call, and the SHA-256
of the int8 output, which the Java benchmark prints for the same case ("CHECK reference ... sha256=").
Note: quantizeml 0.5.2's build() does not call super().build(): `layer.built = True` is needed,
or the first call rebuilds the layer with its initial weights.
"""
import hashlib
import os
import sys
import time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# before anything creates TensorFlow's context (importing quantizeml does)
THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if THREADS:
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(THREADS)
from quantizeml.layers import QuantizedBatchNormalization  # noqa: E402
from quantizeml.tensors import FixedPoint  # noqa: E402,I100


def layer(c, shape, oq):
    ch = np.arange(c)
    gamma = (0.5 + 0.25 * (ch % 7)).astype(np.float32)
    beta = (0.125 * ((ch * 37) % 17 - 8)).astype(np.float32)
    mean = (0.0625 * ((ch * 11) % 13 - 6)).astype(np.float32)
    var = (0.25 + 0.5 * (ch % 5)).astype(np.float32)
    rng = (8 + 4 * (ch % 4)).astype(np.float32)
    qc = {"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}} if oq else None
    l = QuantizedBatchNormalization(quant_config=qc)
    l.build(shape)
    l.built = True
    if l.out_quantizer is not None:
        l.out_quantizer.build(shape)
        l.out_quantizer.range_max.assign(rng)
    for var_, val in ((l.gamma, gamma), (l.beta, beta), (l.moving_mean, mean), (l.moving_variance, var)):
        var_.assign(val)
    return l


def inputs(shape, per_axis):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    x = (((i * 1103515245 + 12345) >> 16) & 0xFF) - 128
    c = shape[-1]
    fb = (3 + np.arange(c) % 3).astype(np.float32) if per_axis else 4.0
    return FixedPoint(x.reshape(shape).astype(np.float32), 7, fb)


def main():
    cases = [("1x56x56x64", False), ("1x112x112x64", False), ("8x112x112x64", False), ("8x112x112x64", True),
             ("1x7x7x1024", False), ("1x224x224x3", False)]
    print("quantizeml", __import__("quantizeml").__version__, "tensorflow", tf.__version__, "numpy", np.__version__,
          "python", sys.version.split()[0], "threads", THREADS or "default", "cpus", os.cpu_count())
    for shape_s, per_axis in cases:
        shape = tuple(int(d) for d in shape_s.split("x"))
        x = inputs(shape, per_axis)
        l = layer(shape[-1], shape, True)
        y = l(x)  # warm-up
        out = y.values.numpy().astype(np.int8)
        times = []
        reps = 5 if np.prod(shape) > 1_000_000 else 20
        for _ in range(reps):
            t0 = time.perf_counter()
            l(x)
            times.append(time.perf_counter() - t0)
        med = float(np.median(times))
        n = int(np.prod(shape))
        print(f"{shape_s} input={'perAxis' if per_axis else 'perTensor'} oq=on ms/call={med * 1e3:.3f} "
              f"ns/element={med * 1e9 / n:.2f} sha256={hashlib.sha256(out.tobytes()).hexdigest()}")


if __name__ == "__main__":
    main()
