"""Reference values for qbn4j's OutputObserver tests, computed by the released quantizeml.

Generator: this file (src/test/resources/models/observer_reference.py), run by hand, never in CI:
    /work/venv/qml/bin/python observer_reference.py
Environment: quantizeml 0.5.2, tensorflow 2.12.1, keras 2.12.0, numpy 1.23.5, Python 3.11.7,
Intel Xeon (Sapphire Rapids). Seed: 20261126. Date: 2026-11-26.

Writes observer_reference.npz next to this script:
  observe/<case>/axis          int64 (): 0 per-tensor, 1 per-axis
  observe/<case>/momentum      float64 (): the Python float given to OutputObserver
  observe/<case>/batches       int64 (): how many batches
  observe/<case>/batch<i>      float32: the i-th batch, channel last
  observe/<case>/range<i>      float32: range_max after the i-th batch (quantizeml.layers.OutputObserver,
                               called eagerly; the same batches through a compiled predict() agree)
  equalize/<case>/bitwidth     int64 ()
  equalize/<case>/ranges       float32 (N,) per-tensor or (N, C) per-axis: calibrated range_max values
  equalize/<case>/range_max    float32: what quantizeml.models.calibrate._set_and_equalize stored
  equalize/<case>/rescaling_rate  float32: likewise
"""
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
import keras
from quantizeml.layers import OutputObserver
from quantizeml.models import quantize
from quantizeml.models.calibrate import _set_and_equalize

SEED = 20261126
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(SEED)
out = {}


def observe(case, axis, batches, momentum=0.9):
    obs = OutputObserver(axis, momentum=momentum)
    obs.build(batches[0].shape)
    # the same batches through predict(), as calibrate() runs them (graph mode)
    inp = keras.Input(batches[0].shape[1:])
    graph_obs = OutputObserver(axis, momentum=momentum)
    graph = keras.Model(inp, graph_obs(inp))
    out[f"observe/{case}/axis"] = np.array(0 if axis == "per-tensor" else 1, np.int64)
    out[f"observe/{case}/momentum"] = np.array(momentum, np.float64)
    out[f"observe/{case}/batches"] = np.array(len(batches), np.int64)
    for i, b in enumerate(batches):
        b = np.asarray(b, np.float32)
        obs(b)
        graph.predict(b, batch_size=b.shape[0], verbose=0)
        r = obs.range_max.numpy()
        assert np.array_equal(r, graph_obs.range_max.numpy()), (case, i)
        out[f"observe/{case}/batch{i}"] = b
        out[f"observe/{case}/range{i}"] = r


def scaled(shape, scale):
    return (rng.normal(0.0, 1.0, shape) * scale).astype(np.float32)


# ordinary sequences
observe("per_tensor", "per-tensor", [scaled((2, 3, 3, 5), s) for s in (3.0, 1.7, 5.2, 0.4)])
observe("per_axis", "per-axis", [scaled((2, 2, 2, 10), np.linspace(0.1, 40.0, 10)) for _ in range(4)])
observe("rank2_per_tensor", "per-tensor", [scaled((3, 7), s) for s in (2.0, 9.0, 0.5)])
observe("momentum_0_99", "per-tensor", [scaled((2, 4, 4, 3), s) for s in (1.3, 7.0, 2.2)], momentum=0.99)
observe("momentum_0_5", "per-axis", [scaled((1, 4, 4, 3), s) for s in (1.3, 7.0, 2.2)], momentum=0.5)
# the quirk: a range of exactly 1.0 everywhere makes the next batch count as the first again
ones_pt = np.array([[[[0.25, -1.0], [0.5, 0.75]]]], np.float32)
observe("quirk_per_tensor", "per-tensor",
        [ones_pt, ones_pt * 3.0, ones_pt * 2.0, ones_pt, ones_pt * 0.5])
ones_pa = np.array([[[[1.0, -1.0, 0.5], [-0.25, 0.75, 1.0]]]], np.float32)
observe("quirk_per_axis", "per-axis", [ones_pa, ones_pa * 4.0, ones_pa * 2.0])
# one channel at 1.0 is not "all 1.0": momentum applies
observe("partial_ones_per_axis", "per-axis",
        [np.array([[[[1.0, 3.0, -1.0]]]], np.float32), np.array([[[[5.0, 1.0, 0.0]]]], np.float32)])
# zero channels, and a batch whose range decays towards 0
observe("zeros_per_axis", "per-axis",
        [np.array([[[[0.0, 2.0, 0.0, -7.5]]]], np.float32), np.zeros((1, 1, 1, 4), np.float32),
         np.array([[[[0.0, 0.0, 3.0, 0.0]]]], np.float32)])
# large and small magnitudes
observe("magnitudes", "per-axis",
        [np.array([[[[3.0e38, 1.0e-30, 65504.0, 16777217.0]]]], np.float32),
         np.array([[[[-1.0e38, 2.0e-30, 1.0e-3, 16777216.0]]]], np.float32)])


def equalize(case, axis, bitwidth, ranges):
    channels = ranges.shape[1] if ranges.ndim == 2 else 4
    inp = keras.Input((2, 2, channels))
    x = keras.layers.Conv2D(channels, 1, name="target")(inp)
    model = keras.Model(inp, keras.layers.Conv2D(channels, 1, name="next")(x))
    q_config = {"target": {"output_quantizer": {"bitwidth": bitwidth, "axis": axis}}}
    qmodel = quantize(model, q_config=q_config, samples=rng.uniform(0, 1, (4, 2, 2, channels)).astype(np.float32),
                      num_samples=4, batch_size=4)
    oq = qmodel.get_layer("target").out_quantizer
    rm, rr = [], []
    for r in ranges:
        oq.rescaling_rate.assign(tf.ones_like(oq.rescaling_rate))
        _set_and_equalize(qmodel, "target", tf.constant(r, tf.float32))
        rm.append(oq.range_max.numpy())
        rr.append(oq.rescaling_rate.numpy())
    out[f"equalize/{case}/bitwidth"] = np.array(bitwidth, np.int64)
    out[f"equalize/{case}/ranges"] = ranges.astype(np.float32)
    out[f"equalize/{case}/range_max"] = np.array(rm, np.float32)
    out[f"equalize/{case}/rescaling_rate"] = np.array(rr, np.float32)


def near_powers(ks):
    v = []
    for k in ks:
        p = np.float32(2.0 ** k)
        v += [np.nextafter(p, np.float32(0)), p, np.nextafter(p, np.float32(np.inf))]
    return np.array(v, np.float32)


scalars = np.concatenate([np.array([0.0, 1.0, 0.3, 3.7, 19.816883, 1e-3, 12345.678, 255.0, 256.0, 1.5e-38],
                                   np.float32), near_powers([-20, -3, -1, 1, 3, 12, 13, 15, 20, 24, 26, 30, 64])])
equalize("per_tensor_8", "per-tensor", 8, scalars)
equalize("per_tensor_4", "per-tensor", 4, scalars[:20])
powers = near_powers([-3, -1, 0, 1, 3, 12, 13, 15, 20, 26])  # 30 values: three rows of ten
rows = np.concatenate([powers.reshape(3, 10),
                       rng.uniform(0.0, 50.0, (3, 10)).astype(np.float32),
                       np.array([[0.0, 1.0, 2.0, 0.0, 7.96875, 15.837258, 1e-3, 3e5, 0.1, 0.0]], np.float32)])
equalize("per_axis_8", "per-axis", 8, rows)
equalize("per_axis_4", "per-axis", 4, rows[3:])

np.savez(os.path.join(HERE, "observer_reference.npz"), **out)
print(len(out), "arrays")
