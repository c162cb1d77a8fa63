"""Keras model fixtures for qbn4j's KerasModels tests, and the bundled CLI demo model.

Generator: this file (src/test/resources/models/make_models.py), run by hand, never in CI.
Environment: quantizeml 0.5.2, tensorflow 2.12.1, keras 2.12.0, numpy 1.23.5, h5py 3.16.0, Python 3.11.7
(/work/venv/qml); the Keras 3 fixtures come from a separate virtual environment with keras 3.15.1,
jax 0.10.2, numpy 2.4.6, h5py 3.16.0 (KERAS_BACKEND=numpy), which this script calls as a subprocess.
Seed: 20261126. Date: 2026-11-26.

    /work/venv/qml/bin/python make_models.py --keras3-python /tmp/k3/bin/python

writes, next to this script (see README.md for what each file holds):
    keras2_model.h5            Keras 2 full model (model_config + model_weights), four BN layers
    keras2_weights.h5          the same model's weights only (model.save_weights)
    huge_declared.h5           keras2_weights.h5 with bn_add's gamma declared as 2^30 floats
    external_link.h5           keras2_weights.h5 with bn_add's gamma an external link into keras2_model.h5
    keras2_nested.h5           nested Sequential/Functional BNs, a rank-2 BN, axis=1, a Lambda
    keras3_model.keras         Keras 3 archive of the same model plus a nested Sequential BN
    keras3_axis1.keras         Keras 3 archive with a BN over axis 1
    float_expected.npz         the float parameters every loader must return, '<layer>/<variable>'
    quantized_model.h5         keras2_model.h5 quantized by quantizeml 0.5.2 and calibrated
    calibration.npz            the float outputs the calibration observed, per layer and batch
    quantized/<layer>/x.npz    an input fed straight to that layer of the reloaded model
    quantized/<layer>/y.npz    quantizeml's output for it (interchange format)
and src/main/resources/io/github/qbn4j/demo/{demo_model.h5, demo_input.npz, demo_output.npz}.
"""
import argparse
import json
import os
import subprocess
import sys

SEED = 20261126
C = 10  # channels: 8 packet lanes and 2 scalar lanes in TensorFlow's rsqrt and log
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.normpath(os.path.join(HERE, "../../../main/resources/io/github/qbn4j/demo"))


def bn_weights(rng, center=True, scale=True, channels=C):
    w = {}
    if scale:
        w["gamma"] = (rng.uniform(0.5, 1.5, channels) * rng.choice([-1.0, 1.0], channels)).astype("float32")
    if center:
        w["beta"] = rng.normal(0.0, 0.5, channels).astype("float32")
    w["moving_mean"] = rng.normal(0.0, 0.5, channels).astype("float32")
    w["moving_variance"] = rng.uniform(0.25, 2.0, channels).astype("float32")
    return w


def conv_weights(rng, k, cin, cout):
    return {"kernel": rng.normal(0.0, 0.4, (k, k, cin, cout)).astype("float32"),
            "bias": rng.normal(0.0, 0.1, cout).astype("float32")}


def main_weights():
    """Every float variable of the main model, by '<layer>/<variable>'."""
    import numpy as np
    rng = np.random.default_rng(SEED)
    w = {}
    for name, (k, cin) in {"conv1": (3, 3), "conv2": (1, C), "conv3": (1, C)}.items():
        for v, a in conv_weights(rng, k, cin, C).items():
            w[f"{name}/{v}"] = a
    for name, kw in {"bn_add": {}, "bn_relu": {"center": False}, "bn_last": {"scale": False},
                     "inner_bn": {"scale": False}}.items():
        for v, a in bn_weights(rng, **kw).items():
            w[f"{name}/{v}"] = a
    w["inner_dense/kernel"] = rng.normal(0.0, 0.4, (C, 4)).astype("float32")
    w["inner_dense/bias"] = rng.normal(0.0, 0.1, 4).astype("float32")
    return w


def build_main(keras, layers):
    """The float model, written for both Keras 2 and Keras 3. Every BN survives quantizeml's sanitize:
    bn_add follows an Add, bn_relu a ReLU, bn_last another BN."""
    inp = keras.Input((4, 4, 3), name="input")
    r1 = layers.ReLU(name="relu1")(layers.Conv2D(C, 3, padding="same", name="conv1")(inp))
    add = layers.Add(name="add")([r1, layers.Conv2D(C, 1, name="conv2")(r1)])
    bn_add = layers.BatchNormalization(name="bn_add", epsilon=0.01)(add)
    r3 = layers.ReLU(name="relu3")(layers.Conv2D(C, 1, name="conv3")(bn_add))
    bn_relu = layers.BatchNormalization(name="bn_relu", center=False)(r3)
    bn_last = layers.BatchNormalization(name="bn_last", scale=False)(bn_relu)
    return inp, bn_last


def set_weights(model, w):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            continue  # a nested model: set_weights(nested, w) handles its layers
        names = [v.name.split("/")[-1].split(":")[0] for v in layer.weights]
        if names:
            layer.set_weights([w[f"{layer.name}/{n}"] for n in names])


def qtensor_arrays(t):
    import numpy as np
    a = {"values": t.values.numpy().astype(np.int64),
         "value_bits": np.array(t.value_bits, np.int64),
         "frac_bits": t.frac_bits.numpy().astype(np.int64)}
    scales = getattr(t, "scales", None)
    if scales is not None:
        a["scales"] = scales.numpy().astype(np.float32)
    return a


def keras2(args):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    import keras
    from keras import layers
    from quantizeml.models import quantize, load_model
    from quantizeml.layers import QuantizedBatchNormalization
    from quantizeml.tensors import FixedPoint, QFloat

    tf.keras.utils.set_random_seed(SEED)
    w = main_weights()
    np.savez(os.path.join(HERE, "float_expected.npz"),
             **{k: v for k, v in w.items() if k.split("/")[0] in ("bn_add", "bn_relu", "bn_last", "inner_bn")})

    # 1. Keras 2 full model and weights-only file
    inp, out = build_main(keras, layers)
    model = keras.Model(inp, out, name="float_model")
    set_weights(model, w)
    model.save(os.path.join(HERE, "keras2_model.h5"))
    model.save_weights(os.path.join(HERE, "keras2_weights.h5"))
    # the weights file with bn_add's gamma declared as 2^30 floats (unallocated chunks: the file stays small)
    import h5py
    import shutil
    huge = os.path.join(HERE, "huge_declared.h5")
    shutil.copy(os.path.join(HERE, "keras2_weights.h5"), huge)
    with h5py.File(huge, "r+") as f:
        del f["bn_add/bn_add/gamma:0"]
        f["bn_add/bn_add"].create_dataset("gamma:0", shape=(2 ** 30,), dtype="f4", chunks=(2 ** 20,))
    # the weights file with bn_add's gamma replaced by an external link into another file
    linked = os.path.join(HERE, "external_link.h5")
    shutil.copy(os.path.join(HERE, "keras2_weights.h5"), linked)
    with h5py.File(linked, "r+") as f:
        del f["bn_add/bn_add/gamma:0"]
        f["bn_add/bn_add/gamma:0"] = h5py.ExternalLink("keras2_model.h5", "/model_weights/bn_add/bn_add/gamma:0")

    # 2. nesting, rank 2, a non-last axis, a layer whose output rank cannot be known
    rng = np.random.default_rng(SEED + 1)
    inp = keras.Input((4, 4, 3), name="input")
    relu1 = layers.ReLU(name="relu1")(inp)
    seq = keras.Sequential([layers.InputLayer((4, 4, 3)), layers.BatchNormalization(name="inner_bn", scale=False),
                            layers.Dense(5, name="inner_dense")], name="seq")
    s = seq(relu1)
    i2 = keras.Input((4, 4, 5), name="func_input")
    func = keras.Model(i2, layers.BatchNormalization(name="func_bn", epsilon=1e-4)(i2), name="func")
    f = func(s)
    bn_flat = layers.BatchNormalization(name="bn_flat")(layers.Dense(6, name="dense")(layers.Flatten(name="flatten")(f)))
    bn_axis1 = layers.BatchNormalization(name="bn_axis1", axis=1)(f)
    bn_lambda = layers.BatchNormalization(name="bn_lambda")(layers.Lambda(lambda t: t * 2.0, name="double")(f))
    nested = keras.Model(inp, [bn_flat, bn_axis1, bn_lambda], name="nested_model")
    for layer in [l for l in nested.layers] + seq.layers + func.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.set_weights(list(bn_weights(rng, layer.center, layer.scale, layer.weights[0].shape[0]).values()))
    nested.save(os.path.join(HERE, "keras2_nested.h5"))
    expected = dict(np.load(os.path.join(HERE, "float_expected.npz")))
    for layer in [seq.get_layer("inner_bn"), func.get_layer("func_bn"), nested.get_layer("bn_flat")]:
        names = [v.name.split("/")[-1].split(":")[0] for v in layer.weights]
        for n, v in zip(names, layer.get_weights()):
            expected[f"nested/{layer.name}/{n}"] = v
    np.savez(os.path.join(HERE, "float_expected.npz"), **expected)

    # 3. quantized model: bn_add gets a per-axis output quantizer (automatic, before conv3, so it is
    #    equalized), bn_relu a per-tensor one (q_config), bn_last none. relu3 needs an output
    #    quantizer too, or bn_relu would receive a 32-bit input.
    samples = np.random.default_rng(SEED + 2).uniform(0.0, 4.0, (8, 4, 4, 3)).astype(np.float32)
    q_config = {"relu3": {"output_quantizer": {"bitwidth": 8, "signed": False, "axis": "per-tensor"}},
                "bn_relu": {"output_quantizer": {"bitwidth": 8, "axis": "per-tensor"}}}
    qmodel = quantize(model, q_config=q_config, samples=samples, num_samples=8, batch_size=4)
    qpath = os.path.join(HERE, "quantized_model.h5")
    qmodel.save(qpath)

    # the float outputs the calibration observed: predict() in batches of 4, as calibrate() ran it
    calib = {"samples": samples}
    for name in ("bn_add", "bn_relu"):
        sub = keras.Model(model.input, model.get_layer(name).output)
        for b in range(2):
            calib[f"{name}/batch{b}"] = sub.predict(samples[4 * b:4 * b + 4], batch_size=4, verbose=0)
    np.savez(os.path.join(HERE, "calibration.npz"), **calib)

    # 4. inputs fed straight to each QuantizedBatchNormalization of the reloaded model
    loaded = load_model(qpath)
    rng = np.random.default_rng(SEED + 3)
    inputs = {
        "bn_add": FixedPoint(rng.integers(-128, 128, (2, 4, 4, C)).astype(np.float32), 7,
                             np.array([2, 3, 4, 5, 3, 4, 2, 5, 4, 3], np.float32)),
        "bn_relu": FixedPoint(rng.integers(0, 256, (2, 4, 4, C)).astype(np.float32), 8, 4.),
        "bn_last": QFloat(FixedPoint(rng.integers(-128, 128, (2, 4, 4, C)).astype(np.float32), 7, 3.),
                          np.float32(0.0123)),
    }
    for name, x in inputs.items():
        layer = loaded.get_layer(name)
        assert isinstance(layer, QuantizedBatchNormalization), type(layer)
        for v in ("gamma", "beta", "moving_mean", "moving_variance"):
            saved = getattr(qmodel.get_layer(name), v).numpy()
            assert np.array_equal(getattr(layer, v).numpy(), saved), (name, v)
        y = layer(x)
        d = os.path.join(HERE, "quantized", name)
        os.makedirs(d, exist_ok=True)
        np.savez(os.path.join(d, "x.npz"), **qtensor_arrays(x))
        np.savez(os.path.join(d, "y.npz"), **qtensor_arrays(y))
        print(name, type(y).__name__, "vb", y.value_bits, "fb", y.frac_bits.numpy().tolist())

    # 5. the CLI demo: conv -> relu -> bn, quantized, with a per-axis output quantizer on bn
    make_demo(np, keras, layers, quantize, load_model, FixedPoint)


def make_demo(np, keras, layers, quantize, load_model, FixedPoint):
    rng = np.random.default_rng(SEED + 4)
    inp = keras.Input((4, 4, 3), name="input")
    r = layers.ReLU(name="relu")(layers.Conv2D(8, 3, padding="same", name="conv")(inp))
    bn = layers.BatchNormalization(name="bn")(r)
    model = keras.Model(inp, bn, name="demo_model")
    model.get_layer("conv").set_weights(list(conv_weights(rng, 3, 3, 8).values()))
    model.get_layer("bn").set_weights(list(bn_weights(rng, channels=8).values()))
    samples = rng.uniform(0.0, 4.0, (8, 4, 4, 3)).astype(np.float32)
    q_config = {"relu": {"output_quantizer": {"bitwidth": 8, "signed": False, "axis": "per-tensor"}},
                "bn": {"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}}}
    qmodel = quantize(model, q_config=q_config, samples=samples, num_samples=8, batch_size=4)
    os.makedirs(DEMO, exist_ok=True)
    path = os.path.join(DEMO, "demo_model.h5")
    qmodel.save(path, include_optimizer=False)
    layer = load_model(path).get_layer("bn")
    x = FixedPoint(rng.integers(0, 256, (1, 4, 4, 8)).astype(np.float32), 8, 5.)
    np.savez(os.path.join(DEMO, "demo_input.npz"), **qtensor_arrays(x))
    np.savez(os.path.join(DEMO, "demo_output.npz"), **qtensor_arrays(layer(x)))


def keras3(args):
    """Runs under Keras 3 (KERAS_BACKEND=numpy)."""
    import numpy as np
    import keras
    from keras import layers
    w = main_weights()
    inp, out = build_main(keras, layers)
    seq = keras.Sequential([layers.BatchNormalization(name="inner_bn", scale=False),
                            layers.Dense(4, name="inner_dense")], name="seq")
    model = keras.Model(inp, seq(out), name="float_model_k3")
    set_weights(model, w)
    set_weights(seq, w)
    model.save(os.path.join(HERE, "keras3_model.keras"))
    inp = keras.Input((4, 4, 3), name="input")
    axis1 = keras.Model(inp, layers.BatchNormalization(name="bn_axis1", axis=1)(inp), name="axis1_model")
    axis1.save(os.path.join(HERE, "keras3_axis1.keras"))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--keras3-python", help="a Python with Keras 3, for the .keras fixtures")
    p.add_argument("--keras3", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.keras3:
        keras3(a)
        sys.exit(0)
    keras2(a)
    if a.keras3_python:
        env = dict(os.environ, KERAS_BACKEND="numpy")
        subprocess.run([a.keras3_python, os.path.abspath(__file__), "--keras3"], check=True, env=env)
