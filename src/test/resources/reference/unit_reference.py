"""Reference values for qbn4j's unit tests, computed by the released quantizeml.

Run by hand, never in CI: /work/venv/qml/bin/python unit_reference.py > unit_reference.txt
Environment: quantizeml 0.5.2, tensorflow 2.12.1, keras 2.12.0, numpy 1.23.5, Python 3.11.7,
Intel Xeon (Sapphire Rapids), 2026-11-26. The unit tests quote these lines next to their asserts.
Note: a layer must be marked built after build(); quantizeml's build() does not call
super().build(), so without `built = True` the first call rebuilds it with initial weights.
"""
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from quantizeml.layers import QuantizedBatchNormalization
from quantizeml.layers.quantizers import WeightQuantizer, AlignedWeightQuantizer, OutputQuantizer
from quantizeml.tensors import FixedPoint, QFloat


def show(tag, t):
    s = getattr(t, "scales", None)
    print(tag, type(t).__name__, "values", t.values.numpy().astype(np.int64).tolist(), "vb", t.value_bits,
          "fb", t.frac_bits.numpy().tolist(), "scales", None if s is None else s.numpy().tolist())


def bn(tag, x, g, b, m, v, qc=None, rm=None, rr=None, eps=1e-3, axis=-1):
    try:
        l = QuantizedBatchNormalization(quant_config=qc, epsilon=eps, axis=axis)
        l.build(x.shape)
        l.built = True
        if l.out_quantizer is not None:
            l.out_quantizer.build(x.shape)
        for var, val in ((l.gamma, g), (l.beta, b), (l.moving_mean, m), (l.moving_variance, v)):
            var.assign(np.array(val, np.float32))
        if rm is not None:
            l.out_quantizer.range_max.assign(np.array(rm, np.float32))
        if rr is not None:
            l.out_quantizer.rescaling_rate.assign(np.array(rr, np.float32))
        show(tag, l(x))
    except Exception as e:  # noqa
        print(tag, "ERROR", type(e).__name__, str(e).splitlines()[0][:160])


g, b, m, v = [1., 2.], [.5, -1.], [1., -2.], [3.999, .999]
bn("ex1", FixedPoint(np.array([[[10, -20]]], np.float32), 7, 2.), g, b, m, v)
bn("ex2", FixedPoint(np.array([[[10, -20], [-7, 33]]], np.float32), 7, np.array([2., 4.], np.float32)), g, b, m, v,
   qc={"output_quantizer": {"bitwidth": 8, "axis": "per-tensor"}}, rm=8.0, rr=1.0)
bn("ex3", FixedPoint(np.array([[[3, -5, 7]]], np.float32), 7, 0.), [0.8, -1.2, 0.3], [0.05, 0.1, -0.02],
   [0.5, -0.25, 1.0], [0.25, 1.0, 0.04], qc={"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}},
   rm=[4.5, 6.0, 0.75], rr=[1., 1., 1.])
# QFloat input, per-tensor scale 0.5
bn("qfloat", QFloat(FixedPoint(np.array([[[10, -20]]], np.float32), 7, 2.), 0.5), g, b, m, v)
# per-axis QFloat input
bn("qfloat_per_axis", QFloat(FixedPoint(np.array([[[10, -20]]], np.float32), 7, 2.), np.array([0.5, 0.25], np.float32)), g, b, m, v)
# frac-bit spreads 30 (accepted) and 31 (refused)
bn("spread30", FixedPoint(np.array([[[1, 1]]], np.float32), 7, np.array([0., 30.], np.float32)), g, b, m, v)
bn("spread31", FixedPoint(np.array([[[1, 1]]], np.float32), 7, np.array([0., 31.], np.float32)), g, b, m, v)
# value bits above the buffer
bn("vb_above_buffer", FixedPoint(np.array([[[1, 1]]], np.float32), 16, 0.), g, b, m, v, qc={"buffer_bitwidth": 16})
# rank 2 and axis rules
bn("rank2", FixedPoint(np.array([[1, 1]], np.float32), 7, 0.), g, b, m, v)
bn("axis_3_1", FixedPoint(np.zeros((1, 1, 1, 2), np.float32), 7, 0.), g, b, m, v, axis=[3, 1])
bn("axis_1_3", FixedPoint(np.zeros((1, 1, 1, 2), np.float32), 7, 0.), g, b, m, v, axis=[1, 3])
bn("axis_1", FixedPoint(np.array([[[10, -20]]], np.float32), 7, 2.), g, b, m, v, axis=1)
# output quantizer as wide as the buffer
bn("oq_pointless", FixedPoint(np.array([[[10, -20]]], np.float32), 7, 2.), g, b, m, v,
   qc={"buffer_bitwidth": 8, "output_quantizer": {"bitwidth": 8}}, rm=8.0)
# 32-bit buffer saturation and float32 rounding past 2^24: x = 2^24 - 1 with a_q = 127
bn("big", FixedPoint(np.array([[[16777215, -16777216]]], np.float32), 24, 0.), [1., 1.], [0., 0.], [0., 0.], [1., 1.])
bn("sat16", FixedPoint(np.array([[[100, -100]]], np.float32), 7, 0.), [1., 1.], [0., 0.], [0., 0.], [1., 1.],
   qc={"buffer_bitwidth": 16})
# quantizers alone
wq = WeightQuantizer(bitwidth=8)
show("wq_a", wq(tf.constant([0.5, 2.0, -1.0])))
show("wq_unsigned4", WeightQuantizer(bitwidth=4, signed=False)(tf.constant([0.3, -1.5, 0.75])))
other = QFloat(FixedPoint(np.zeros((1, 1, 2), np.float32), 31, 2.), 2.0 / 127)
awq = AlignedWeightQuantizer(bitwidth=8)
show("awq", awq(tf.constant([0.0, 3.0]), other))
oq = OutputQuantizer(bitwidth=8, axis="per-tensor")
y = QFloat(FixedPoint(np.array([[[1280, 500], [-896, 7231]]], np.float32), 31, 4.), 0.015748031437397003)
oq.build(y.shape)
oq.range_max.assign(8.0)
show("oq_ex2", oq(y))
show("qs_2^-6", QFloat.quantize_scales(tf.constant(2.0 ** -6), 8))
show("qs_0.015748031", QFloat.quantize_scales(tf.constant(0.015748031437397003), 8))
for k in (-3, -1, 0, 1, 3, 12, 13, 20):
    for d in (-2, -1, 0, 1, 2):
        r = np.float32(2.0 ** k) + np.float32(d) * np.spacing(np.float32(2.0 ** k))
        print("max_frac_bits", k, d, repr(np.float32(r)), int(FixedPoint.max_frac_bits(7, tf.constant(r)).numpy()))
show("quantize_ties", FixedPoint.quantize(tf.constant([2.5, 3.5, -2.5, -0.5, 200., -300.]), 7, 0.))
show("rescale_half_up", FixedPoint(np.array([5., -5., -7., 3.], np.float32), 31, 1.).rescale(0., 7)[0])
show("saturate31", FixedPoint(np.array([2.0 ** 31 - 100, 2.0 ** 31 + 100, -2.0 ** 31 - 1000], np.float32), 31, 0.))
show("saturate24", FixedPoint(np.array([2.0 ** 24 + 2, -2.0 ** 24 - 2, 2.0 ** 24 - 1], np.float32), 24, 0.))
show("expand", FixedPoint(np.array([[3., -5.]], np.float32), 7, np.array([1., 4.], np.float32)).expand(31)[0])
