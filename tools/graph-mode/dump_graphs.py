#!/usr/bin/env python
"""Trace quantizeml 0.5.2's QuantizedBatchNormalization.call in tf.function and print every
float32 arithmetic node of the traced GraphDef before and after Grappler (TensorFlow's graph
optimizer, run here through tensorflow.python.grappler.tf_optimizer.OptimizeGraph with the
default RewriterConfig), so that the rewrites can be read off.

Usage: /work/venv/qml/bin/python tools/graph-mode/dump_graphs.py [OUTDIR]
       /work/venv/qml/bin/python tools/graph-mode/dump_graphs.py --constants
It writes OUTDIR/<variant>.{before,after}.pbtxt (OUTDIR defaults to a new temporary folder) and
prints, per variant, the nodes that Grappler changed.
"""
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np                                            # noqa: E402
import tensorflow as tf                                       # noqa: E402
import keras                                                  # noqa: E402
from tensorflow.core.protobuf import config_pb2, meta_graph_pb2   # noqa: E402
from tensorflow.python.grappler import tf_optimizer           # noqa: E402
from quantizeml.layers import QuantizedBatchNormalization      # noqa: E402
from quantizeml.tensors import FixedPoint, QFloat              # noqa: E402


def make(qc, shape, seed=0):
    rng = np.random.default_rng(seed)
    C = shape[-1]
    layer = QuantizedBatchNormalization(quant_config=qc, name="bn")
    layer.build(shape)
    keras.layers.Layer.build(layer, shape)
    if layer.out_quantizer is not None:
        layer.out_quantizer.build(shape)
    layer.gamma.assign(rng.uniform(0.5, 1.5, C).astype(np.float32))
    layer.beta.assign(rng.normal(0, 1, C).astype(np.float32))
    layer.moving_mean.assign(rng.normal(0, 1, C).astype(np.float32))
    layer.moving_variance.assign(rng.uniform(0.5, 2, C).astype(np.float32))
    return layer


VARIANTS = {
    # name: (quant_config, input maker)
    "fp-pt-nooq": ({}, lambda s: FixedPoint(np.ones(s, np.float32), 7, np.float32(3))),
    "fp-pa-oqpt": ({"output_quantizer": {"bitwidth": 8}},
                   lambda s: FixedPoint(np.ones(s, np.float32), 7,
                                        np.arange(s[-1], dtype=np.float32) % 4)),
    "qf-pt-oqpa": ({"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}},
                   lambda s: QFloat(FixedPoint(np.ones(s, np.float32), 7, np.float32(2)),
                                    np.float32(0.37))),
}


def optimize(cf):
    gd = cf.graph.as_graph_def()
    mg = tf.compat.v1.train.export_meta_graph(graph_def=gd, graph=cf.graph)
    fetch = meta_graph_pb2.CollectionDef()
    for t in cf.outputs:
        fetch.node_list.value.append(t.name)
    mg.collection_def["train_op"].CopyFrom(fetch)
    cfg = config_pb2.ConfigProto()
    return gd, tf_optimizer.OptimizeGraph(cfg, mg)


ARITH = {"RealDiv", "Div", "Mul", "Reciprocal", "Log", "Rsqrt", "AddV2", "Add", "Sub", "Neg",
         "Pow", "Ceil", "Floor", "Round", "Maximum", "Minimum", "Max", "Abs", "ClipByValue",
         "Square", "Sqrt", "Exp", "_FusedMul", "FusedBatchNorm", "BiasAdd"}


def const_value(n):
    if n.op != "Const":
        return None
    return tf.make_ndarray(n.attr["value"].tensor)


COMMUTATIVE = {"Mul", "AddV2", "Add", "Maximum", "Minimum"}
PASS = {"IdentityN", "Identity", "StopGradient"}


def describe(gd):
    """node name -> 'Op(inputs)', inputs followed through Identity/IdentityN/StopGradient, shown
    as the producing op (or the constant's value and float32 bits), commutative inputs sorted."""
    nodes = {n.name: n for n in gd.node}

    def resolve(ref):
        name, _, port = ref.partition(":")
        n = nodes.get(name)
        while n is not None and n.op in PASS:
            k = int(port) if (port and n.op == "IdentityN") else 0
            ins = [i for i in n.input if not i.startswith("^")]
            name, _, port = ins[k].partition(":")
            n = nodes.get(name)
        return n

    def show(ref):
        n = resolve(ref)
        if n is None:
            return "?"
        v = const_value(n)
        if v is not None:
            vf = np.asarray(v)
            if vf.size > 4:
                return f"Const(shape {vf.shape})"
            bits = (" " + " ".join(f"0x{b:08x}" for b in vf.view(np.uint32).ravel())
                    if vf.dtype == np.float32 else "")
            return f"Const({vf.tolist()}{bits})"
        return f"{n.op}:{n.name}"
    out = {}
    for n in gd.node:
        if n.op in ARITH or (n.op.startswith("_") and n.op not in PASS):
            ins = [show(i) for i in n.input if not i.startswith("^")]
            if n.op in COMMUTATIVE:
                ins = sorted(ins)
            out[n.name] = f"{n.op}({', '.join(ins)})"
    return out


def reciprocal_constants():
    """For every a_quantizer value_bits 1..8: the constant that replaced `/ (2^vb - 1)`."""
    shape = (1, 2, 3)
    for bw, signed in [(2, True), (3, True), (4, True), (5, True), (6, True), (7, True),
                       (8, True), (8, False)]:
        layer = make({"a_quantizer": {"bitwidth": bw, "signed": signed}}, shape)
        x = FixedPoint(np.ones(shape, np.float32), 7, np.float32(3))
        cf = tf.function(lambda t: layer(t)).get_concrete_function(x)
        before, after = optimize(cf)
        a = describe(after)
        vb = bw - 1 if signed else bw
        print(f"a_quantizer bitwidth {bw} {'signed' if signed else 'unsigned'} (value_bits {vb}, "
              f"divisor {2 ** vb - 1}): bn/a_quantizer/truediv after Grappler = "
              f"{a.get('bn/a_quantizer/truediv', 'removed (x / 1 -> x)')}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--constants":
        reciprocal_constants()
        return
    outdir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="graph-mode-")
    os.makedirs(outdir, exist_ok=True)
    shape = (1, 2, 11)
    for name, (qc, mk) in VARIANTS.items():
        layer = make(dict(qc), shape)
        x = mk(shape)
        fn = tf.function(lambda t: layer(t))
        cf = fn.get_concrete_function(x)
        before, after = optimize(cf)
        for tag, gd in (("before", before), ("after", after)):
            with open(os.path.join(outdir, f"{name}.{tag}.pbtxt"), "w") as f:
                f.write(str(gd))
        b, a = describe(before), describe(after)
        print(f"===== {name}: {len(before.node)} nodes before, {len(after.node)} after")
        for k in sorted(set(b) | set(a)):
            if b.get(k) != a.get(k):
                print(f"  {k}\n    before: {b.get(k)}\n    after:  {a.get(k)}")
    print("graphs written to", outdir)


if __name__ == "__main__":
    main()
