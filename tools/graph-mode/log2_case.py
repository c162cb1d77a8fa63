#!/usr/bin/env python
"""A layer where rewrite G2 (tnp.log2's `/ log(2)` -> `* f32(1/log(2))`) changes the output.

ceil(log(x) / f32(ln 2)) and ceil(log(x) * 0x3fb8aa3b) differ at x = 2^-31 and x = 2^-27 (both
on packet lanes and alone; see README).  At the sites (a) and (c) such small arguments are clamped
away (`min(vb - ceil_log2(x), vb)`), but the output scale's frac bits (site (b),
`quantize_scales`, no clamp) see them: with a_quantizer bitwidth 2 (divisor 2^1 - 1 = 1, so G1
does not apply), max|gamma| = 2^-10 on scalar-tail channels (rsqrt(1) = 1 there), S = s_a = 2^-10
and rescaling_rate = 2^-17 make S' = 2^-27 exactly: fb_s = 8 - ceil_log2(S') is 35 eagerly and
34 in graph mode, so the output scale is quantized as 255 * 2^-35 eagerly and 128 * 2^-34 in
graph mode, and the 16-bit outputs differ (e.g. 30000 * 255 / 256 -> 29883 vs 30000).  The
control rows use rescaling_rate 2^-16 and 2^-18 (S' = 2^-26, 2^-28).
Usage: /work/venv/qml/bin/python tools/graph-mode/log2_case.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np                                            # noqa: E402
import tensorflow as tf                                       # noqa: E402
import keras                                                  # noqa: E402
from quantizeml.layers import QuantizedBatchNormalization, recording      # noqa: E402
from quantizeml.tensors import FixedPoint                      # noqa: E402

for k in (-16, -17, -18):
    C = 3
    layer = QuantizedBatchNormalization(
        quant_config={"a_quantizer": {"bitwidth": 2},
                      "output_quantizer": {"bitwidth": 16, "axis": "per-tensor"}}, name="bn")
    shape = (1, 2, C)
    layer.build(shape)
    keras.layers.Layer.build(layer, shape)
    layer.out_quantizer.build(shape)
    layer.gamma.assign(np.array([2.0 ** -10, -2.0 ** -11, 2.0 ** -12], np.float32))
    layer.beta.assign(np.zeros(C, np.float32))
    layer.moving_mean.assign(np.zeros(C, np.float32))
    layer.moving_variance.assign(np.full(C, 1.0 - 1e-3, np.float32))
    layer.out_quantizer.range_max.assign(np.float32(1.0))
    layer.out_quantizer.rescaling_rate.assign(np.float32(2.0 ** k))
    x = FixedPoint(np.array([[[30000, -7000, 50], [-20001, 20, -30]]], np.float32), 15,
                   np.float32(-12))
    with recording(True):
        ye = layer(x)
        qe = layer.out_quantizer.qscales.value
    yg = tf.function(lambda t: layer(t))(x)
    print(f"rescaling_rate 2^{k} (S' = 2^{k - 10}): eager qscales {float(qe.values)} "
          f"* 2^-{float(qe.frac_bits)}, y {ye.values.numpy().ravel().tolist()} "
          f"fb {float(ye.frac_bits)}; graph y {yg.values.numpy().ravel().tolist()} "
          f"fb {float(yg.frac_bits)}")
