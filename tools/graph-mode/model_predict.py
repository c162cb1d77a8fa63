#!/usr/bin/env python
"""Does model.predict give the same bits as the tf.function form of the generator's graph suite?

quantizeml 0.5.2 cannot feed a QTensor to model.predict (tf.data cannot batch its ExtensionType:
"'FixedPoint.Spec' object has no attribute '_to_batched_tensor_list'"), so a model gets its
QTensor from a preceding quantized layer.  Two such models, as quantizeml builds them:

  rescaling: Input(float) -> QuantizedRescaling(scale) -> QuantizedBatchNormalization
             (BN receives QFloat(FixedPoint(round-toward-zero x, 8, 0), scale))
  conv:      Input(float) -> QuantizedConv2D(1x1, per-axis output quantizer)
             -> QuantizedBatchNormalization  (BN receives a per-axis FixedPoint)

followed by a small layer that unpacks the BN output into plain tensors (values, frac_bits,
scales) so that predict can return them.  For each seeded random configuration the BN output from
model.predict is compared bit for bit with (1) tf.function(lambda t: bn(t)) called on the very
QTensor that the preceding layer produces (computed eagerly), and (2) an eager call bn(t).

Usage: /work/venv/qml/bin/python tools/graph-mode/model_predict.py [N]   (default N = 200)
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np                                            # noqa: E402
import tensorflow as tf                                       # noqa: E402
import keras                                                  # noqa: E402
from quantizeml.layers import (QuantizedBatchNormalization, QuantizedRescaling,  # noqa: E402
                               QuantizedConv2D)
from quantizeml.tensors import QFloat                         # noqa: E402

tf.get_logger().setLevel("ERROR")


class Unpack(keras.layers.Layer):
    def call(self, t):
        fp = t.fp if isinstance(t, QFloat) else t
        n = tf.shape(fp.values)[0]
        C = fp.values.shape[-1]
        fb = tf.broadcast_to(fp.frac_bits, [n, C])
        sc = tf.broadcast_to(t.scales, [n, C]) if isinstance(t, QFloat) else tf.zeros([n, C])
        return fp.values, fb, sc


def unpack_eager(t):
    fp = t.fp if isinstance(t, QFloat) else t
    C = fp.values.shape[-1]
    sc = np.broadcast_to(np.asarray(t.scales), (1, C)) if isinstance(t, QFloat) \
        else np.zeros((1, C), np.float32)
    return (np.asarray(fp.values), np.broadcast_to(np.asarray(fp.frac_bits), (1, C)), sc)


def bits_equal(a, b):
    return all(np.asarray(x, np.float32).tobytes() == np.asarray(y, np.float32).tobytes()
               for x, y in zip(a, b))


def bn_config(rng):
    qc = {}
    if rng.random() < 0.4:
        qc["a_quantizer"] = {"bitwidth": int(rng.integers(2, 9)), "signed": bool(rng.random() < .8)}
    if rng.random() < 0.3:
        qc["b_quantizer"] = {"bitwidth": int(rng.integers(3, 9))}
    r = rng.random()
    if r < 0.35:
        qc["output_quantizer"] = {"bitwidth": 8, "axis": "per-tensor"}
    elif r < 0.7:
        qc["output_quantizer"] = {"bitwidth": 8, "axis": "per-axis",
                                  "scale_bits": int(rng.integers(2, 9))}
    return qc


def set_bn(bn, rng, C):
    bn.gamma.assign((rng.uniform(0.25, 1.5, C) * 10 ** rng.uniform(-2, 1)).astype(np.float32))
    bn.beta.assign(rng.normal(0, 1, C).astype(np.float32))
    bn.moving_mean.assign((rng.normal(0, 1, C) * 10 ** rng.uniform(-2, 1)).astype(np.float32))
    bn.moving_variance.assign((10 ** rng.uniform(-3, 1.5, C)).astype(np.float32))
    if bn.out_quantizer is not None:
        shape = bn.out_quantizer.range_max.shape
        bn.out_quantizer.range_max.assign((10 ** rng.uniform(-1, 2, shape)).astype(np.float32))


def one(j):
    rng = np.random.default_rng([20261203, j])
    kind = "rescaling" if j % 2 == 0 else "conv"
    C = int(rng.choice([3, 8, 9, 13, 16, 70]))
    H, W = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    inp = keras.Input((H, W, C))
    if kind == "rescaling":
        pre = QuantizedRescaling(float(np.float32(10 ** rng.uniform(-3, 1))), name="pre")
    else:
        pre = QuantizedConv2D(C, 1, name="pre", quant_config={
            "weight_quantizer": {"bitwidth": 8},
            "output_quantizer": {"bitwidth": 8, "axis": "per-axis"},
            "buffer_bitwidth": 32})
    bn = QuantizedBatchNormalization(quant_config=bn_config(rng), name="bn")
    t = pre(inp)
    out = Unpack()(bn(t))
    m = keras.Model(inp, out)
    if kind == "conv":
        pre.kernel.assign(rng.normal(0, 0.3, pre.kernel.shape).astype(np.float32))
        pre.bias.assign(rng.normal(0, 1, pre.bias.shape).astype(np.float32))
        rm = pre.out_quantizer.range_max
        rm.assign((10 ** rng.uniform(0, 2.5, rm.shape)).astype(np.float32))
    set_bn(bn, rng, C)
    x = rng.integers(-128, 128, (1, H, W, C)).astype(np.float32)
    y_pred = m.predict(x, verbose=0)
    q = pre(tf.constant(x))                       # the QTensor BN receives, computed eagerly
    y_fn = unpack_eager(tf.function(lambda s: bn(s))(q))
    y_eager = unpack_eager(bn(q))
    return kind, bits_equal(y_pred, y_fn), bits_equal(y_pred, y_eager)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    tally = {}
    for j in range(n):
        kind, same_fn, same_eager = one(j)
        t = tally.setdefault(kind, [0, 0, 0])
        t[0] += 1
        t[1] += same_fn
        t[2] += same_eager
        if not same_fn:
            print(f"config {j} ({kind}): model.predict differs from tf.function")
        if j % 50 == 49:
            keras.backend.clear_session()
    for kind, (k, f, e) in tally.items():
        print(f"{kind}: {k} configurations; model.predict == tf.function form: {f}; "
              f"model.predict == eager call: {e}")


if __name__ == "__main__":
    main()
