"""Fixtures for qbn4j's command-line tests (calibrate, and the float batch normalization it observes).

Generator: this file (src/test/resources/cli/make_cli_fixtures.py), run by hand, never in CI.
Environment: quantizeml 0.5.2, tensorflow 2.12.1 (oneDNN on, TensorFlow's default on x86-64 Linux),
keras 2.12.0, numpy 1.23.5, Python 3.11.7 (/work/venv/qml). Seed: 20261127. Date: 2026-11-26.

    /work/venv/qml/bin/python make_cli_fixtures.py

reads ../models/keras2_model.h5 and ../models/calibration.npz and writes, next to this script:
    bn_add_samples.npz    the inputs of bn_add during the calibration of ../models/quantized_model.h5:
                          batch0, batch1, float32 (4, 4, 4, 10) each
    bn_relu_samples.npz   the same for bn_relu
    float_bn_reference.npz  <case>/{gamma,beta,moving_mean,moving_variance,epsilon,x,y} for the cases
                          rank2, rank3, rank4: y is what a Keras BatchNormalization layer returns for x
                          in inference (model.predict)
"""
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "models")
SEED = 20261127


def layer_inputs():
    model = keras.models.load_model(os.path.join(MODELS, "keras2_model.h5"), compile=False)
    calib = np.load(os.path.join(MODELS, "calibration.npz"))
    samples = calib["samples"]
    for name in ("bn_add", "bn_relu"):
        layer = model.get_layer(name)
        sub = keras.Model(model.input, layer.input)
        out = keras.Model(model.input, layer.output)
        batches = {}
        for b in range(2):
            x = samples[4 * b:4 * b + 4]
            batches[f"batch{b}"] = sub.predict(x, batch_size=4, verbose=0).astype(np.float32)
            # the layer applied to these inputs gives what the calibration observed
            assert np.array_equal(out.predict(x, batch_size=4, verbose=0), calib[f"{name}/batch{b}"]), name
        np.savez(os.path.join(HERE, f"{name}_samples.npz"), **batches)


def float_reference():
    rng = np.random.default_rng(SEED)
    arrays = {}
    # 10 channels: TensorFlow's rsqrt runs 8 in a packet and 2 in its scalar tail
    for case, shape, eps in (("rank2", (16, 10), 1e-3), ("rank3", (3, 7, 10), 1e-2), ("rank4", (2, 5, 3, 10), 1e-4)):
        c = shape[-1]
        gamma = (rng.uniform(0.5, 1.5, c) * rng.choice([-1.0, 1.0], c)).astype(np.float32)
        beta = rng.normal(0.0, 0.5, c).astype(np.float32)
        mean = rng.normal(0.0, 0.5, c).astype(np.float32)
        var = rng.uniform(0.01, 2.0, c).astype(np.float32)
        x = rng.normal(0.0, 2.0, shape).astype(np.float32)
        inp = keras.Input(shape[1:])
        bn = keras.layers.BatchNormalization(epsilon=eps)
        model = keras.Model(inp, bn(inp))
        bn.set_weights([gamma, beta, mean, var])
        y = model.predict(x, batch_size=shape[0], verbose=0)
        print(case, "fused" if bn.fused else "not fused")
        for k, v in (("gamma", gamma), ("beta", beta), ("moving_mean", mean), ("moving_variance", var),
                     ("epsilon", np.array(eps, np.float64)), ("x", x), ("y", y)):
            arrays[f"{case}/{k}"] = v
    np.savez(os.path.join(HERE, "float_bn_reference.npz"), **arrays)


if __name__ == "__main__":
    tf.keras.utils.set_random_seed(SEED)
    layer_inputs()
    float_reference()
