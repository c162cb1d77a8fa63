#!/usr/bin/env python
"""Which Grappler optimizer makes graph mode differ from eager mode?

For the given case folders (interchange format), the layer is rebuilt from layer.json and
weights.npz and called on x.npz: eagerly, inside tf.function with the default optimizer options,
and inside tf.function with one optimizer switched off at a time
(tf.config.optimizer.set_experimental_options), then with the whole meta optimizer off.  For each
setting it prints how many cases give the eager bits and how many the default graph bits.

Usage: ablate.py SUITE_DIR [CASE_NAME ...]      (no names: the cases listed as differing in the
       suite README's graph-vs-eager table)
"""
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import json                                                   # noqa: E402
import numpy as np                                            # noqa: E402
import tensorflow as tf                                       # noqa: E402
import keras                                                  # noqa: E402
from quantizeml.layers import QuantizedBatchNormalization      # noqa: E402
from quantizeml.tensors import FixedPoint, QFloat              # noqa: E402

tf.get_logger().setLevel("ERROR")
OPTIMIZERS = ["constant_folding", "arithmetic_optimization", "remapping", "layout_optimizer",
              "shape_optimization", "dependency_optimization", "loop_optimization",
              "function_optimization", "debug_stripper", "pin_to_host_optimization",
              "implementation_selector", "scoped_allocator_optimization"]


def load(case):
    cfg = json.load(open(os.path.join(case, "layer.json")))["config"]
    w = dict(np.load(os.path.join(case, "weights.npz")))
    x = dict(np.load(os.path.join(case, "x.npz")))
    fp = FixedPoint(x["values"].astype(np.float32), int(x["value_bits"]),
                    x["frac_bits"].astype(np.float32))
    q = QFloat(fp, x["scales"]) if "scales" in x else fp
    return cfg, w, q


def fresh_layer(cfg, w, shape):
    layer = QuantizedBatchNormalization(quant_config=json.loads(json.dumps(cfg["quant_config"])),
                                        axis=cfg["axis"], epsilon=cfg["epsilon"], name="bn")
    layer.build(shape)
    keras.layers.Layer.build(layer, shape)
    if layer.out_quantizer is not None:
        layer.out_quantizer.build(shape)
    for k in ("gamma", "beta", "moving_mean", "moving_variance"):
        getattr(layer, k).assign(w[k])
    if layer.out_quantizer is not None:
        layer.out_quantizer.range_max.assign(w["output_quantizer/range_max"])
        layer.out_quantizer.rescaling_rate.assign(w["output_quantizer/rescaling_rate"])
    return layer


def bits(t):
    fp = t.fp if isinstance(t, QFloat) else t
    parts = [np.asarray(fp.values), np.asarray(fp.frac_bits)]
    if isinstance(t, QFloat):
        parts.append(np.asarray(t.scales))
    return b"".join(np.asarray(p, np.float32).tobytes() for p in parts)


def run(case, graph):
    cfg, w, q = load(case)
    layer = fresh_layer(cfg, w, q.shape)
    if graph:
        return bits(tf.function(lambda t: layer(t))(q))
    return bits(layer(q))


def readme_cases(suite):
    txt = open(os.path.join(suite, "README.md")).read()
    sec = txt.split("Cases whose graph-mode output differs:")[1].split("\n## ")[0]
    return re.findall(r"^\| (\d{4}-[^ |]+) \|", sec, re.M)


def main():
    suite = sys.argv[1]
    names = sys.argv[2:] or readme_cases(suite)
    cases = [os.path.join(suite, n) for n in names]
    eager = {c: run(c, False) for c in cases}
    graph = {c: run(c, True) for c in cases}
    print(f"{len(cases)} cases; default graph == eager: "
          f"{sum(graph[c] == eager[c] for c in cases)}")
    settings = [({o: False}, f"{o} off") for o in OPTIMIZERS]
    settings.append(({"disable_meta_optimizer": True}, "disable_meta_optimizer"))
    for opts, label in settings:
        tf.config.optimizer.set_experimental_options(opts)
        got = {c: run(c, True) for c in cases}
        tf.config.optimizer.set_experimental_options(
            {k: (not v if isinstance(v, bool) else v) for k, v in opts.items()})
        print(f"{label:32s}: == eager {sum(got[c] == eager[c] for c in cases):4d}, "
              f"== default graph {sum(got[c] == graph[c] for c in cases):4d}")
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
