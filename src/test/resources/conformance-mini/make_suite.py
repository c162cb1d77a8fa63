"""Writes the hand-made conformance suites of qbn4j's ConformanceSuiteTest (numpy only, no quantizeml).

Every number below is worked out by hand in README.md (spec §6 examples 1-3); this script only
serializes them in the interchange format. Run by hand from this folder:

    python make_suite.py   (any Python 3 with numpy)

suite/  cases qbn4j must pass;  wrong/  deliberately wrong cases that qbn4j must report as failures.
"""
import json
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# Trace keys, named as the golden generator (src/test/resources/golden/generate.py) names them.
A_VALUES, A_SCALE = "a_values", "a_scales"
INPUT_SHIFT = "input_shift"
BUFFER_FRAC_BITS, BUFFER_SCALES = "buffer_frac_bits", "buffer_scales"
B_VALUES, B_FRAC_BITS, B_SHIFT = "b_values", "b_frac_bits", "b_shift"
OUT_SCALES, OUT_SCALES_FRAC_BITS = "qscales_values", "qscales_frac_bits"
OUT_FRAC_BITS, OUT_SHIFT = "out_frac_bits", "out_shift"

S_A = np.float32(2) / np.float32(127)            # examples 1 and 2: f32(2/127) = 0.015748031437397003
# example 3: f32(max|a_f| / 127) with TensorFlow's rsqrt (one ulp above the spec's correctly rounded
# 0.0125733045861125; quantizeml 0.5.2 itself gives 0.0125733055, see README.md)
S_A3 = np.float32(0.0125733055)


def layer(name, quant_config, epsilon=0.001, axis=-1):
    config = {"name": name, "trainable": True, "dtype": "float32", "quant_config": quant_config,
              "epsilon": epsilon, "axis": axis}
    return {"class_name": "QuantizedBatchNormalization", "config": config}


def weights(gamma, beta, mean, var, range_max=None, rescaling_rate=None):
    w = {"gamma": gamma, "beta": beta, "moving_mean": mean, "moving_variance": var}
    if range_max is not None:
        w["output_quantizer/range_max"] = range_max
        w["output_quantizer/rescaling_rate"] = rescaling_rate
    return {k: np.asarray(v, np.float32) for k, v in w.items()}


def tensor(values, value_bits, frac_bits, scales=None):
    t = {"values": np.asarray(values, np.int64), "value_bits": np.int64(value_bits),
         "frac_bits": np.asarray(frac_bits, np.int64)}
    if scales is not None:
        t["scales"] = np.asarray(scales, np.float32)
    return t


def write_case(root, name, layer_json, w, x, y=None, error=None, trace=None):
    d = os.path.join(HERE, root, name)
    os.makedirs(d)
    with open(os.path.join(d, "layer.json"), "w") as f:
        json.dump(layer_json, f, indent=2)
        f.write("\n")
    np.savez(os.path.join(d, "weights.npz"), **w)
    np.savez(os.path.join(d, "x.npz"), **x)
    if y is not None:
        np.savez(os.path.join(d, "y.npz"), **y)
    if error is not None:
        with open(os.path.join(d, "error.txt"), "w") as f:
            f.write(error[0] + "\n" + error[1] + "\n")
    if trace is not None:
        np.savez(os.path.join(d, "trace.npz"), **{k: np.asarray(v) for k, v in trace.items()})


G, B, M, V = [1., 2.], [.5, -1.], [1., -2.], [3.999, .999]
NO_OQ = {"a_quantizer": {"bitwidth": 8}, "buffer_bitwidth": 32}
OQ_TENSOR = {"output_quantizer": {"bitwidth": 8, "signed": True, "axis": "per-tensor", "scale_bits": 8},
             "a_quantizer": {"bitwidth": 8}, "buffer_bitwidth": 32}
OQ_AXIS = {"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}, "a_quantizer": {"bitwidth": 8},
           "buffer_bitwidth": 32}

EX1 = dict(layer_json=layer("bn1", NO_OQ), w=weights(G, B, M, V),
           x=tensor([[[10, -20]]], 7, 2),
           y=tensor([[[320, -1780]]], 31, 2, S_A),
           trace={A_VALUES: np.float32([32, 127]), A_SCALE: S_A, BUFFER_FRAC_BITS: np.float32(2),
                  BUFFER_SCALES: S_A, B_VALUES: np.float32([0, 95]), B_FRAC_BITS: np.float32(-1),
                  B_SHIFT: np.float32(3)})
EX2 = dict(layer_json=layer("bn2", OQ_TENSOR), w=weights(G, B, M, V, 8.0, 1.0),
           x=tensor([[[10, -20], [-7, 33]]], 7, [2, 4]),
           y=tensor([[[20, 8], [-14, 114]]], 7, 4),
           trace={A_VALUES: np.float32([32, 127]), A_SCALE: S_A, INPUT_SHIFT: np.float32([2, 0]),
                  BUFFER_FRAC_BITS: np.float32(4), BUFFER_SCALES: S_A, B_VALUES: np.float32([0, 95]),
                  B_FRAC_BITS: np.float32(-1), B_SHIFT: np.float32(5), OUT_SCALES: np.float32(129),
                  OUT_SCALES_FRAC_BITS: np.float32(13), OUT_FRAC_BITS: np.float32(4),
                  OUT_SHIFT: np.float32(-13),
                  # the remaining keys of the generator, as int64 like the generator writes them
                  "sigma_rec": np.float32([0.5, 1.0]), "a_float": np.float32([0.5, 2.0]),
                  "a_value_bits": np.int64(7), "a_frac_bits": np.int64(0),
                  "xa_values": np.int64([[[1280, -2540], [-896, 4191]]]), "xa_frac_bits": np.int64(4),
                  "xa_scales": S_A, "b_float": np.float32([0, 3]), "b_value_bits": np.int64(7),
                  "b_aligned_values": np.int64([0, 3040]),
                  "buffer_values": np.int64([[[1280, 500], [-896, 7231]]]), "buffer_value_bits": np.int64(31),
                  "qscales_float": S_A, "scaled_values": np.int64([[[165120, 64500], [-115584, 932799]]]),
                  "scaled_frac_bits": np.int64(17),
                  # not compared by qbn4j (a pre-rounding argument): v * 2^-13, exact in float32
                  "out_scaled": np.float32([[[165120, 64500], [-115584, 932799]]]) / np.float32(8192)})
EX3 = dict(layer_json=layer("bn3", OQ_AXIS, axis=[2]),
           w=weights([0.8, -1.2, 0.3], [0.05, 0.1, -0.02], [0.5, -0.25, 1.0], [0.25, 1.0, 0.04],
                     [4.5, 6.0, 0.75], [1., 1., 1.]),
           x=tensor([[[3, -5, 7]]], 7, 0),
           y=tensor([[[65, 92, 127]]], 7, [4, 4, 7]),
           trace={A_VALUES: np.float32([127, -95, 118]), A_SCALE: S_A3, BUFFER_FRAC_BITS: np.float32(0),
                  B_VALUES: np.float32([-60, -16, -119]), B_FRAC_BITS: np.float32(0), B_SHIFT: np.float32(0),
                  OUT_SCALES: np.float32([206, 206, 206]), OUT_SCALES_FRAC_BITS: np.float32([14, 14, 14]),
                  OUT_FRAC_BITS: np.float32([4, 4, 7]), OUT_SHIFT: np.float32([-10, -10, -7])})
VB_ABOVE_BUFFER = dict(layer_json=layer("bn", {"a_quantizer": {"bitwidth": 8}, "buffer_bitwidth": 16}),
                       w=weights(G, B, M, V), x=tensor([[[1, 1]]], 16, 0))
PER_AXIS_QFLOAT = dict(layer_json=layer("bn", NO_OQ), w=weights(G, B, M, V),
                       x=tensor([[[10, -20]]], 7, 2, [0.5, 0.25]))
VALUE_ERROR = ("ValueError", "Exception encountered when calling layer 'bn' (type QuantizedBatchNormalization).\n\n"
               "Cannot reduce value bits from 16 to 15: use a quantizer instead")
INVALID_ARGUMENT = ("InvalidArgumentError", "Exception encountered when calling layer 'bn' (type "
                    "QuantizedBatchNormalization).\n\nno-name is not per-tensor.\nCondition x == y did not hold.")

for root in ("suite", "wrong"):
    shutil.rmtree(os.path.join(HERE, root), ignore_errors=True)

write_case("suite", "example1-per-tensor-input", **EX1)
write_case("suite", "example2-per-axis-input-per-tensor-output", **EX2)
write_case("suite", "example3-per-axis-output-saturates", **EX3)
write_case("suite", "error-input-value-bits-above-buffer", **VB_ABOVE_BUFFER, error=VALUE_ERROR)
write_case("suite", "error-per-axis-qfloat-input", **PER_AXIS_QFLOAT, error=INVALID_ARGUMENT)

wrong_y = dict(EX2, y=tensor([[[20, 8], [-14, 113]]], 7, 4))
write_case("wrong", "wrong-output-value", **wrong_y)
write_case("wrong", "wrong-error-class", **VB_ABOVE_BUFFER, error=("TypeError", "a made-up reason"))
wrong_trace = dict(EX1, trace=dict(EX1["trace"], **{B_VALUES: np.float32([0, 96])}))
write_case("wrong", "wrong-trace", **wrong_trace)
write_case("wrong", "wrong-expects-output", **VB_ABOVE_BUFFER, y=tensor([[[1, 1]]], 15, 0))
ex1_no_y = {k: v for k, v in EX1.items() if k not in ("y", "trace")}
write_case("wrong", "wrong-expects-error", **ex1_no_y, error=VALUE_ERROR)
