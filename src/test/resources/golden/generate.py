#!/usr/bin/env python
"""Golden conformance suite generator for qbn4j's QuantizedBatchNormalization.

What it makes
    src/test/resources/golden/bn-0.5.2/NNNN-<tags>/   one folder per case, in the interchange
        format of docs/interchange.md: layer.json, weights.npz, x.npz, then y.npz +
        trace.npz (the layer succeeded) or error.txt (the layer raised).
    src/test/resources/golden/README.md               provenance, trace keys, coverage table and
        the graph-vs-eager check result, all written by this script.

Reference
    Every expected output is produced by BrainChip's released package, called eagerly the way a
    user calls the layer: quantizeml 0.5.2, tensorflow 2.12.1, keras 2.12.0, numpy 1.23.5,
    Python 3.11.7 (the versions are asserted at start-up).  Nothing here re-implements
    quantizeml's arithmetic: traces are read from quantizeml's own recorders and from
    pass-through hooks on quantizeml's own functions.

Determinism
    One master seed, MASTER_SEED = 20261126.  Case j of family f draws from
    numpy.random.default_rng([MASTER_SEED, f, j]).  The .npz archives are written by a
    deterministic equivalent of numpy.savez_compressed (deflated zip of .npy members with a fixed
    1980-01-01 timestamp), so re-running on the same machine reproduces identical bytes.  Results
    of quantizeml itself depend on the CPU (TensorFlow's float32 rsqrt uses VRSQRTPS, whose
    estimate differs between Intel and AMD): regenerate only on the same kind of machine.

How to run (by hand, never in CI; from the repository root)
    python src/test/resources/golden/generate.py

    It deletes and rewrites bn-0.5.2/ and README.md next to this script, and nothing else.
    Without options it makes the Intel eager suite exactly as before (it refuses to run on a CPU
    that is not GenuineIntel).  Other suites:

    generate.py --suite bn-0.5.2-amd-eager --cpu amd-zen3 --mode eager
    generate.py --suite bn-0.5.2-amd-graph --cpu amd-zen3 --mode graph

    --suite NAME   the folder next to this script (deleted and rewritten); for any NAME other than
                   bn-0.5.2 the README goes inside the folder, together with reference.json
                   ({"quantizeml": "0.5.2", "cpu": CPU, "mode": MODE})
    --cpu LABEL    the CPU profile written to reference.json; its vendor (intel -> GenuineIntel,
                   amd-* -> AuthenticAMD) must be the vendor in /proc/cpuinfo (default intel)
    --mode MODE    eager: layer(x) called eagerly (default); graph: the layer called inside
                   tf.function(lambda t: layer(t)), so that TensorFlow's graph optimizer (Grappler)
                   runs on it as under model.predict
    --date DATE    the date written to the README (default: 2026-11-26 for bn-0.5.2, else today)
    --shard I/N    only run the cases with index % N == I - 1 and write their folders, skipping
                   the complete ones already there (no deletion, no README); several shards run
                   in parallel on a busy machine, then --readme-only finishes the suite.  Every
                   case is independent, so the folders are the same as from one unsharded run.
    --readme-only  rebuild the records from the case folders on disk (the specifications are
                   regenerated and checked against the folder names), then do the comparisons and
                   write reference.json and the README
    --compare-with DIR   take the other mode's outputs (graph-vs-eager section) from the suite
                   DIR next to this script (same machine, same generator; inputs checked
                   byte-identical) instead of re-running every case in the other mode
    The case specifications (inputs, weights, configs) do not depend on --mode: the searches of
    the tie family always probe the layer eagerly, so both modes on one machine get the same
    cases and differ only in the expected outputs.
"""

import argparse
import copy
import datetime
import io
import json
import os
import platform
import shutil
import sys
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("ASSERT_ENABLED", None)        # quantizeml assertions stay on (the default)
os.environ.pop("RECORDING_ENABLED", None)

import numpy as np                            # noqa: E402
import tensorflow as tf                       # noqa: E402
import keras                                  # noqa: E402
import quantizeml                             # noqa: E402
from quantizeml.layers import QuantizedBatchNormalization, recording       # noqa: E402
from quantizeml.layers.quantizers import OutputQuantizer                  # noqa: E402
from quantizeml.tensors import FixedPoint, QFloat, QTensor                # noqa: E402
import quantizeml.tensors.fixed_point as qml_fixed_point                  # noqa: E402

MASTER_SEED = 20261126
GEN_DATE = "2026-11-26"
SUITE_NAME = "bn-0.5.2"
GRAPH_SAMPLE = 150
HERE = os.path.dirname(os.path.abspath(__file__))
SUITE_DIR = os.path.join(HERE, SUITE_NAME)
README = os.path.join(HERE, "README.md")
DEFAULT_SUITE = SUITE_NAME
MODE = "eager"                 # --mode: how the expected outputs are produced
CPU_LABEL = "intel"            # --cpu

EXPECTED_VERSIONS = {
    "quantizeml": "0.5.2", "tensorflow": "2.12.1", "keras": "2.12.0", "numpy": "1.23.5",
    "python": "3.11.7",
}


def versions():
    from importlib.metadata import version
    return {
        "quantizeml": version("quantizeml"), "tensorflow": tf.__version__,
        "keras": keras.__version__, "numpy": np.__version__,
        "python": platform.python_version(),
    }


# ------------------------------------------------------------------------------------------------
# Deterministic file writers
# ------------------------------------------------------------------------------------------------

def save_npz(path, arrays):
    """numpy.savez_compressed equivalent with fixed zip timestamps (byte-reproducible)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue())
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def plain(obj):
    """Convert Keras trackable wrappers and numpy scalars to plain JSON-able Python."""
    if hasattr(obj, "items"):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) or type(obj).__name__ == "ListWrapper":
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def save_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


# ------------------------------------------------------------------------------------------------
# Conversions of quantizeml tensors into interchange arrays
# ------------------------------------------------------------------------------------------------

class GenError(Exception):
    """Something the generator did not expect from quantizeml (reported, never swallowed)."""


def f32(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t, dtype=np.float32)


def i64(t, what):
    a = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or not np.all(a == np.floor(a)):
            raise GenError(f"{what} is not integral: {a}")
    return a.astype(np.int64)


def vb_array(vb, what):
    if not isinstance(vb, (int, np.integer)) or isinstance(vb, bool):
        raise GenError(f"{what} value_bits is not an int: {vb!r}")
    return np.array(int(vb), dtype=np.int64)


def qtensor_arrays(t, what):
    fp = t.fp if isinstance(t, QFloat) else t
    out = {"values": i64(fp.values, what + ".values"),
           "value_bits": vb_array(fp.value_bits, what),
           "frac_bits": i64(fp.frac_bits, what + ".frac_bits")}
    if isinstance(t, QFloat):
        out["scales"] = f32(t.scales)
    return out


def same_bits(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
            return False
    return True


# ------------------------------------------------------------------------------------------------
# Running one case through quantizeml
# ------------------------------------------------------------------------------------------------

def build_input(spec):
    vals = np.asarray(spec["xvals"])
    vals32 = vals.astype(np.float32)
    if not np.array_equal(vals32.astype(np.int64), vals.astype(np.int64)):
        raise GenError("input values are not exact in float32")
    fp = FixedPoint(vals32, int(spec["xvb"]), np.asarray(spec["xfb"], dtype=np.float32))
    if spec["xkind"] == "qf":
        return QFloat(fp, np.asarray(spec["xscales"], dtype=np.float32))
    return fp


def make_layer(spec, shape):
    """Construct, build (marking built as Keras' _maybe_build does) and load the weights.

    QuantizedBatchNormalization.build() does not call super().build(), so after a bare
    layer.build() Keras still thinks the layer is unbuilt and the first layer(x) would build it
    again, replacing the variables (and the weights assigned here) by fresh initial values.
    """
    qc = copy.deepcopy(spec["qc"])
    stage = "construct"
    layer = None
    try:
        layer = QuantizedBatchNormalization(quant_config=qc, axis=copy.deepcopy(spec["axis"]),
                                            epsilon=spec["eps"], name="bn")
        stage = "build"
        layer.build(shape)
        keras.layers.Layer.build(layer, shape)
        if layer.out_quantizer is not None:
            layer.out_quantizer.build(shape)
        layer.gamma.assign(spec["gamma"])
        layer.beta.assign(spec["beta"])
        layer.moving_mean.assign(spec["mean"])
        layer.moving_variance.assign(spec["var"])
        if layer.out_quantizer is not None:
            layer.out_quantizer.range_max.assign(spec["rm"])
            layer.out_quantizer.rescaling_rate.assign(spec["rr"])
        return layer, None, None
    except GenError:
        raise
    except Exception as e:              # noqa: BLE001 - the reference's error is the result
        return layer, stage, e


def error_text(e):
    text = type(e).__name__ + "\n" + str(e) + "\n"
    return normalize_graph_error(text) if MODE == "graph" else text


def normalize_graph_error(text):
    """Graph mode: TensorFlow numbers the traced functions with a process-wide counter
    (`__inference_<lambda>_141435`, `..._AssertGuard_false_141258`), which depends on how many
    functions the process traced before; these numbers become `N` so that the text does not
    depend on the order or sharding of the run.  So does the line number of this script's own
    frame in the tracebacks of errors raised while tracing."""
    import re
    text = re.sub(r"(__inference_[A-Za-z0-9_<>]*?_)\d+", r"\1N", text)
    # the traceback's frame in this script: its line number changes with any edit of it
    text = re.sub(r'(File "[^"]*generate\.py", line )\d+', r"\1N", text)
    return re.sub(r"(AssertGuard_(?:true|false)_)\d+", r"\1N", text)


class Hooks:
    """Pass-through hooks on quantizeml functions, active only during the trace call."""

    def __init__(self):
        self.cap = {}

    def rec(self, key, value):
        self.cap.setdefault(key, []).append(value)

    def __enter__(self):
        self.o_quantize = QFloat.__dict__["quantize"]
        self.o_upscale = QFloat.upscale
        self.o_tfp = QFloat.to_fixed_point
        self.o_b = QuantizedBatchNormalization.b
        self.o_oqcall = OutputQuantizer.call
        self.o_rescale = FixedPoint.rescale
        self.o_round = qml_fixed_point.round_through
        self.o_floor = qml_fixed_point.floor_through
        self.o_expand = FixedPoint.expand
        h = self
        oq = self.o_quantize.__func__

        def quantize(x, value_bits, scales, frac_bits=0.):
            h.rec("quantize", (x, value_bits, scales, frac_bits))
            res = oq(x, value_bits, scales, frac_bits)
            h.rec("quantize_res", res)
            return res

        def upscale(self_, *a, **k):
            res = h.o_upscale(self_, *a, **k)
            h.rec("upscale", (self_, res))
            return res

        def to_fixed_point(self_, *a, **k):
            h.rec("tfp_scales", self_.scales)
            res = h.o_tfp(self_, *a, **k)
            h.rec("tfp_res", res)
            return res

        def b(self_, outputs):
            h.rec("xa", outputs)
            return h.o_b(self_, outputs)

        def oqcall(self_, inputs):
            h.rec("oq_in", inputs)
            return h.o_oqcall(self_, inputs)

        def rescale(self_, *a, **k):
            h.rec("rescale", self_)
            res = h.o_rescale(self_, *a, **k)
            h.rec("rescale_res", res)
            return res

        def expand(self_, *a, **k):
            res = h.o_expand(self_, *a, **k)
            h.rec("expand_res", res)
            return res

        def round_through(x):
            h.rec("round", x)
            return h.o_round(x)

        def floor_through(x):
            h.rec("floor", x)
            return h.o_floor(x)

        QFloat.quantize = staticmethod(quantize)
        QFloat.upscale = upscale
        QFloat.to_fixed_point = to_fixed_point
        QuantizedBatchNormalization.b = b
        OutputQuantizer.call = oqcall
        FixedPoint.rescale = rescale
        qml_fixed_point.round_through = round_through
        qml_fixed_point.floor_through = floor_through
        FixedPoint.expand = expand
        return self

    def __exit__(self, *exc):
        QFloat.quantize = self.o_quantize
        QFloat.upscale = self.o_upscale
        QFloat.to_fixed_point = self.o_tfp
        QuantizedBatchNormalization.b = self.o_b
        OutputQuantizer.call = self.o_oqcall
        FixedPoint.rescale = self.o_rescale
        qml_fixed_point.round_through = self.o_round
        qml_fixed_point.floor_through = self.o_floor
        FixedPoint.expand = self.o_expand
        return False


def collect_trace(layer, y, cap):
    """Intermediates of the traced call, from quantizeml's recorders and the hooks."""
    t = {}
    n = {k: len(v) for k, v in cap.items()}
    oq = layer.out_quantizer
    exp_round = 3 if oq is not None else 2
    if n.get("quantize") != 2 or n.get("round") != exp_round or n.get("upscale") != 1 \
            or n.get("xa") != 1:
        raise GenError(f"unexpected hook counts {n}")
    t["sigma_rec"] = f32(layer.sigma_rec)
    a_x, _, _, _ = cap["quantize"][0]
    t["a_float"] = f32(a_x)
    t["a_scaled"] = f32(cap["round"][0])
    a = layer.a_quantizer.qweights.value
    t["a_values"] = i64(a.fp.values, "a")
    t["a_value_bits"] = vb_array(a.fp.value_bits, "a")
    if np.any(i64(a.fp.frac_bits, "a fb") != 0):
        raise GenError("a has non-zero frac bits")
    t["a_scales"] = f32(a.scales)
    rec = getattr(layer, "input_shift", None)
    if rec is not None and rec.value is not None:
        t["input_shift"] = i64(rec.value, "input_shift")
    xa = cap["xa"][0]
    t["xa_values"] = i64(xa.fp.values, "xa")
    b_x, _, _, _ = cap["quantize"][1]
    t["b_float"] = f32(b_x)
    t["b_scaled"] = f32(cap["round"][1])
    b_pre, _ = cap["upscale"][0]
    t["b_values"] = i64(b_pre.fp.values, "b")
    t["b_value_bits"] = vb_array(b_pre.fp.value_bits, "b")
    t["b_frac_bits"] = i64(b_pre.fp.frac_bits, "b fb")
    t["b_shift"] = i64(layer.b_quantizer.shift.value, "b_shift")
    t["b_aligned_values"] = i64(layer.b_quantizer.qweights.value.fp.values, "b aligned")
    buf = cap["oq_in"][0] if oq is not None else y
    t["buffer_values"] = i64(buf.fp.values, "buffer")
    t["buffer_value_bits"] = vb_array(buf.fp.value_bits, "buffer")
    t["buffer_frac_bits"] = i64(buf.fp.frac_bits, "buffer fb")
    t["buffer_scales"] = f32(buf.scales)
    if not (same_bits({"f": i64(xa.fp.frac_bits, "xa fb")}, {"f": t["buffer_frac_bits"]})
            and same_bits({"s": f32(xa.scales)}, {"s": t["buffer_scales"]})):
        raise GenError("x*a and the buffer differ in frac bits or scales")
    if oq is not None:
        if n.get("rescale") != 1 or n.get("floor") != 1 or n.get("tfp_scales") != 1:
            raise GenError(f"unexpected output-quantizer hook counts {n}")
        t["qscales_float"] = f32(cap["tfp_scales"][0])
        t["qscales_scaled"] = f32(cap["round"][2])
        qs = oq.qscales.value
        t["qscales_values"] = i64(qs.values, "qscales")
        t["qscales_frac_bits"] = i64(qs.frac_bits, "qscales fb")
        v = cap["rescale"][0]
        t["scaled_values"] = i64(v.values, "scaled")
        t["scaled_frac_bits"] = i64(v.frac_bits, "scaled fb")
        shift = oq.shift.value
        # Same TF op as FixedPoint.rescale's first line; checked against the captured floor arg.
        out_scaled = tf.math.multiply(v.values, tf.pow(2.0, tf.cast(shift, tf.float32)))
        if not np.array_equal(f32(out_scaled + 0.5), f32(cap["floor"][0]), equal_nan=True):
            raise GenError("recomputed out_scaled disagrees with the captured rounding argument")
        t["out_scaled"] = f32(out_scaled)
        t["out_shift"] = i64(shift, "out_shift")
        t["out_frac_bits"] = i64(y.frac_bits, "out fb")
    return t


def collect_trace_hooks(y, cap, sigma_rec, has_oq):
    """The same keys as collect_trace, from the hooks alone (no recorder, no layer variable).

    Graph mode needs this: quantizeml's recorders create variables inside the call, which
    tf.function does not allow, so there every intermediate is a hooked tensor returned by the
    traced function itself.  In eager mode both collectors run and must agree (checked).
    """
    t = {}
    n = {k: len(v) for k, v in cap.items()}
    if n.get("quantize") != 2 or n.get("quantize_res") != 2 or n.get("round") != \
            (3 if has_oq else 2) or n.get("upscale") != 1 or n.get("xa") != 1 \
            or n.get("expand_res", 0) > 1:
        raise GenError(f"unexpected hook counts {n}")
    t["sigma_rec"] = f32(sigma_rec)
    t["a_float"] = f32(cap["quantize"][0][0])
    t["a_scaled"] = f32(cap["round"][0])
    a = cap["quantize_res"][0]
    t["a_values"] = i64(a.fp.values, "a")
    t["a_value_bits"] = vb_array(a.fp.value_bits, "a")
    if np.any(i64(a.fp.frac_bits, "a fb") != 0):
        raise GenError("a has non-zero frac bits")
    t["a_scales"] = f32(a.scales)
    if "expand_res" in cap:
        t["input_shift"] = i64(cap["expand_res"][0][1], "input_shift")
    xa = cap["xa"][0]
    t["xa_values"] = i64(xa.fp.values, "xa")
    t["b_float"] = f32(cap["quantize"][1][0])
    t["b_scaled"] = f32(cap["round"][1])
    b_pre, (b_al, b_shift) = cap["upscale"][0]
    t["b_values"] = i64(b_pre.fp.values, "b")
    t["b_value_bits"] = vb_array(b_pre.fp.value_bits, "b")
    t["b_frac_bits"] = i64(b_pre.fp.frac_bits, "b fb")
    t["b_shift"] = i64(b_shift, "b_shift")
    t["b_aligned_values"] = i64(b_al.fp.values, "b aligned")
    buf = cap["oq_in"][0] if has_oq else y
    t["buffer_values"] = i64(buf.fp.values, "buffer")
    t["buffer_value_bits"] = vb_array(buf.fp.value_bits, "buffer")
    t["buffer_frac_bits"] = i64(buf.fp.frac_bits, "buffer fb")
    t["buffer_scales"] = f32(buf.scales)
    if not (same_bits({"f": i64(xa.fp.frac_bits, "xa fb")}, {"f": t["buffer_frac_bits"]})
            and same_bits({"s": f32(xa.scales)}, {"s": t["buffer_scales"]})):
        raise GenError("x*a and the buffer differ in frac bits or scales")
    if has_oq:
        if n.get("rescale") != 1 or n.get("rescale_res") != 1 or n.get("floor") != 1 \
                or n.get("tfp_scales") != 1 or n.get("tfp_res") != 1:
            raise GenError(f"unexpected output-quantizer hook counts {n}")
        t["qscales_float"] = f32(cap["tfp_scales"][0])
        t["qscales_scaled"] = f32(cap["round"][2])
        qs = cap["tfp_res"][0][1]
        t["qscales_values"] = i64(qs.values, "qscales")
        t["qscales_frac_bits"] = i64(qs.frac_bits, "qscales fb")
        v = cap["rescale"][0]
        t["scaled_values"] = i64(v.values, "scaled")
        t["scaled_frac_bits"] = i64(v.frac_bits, "scaled fb")
        shift = cap["rescale_res"][0][1]
        out_scaled = tf.math.multiply(v.values, tf.pow(2.0, tf.cast(shift, tf.float32)))
        if not np.array_equal(f32(out_scaled + 0.5), f32(cap["floor"][0]), equal_nan=True):
            raise GenError("recomputed out_scaled disagrees with the captured rounding argument")
        t["out_scaled"] = f32(out_scaled)
        t["out_shift"] = i64(shift, "out_shift")
        t["out_frac_bits"] = i64(y.frac_bits, "out fb")
    return t


def graph_leaves(obj):
    """Keep only what a tf.function can return (tensors, QTensors, nests of them)."""
    if isinstance(obj, (tf.Tensor, QTensor)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [graph_leaves(o) for o in obj]
    return None


def run_case_graph(spec, want_trace=True):
    """Run one case with the layer called inside tf.function (graph mode)."""
    shape = tuple(spec["shape"])
    x = build_input(spec)
    res = {"x": qtensor_arrays(x, "x")}
    passed = {"name": "bn", "quant_config": copy.deepcopy(spec["qc"]),
              "epsilon": spec["eps"], "axis": copy.deepcopy(spec["axis"])}
    layer, stage, err = make_layer(spec, shape)
    if err is not None and stage == "construct":
        res.update(status="error", stage=stage, err=err, config=plain(passed), layer=None)
        res["weights"] = intended_weights(spec)
        return res
    res["config"] = plain(layer.get_config())
    if err is not None:
        res.update(status="error", stage=stage, err=err, layer=layer)
        res["weights"] = intended_weights(spec)
        return res
    res["weights"] = layer_weights(layer)
    g_var = layer.gamma
    hooks = Hooks()

    def traced(t):
        hooks.cap = {}
        yt = layer(t)
        return yt, layer.sigma_rec, {k: graph_leaves(v) for k, v in hooks.cap.items()}
    try:
        if not want_trace:
            raise _Plain()
        with hooks:
            fn = tf.function(traced)
            fn.get_concrete_function(x)             # trace with the hooks in place
        y2, sr, cap = fn(x)
    except GenError:
        raise
    except Exception:                   # noqa: BLE001 - the plain call gives the error (below)
        y2 = None
    if y2 is None or plain_check(spec):
        if y2 is None:                  # the error text of a plain call on a fresh layer
            layer, _, _ = make_layer(spec, shape)
            g_var = layer.gamma
        try:
            y = tf.function(lambda t: layer(t))(x)
        except GenError:
            raise
        except Exception as e:              # noqa: BLE001
            if y2 is not None:
                raise GenError(f"the plain call raised but the traced call did not: {e!r}")
            res.update(status="error", stage="call", err=e, layer=layer)
            return res
        if y2 is not None and not same_bits(qtensor_arrays(y2, "y2"), qtensor_arrays(y, "y")):
            raise GenError("traced call differs from the plain call")
        if y2 is None and want_trace:
            raise GenError("the traced call raised but the plain call did not")
    else:
        y = y2
    if layer.gamma is not g_var or not np.array_equal(f32(layer.gamma), res["weights"]["gamma"]):
        raise GenError("the layer was rebuilt during the call")
    res.update(status="ok", y=qtensor_arrays(y, "y"), layer=layer)
    if want_trace:
        res["trace"] = collect_trace_hooks(y2, cap, sr, layer.out_quantizer is not None)
    return res


class _Plain(Exception):
    """Internal: skip the traced call."""


def plain_check(spec):
    """Graph mode: the traced call (the hooks' extra outputs) gives y; on this deterministic
    eighth of the cases the plain tf.function(lambda t: layer(t)) also runs and must agree."""
    import zlib
    return zlib.crc32(np.ascontiguousarray(spec["xvals"]).tobytes()) % 8 == 0


def run_case(spec, want_trace=True, mode=None):
    """Run one case in MODE (or the given mode; the tie searches pass "eager").

    Returns a result dict (never raises for reference errors)."""
    if (mode or MODE) == "graph":
        return run_case_graph(spec, want_trace)
    shape = tuple(spec["shape"])
    x = build_input(spec)
    res = {"x": qtensor_arrays(x, "x")}
    passed = {"name": "bn", "quant_config": copy.deepcopy(spec["qc"]),
              "epsilon": spec["eps"], "axis": copy.deepcopy(spec["axis"])}
    layer, stage, err = make_layer(spec, shape)
    if err is not None and stage == "construct":
        res.update(status="error", stage=stage, err=err, config=plain(passed), layer=None)
        res["weights"] = intended_weights(spec)
        return res
    res["config"] = plain(layer.get_config())
    if err is not None:
        res.update(status="error", stage=stage, err=err, layer=layer)
        res["weights"] = intended_weights(spec)
        return res
    res["weights"] = layer_weights(layer)
    g_var = layer.gamma
    try:
        y = layer(x)
    except GenError:
        raise
    except Exception as e:              # noqa: BLE001
        res.update(status="error", stage="call", err=e, layer=layer)
        return res
    if layer.gamma is not g_var or not np.array_equal(f32(layer.gamma), res["weights"]["gamma"]):
        raise GenError("the layer was rebuilt during the call")
    res.update(status="ok", y=qtensor_arrays(y, "y"), layer=layer)
    if want_trace:
        with recording(True), Hooks() as h:
            y2 = layer(x)
        if not same_bits(qtensor_arrays(y2, "y2"), res["y"]):
            raise GenError("recorded call differs from the plain call")
        res["trace"] = collect_trace(layer, y2, h.cap)
        if not same_bits(res["trace"], collect_trace_hooks(y2, h.cap, layer.sigma_rec,
                                                           layer.out_quantizer is not None)):
            raise GenError("the hook-only trace differs from the recorder trace")
    return res


def intended_weights(spec):
    w = {"gamma": np.asarray(spec["gamma"], np.float32), "beta": np.asarray(spec["beta"], np.float32),
         "moving_mean": np.asarray(spec["mean"], np.float32),
         "moving_variance": np.asarray(spec["var"], np.float32)}
    oq = (spec["qc"] or {}).get("output_quantizer") if isinstance(spec["qc"], dict) else None
    if oq:
        w["output_quantizer/range_max"] = np.asarray(spec["rm"], np.float32)
        w["output_quantizer/rescaling_rate"] = np.asarray(spec["rr"], np.float32)
    return w


def layer_weights(layer):
    w = {"gamma": f32(layer.gamma), "beta": f32(layer.beta),
         "moving_mean": f32(layer.moving_mean), "moving_variance": f32(layer.moving_variance)}
    if layer.out_quantizer is not None:
        w["output_quantizer/range_max"] = f32(layer.out_quantizer.range_max)
        w["output_quantizer/rescaling_rate"] = f32(layer.out_quantizer.rescaling_rate)
    return w


def eager_output(spec):
    """Same case, fresh layer, called eagerly (the graph suite's comparison)."""
    res = run_case(spec, want_trace=False, mode="eager")
    if res["status"] != "ok":
        raise GenError(f"eager re-run failed: {res['err']!r}")
    return res["y"]


def other_mode_output(spec):
    return graph_output(spec) if MODE == "eager" else eager_output(spec)


def graph_output(spec):
    """Same case, fresh layer, called inside tf.function (graph mode, as model.predict does)."""
    shape = tuple(spec["shape"])
    x = build_input(spec)
    layer, stage, err = make_layer(spec, shape)
    if err is not None:
        raise GenError(f"graph re-run failed at {stage}: {err!r}")
    fn = tf.function(lambda t: layer(t))
    return qtensor_arrays(fn(x), "y(graph)")


# ------------------------------------------------------------------------------------------------
# Automatic tags computed from the reference's own intermediates
# ------------------------------------------------------------------------------------------------

def half_tie(a):
    a = np.asarray(a, np.float32)
    a = a[np.isfinite(a) & (np.abs(a) < 2.0 ** 23)]
    return bool(np.any((a - np.floor(a)) == np.float32(0.5)))


def auto_tags(res):
    tags = []
    if res["status"] != "ok":
        return tags
    t = res["trace"]
    if half_tie(t["a_scaled"]):
        tags.append("tie-a")
    if half_tie(t["b_scaled"]):
        tags.append("tie-b")
    if "out_scaled" in t and half_tie(t["out_scaled"]):
        tags.append("otie")
    if "qscales_scaled" in t and half_tie(t["qscales_scaled"]):
        tags.append("stie")
    bvb = int(t["buffer_value_bits"])
    lo, hi = -(2 ** bvb), int(np.float32(2.0 ** bvb) - np.float32(1.0))
    for key in ("xa_values", "buffer_values"):
        v = t[key]
        if np.any(v <= lo):
            tags.append("sat-lo")
        if np.any(v >= hi):
            tags.append("sat-hi")
        if hi == 2 ** bvb and np.any(v == hi):
            tags.append("clip-f32")          # upper clip float32(2^vb - 1) == 2^vb
    mags = [np.abs(t["xa_values"]).max(initial=0), np.abs(t["buffer_values"]).max(initial=0)]
    if "scaled_values" in t:
        mags.append(np.abs(t["scaled_values"]).max(initial=0))
    if max(mags) > 2 ** 24:
        tags.append("big")
    if "out_scaled" in t:
        ovb = int(res["y"]["value_bits"])
        yv = res["y"]["values"]
        if np.any(yv <= -(2 ** ovb)) or np.any(yv >= 2 ** ovb - 1):
            tags.append("osat")
    return sorted(set(tags), key=tags.index)


# ------------------------------------------------------------------------------------------------
# Random building blocks
# ------------------------------------------------------------------------------------------------

CHANNELS = [1, 2, 3, 8, 9, 13, 16, 64, 70, 256]
EPSILONS = [1e-3, 1e-3, 1e-3, 1e-5, 1e-4, 1e-2, 1e-1, 3e-5, 0.05]


def shape_for(rng, rank, C):
    if C >= 64:
        opts3, opts4 = [(1, 2, C), (2, 1, C)], [(1, 1, 2, C), (1, 2, 1, C)]
    else:
        opts3 = [(1, 2, C), (2, 2, C), (1, 3, C), (2, 1, C), (1, 4, C)]
        opts4 = [(1, 2, 3, C), (1, 1, 4, C), (2, 1, 2, C), (1, 2, 2, C)]
    opts = opts3 if rank == 3 else opts4
    return opts[int(rng.integers(len(opts)))]


def exact_ints(rng, shape, vb, extremes=True, lo_hi=None):
    """Integers in [-2^vb, 2^vb - 1] that float32 holds exactly, both extremes when asked."""
    lo, hi = -(2 ** vb), 2 ** vb - 1
    if lo_hi is not None:
        lo, hi = lo_hi
    v = rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)
    step = 2 ** max(0, vb - 24)
    if step > 1:                               # keep 24 significant bits
        v = (v // step) * step
        hi = (2 ** vb - 1) // step * step
    flat = v.reshape(-1)
    if extremes and flat.size >= 2:
        i, j = rng.choice(flat.size, 2, replace=False)
        flat[i], flat[j] = lo, hi
    elif extremes and flat.size == 1:
        flat[0] = lo if rng.random() < 0.5 else hi
    return flat.reshape(shape)


def rand_params(rng, C):
    g_scale = 10 ** rng.uniform(-2, 1)
    sign = np.where(rng.random(C) < 0.2, -1.0, 1.0)
    gamma = rng.uniform(0.25, 1.5, C) * g_scale * sign
    var = 10 ** rng.uniform(-3, 1.5, C)
    mean = rng.normal(0, 1, C) * 10 ** rng.uniform(-2, 1.5)
    beta = rng.normal(0, 1, C) * 10 ** rng.uniform(-2, 1)
    eps = float(EPSILONS[int(rng.integers(len(EPSILONS)))])
    return dict(gamma=f32a(gamma), beta=f32a(beta), mean=f32a(mean), var=f32a(var), eps=eps)


def f32a(a):
    return np.asarray(a, dtype=np.float32)


def rand_fb(rng, C, mode, bvb=31, lo=-6, hi=20, max_spread=8):
    if mode == "pt":
        return np.float32(rng.integers(lo, hi, endpoint=True))
    if mode == "pa1":
        return f32a([rng.integers(lo, hi, endpoint=True)])
    spread_cap = max(0, min(max_spread, bvb - 1, hi - lo))
    spread = int(rng.integers(0, spread_cap, endpoint=True))
    base = int(rng.integers(lo, hi - spread, endpoint=True))
    fb = base + rng.integers(0, spread, size=C, endpoint=True)
    if C >= 2 and spread > 0:
        i, j = rng.choice(C, 2, replace=False)
        fb[i], fb[j] = base, base + spread
    return f32a(fb)


def rand_scale(rng):
    r = rng.random()
    if r < 0.2:
        return np.float32(1.0)
    if r < 0.4:
        return np.float32(2.0 ** int(rng.integers(-12, 12)))
    return np.float32(10 ** rng.uniform(-3, 3))


def float_out_range(spec, per_axis):
    """Approximate float BN output range (float64), used to place range_max like calibration."""
    C = spec["shape"][-1]
    x = np.asarray(spec["xvals"], np.float64) * 2.0 ** (-np.asarray(spec["xfb"], np.float64))
    if spec["xkind"] == "qf":
        x = x * np.asarray(spec["xscales"], np.float64)
    g, b = spec["gamma"].astype(np.float64), spec["beta"].astype(np.float64)
    m, v = spec["mean"].astype(np.float64), spec["var"].astype(np.float64)
    y = (x - m) * g / np.sqrt(v + spec["eps"]) + b
    if per_axis:
        r = np.abs(y.reshape(-1, C)).max(axis=0)
        r[r == 0] = 1.0
        return r
    r = float(np.abs(y).max())
    return r if r > 0 else 1.0


def calibrated_rm(rng, spec, per_axis):
    r = np.asarray(float_out_range(spec, per_axis), np.float64)
    u = rng.random()
    if u < 0.45:
        f = 1.0
    elif u < 0.8:
        f = rng.uniform(0.5, 2.0, r.shape) if per_axis else rng.uniform(0.5, 2.0)
    elif u < 0.9:
        return f32a(2.0 ** np.ceil(np.log2(r)))
    else:
        f = 10 ** rng.uniform(-2, 2, r.shape) if per_axis else 10 ** rng.uniform(-2, 2)
    return f32a(r * f)


def set_oq(rng, spec, mode, bitwidth=None, signed=None, scale_bits="default", rm=None, rr=None):
    """Attach an output quantizer ('pt'/'pa') with calibrated-looking range_max."""
    C = spec["shape"][-1]
    qc = spec["qc"] if spec["qc"] is not None else {}
    cfg = {}
    if bitwidth is None:
        bitwidth = 8 if rng.random() < 0.6 else int(rng.integers(2, 8, endpoint=True))
    cfg["bitwidth"] = bitwidth
    if signed is None:
        signed = bool(rng.random() < 0.8)
    if not signed or rng.random() < 0.3:
        cfg["signed"] = signed
    cfg["axis"] = "per-axis" if mode == "pa" else "per-tensor"
    if scale_bits == "default":
        if rng.random() < 0.3:
            cfg["scale_bits"] = int(rng.integers(1, 8, endpoint=True))
    else:
        cfg["scale_bits"] = scale_bits
    qc["output_quantizer"] = cfg
    spec["qc"] = qc
    spec["rm"] = rm if rm is not None else calibrated_rm(rng, spec, mode == "pa")
    if rr is None:
        rr = np.ones(C, np.float32) if mode == "pa" else np.float32(1.0)
    spec["rr"] = f32a(rr)
    spec["rm"] = f32a(spec["rm"])
    spec["tags"].append("oq-axis" if mode == "pa" else "oq-tensor")


def base_spec(rng, fam, shape, xkind="fp", fbmode="pt", vb=None, bvb=31, params=None,
              extremes=None, fb=None, scales=None):
    C = shape[-1]
    if vb is None:
        vb = int(rng.integers(1, min(24, bvb), endpoint=True))
    if extremes is None:
        extremes = bool(rng.random() < 0.5)
    spec = dict(fam=fam, tags=[], shape=tuple(shape), xkind=xkind, xvb=vb,
                xvals=exact_ints(rng, shape, vb, extremes),
                xfb=fb if fb is not None else rand_fb(rng, C, fbmode, bvb,
                                                      hi=max(0, min(20, bvb - 11))),
                xscales=None, qc=None, axis=-1, rm=None, rr=None)
    if xkind == "qf":
        spec["xscales"] = scales if scales is not None else rand_scale(rng)
    p = params if params is not None else rand_params(rng, C)
    spec.update(p)
    return spec


def std_tags(spec):
    """Leading readable tags: input kind, frac-bits mode, channels, rank."""
    C = spec["shape"][-1]
    fb = np.asarray(spec["xfb"])
    if fb.ndim == 0:
        mode = "pt"
    elif fb.shape == (1,):
        mode = "pa1" if C == 1 else "fb1"
    else:
        mode = "pa"
    return [spec["xkind"], mode, f"c{C}", f"r{len(spec['shape'])}"]


# ------------------------------------------------------------------------------------------------
# Case families
# ------------------------------------------------------------------------------------------------

FAMILIES = []


def family(fid, name):
    def deco(fn):
        FAMILIES.append((fid, name, fn))
        return fn
    return deco


def crng(fid, j):
    return np.random.default_rng([MASTER_SEED, fid, j])


def oq_mode_cycle(j):
    return ["none", "pt", "pa"][j % 3]


@family(1, "chan")
def fam_channels(ctx):
    j = 0
    for C in CHANNELS:
        for rank in (3, 4):
            for xk, fbm in (("fp", "pt"), ("fp", "pa"), ("qf", "pt")):
                for oqm in ("none", "pt", "pa"):
                    rng = crng(1, j)
                    j += 1
                    s = base_spec(rng, "chan", shape_for(rng, rank, C), xk,
                                  fbm if C > 1 else ("pa1" if fbm == "pa" else fbm))
                    if oqm != "none":
                        set_oq(rng, s, oqm)
                    yield s


@family(2, "rand")
def fam_random(ctx):
    for j in range(430):
        rng = crng(2, j)
        C = int(rng.choice(CHANNELS, p=[.08, .1, .1, .12, .12, .12, .1, .1, .1, .06]))
        rank = int(rng.choice([3, 4]))
        xk = "qf" if rng.random() < 0.35 else "fp"
        fbm = "pt" if (xk == "qf" or rng.random() < 0.5) else ("pa" if C > 1 else "pa1")
        bb = 32
        qc = None
        if rng.random() < 0.25:
            bb = int(rng.integers(12, 32, endpoint=True))
            qc = {"buffer_bitwidth": bb}
        s = base_spec(rng, "rand", shape_for(rng, rank, C), xk, fbm, bvb=bb - 1)
        s["qc"] = qc
        if rng.random() < 0.4:
            bw = int(rng.integers(2, 8, endpoint=True))
            sg = bool(rng.random() < 0.75)
            s.setdefault("qc", None)
            s["qc"] = dict(s["qc"] or {}, a_quantizer={"bitwidth": bw, "signed": sg})
        if rng.random() < 0.35:
            bw = int(rng.integers(2, 8, endpoint=True))
            sg = bool(rng.random() < 0.75)
            s["qc"] = dict(s["qc"] or {}, b_quantizer={"bitwidth": bw, "signed": sg})
        oqm = rng.choice(["none", "pt", "pa"], p=[.34, .33, .33])
        if oqm != "none":
            obw = int(rng.integers(2, min(8, bb - 2), endpoint=True))
            set_oq(rng, s, str(oqm), bitwidth=obw)
            if rng.random() < 0.15:
                C_ = s["shape"][-1]
                s["rr"] = f32a(2.0 ** rng.uniform(-2, 2, C_)) if oqm == "pa" \
                    else np.float32(2.0 ** rng.uniform(-2, 2))
                s["tags"].append("rate")
        yield s


@family(3, "vb")
def fam_value_bits(ctx):
    j = 0
    for vb in range(1, 25):
        for xk, fbm in (("fp", "pt"), ("fp", "pa"), ("qf", "pt")):
            rng = crng(3, j)
            j += 1
            C = int(rng.choice([2, 3, 8, 9, 13]))
            s = base_spec(rng, "vb", shape_for(rng, int(rng.choice([3, 4])), C), xk, fbm, vb=vb,
                          extremes=True)
            s["tags"].append(f"vb{vb}")
            if j % 2 == 0:
                set_oq(rng, s, "pt" if j % 4 == 0 else "pa")
            yield s
    for vb in range(25, 32):
        for fbm in ("pt", "pa"):
            rng = crng(3, j)
            j += 1
            s = base_spec(rng, "vb", shape_for(rng, 3, int(rng.choice([3, 9]))), "fp", fbm,
                          vb=vb, extremes=True, fb=rand_fb(rng, 3, "pt") if fbm == "pt" else None)
            if fbm == "pa":
                s["xfb"] = rand_fb(rng, s["shape"][-1], "pa", max_spread=4)
            s["tags"].append(f"vb{vb}")
            yield s


@family(4, "aq")
def fam_a_quantizer(ctx):
    j = 0
    for bw in range(1, 9):
        for signed in (True, False):
            if bw == 1 and signed:
                continue
            for rep in range(2):
                rng = crng(4, j)
                j += 1
                C = int(rng.choice([3, 8, 9, 13, 16]))
                s = base_spec(rng, "aq", shape_for(rng, 4, C), "qf" if rep else "fp",
                              "pt" if rep else "pa")
                s["qc"] = {"a_quantizer": {"bitwidth": bw, "signed": signed}}
                s["tags"].append(f"a{bw}{'s' if signed else 'u'}")
                if rng.random() < 0.5:
                    set_oq(rng, s, "pt" if rng.random() < 0.5 else "pa")
                yield s
    for cfg in ({}, {"signed": False}, {"signed": True}, {"axis": None}, {"axis": -1},
                {"bitwidth": 6, "axis": 0}):
        for rep in range(2):
            rng = crng(4, j)
            j += 1
            s = base_spec(rng, "aq", shape_for(rng, 3, int(rng.choice([2, 9, 13]))), "fp", "pt")
            s["qc"] = {"a_quantizer": dict(cfg)}
            s["tags"].append("a-nobw" if "bitwidth" not in cfg else "a-axis")
            yield s


@family(5, "bq")
def fam_b_quantizer(ctx):
    j = 0
    for bw in range(1, 9):
        for signed in (True, False):
            if bw == 1 and signed:
                continue
            for rep in range(2):
                rng = crng(5, j)
                j += 1
                C = int(rng.choice([3, 8, 9, 13, 16]))
                s = base_spec(rng, "bq", shape_for(rng, 3, C), "fp", "pt" if rep else "pa")
                # beta dominating so that b's quantization shows
                s["beta"] = f32a(s["beta"] * 30 + rng.normal(0, 5, C))
                s["qc"] = {"b_quantizer": {"bitwidth": bw, "signed": signed}}
                s["tags"].append(f"b{bw}{'s' if signed else 'u'}")
                if rep:
                    set_oq(rng, s, "pa")
                yield s
    for rep in range(2):
        rng = crng(5, j)
        j += 1
        s = base_spec(rng, "bq", shape_for(rng, 4, 9), "fp", "pt")
        s["qc"] = {"b_quantizer": {}}
        s["tags"].append("b-default")
        yield s


@family(6, "buf")
def fam_buffer(ctx):
    j = 0
    for bb in range(8, 33):
        for variant in range(3):
            rng = crng(6, j)
            j += 1
            bvb = bb - 1
            C = int(rng.choice([2, 3, 8, 9, 13]))
            xk = "qf" if variant == 2 else "fp"
            fbm = "pa" if variant == 1 else "pt"
            vb = int(rng.integers(max(1, bvb - 8), min(bvb, 24), endpoint=True)) \
                if variant else min(bvb, 24)
            s = base_spec(rng, "buf", shape_for(rng, int(rng.choice([3, 4])), C), xk, fbm,
                          vb=vb, bvb=bvb, extremes=True)
            if fbm == "pa":
                s["xfb"] = rand_fb(rng, C, "pa", bvb, hi=max(0, bvb - 11),
                                   max_spread=min(6, bvb - 1))
            # positive and negative a so that the buffer saturates on both sides
            g = np.abs(s["gamma"]) * np.where(np.arange(C) % 2 == 0, 1.0, -1.0)
            s["gamma"] = f32a(g)
            s["qc"] = {"buffer_bitwidth": bb}
            s["tags"].append(f"bb{bb}")
            if variant == 1 and bb >= 10:
                set_oq(rng, s, "pt", bitwidth=int(rng.integers(2, min(8, bb - 2), endpoint=True)))
            yield s
    # upper clip at float32(2^vb - 1) == 2^vb for buffers of 26..32 bits
    for k in range(14):
        rng = crng(6, j)
        j += 1
        bb = 32 if k < 7 else 26 + (k - 7)
        bvb = bb - 1
        C = int(rng.choice([3, 8, 9]))
        vb = min(bvb, 24 + int(rng.integers(0, 7)))
        s = base_spec(rng, "buf", shape_for(rng, 3, C), "fp", "pt", vb=vb, bvb=bvb, extremes=True)
        vals = s["xvals"].reshape(-1)
        vals[: C] = (2 ** vb - 2 ** max(0, vb - 24)) * np.where(np.arange(C) % 2 == 0, 1, -1)
        s["gamma"] = f32a(np.abs(s["gamma"]) * np.where(np.arange(C) % 2 == 0, 1.0, -1.0))
        s["qc"] = {"buffer_bitwidth": bb} if k % 3 else None
        s["tags"] += [f"bb{bb}", "clip"]
        yield s


def pow2_rm_case(rng, j, C, rm, rr=None, xk="fp"):
    s = base_spec(rng, "oq", shape_for(rng, 3, C), xk, "pt", vb=int(rng.integers(4, 12)))
    set_oq(rng, s, "pa" if np.ndim(rm) else "pt", bitwidth=8, signed=True, rm=rm, rr=rr)
    return s


@family(7, "oq")
def fam_output_quantizer(ctx):
    j = 0

    def nxt():
        nonlocal j
        r = crng(7, j)
        j += 1
        return r
    # bitwidth x signed x mode
    for bw in range(2, 9):
        for signed in (True, False):
            for mode in ("pt", "pa"):
                rng = nxt()
                s = base_spec(rng, "oq", shape_for(rng, int(rng.choice([3, 4])),
                                                   int(rng.choice([3, 9, 13, 16]))),
                              "qf" if rng.random() < 0.4 else "fp", "pt")
                set_oq(rng, s, mode, bitwidth=bw, signed=signed)
                s["tags"].append(f"o{bw}{'s' if signed else 'u'}")
                yield s
    # scale_bits
    for sb in list(range(1, 9)) + [0, 9, 12, 16]:
        for mode in ("pt", "pa"):
            if sb in (0, 9, 12, 16) and mode == "pa":
                continue
            rng = nxt()
            s = base_spec(rng, "oq", shape_for(rng, 3, int(rng.choice([2, 9, 13]))), "fp", "pt")
            set_oq(rng, s, mode, scale_bits=sb)
            s["tags"].append(f"sb{sb}")
            yield s
    # special per-tensor range_max values
    specials = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.0, 0.3, 0.7, 3.3, 1e2, 1e3, 1e4, 1e5, 1e6]
    for v in specials:
        for xk in ("fp", "qf"):
            rng = nxt()
            s = pow2_rm_case(rng, j, int(rng.choice([3, 9, 13])), np.float32(v), xk=xk)
            s["tags"].append("rm0" if v == 0 else ("rm-tiny" if v < 1e-2 else
                                                   ("rm-huge" if v > 1e2 else "rm-special")))
            yield s
    # exact powers of two, per tensor
    for k in range(-20, 21):
        rng = nxt()
        s = pow2_rm_case(rng, j, int(rng.choice([2, 9, 13])), np.float32(2.0 ** k))
        s["tags"].append("rm-pow2")
        yield s
    # just above / below powers of two, per tensor
    for k in (-20, -15, -13, -7, -1, 0, 1, 3, 7, 13, 15, 20):
        for d in (np.inf, -np.inf):
            rng = nxt()
            v = np.nextafter(np.float32(2.0 ** k), np.float32(d))
            s = pow2_rm_case(rng, j, int(rng.choice([3, 9])), np.float32(v))
            s["tags"].append("rm-near2")
            yield s
    # per-axis powers of two sliding over packet (c < 8) and tail (c >= 8) channels
    for kstart in range(-32, 21, 2):
        rng = nxt()
        rm = f32a([2.0 ** (kstart + c) for c in range(13)])
        s = pow2_rm_case(rng, j, 13, rm)
        s["tags"].append("rm-pow2")
        yield s
    for kstart in range(20, -33, -4):              # descending, C = 9 (8 packet + 1 tail)
        rng = nxt()
        rm = f32a([2.0 ** (kstart - c) for c in range(9)])
        s = pow2_rm_case(rng, j, 9, rm)
        s["tags"].append("rm-pow2")
        yield s
    # per-axis near powers of two, C = 70 (64 packet + 6 tail)
    for rep in range(6):
        rng = nxt()
        ks = rng.integers(-20, 21, 70)
        dirs = rng.choice([-1, 0, 1], 70)
        rm = np.float32(2.0) ** ks.astype(np.float32)
        rm = np.where(dirs > 0, np.nextafter(rm, np.float32(np.inf)),
                      np.where(dirs < 0, np.nextafter(rm, np.float32(0)), rm)).astype(np.float32)
        rm[-6:] = rm[:6]
        s = pow2_rm_case(rng, j, 70, rm)
        s["tags"].append("rm-near2")
        yield s
    # rescaling_rate other than 1
    for rep in range(12):
        rng = nxt()
        mode = "pa" if rep % 2 else "pt"
        C = int(rng.choice([3, 9, 13, 16]))
        s = base_spec(rng, "oq", shape_for(rng, 4, C), "qf" if rep % 3 == 0 else "fp", "pt")
        if mode == "pa":
            rr = f32a(10 ** rng.uniform(-1.5, 1.5, C))
            if rep % 4 == 1:
                rr[::2] = 2.0 ** rng.integers(-6, 6, len(rr[::2]))
        else:
            rr = np.float32(2.0 ** int(rng.integers(-6, 6))) if rep % 4 == 0 \
                else np.float32(10 ** rng.uniform(-1.5, 1.5))
        set_oq(rng, s, mode, rr=rr)
        s["tags"].append("rate")
        yield s


@family(8, "par")
def fam_params(ctx):
    j = 0

    def nxt():
        nonlocal j
        r = crng(8, j)
        j += 1
        return r
    kinds = ["gamma0", "gamma0-some", "gamma-neg", "var0", "beta-dom", "mean-large",
             "pow2", "mean0"]
    for kind in kinds:
        for rep in range(6):
            rng = nxt()
            C = int(rng.choice([1, 3, 8, 9, 13, 16]))
            s = base_spec(rng, "par", shape_for(rng, int(rng.choice([3, 4])), C),
                          "qf" if rep % 3 == 2 else "fp", "pt" if rep % 3 != 1 or C == 1 else "pa")
            if kind == "gamma0":
                s["gamma"] = np.zeros(C, np.float32)
            elif kind == "gamma0-some":
                g = s["gamma"].copy()
                g[rng.random(C) < 0.5] = 0.0
                g[0] = 0.0
                s["gamma"] = g
            elif kind == "gamma-neg":
                s["gamma"] = -np.abs(s["gamma"])
            elif kind == "var0":
                v = s["var"].copy()
                v[rng.random(C) < 0.6] = 0.0
                v[0] = 0.0
                s["var"] = v
            elif kind == "beta-dom":
                s["beta"] = f32a(s["beta"] + rng.choice([-1, 1], C) * 10 ** rng.uniform(1, 3))
            elif kind == "mean-large":
                s["mean"] = f32a(rng.normal(0, 1, C) * 10 ** rng.uniform(2, 4))
            elif kind == "pow2":
                eps_k = int(rng.integers(-12, -4))
                s["eps"] = float(2.0 ** eps_k)
                m = rng.integers(-6, 7, C)                       # var + eps = 2^m exactly
                s["var"] = f32a(2.0 ** m.astype(np.float64) - 2.0 ** eps_k)
                s["gamma"] = f32a(2.0 ** rng.integers(-4, 4, C) * rng.choice([-1, 1], C))
                s["beta"] = f32a(2.0 ** rng.integers(-6, 3, C) * rng.choice([-1, 1, 0], C))
                s["mean"] = f32a(2.0 ** rng.integers(-3, 4, C) * rng.choice([-1, 1, 0], C))
                sv = np.float32(s["var"]) + np.float32(s["eps"])
                assert np.all(np.log2(sv) == np.round(np.log2(sv)))
            elif kind == "mean0":
                s["mean"] = np.zeros(C, np.float32)
            s["tags"].append(kind)
            if rep >= 3:
                set_oq(rng, s, "pa" if rep == 4 else "pt")
            yield s
    for eps in (1e-5, 2e-5, 1e-4, 5e-4, 1e-3, 2e-3, 1e-2, 3e-2, 0.05, 1e-1):
        for rep in range(2):
            rng = nxt()
            C = int(rng.choice([3, 9, 13]))
            s = base_spec(rng, "par", shape_for(rng, 3, C), "fp", "pt")
            s["eps"] = float(eps)
            s["var"] = f32a(s["var"] * 10 ** rng.uniform(-3, 0, C))   # eps matters
            if rep:
                s["var"][0] = 0.0
            s["tags"].append("eps")
            yield s
    # powers of two everywhere, var+eps = 4^m on packet and tail channels (C = 13, 9)
    for rep in range(10):
        rng = nxt()
        C = 13 if rep % 2 == 0 else 9
        eps = 2.0 ** -10
        m = rng.integers(-4, 5, C)
        s = base_spec(rng, "par", shape_for(rng, 3, C), "fp", "pt")
        s["eps"] = eps
        s["var"] = f32a(4.0 ** m.astype(np.float64) - eps)
        s["gamma"] = f32a(2.0 ** rng.integers(-3, 3, C) * rng.choice([-1, 1], C))
        s["beta"] = f32a(2.0 ** rng.integers(-5, 2, C) * rng.choice([-1, 1], C))
        s["mean"] = f32a(2.0 ** rng.integers(-2, 3, C) * rng.choice([-1, 1], C))
        s["tags"].append("pow2")
        if rep % 3 == 0:
            set_oq(rng, s, "pa", rm=f32a(2.0 ** rng.integers(-3, 6, C)))
        yield s


def has_tag(res, *names):
    return any(t in auto_tags(res) for t in names)


def unsaturated_otie(res):
    """A floor(x + 0.5) tie on an element that the output quantizer does not saturate."""
    o = np.asarray(res["trace"]["out_scaled"], np.float32)
    ovb = int(res["y"]["value_bits"])
    tie = (np.abs(o) < 2.0 ** 22) & ((o - np.floor(o)) == np.float32(0.5))
    inside = (np.floor(o + np.float32(0.5)) >= -(2 ** ovb)) & \
        (np.floor(o + np.float32(0.5)) <= 2 ** ovb - 1)
    return bool(np.any(tie & inside))


@family(9, "tie")
def fam_ties(ctx):
    """Round-half-even ties in a/s_a and b/S*2^fb, found by searching with the real layer."""
    j = 0
    kept_a = kept_b = kept_o = kept_s = 0
    # (1) a ties: a_f = (k + 1/2) * 2^e with max|a_f| = int_max * 2^e, so s_a = 2^e
    while kept_a < 20:
        rng = crng(9, j)
        j += 1
        found = None
        for attempt in range(40):
            C = int(rng.choice([2, 3, 9, 13]))
            bw = int(rng.integers(3, 8, endpoint=True))
            signed = bool(rng.random() < 0.7)
            avb = bw - 1 if signed else bw
            imax = 2 ** avb - 1
            e = int(rng.integers(-8, 2))
            k = rng.integers(-imax, imax, C)            # k + 0.5 in (-imax, imax)
            t = (k + 0.5) * 2.0 ** e
            t[int(rng.integers(C))] = imax * 2.0 ** e * rng.choice([-1, 1])
            s = base_spec(rng, "tie", shape_for(rng, 3, C), "fp", "pt", vb=int(rng.integers(3, 10)))
            s["xfb"] = np.float32(rng.integers(0, 6))
            s["qc"] = {"a_quantizer": {"bitwidth": bw, "signed": signed}}
            s["mean"] = np.zeros(C, np.float32)
            mexp = rng.integers(-3, 4, C)
            s["eps"] = 2.0 ** -10
            s["var"] = f32a(4.0 ** mexp.astype(np.float64) - 2.0 ** -10)
            # sigma_rec from the layer itself, then gamma so that f32(gamma * sr) == t
            probe = run_case(s, mode="eager")
            if probe["status"] != "ok":
                continue
            sr = probe["trace"]["sigma_rec"]
            g = (t.astype(np.float32) / sr).astype(np.float32)
            for _ in range(3):
                prod = (g * sr).astype(np.float32)
                g = np.where(prod > t, np.nextafter(g, -np.inf * np.sign(sr)),
                             np.where(prod < t, np.nextafter(g, np.inf * np.sign(sr)), g))
                g = g.astype(np.float32)
            s["gamma"] = g
            if rng.random() < 0.4:
                set_oq(rng, s, "pt")
            res = run_case(s, mode="eager")
            if res["status"] == "ok" and "tie-a" in auto_tags(res):
                found = (s, res)
                break
        if found:
            kept_a += 1
            found[0]["_res"] = found[1]
            yield found[0]
    # (2) b ties: beta/S = (k + 1/2) * 2^-f with mean = 0 so that b_f == beta
    while kept_b < 20:
        rng = crng(9, j)
        j += 1
        found = None
        for attempt in range(40):
            C = int(rng.choice([2, 3, 8, 9, 13, 16]))
            bw = int(rng.integers(3, 8, endpoint=True))
            signed = bool(rng.random() < 0.7)
            bvb = bw - 1 if signed else bw
            s = base_spec(rng, "tie", shape_for(rng, int(rng.choice([3, 4])), C),
                          "qf" if rng.random() < 0.3 else "fp", "pt", vb=int(rng.integers(3, 12)))
            F = int(rng.integers(4, 12))
            s["xfb"] = np.float32(F)
            s["qc"] = {"b_quantizer": {"bitwidth": bw, "signed": signed}}
            s["mean"] = np.zeros(C, np.float32)
            probe = run_case(s, mode="eager")
            if probe["status"] != "ok":
                continue
            S = np.float32(probe["trace"]["buffer_scales"])
            m = int(rng.integers(1, 9))              # ceil_log2(max|b/S|) = m
            f = min(bvb - m, F)
            hi = 2 ** (m + f)                        # |b/S * 2^f| <= 2^(m+f)
            k = rng.integers(-hi, hi, C).astype(np.float64)
            q = (k + 0.5) * 2.0 ** -f
            q[int(rng.integers(C))] = (hi - 0.5) * 2.0 ** -f * rng.choice([-1, 1])
            s["beta"] = (q.astype(np.float32) * S).astype(np.float32)
            if rng.random() < 0.4:
                set_oq(rng, s, "pa")
            res = run_case(s, mode="eager")
            if res["status"] == "ok" and "tie-b" in auto_tags(res):
                found = (s, res)
                break
        if found:
            kept_b += 1
            found[0]["_res"] = found[1]
            yield found[0]
    # (3) output rescale ties floor(x + 0.5): small buffers, scale_bits 1..3, shift -1..-3
    while kept_o < 20:
        rng = crng(9, j)
        j += 1
        found = None
        for attempt in range(40):
            C = int(rng.choice([2, 3, 9, 13]))
            mode = "pa" if rng.random() < 0.5 else "pt"
            s = base_spec(rng, "tie", shape_for(rng, 3, C), "fp", "pt", vb=int(rng.integers(2, 6)))
            s["xfb"] = np.float32(rng.integers(0, 4))
            s["qc"] = {"a_quantizer": {"bitwidth": int(rng.integers(3, 6))}}
            sb = int(rng.integers(1, 4))
            set_oq(rng, s, mode, bitwidth=8, signed=True, scale_bits=sb)
            probe = run_case(s, mode="eager")
            if probe["status"] != "ok":
                continue
            F = np.asarray(probe["trace"]["buffer_frac_bits"]).reshape(-1)[0]
            fbs = np.asarray(probe["trace"]["qscales_frac_bits"])
            d = rng.integers(1, 4, fbs.shape)
            fb_out = np.minimum(F + fbs - d, 7)
            s["rm"] = f32a(2.0 ** (7 - fb_out).astype(np.float64))
            res = run_case(s, mode="eager")
            if res["status"] == "ok" and unsaturated_otie(res):
                found = (s, res)
                break
        if found:
            kept_o += 1
            found[0]["_res"] = found[1]
            yield found[0]
    # (4) ties in the output scale quantization: S' * 2^fb_s = k + 1/2
    while kept_s < 6:
        rng = crng(9, j)
        j += 1
        found = None
        for attempt in range(40):
            C = int(rng.choice([3, 9]))
            sb = int(rng.integers(3, 9))
            s = base_spec(rng, "tie", shape_for(rng, 3, C), "qf", "pt", vb=6,
                          scales=np.float32(1.0))
            probe_s = dict(s)
            probe = run_case(probe_s, mode="eager")
            if probe["status"] != "ok":
                continue
            sa = np.float32(probe["trace"]["a_scales"])
            # choose x scales so that s_a * xs has mantissa (2^(sb-1)+k+1/2)/2^(sb-1)
            kk = int(rng.integers(0, 2 ** (sb - 1) - 1)) if sb > 1 else 0
            mant = (2 ** (sb - 1) + kk + 0.5) / 2 ** (sb - 1)
            target = np.float32(mant * 2.0 ** int(rng.integers(-8, 0)))
            s["xscales"] = np.float32(target / sa)
            set_oq(rng, s, "pt", scale_bits=sb)
            res = run_case(s, mode="eager")
            if res["status"] == "ok" and "stie" in auto_tags(res):
                found = (s, res)
                break
        if found:
            kept_s += 1
            found[0]["_res"] = found[1]
            yield found[0]


@family(10, "big")
def fam_big(ctx):
    for j in range(36):
        rng = crng(10, j)
        C = int(rng.choice([3, 8, 9, 13, 16, 70]))
        vb = int(rng.integers(18, 25))
        fbm = "pa" if j % 3 == 1 else "pt"
        s = base_spec(rng, "big", shape_for(rng, int(rng.choice([3, 4])), C),
                      "qf" if j % 3 == 2 else "fp", fbm, vb=vb, extremes=True)
        if fbm == "pa":
            s["xfb"] = rand_fb(rng, C, "pa", max_spread=int(rng.integers(1, 7)))
        vals = s["xvals"].reshape(-1)
        sel = rng.random(vals.size) < 0.5
        vals[sel] = rng.integers(2 ** (vb - 2), 2 ** vb, sel.sum()) * rng.choice([-1, 1], sel.sum())
        s["gamma"] = f32a(rng.uniform(0.5, 1.0, C) * rng.choice([-1, 1], C))
        if j % 2:
            set_oq(rng, s, "pa" if j % 4 == 1 else "pt")
        yield s


@family(11, "qfs")
def fam_qfloat_scales(ctx):
    vals = [1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1.0, 1.5, 7.3, 100.0, 1e3, 1e4, 1e6,
            2.0 ** -20, 2.0 ** -10, 2.0 ** 10, 2.0 ** 20, 0.333, 3.0e-5, 12345.0]
    for j, v in enumerate(vals):
        rng = crng(11, j)
        C = int(rng.choice([2, 3, 9, 13, 16]))
        s = base_spec(rng, "qfs", shape_for(rng, int(rng.choice([3, 4])), C), "qf", "pt",
                      scales=np.float32(v))
        s["tags"].append("xscale")
        if j % 3:
            set_oq(rng, s, "pt" if j % 3 == 1 else "pa", scale_bits=8,
                   rm=None)
        yield s


@family(12, "pa1")
def fam_per_axis_one(ctx):
    j = 0
    for rep in range(10):
        rng = crng(12, j)
        j += 1
        xk = "qf" if rep % 3 == 2 else "fp"
        s = base_spec(rng, "pa1", shape_for(rng, 3 + rep % 2, 1), xk, "pa1")
        if rep % 2:
            set_oq(rng, s, "pa" if rep % 4 == 1 else "pt")
        yield s
    # per-tensor frac_bits given with shape (1,) on C > 1 (quantizeml treats it as per-tensor)
    for rep in range(3):
        rng = crng(12, j)
        j += 1
        C = [3, 9, 16][rep]
        s = base_spec(rng, "pa1", shape_for(rng, 3, C), "fp", "pt")
        s["xfb"] = f32a([rng.integers(-4, 12)])
        s["tags"].append("fb-shape1")
        yield s


@family(13, "axis")
def fam_axis(ctx):
    cases = [(3, -1), (4, -1), (3, 2), (4, 3), (4, [3]), (4, [-1]), (3, [2]), (4, [3, 1]),
             (4, [3, 0]), (3, [2, 0]), (4, 1), (4, 0), (3, 1), (4, -2), (4, [1]), (3, [-3]),
             # errors
             (4, [1, 3]), (4, [0, 3]), (3, [1, 2]), (4, [0, 1, 2, 3]), (4, 4), (4, -5),
             (4, [3, 3]), (3, [2, -1]), (3, [0, 1])]
    for j, (rank, axis) in enumerate(cases):
        rng = crng(13, j)
        C = int(rng.choice([3, 9, 13]))
        s = base_spec(rng, "axis", shape_for(rng, rank, C), "fp", "pt" if j % 2 else "pa")
        s["axis"] = axis
        ax = axis if isinstance(axis, int) else "_".join(str(a) for a in axis)
        s["tags"].append(f"axis{ax}".replace("-", "m"))
        if j % 3 == 0:
            set_oq(rng, s, "pa")
        yield s


@family(14, "spread")
def fam_spread(ctx):
    j = 0
    for bb in (8, 10, 12, 16, 20, 24, 28, 32):
        bvb = bb - 1
        for kind in ("limit", "limit", "over", "neg"):
            rng = crng(14, j)
            j += 1
            C = int(rng.choice([2, 3, 9, 13]))
            spread = {"limit": bvb - 1, "over": bvb + int(rng.integers(0, 3)),
                      "neg": min(bvb - 1, 12)}[kind]
            # keep the largest frac bits (F) low enough for b's alignment shift to fit
            base = -6 if kind == "neg" else max(0, bvb - 11) - spread - int(rng.integers(0, 3))
            fb = base + rng.integers(0, spread, C, endpoint=True)
            fb[0], fb[-1] = base, base + spread
            vb = int(rng.integers(1, min(8, bvb), endpoint=True))
            s = base_spec(rng, "spread", shape_for(rng, 3, C), "fp", "pa", vb=vb, bvb=bvb,
                          fb=f32a(fb))
            s["qc"] = {"buffer_bitwidth": bb} if bb != 32 or kind == "over" else None
            s["tags"] += [f"bb{bb}", f"spread{spread}"]
            if kind == "neg":
                s["tags"].append("negfb")
            yield s
    for rep in range(10):
        rng = crng(14, j)
        j += 1
        C = int(rng.choice([3, 9, 13]))
        fb = rng.integers(-6, 0, C, endpoint=True)
        s = base_spec(rng, "spread", shape_for(rng, 4, C), "fp", "pa" if rep % 2 else "pt",
                      fb=f32a(fb) if rep % 2 else np.float32(fb[0]))
        s["tags"].append("negfb")
        if rep % 3 == 0:
            set_oq(rng, s, "pt")
        yield s


@family(15, "err")
def fam_errors(ctx):
    j = 0

    def nxt():
        nonlocal j
        r = crng(15, j)
        j += 1
        return r

    def mk(rng, shape=None, xk="fp", fbm="pt", **kw):
        C = int(rng.choice([3, 9, 13]))
        shape = shape or shape_for(rng, int(rng.choice([3, 4])), C)
        return base_spec(rng, "err", shape, xk, fbm, **kw)
    # ranks other than 3 and 4
    for shape in [(4, 3), (1, 9), (2, 13), (9,), (1, 1, 1, 2, 3), (1, 1, 2, 1, 9),
                  (1, 1, 1, 1, 2, 3)]:
        for xk in ("fp", "qf"):
            if xk == "qf" and len(shape) in (1, 6):
                continue
            rng = nxt()
            s = mk(rng, shape=shape, xk=xk, fbm="pt")
            s["tags"].append(f"rank{len(shape)}")
            if rng.random() < 0.5:
                set_oq(rng, s, "pt")
            yield s
    # input value bits above the buffer's
    for bb, vb, xk, fbm in [(8, 8, "fp", "pt"), (8, 12, "fp", "pa"), (16, 16, "fp", "pt"),
                            (16, 20, "fp", "pa"), (32, 32, "fp", "pt"), (32, 32, "fp", "pa"),
                            (32, 33, "qf", "pt"), (12, 24, "qf", "pt"), (20, 21, "fp", "pt"),
                            (None, 32, "fp", "pt")]:
        rng = nxt()
        C = int(rng.choice([3, 9]))
        s = base_spec(rng, "err", shape_for(rng, 3, C), xk, fbm, vb=vb, bvb=31,
                      fb=None if fbm == "pt" else f32a(rng.integers(0, 4, C)))
        s["qc"] = {"buffer_bitwidth": bb} if bb is not None else None
        s["tags"].append("vb-over-buffer")
        yield s
    # per-axis QFloat: per-axis scales, per-axis frac bits, scales of shape (1,)
    for C in (2, 3, 8, 9, 13, 16, 70, 1):
        rng = nxt()
        s = mk(rng, shape=shape_for(rng, 4 if C % 2 else 3, C), xk="qf", fbm="pt",
               scales=f32a(10 ** rng.uniform(-2, 2, C)))
        s["tags"].append("qf-pa-scales")
        if C % 3 == 0:
            set_oq(rng, s, "pa")
        yield s
    for C in (2, 3, 9, 13):
        rng = nxt()
        s = mk(rng, shape=shape_for(rng, 3, C), xk="qf", fbm="pa")
        s["tags"].append("qf-pa-fb")
        yield s
    rng = nxt()
    s = mk(rng, shape=shape_for(rng, 3, 3), xk="qf", fbm="pt", scales=f32a([0.5]))
    s["tags"].append("qf-scales-shape1")
    yield s
    # b alignment shift >= buffer value bits (F large, a tiny so S tiny, beta large)
    for bb in (12, 16, 24, 32, 32):
        rng = nxt()
        C = int(rng.choice([3, 9]))
        bvb = bb - 1
        s = base_spec(rng, "err", shape_for(rng, 3, C), "fp", "pt", vb=4, bvb=bvb,
                      fb=np.float32(min(bvb - 1, 20)))
        s["gamma"] = np.zeros(C, np.float32)
        s["beta"] = f32a(rng.uniform(100, 1000, C))
        s["qc"] = {"buffer_bitwidth": bb} if bb != 32 else None
        s["tags"].append("b-shift-over")
        yield s
    # output quantizer bitwidth >= buffer ("pointless")
    for bb, obw, sg, mode in [(32, 32, True, "pt"), (32, 31, False, "pt"), (32, 40, True, "pa"),
                              (8, 8, True, "pt"), (8, 7, False, "pa"), (12, 16, True, "pt"),
                              (9, 9, True, "pa"), (16, 16, False, "pt"), (16, 15, False, "pt")]:
        rng = nxt()
        s = mk(rng, vb=int(rng.integers(1, 7)))
        s["qc"] = {"buffer_bitwidth": bb}
        set_oq(rng, s, mode, bitwidth=obw, signed=sg)
        s["tags"].append("oq-pointless")
        yield s
    # bad bitwidths
    bad = [("a_quantizer", {"bitwidth": 1}), ("a_quantizer", {"bitwidth": 0}),
           ("a_quantizer", {"bitwidth": 0, "signed": False}), ("a_quantizer", {"bitwidth": -1}),
           ("a_quantizer", {"bitwidth": "8"}), ("a_quantizer", {"bitwidth": 8.0}),
           ("a_quantizer", {"bitwidth": None}), ("b_quantizer", {"bitwidth": 1}),
           ("b_quantizer", {"bitwidth": 0}), ("b_quantizer", {"bitwidth": "4"}),
           ("b_quantizer", {"bitwidth": 2.0}), ("b_quantizer", {"bitwidth": 0, "signed": False}),
           ("output_quantizer", {"bitwidth": 1}), ("output_quantizer", {"bitwidth": 0,
                                                                        "signed": False}),
           ("output_quantizer", {"bitwidth": "8"}), ("output_quantizer", {"bitwidth": -3})]
    for key, cfg in bad:
        rng = nxt()
        s = mk(rng)
        if key == "output_quantizer":
            set_oq(rng, s, "pt")
            s["qc"]["output_quantizer"] = dict(cfg)
        else:
            s["qc"] = {key: dict(cfg)}
        s["tags"].append("badbw-" + key[0])
        yield s
    # output quantizer axis
    for ax in ("bad", None, -1, "per_axis", "PER-TENSOR"):
        rng = nxt()
        s = mk(rng)
        set_oq(rng, s, "pt")
        s["qc"]["output_quantizer"]["axis"] = ax
        s["tags"].append("oq-badaxis")
        yield s
    # scale_bits None (BN's output is always a QFloat)
    for xk, fbm, mode in (("fp", "pt", "pt"), ("fp", "pa", "pa"), ("qf", "pt", "pt"),
                          ("qf", "pt", "pa")):
        rng = nxt()
        s = mk(rng, xk=xk, fbm=fbm)
        set_oq(rng, s, mode, scale_bits=None)
        s["tags"].append("sb-none")
        yield s
    # output quantizer shift >= its value bits (large scales, small frac bits)
    for sc, fb, mode in ((1e6, -4, "pt"), (1e9, 0, "pa"), (3e4, -6, "pt"), (2.0 ** 24, -2, "pa"),
                         (5e5, 2, "pt")):
        rng = nxt()
        s = mk(rng, xk="qf", fbm="pt", scales=np.float32(sc), fb=np.float32(fb))
        set_oq(rng, s, mode, rm=np.float32(1e-6) if mode == "pt" else
               f32a(np.full(s["shape"][-1], 1e-6)))
        s["tags"].append("oq-shift-over")
        yield s
    # unknown keyword arguments inside a quantizer config (Keras TypeError)
    for key in ("a_quantizer", "b_quantizer", "output_quantizer"):
        rng = nxt()
        s = mk(rng)
        if key == "output_quantizer":
            set_oq(rng, s, "pt")
            s["qc"][key]["bogus"] = 1
        else:
            s["qc"] = {key: {"bitwidth": 4, "bogus": 1}}
        s["tags"].append("kwarg-" + key[0])
        yield s
    # buffer_bitwidth of the wrong type or too small
    for bb, fbm in (("32", "pt"), (32.0, "pt"), (32.0, "pa"), (0, "pt"), (1, "pt"), (1, "pa")):
        rng = nxt()
        s = mk(rng, fbm=fbm, vb=3)
        s["qc"] = {"buffer_bitwidth": bb}
        s["tags"].append("badbuf")
        yield s


@family(17, "err2")
def fam_more_errors(ctx):
    """More error cases, spread over channel counts, ranks and both input kinds."""
    j = 0

    def nxt():
        nonlocal j
        r = crng(17, j)
        j += 1
        return r
    # per-axis QFloat on large channel counts, and per-axis frac bits inside a QFloat
    for C, fbm in ((64, "pt"), (256, "pt"), (9, "pa"), (70, "pa")):
        rng = nxt()
        s = base_spec(rng, "err2", shape_for(rng, 4, C), "qf", fbm,
                      scales=f32a(10 ** rng.uniform(-2, 2, C)) if fbm == "pt" else None)
        s["tags"].append("qf-pa-scales" if fbm == "pt" else "qf-pa-fb")
        yield s
    # frac-bit spreads beyond the buffer, including negative frac bits
    for bb, extra, lo in ((8, 1, -6), (14, 0, -20), (18, 2, 0), (26, 0, -10), (32, 1, -6),
                          (32, 5, -20), (22, 0, -6)):
        rng = nxt()
        bvb = bb - 1
        C = int(rng.choice([2, 9, 13]))
        spread = bvb + extra
        fb = lo + rng.integers(0, spread, C, endpoint=True)
        fb[0], fb[-1] = lo, lo + spread
        s = base_spec(rng, "err2", shape_for(rng, int(rng.choice([3, 4])), C), "fp", "pa",
                      vb=3, fb=f32a(fb))
        s["qc"] = {"buffer_bitwidth": bb} if bb != 32 else None
        s["tags"] += [f"bb{bb}", f"spread{spread}"]
        if rng.random() < 0.5:
            set_oq(rng, s, "pa")
        yield s
    # input value bits above the buffer
    for bb, vb, xk, fbm in ((10, 10, "qf", "pt"), (24, 24, "fp", "pa"), (28, 30, "fp", "pt"),
                            (13, 17, "fp", "pt"), (32, 36, "fp", "pa")):
        rng = nxt()
        C = int(rng.choice([2, 13]))
        s = base_spec(rng, "err2", shape_for(rng, 4, C), xk, fbm, vb=vb, bvb=31,
                      fb=None if fbm == "pt" else f32a(rng.integers(-2, 3, C)))
        s["qc"] = {"buffer_bitwidth": bb}
        s["tags"].append("vb-over-buffer")
        yield s
    # output quantizer bitwidth >= buffer
    for bb, obw, sg in ((20, 20, True), (20, 19, False), (10, 12, True), (24, 24, False)):
        rng = nxt()
        s = base_spec(rng, "err2", shape_for(rng, 3, int(rng.choice([3, 9]))), "fp", "pt",
                      vb=int(rng.integers(1, 8)))
        s["qc"] = {"buffer_bitwidth": bb}
        set_oq(rng, s, "pa" if sg else "pt", bitwidth=obw, signed=sg)
        s["tags"].append("oq-pointless")
        yield s
    # more bad bitwidths
    for key, cfg in (("output_quantizer", {"bitwidth": 8.0}), ("b_quantizer", {"bitwidth": -2}),
                     ("a_quantizer", {"bitwidth": 1, "signed": True}),
                     ("output_quantizer", {"bitwidth": None})):
        rng = nxt()
        s = base_spec(rng, "err2", shape_for(rng, 3, int(rng.choice([3, 13]))), "fp", "pt")
        if key == "output_quantizer":
            set_oq(rng, s, "pt")
            s["qc"]["output_quantizer"] = dict(cfg)
        else:
            s["qc"] = {key: dict(cfg)}
        s["tags"].append("badbw-" + key[0])
        yield s
    # output-quantizer shift overflow, from tiny a scales / large x scales / tiny scale_bits
    for sc, fb, sb, mode in ((2e5, -6, 1, "pt"), (1e7, 4, 8, "pa"), (1e3, -6, 1, "pa"),
                             (4e6, 0, 4, "pt"), (1e8, 6, 8, "pt")):
        rng = nxt()
        C = int(rng.choice([3, 9, 13]))
        s = base_spec(rng, "err2", shape_for(rng, 3, C), "qf", "pt", scales=np.float32(sc),
                      fb=np.float32(fb), vb=6)
        set_oq(rng, s, mode, scale_bits=sb,
               rm=np.float32(1e-5) if mode == "pt" else f32a(np.full(C, 1e-5)))
        s["tags"].append("oq-shift-over")
        yield s
    # ranks 2 and 5 with per-axis frac bits
    for shape in ((3, 9), (1, 2, 1, 2, 13), (2, 1, 1, 1, 3)):
        rng = nxt()
        s = base_spec(rng, "err2", shape, "fp", "pa")
        s["tags"].append(f"rank{len(shape)}")
        yield s
    # more multi-axis lists
    for rank, axis in ((4, [2, 3]), (3, [0, 2]), (4, [1, 2, 3]), (3, [-2, -1])):
        rng = nxt()
        s = base_spec(rng, "err2", shape_for(rng, rank, int(rng.choice([3, 9]))), "fp", "pt")
        s["axis"] = axis
        s["tags"].append("axis" + "_".join(str(a) for a in axis).replace("-", "m"))
        yield s


@family(16, "misc")
def fam_misc(ctx):
    """Config spellings that quantizeml treats specially."""
    j = 0
    variants = [("oq-empty", {"output_quantizer": {}}), ("oq-null", {"output_quantizer": None}),
                ("qc-empty", {}), ("buf-null", {"buffer_bitwidth": None}),
                ("buf32", {"buffer_bitwidth": 32}), ("oq-defaults", {"output_quantizer":
                                                                    {"bitwidth": 8}}),
                ("all-explicit", {"a_quantizer": {"bitwidth": 8, "signed": True, "axis": -1},
                                  "b_quantizer": {"bitwidth": 8, "signed": True},
                                  "output_quantizer": {"bitwidth": 8, "signed": True,
                                                       "axis": "per-tensor", "scale_bits": 8},
                                  "buffer_bitwidth": 32})]
    for tag, qc in variants:
        for rep in range(2):
            rng = crng(16, j)
            j += 1
            C = int(rng.choice([3, 9]))
            s = base_spec(rng, "misc", shape_for(rng, 3 + rep, C), "fp", "pt")
            s["qc"] = copy.deepcopy(qc)
            oq = qc.get("output_quantizer")
            if oq:
                s["rm"] = f32a(calibrated_rm(rng, s, False))
                s["rr"] = np.float32(1.0)
            s["tags"].append(tag)
            yield s


# ------------------------------------------------------------------------------------------------
# Coverage bookkeeping
# ------------------------------------------------------------------------------------------------

def features(spec, res):
    """(category, value) pairs describing what a case covers, from the config actually used."""
    f = []
    cfg = res["config"]
    qc = cfg.get("quant_config") or {}
    status = res["status"]
    f.append(("outcome", "ok" if status == "ok" else "error: " + type(res["err"]).__name__))
    if status != "ok":
        f.append(("error stage", res["stage"]))
    f.append(("rank", str(len(spec["shape"]))))
    C = spec["shape"][-1]
    f.append(("channels", str(C)))
    if C % 8 and C > 8:
        f.append(("channels", "packet+tail (C>8, C mod 8 != 0)"))
    f.append(("input", {"fp": "FixedPoint", "qf": "QFloat"}[spec["xkind"]]))
    fb = np.asarray(spec["xfb"])
    fbm = std_tags(spec)[1]
    f.append(("input frac bits", {"pt": "per-tensor ()", "pa": "per-axis (C,)",
                                  "pa1": "per-axis, C=1 (1,)", "fb1": "shape (1,), C>1"}[fbm]))
    if np.any(fb < 0):
        f.append(("input frac bits", "has negative"))
    if fb.ndim and fb.size > 1:
        f.append(("input frac-bit spread", str(int(fb.max() - fb.min()))))
    if spec["xkind"] == "qf":
        sc = np.asarray(spec["xscales"])
        f.append(("QFloat scales", "per-tensor ()" if sc.ndim == 0 else f"shape {sc.shape}"))
    f.append(("input value bits", str(spec["xvb"])))
    xv = np.asarray(spec["xvals"])
    if xv.size and xv.min() == -(2 ** spec["xvb"]):
        f.append(("input extremes", "-2^vb present"))
    if xv.size and spec["xvb"] <= 24 and xv.max() == 2 ** spec["xvb"] - 1:
        f.append(("input extremes", "2^vb-1 present"))
    aq = qc.get("a_quantizer")
    if isinstance(aq, dict):
        bw = json.dumps(aq["bitwidth"]) if "bitwidth" in aq else "default(4)"
        f.append(("a_quantizer", f"bitwidth {bw}, {'signed' if aq.get('signed', True) else 'unsigned'}"))
    bq = qc.get("b_quantizer")
    if isinstance(bq, dict):
        bw = json.dumps(bq["bitwidth"]) if "bitwidth" in bq else "default(8)"
        f.append(("b_quantizer", f"bitwidth {bw}, {'signed' if bq.get('signed', True) else 'unsigned'}"))
    else:
        f.append(("b_quantizer", "absent (8, signed)"))
    f.append(("buffer_bitwidth", json.dumps(qc["buffer_bitwidth"]) if "buffer_bitwidth" in qc
              else "not in layer.json (construction failed)"))
    oq = qc.get("output_quantizer")
    if oq:
        ax = json.dumps(oq["axis"]) if "axis" in oq else "default (per-tensor)"
        f.append(("output quantizer", ax))
        bw = json.dumps(oq["bitwidth"]) if "bitwidth" in oq else "default(8)"
        f.append(("output quantizer bitwidth", f"{bw}, "
                  f"{'signed' if oq.get('signed', True) else 'unsigned'}"))
        f.append(("output quantizer scale_bits", json.dumps(oq["scale_bits"])
                  if "scale_bits" in oq else "default(8)"))
        rm = np.asarray(spec["rm"], np.float32)
        rr = np.asarray(spec["rr"], np.float32)
        if np.any(rm == 0):
            f.append(("range_max", "zero"))
        if np.any((rm > 0) & (rm <= 1e-4)):
            f.append(("range_max", "tiny (<= 1e-4)"))
        if np.any(rm >= 1e4):
            f.append(("range_max", "huge (>= 1e4)"))
        pos = rm[rm > 0]
        m, _ = np.frexp(pos)
        if np.any(m == 0.5):
            f.append(("range_max", "exact power of two"))
            if rm.ndim and rm.size > 8:
                p2 = np.where((rm > 0) & (np.frexp(rm)[0] == 0.5))[0]
                pk = (rm.size // 8) * 8
                if np.any(p2 < pk):
                    f.append(("range_max", "power of two on a packet channel"))
                if np.any(p2 >= pk):
                    f.append(("range_max", "power of two on a tail channel"))
        if np.any((m > 0.5) & (m < 0.5 + 2.0 ** -20)) or np.any(m > 1 - 2.0 ** -20):
            f.append(("range_max", "just above/below a power of two"))
        if np.any(rr != 1):
            f.append(("rescaling_rate", "!= 1 " + ("per-axis" if rr.ndim else "per-tensor")))
    else:
        f.append(("output quantizer", "absent"))
    f.append(("epsilon", repr(spec["eps"])))
    ax = cfg.get("axis")
    f.append(("axis (as in layer.json)", json.dumps(ax)))
    for t in spec["tags"]:
        f.append(("design tag", t))
    for t in res.get("auto", []):
        f.append(("observed in the trace", t))
    return f


AUTO_TAG_DOC = {
    "tie-a": "a/s_a is exactly k+0.5 before round-half-even (a_scaled)",
    "tie-b": "b/S*2^fb is exactly k+0.5 before round-half-even (b_scaled)",
    "otie": "output rescale argument exactly k+0.5 before floor(x+0.5) (out_scaled)",
    "stie": "output scale S'*2^fb_s exactly k+0.5 before round-half-even (qscales_scaled)",
    "sat-lo": "x*a or the buffer hit -2^buffer_vb",
    "sat-hi": "x*a or the buffer hit the upper clip",
    "clip-f32": "the upper clip float32(2^vb-1) == 2^vb was reached (buffers of 26..32 bits)",
    "big": "an intermediate magnitude exceeds 2^24 (float32 rounding of integers)",
    "osat": "the output quantizer saturated",
}


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------

def case_name(idx, spec, res):
    tags = std_tags(spec)
    oq = (res["config"].get("quant_config") or {}).get("output_quantizer")
    if not oq:
        tags.append("nooq")
    tags += [t for t in spec["tags"] if t not in ("oq-axis", "oq-tensor") or oq]
    if oq and not any(t in ("oq-axis", "oq-tensor") for t in spec["tags"]):
        tags.append("oq")
    if res["status"] != "ok":
        tags.append("err")
    tags += [("tie" if t in ("tie-a", "tie-b") else t) for t in res.get("auto", [])]
    seen, out = set(), []
    for t in tags:
        t = str(t).replace("_", "-")
        if t not in seen:
            seen.add(t)
            out.append(t)
    name = f"{idx:04d}-" + "-".join(out)
    return name[:100]


def write_case(path, res):
    os.makedirs(path)
    save_json(os.path.join(path, "layer.json"),
              {"class_name": "QuantizedBatchNormalization", "config": res["config"]})
    save_npz(os.path.join(path, "weights.npz"), res["weights"])
    save_npz(os.path.join(path, "x.npz"), res["x"])
    if res["status"] == "ok":
        save_npz(os.path.join(path, "y.npz"), res["y"])
        save_npz(os.path.join(path, "trace.npz"), res["trace"])
    else:
        with open(os.path.join(path, "error.txt"), "w", encoding="utf-8") as f:
            f.write(error_text(res["err"]))


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    fl = line.split(":", 1)[1].split()
                    keep = [x for x in fl if x in ("sse4_2", "avx", "avx2", "fma", "avx512f")]
                    return " ".join(keep)
    except OSError:
        pass
    return "unknown"


def cpu_field(name):
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.split(":", 1)[0].strip() == name:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def parse_args(argv):
    global SUITE_NAME, SUITE_DIR, README, MODE, CPU_LABEL, GEN_DATE
    ap = argparse.ArgumentParser(description="quantizeml 0.5.2 BN golden suite generator")
    ap.add_argument("--suite", default=DEFAULT_SUITE)
    ap.add_argument("--cpu", default="intel")
    ap.add_argument("--mode", choices=("eager", "graph"), default="eager")
    ap.add_argument("--date", default=None)
    ap.add_argument("--shard", default=None)
    ap.add_argument("--readme-only", action="store_true")
    ap.add_argument("--compare-with", default=None)
    ap.add_argument("--note", default="", help="a sentence for the README's Regenerating section")
    a = ap.parse_args(argv)
    if "/" in a.suite or a.suite in ("", ".", ".."):
        sys.exit(f"--suite must be a plain folder name, got {a.suite!r}")
    want = "GenuineIntel" if a.cpu == "intel" else ("AuthenticAMD" if a.cpu.startswith("amd-")
                                                     else None)
    if want is None:
        sys.exit(f"--cpu must be intel or amd-<model>, got {a.cpu!r}")
    have = cpu_field("vendor_id")
    if have != want:
        sys.exit(f"--cpu {a.cpu} needs a {want} CPU, but /proc/cpuinfo says {have}")
    if a.suite == DEFAULT_SUITE and (a.cpu != "intel" or a.mode != "eager"):
        sys.exit(f"{DEFAULT_SUITE} is the Intel eager suite; pick another --suite")
    SUITE_NAME, MODE, CPU_LABEL = a.suite, a.mode, a.cpu
    SUITE_DIR = os.path.join(HERE, SUITE_NAME)
    if SUITE_NAME != DEFAULT_SUITE:
        README = os.path.join(SUITE_DIR, "README.md")
        GEN_DATE = a.date or datetime.date.today().isoformat()
    elif a.date:
        GEN_DATE = a.date
    global RUN_NOTE
    RUN_NOTE = a.note
    if SUITE_NAME != DEFAULT_SUITE:
        shown = [t for i, t in enumerate(argv) if t != "--note" and (i == 0 or argv[i - 1] != "--note")]
        RUN_NOTE = (f"This README was written by `generate.py {' '.join(shown)}`. " + RUN_NOTE).strip()
    if a.shard is not None:
        i, n = (int(t) for t in a.shard.split("/"))
        if not 1 <= i <= n:
            sys.exit(f"--shard must be I/N with 1 <= I <= N, got {a.shard!r}")
        a.shard = (i - 1, n)
    if (a.shard or a.readme_only or a.compare_with) and SUITE_NAME == DEFAULT_SUITE:
        sys.exit(f"--shard, --readme-only and --compare-with are not for {DEFAULT_SUITE}")
    return a


def write_reference_json():
    """reference.json on one line: {"quantizeml": "0.5.2", "cpu": CPU, "mode": MODE}."""
    with open(os.path.join(SUITE_DIR, "reference.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"quantizeml": EXPECTED_VERSIONS["quantizeml"], "cpu": CPU_LABEL,
                            "mode": MODE}) + "\n")


def case_complete(path):
    return os.path.exists(os.path.join(path, "error.txt")) or (
        os.path.exists(os.path.join(path, "y.npz")) and
        os.path.exists(os.path.join(path, "trace.npz")))


def run_shard(shard):
    """Write the folders of one shard's cases (see --shard)."""
    i, n = shard
    os.makedirs(SUITE_DIR, exist_ok=True)
    done = {int(d[:4]) for d in os.listdir(SUITE_DIR)
            if d[:4].isdigit() and case_complete(os.path.join(SUITE_DIR, d))}
    idx = ran = 0
    for fid, fname, fn in FAMILIES:
        for spec in fn({}):
            idx += 1
            pre = spec.pop("_res", None)
            if idx % n != i or idx in done:
                continue
            res = pre if (pre is not None and MODE == "eager") else run_case(spec)
            res["auto"] = auto_tags(res)
            name = case_name(idx, spec, res)
            for d in os.listdir(SUITE_DIR):                 # an incomplete earlier attempt
                if d.startswith(f"{idx:04d}-"):
                    shutil.rmtree(os.path.join(SUITE_DIR, d))
            write_case(os.path.join(SUITE_DIR, name), res)
            ran += 1
            if ran % 100 == 0:
                print(f"shard {i + 1}/{n}: {ran} cases", flush=True)
                tf.keras.backend.clear_session()
    print(f"shard {i + 1}/{n}: {ran} cases written, {idx} in the suite")


def records_from_disk():
    """(name, spec, res) for every case, from the folders on disk (see --readme-only)."""
    dirs = {}
    for d in os.listdir(SUITE_DIR):
        if d[:4].isdigit():
            dirs[int(d[:4])] = d
    records = []
    idx = 0
    for fid, fname, fn in FAMILIES:
        for spec in fn({}):
            idx += 1
            spec.pop("_res", None)
            name = dirs.get(idx)
            if name is None or not case_complete(os.path.join(SUITE_DIR, name)):
                raise GenError(f"case {idx} missing or incomplete in {SUITE_DIR}")
            path = os.path.join(SUITE_DIR, name)
            with open(os.path.join(path, "layer.json"), encoding="utf-8") as f:
                res = {"config": json.load(f)["config"],
                       "x": load_npz(os.path.join(path, "x.npz")),
                       "weights": load_npz(os.path.join(path, "weights.npz"))}
            if os.path.exists(os.path.join(path, "y.npz")):
                res.update(status="ok", y=load_npz(os.path.join(path, "y.npz")),
                           trace=load_npz(os.path.join(path, "trace.npz")))
            else:
                with open(os.path.join(path, "error.txt"), encoding="utf-8") as f:
                    cls, _, msg = f.read().partition("\n")
                err = type(cls, (Exception,), {})(msg[:-1])
                _, stage, e2 = make_layer(spec, tuple(spec["shape"]))
                res.update(status="error", err=err,
                           stage=stage if e2 is not None else "call")
                if error_text(err) != open(os.path.join(path, "error.txt"),
                                           encoding="utf-8").read():
                    raise GenError(f"{name}: error.txt does not round-trip")
            res["auto"] = auto_tags(res)
            if case_name(idx, spec, res) != name:
                raise GenError(f"{name}: the regenerated case is named {case_name(idx, spec, res)}")
            records.append((name, spec, res))
            if idx % 100 == 0:
                tf.keras.backend.clear_session()
    if len(records) != len(dirs):
        raise GenError(f"{len(dirs)} case folders but {len(records)} cases")
    return records


COMPARE_DIR = None
RUN_NOTE = ""


def disk_output(name, spec):
    """The other mode's y for this case, from the --compare-with suite (inputs checked)."""
    others = [d for d in os.listdir(COMPARE_DIR) if d.startswith(name[:5])]
    if len(others) != 1:
        raise GenError(f"{name}: no single match in {COMPARE_DIR}")
    od = os.path.join(COMPARE_DIR, others[0])
    for f in ("layer.json", "weights.npz", "x.npz"):
        if open(os.path.join(od, f), "rb").read() != \
                open(os.path.join(SUITE_DIR, name, f), "rb").read():
            raise GenError(f"{name}: {f} differs in {COMPARE_DIR}")
    if not os.path.exists(os.path.join(od, "y.npz")):
        raise GenError(f"{name}: raises in {COMPARE_DIR}")
    return load_npz(os.path.join(od, "y.npz"))


def main():
    global COMPARE_DIR
    a = parse_args(sys.argv[1:])
    v = versions()
    if v != EXPECTED_VERSIONS:
        sys.exit(f"version mismatch: {v} != {EXPECTED_VERSIONS}")
    if a.compare_with:
        COMPARE_DIR = os.path.join(HERE, a.compare_with)
    if a.shard is not None:
        run_shard(a.shard)
        return
    if a.readme_only:
        records = records_from_disk()
        write_reference_json()
    else:
        records = generate_all()
    finish(records, v)


def generate_all():
    if os.path.isdir(SUITE_DIR):
        shutil.rmtree(SUITE_DIR)
    os.makedirs(SUITE_DIR)
    if SUITE_NAME != DEFAULT_SUITE:
        write_reference_json()
    records = []
    idx = 0
    for fid, fname, fn in FAMILIES:
        for spec in fn({}):
            idx += 1
            pre = spec.pop("_res", None)        # an eager result from a tie search
            res = pre if (pre is not None and MODE == "eager") else run_case(spec)
            res["auto"] = auto_tags(res)
            name = case_name(idx, spec, res)
            write_case(os.path.join(SUITE_DIR, name), res)
            records.append((name, spec, {k: res[k] for k in res if k != "layer"}))
            if idx % 100 == 0:
                print(f"{idx} cases", flush=True)
                tf.keras.backend.clear_session()
    return records


def finish(records, v):
    # graph mode vs eager: every successful case, with a seeded sample of GRAPH_SAMPLE reported
    # separately, then the differing cases again with Grappler's constant folding switched off
    ok_idx = [i for i, r in enumerate(records) if r[2]["status"] == "ok"]
    grng = np.random.default_rng([MASTER_SEED, 999])
    sample = set(ok_idx[k] for k in grng.choice(len(ok_idx), size=min(GRAPH_SAMPLE, len(ok_idx)),
                                                replace=False).tolist())
    graph = {"n": len(ok_idx), "n_sample": len(sample), "same": 0, "same_sample": 0, "diff": []}
    for n_done, i in enumerate(ok_idx):
        if n_done % 100 == 99:
            tf.keras.backend.clear_session()
        name, spec, res = records[i]
        yg = disk_output(name, spec) if COMPARE_DIR else other_mode_output(spec)
        if same_bits(yg, res["y"]):
            graph["same"] += 1
            graph["same_sample"] += i in sample
        else:
            fields = [k for k in res["y"] if not same_bits({k: yg[k]}, {k: res["y"][k]})]
            nv = int(np.sum(yg["values"] != res["y"]["values"])) \
                if yg["values"].shape == res["y"]["values"].shape else -1
            graph["diff"].append({"name": name, "fields": fields, "values_differing": nv,
                                  "in_sample": i in sample, "spec": spec, "y": res["y"]})
    tf.config.optimizer.set_experimental_options({"constant_folding": False})
    if MODE == "eager":
        graph["same_without_cf"] = sum(same_bits(graph_output(d["spec"]), d["y"])
                                       for d in graph["diff"])
    else:                               # graph without constant folding against the eager run
        graph["same_without_cf"] = sum(same_bits(graph_output(d["spec"]),
                                                 disk_output(d["name"], d["spec"]) if COMPARE_DIR
                                                 else eager_output(d["spec"]))
                                       for d in graph["diff"])
    tf.config.optimizer.set_experimental_options({"constant_folding": True})
    if SUITE_NAME != DEFAULT_SUITE:
        graph["intel"] = compare_with_suite(records, os.path.join(HERE, DEFAULT_SUITE))
    write_readme(records, v, graph)
    n_err = sum(1 for r in records if r[2]["status"] != "ok")
    print(f"{len(records)} cases, {n_err} errors; graph==eager: sample "
          f"{graph['same_sample']}/{graph['n_sample']}, all {graph['same']}/{graph['n']}; "
          f"differing cases identical without constant folding: "
          f"{graph['same_without_cf']}/{len(graph['diff'])}")
    for d in graph["diff"]:
        print("GRAPH/EAGER DIFFERENCE:", d["name"], d["fields"], d["values_differing"])


def tf_probes():
    """TensorFlow float32 quirks at exact powers of two on this machine (for the README)."""
    from tensorflow.experimental import numpy as tnp
    ks = np.arange(-40, 41)
    x = (np.float32(2.0) ** ks.astype(np.float32)).astype(np.float32)
    pad = np.ones(88 - x.size, np.float32)                 # 88 = 11 packets of 8

    def run(fn, graph, packet):
        f = tf.function(fn) if graph else fn
        if packet:
            return np.asarray(f(tf.constant(np.concatenate([x, pad]))))[: x.size]
        return np.array([np.asarray(f(tf.constant(v))) for v in x], np.float32)
    rows_log, rows_rsq = [], []
    rsq_exact = (1.0 / np.sqrt(x.astype(np.float64))).astype(np.float32)
    for graph in (False, True):
        for packet in (True, False):
            lg = run(lambda t: tnp.log2(t), graph, packet)
            bad = ks[np.ceil(lg) != ks].tolist()
            rows_log.append(("graph" if graph else "eager", "packet" if packet else "scalar",
                             ", ".join(str(k) for k in bad) or "none"))
            rs = run(lambda t: tf.math.rsqrt(t), graph, packet)
            badr = ks[rs != rsq_exact].tolist()
            ulps = sorted(set((rs.view(np.int32) - rsq_exact.view(np.int32)).tolist()) - {0})
            rows_rsq.append(("graph" if graph else "eager", "packet" if packet else "scalar",
                             ("all 81" if len(badr) == ks.size else
                              ", ".join(str(k) for k in badr) or "none"),
                             ", ".join(f"{u:+d}" for u in ulps) or "-"))
    return rows_log, rows_rsq


def load_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def compare_with_suite(records, other_dir):
    """Case-by-case comparison with another suite on disk (same index NNNN)."""
    others = {}
    if os.path.isdir(other_dir):
        for d in os.listdir(other_dir):
            if d[:4].isdigit():
                others[int(d[:4])] = os.path.join(other_dir, d)
    out = {"dir": os.path.basename(other_dir), "n": len(records), "missing": 0,
           "inputs_differ": [], "both_ok": 0, "same_y": 0, "y_diff": [], "both_err": 0,
           "same_err": 0, "outcome_diff": []}
    for name, spec, res in records:
        od = others.get(int(name[:4]))
        if od is None:
            out["missing"] += 1
            continue
        mine = os.path.join(SUITE_DIR, name)
        same_in = all(open(os.path.join(mine, f), "rb").read() ==
                      open(os.path.join(od, f), "rb").read()
                      for f in ("layer.json", "weights.npz", "x.npz"))
        if not same_in:
            out["inputs_differ"].append(name)
            continue
        o_ok = os.path.exists(os.path.join(od, "y.npz"))
        if (res["status"] == "ok") != o_ok:
            out["outcome_diff"].append(name)
        elif o_ok:
            out["both_ok"] += 1
            oy = load_npz(os.path.join(od, "y.npz"))
            if same_bits(oy, res["y"]):
                out["same_y"] += 1
            else:
                fields = [k for k in res["y"] if k not in oy or
                          not same_bits({k: oy[k]}, {k: res["y"][k]})]
                nv = int(np.sum(oy["values"] != res["y"]["values"])) \
                    if oy["values"].shape == res["y"]["values"].shape else -1
                out["y_diff"].append((name, os.path.basename(od), ", ".join(fields), nv))
        else:
            out["both_err"] += 1
            with open(os.path.join(od, "error.txt"), encoding="utf-8") as f:
                out["same_err"] += f.read() == error_text(res["err"])
    return out


def md_table(rows, headers):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def readme_extra(graph):
    """Sections only in the READMEs of suites other than bn-0.5.2."""
    c = graph["intel"]
    rows = c["y_diff"]
    trace_note = ("Every `trace.npz` here comes from the hooks alone: the traced function returns "
                  "the hooked tensors as extra outputs (quantizeml's recorders create variables "
                  "inside the call, which `tf.function` refuses), its output is checked equal to "
                  "the plain `tf.function` call's, and in eager mode the generator checks on every "
                  "case that this hook-only collection equals the recorder-based one. The "
                  "`source` column of the trace table names the equivalent recorder.\n\n"
                  if MODE == "graph" else "")
    return f"""
## reference.json

`reference.json` at the suite's root names the profile that produced the expected outputs:
`{{"quantizeml": "0.5.2", "cpu": "{CPU_LABEL}", "mode": "{MODE}"}}` (cpu: the CPU whose `VRSQRTPS`
TensorFlow used; mode: `eager` = `layer(x)` called eagerly, `graph` = called inside
`tf.function(lambda t: layer(t))`, where Grappler rewrites the graph as under `model.predict`).

{trace_note}## Comparison with the Intel suite `{c['dir']}/` (eager, Intel CPU)

Case by case (same index NNNN; the names can differ in their observed tags):

* cases compared: {c['n']}; missing there: {c['missing']}
* inputs differ (`layer.json`, `weights.npz` or `x.npz` not byte-identical; the tie family's
  searches use this CPU's `rsqrt`): {len(c['inputs_differ'])}{(" (" + ", ".join(c['inputs_differ']) + ")") if c['inputs_differ'] else ""}
* same inputs, both with an output: {c['both_ok']}; identical outputs: **{c['same_y']}**;
  different: **{len(c['y_diff'])}**
* same inputs, both raise: {c['both_err']}; identical `error.txt`: {c['same_err']}
* same inputs, one raises and the other not: {len(c['outcome_diff'])}{(" (" + ", ".join(c['outcome_diff']) + ")") if c['outcome_diff'] else ""}

{md_table(rows, ["case here", "case there", "fields that differ", "values differing"]) if rows else "(no output differs)"}
"""


def write_readme(records, v, graph):
    from collections import Counter, OrderedDict
    n = len(records)
    n_err = sum(1 for r in records if r[2]["status"] != "ok")
    cats = OrderedDict()
    for name, spec, res in records:
        seen = set()
        for cat, val in features(spec, res):
            if (cat, val) in seen:
                continue
            seen.add((cat, val))
            cats.setdefault(cat, Counter())[val] += 1

    def sort_key(val):
        try:
            return (0, float(val.split(",")[0].split()[-1]) if val.split() else 0, val)
        except ValueError:
            return (1, 0, val)
    order = ["outcome", "error stage", "rank", "channels", "input", "input value bits",
             "input extremes", "input frac bits", "input frac-bit spread", "QFloat scales",
             "a_quantizer", "b_quantizer", "buffer_bitwidth", "output quantizer",
             "output quantizer bitwidth", "output quantizer scale_bits", "range_max",
             "rescaling_rate", "epsilon", "axis (as in layer.json)", "observed in the trace",
             "design tag"]
    cats = OrderedDict((c, cats[c]) for c in order + [c for c in cats if c not in order]
                       if c in cats)
    cov = []
    for cat, cnt in cats.items():
        for val in sorted(cnt, key=sort_key):
            cov.append((cat, val.replace("|", "\\|"), cnt[val]))
    fams = Counter(spec["fam"] for _, spec, _ in records)
    fam_rows = [(f, fams[f]) for _, f, _ in FAMILIES]
    g = graph
    n_vals = sum(1 for d in g["diff"] if "values" in d["fields"])
    n_scales_only = sum(1 for d in g["diff"] if d["fields"] == ["scales"])
    graph_line = f"""* Seeded sample of {g['n_sample']} successful cases (`default_rng([{MASTER_SEED}, 999])`):
  **{g['same_sample']} of {g['n_sample']}** bit-identical.
* All {g['n']} successful cases: **{g['same']} of {g['n']}** bit-identical;
  {len(g['diff'])} differ ({n_scales_only} only in the QFloat `scales`, by one ulp;
  {n_vals} also in integer `values`).
* The differing cases re-run with Grappler's constant folding switched off
  (`tf.config.optimizer.set_experimental_options({{"constant_folding": False}})`):
  {g['same_without_cf']} of {len(g['diff'])} then match eager mode.

Cause: in graph mode Grappler's constant-folding pass rewrites a float division by a constant
into a multiplication by the constant's float32 reciprocal. quantizeml divides by constants in
`QFloat.optimal_scales` (`ranges / (2^value_bits - 1)`, which gives a's scale `s_a`) and in
`tnp.log2` (`log(x) / log(2)`). So under `model.predict`/`tf.function`, `s_a` (and from it `S`, the
output scales, and a or b values on rounding ties) can differ from an eager call by one ulp. The
expected outputs in this suite are the **{"eager" if MODE == "eager" else "graph-mode"}** ones. Cases whose graph-mode output differs:

{md_table([(d['name'], ", ".join(d['fields']), d['values_differing'],
            "yes" if d['in_sample'] else "") for d in g['diff']],
           ["case", "fields that differ", "values differing", "in the 150 sample"])}
"""
    probe_log, probe_rsq = tf_probes()
    default = SUITE_NAME == DEFAULT_SUITE
    ref_how = "called eagerly" if MODE == "eager" else \
        "called inside `tf.function`, i.e. in graph mode"
    cpu_row = f"{cpu_model()} (flags: {cpu_flags()})"
    cpu_text = """This suite was generated on an Intel CPU
(above)"""
    one_text = "So on packet channels even `moving_variance + epsilon == 1` gives " \
        "`sigma_rec = 0.99999994`."
    regen = "python src/test/resources/golden/generate.py"
    graph_intro = """Successful cases were re-run on a fresh layer inside `tf.function` (graph mode, as `model.predict`
runs it) and compared with the eager output (values, value_bits, frac_bits, scales, shapes):"""
    extra = ""
    note_block = ""
    if not default:
        cpu_row += (f"; vendor_id {cpu_field('vendor_id')}, cpu family {cpu_field('cpu family')},"
                    f" model {cpu_field('model')}, stepping {cpu_field('stepping')}, microcode "
                    f"{cpu_field('microcode')}")
        cpu_text = (f"This suite was generated on an {cpu_field('vendor_id')} CPU (above; "
                    f"`reference.json` names its profile `{CPU_LABEL}`)")
        one = np.asarray(tf.math.rsqrt(tf.ones([16], tf.float32)))
        one_text = (f"Here `tf.math.rsqrt(1.0)` gives {one[0]!r} on packet channels and "
                    f"{np.asarray(tf.math.rsqrt(tf.constant(1.0)))!r} alone.")
        regen += f" --suite {SUITE_NAME} --cpu {CPU_LABEL} --mode {MODE}"
        note_block = "\n" + RUN_NOTE + "\n"
        if MODE == "graph":
            graph_intro = """Successful cases were re-run on a fresh layer called eagerly and compared with this suite's
graph-mode output (values, value_bits, frac_bits, scales, shapes):"""
        extra = readme_extra(graph)
    n_clip = sum(1 for _, _, r in records if r["status"] == "ok"
                 and np.any(r["y"]["values"] > 2 ** int(r["y"]["value_bits"]) - 1))
    # buffer saturation per buffer bitwidth
    from collections import defaultdict
    bufsat = defaultdict(Counter)
    for name, spec, res in records:
        if res["status"] != "ok":
            continue
        bb = int(res["trace"]["buffer_value_bits"]) + 1
        bufsat[bb]["cases"] += 1
        for t in ("sat-lo", "sat-hi", "clip-f32"):
            bufsat[bb][t] += t in res["auto"]
    buf_rows = [(bb, c["cases"], c["sat-lo"], c["sat-hi"], c["clip-f32"])
                for bb, c in sorted(bufsat.items())]
    # exact powers of two in range_max, by exponent and channel position
    p2 = defaultdict(Counter)
    for name, spec, res in records:
        oq = (res["config"].get("quant_config") or {}).get("output_quantizer")
        if res["status"] != "ok" or not oq:
            continue
        rm = np.asarray(spec["rm"], np.float32)
        if rm.ndim == 0:
            m, e = np.frexp(rm)
            if m == 0.5:
                p2[int(e) - 1]["per-tensor"] += 1
            continue
        C = rm.size
        pk = (C // 8) * 8
        for c in range(C):
            m, e = np.frexp(rm[c])
            if m == 0.5:
                p2[int(e) - 1]["packet" if c < pk else "tail"] += 1
    p2_rows = [(k, p2[k]["per-tensor"], p2[k]["packet"], p2[k]["tail"])
               for k in sorted(p2) if -20 <= k <= 20]
    text = f"""# Golden data: quantizeml 0.5.2 `QuantizedBatchNormalization`

Suite folder: `{SUITE_NAME}/` ({n} cases: {n - n_err} with an output, {n_err} where the reference
raises). Format: `docs/interchange.md` (one folder per case: `layer.json`, `weights.npz`,
`x.npz`, then `y.npz` + `trace.npz`, or `error.txt`).

## Provenance

| | |
|---|---|
| generator | `src/test/resources/golden/generate.py` (run by hand, never in CI) |
| reference | quantizeml {v['quantizeml']} (the released PyPI package, {ref_how}) |
| tensorflow | {v['tensorflow']} |
| keras | {v['keras']} |
| numpy | {v['numpy']} |
| Python | {v['python']} |
| CPU | {cpu_row} |
| master seed | {MASTER_SEED} (case j of family f uses `numpy.random.default_rng([{MASTER_SEED}, f, j])`) |
| date | {GEN_DATE} |

**CPU dependence.** TensorFlow's float32 `rsqrt` uses the CPU's `VRSQRTPS` estimate (plus a Newton
step) on packets of 8 channels and a different path for the last `C mod 8` channels, so the results
of quantizeml itself differ between Intel and AMD CPUs. {cpu_text}; the `sigma_rec` trace key holds the values TensorFlow produced here.

Measured by the generator on this machine for x = 2^k, k = -40..40 ("packet": the values sit in
a vector evaluated in AVX packets of 8; "scalar": each value is evaluated alone):

* exponents k where `ceil(tnp.log2(2^k)) != k` (quantizeml's `ceil_log2`):

{md_table(probe_log, ["mode", "evaluation", "k"])}

* exponents k where `tf.math.rsqrt(2^k)` is not the correctly rounded float32 of 2^(-k/2):

{md_table(probe_rsq, ["mode", "evaluation", "k", "ulps off"])}

  {one_text}

## Regenerating

```
{regen}
```
{note_block}
It checks the versions above, deletes and rewrites `{SUITE_NAME}/` and this README, and nothing
else. Output is byte-identical between runs on the same machine: the `.npz` files are deflated zip
archives of `.npy` members written with a fixed 1980-01-01 timestamp (`numpy.savez_compressed`
would stamp the current time), and nothing in a case folder depends on the time.

## How each case was produced

```
layer = QuantizedBatchNormalization(quant_config=qc, axis=axis, epsilon=eps, name="bn")
layer.build(x.shape); keras.layers.Layer.build(layer, x.shape)   # see note 1
layer.out_quantizer.build(x.shape)                               # when there is one
assign gamma, beta, moving_mean, moving_variance, range_max, rescaling_rate (float32)
y = layer(x)      # x = FixedPoint(values, value_bits, frac_bits) or QFloat(FixedPoint, scales)
```

Any exception from construction, build or call becomes `error.txt`: first line the class name
(`type(e).__name__`: `ValueError`, `TypeError`, `InvalidArgumentError`), then `str(e)` verbatim.
Errors raised inside `call` carry Keras' wrapper text ("Exception encountered when calling layer
...", then the quantizeml message, then "Call arguments received ..."), exactly as a user sees them.

* `layer.json` is `{{"class_name": "QuantizedBatchNormalization", "config": layer.get_config()}}`
  after construction (and build, if it got that far), with Keras' wrappers turned into plain JSON.
  So quantizeml's write-backs appear as the package writes them (`a_quantizer: {{"bitwidth": 8}}`
  when absent, `buffer_bitwidth: 32` when absent or null) and `axis` is the normalised list (e.g.
  `[3]`) once `build` has run. When construction itself fails, `config` holds what was passed:
  `name`, `quant_config`, `epsilon`, `axis`.
* `weights.npz`: the float32 variables read back from the layer (`gamma`, `beta`, `moving_mean`,
  `moving_variance`, and with an output quantizer `output_quantizer/range_max` and
  `output_quantizer/rescaling_rate`, shape `()` or `(C,)`). When construction or build fails,
  the arrays that would have been assigned.
* `x.npz`, `y.npz`: `values` (int64, converted from quantizeml's float32 values, which are
  integral), `value_bits` (int64 scalar), `frac_bits` (int64, exactly the shape quantizeml's
  tensor has: `()`, `(C,)`, or `(1,)`), and `scales` (float32, QFloat only, shape as produced).
  Without an output quantizer `y` is the layer's QFloat (value_bits = buffer_bitwidth - 1);
  with one it is a FixedPoint.
* **Values of exactly +2^value_bits occur in `y`** ({n_clip} cases, all with value_bits >= 25):
  quantizeml saturates to `[-2^vb, float32(2^vb - 1)]` and float32(2^vb - 1) rounds up to 2^vb
  once vb >= 25 (e.g. +2147483648 with value_bits 31). A reader must not reject them.

Note 1: `QuantizedBatchNormalization.build` does not call `super().build()`, so after a bare
`layer.build(shape)` Keras still considers the layer unbuilt and the first `layer(x)` builds it
again, replacing the four variables (and any weights assigned in between) with fresh ones
(gamma=1, beta=0, mean=0, var=1). The generator marks the layer built the way Keras'
`_maybe_build` does, and checks after each call that the variables are still the assigned ones.

## trace.npz keys (every successful case)

All are read from quantizeml during a second, recorded call (`quantizeml.layers.recording(True)`),
which is checked to return the same bits as the plain call. "Recorder" means quantizeml's own
`TensorRecorder`/`QFloatRecorder`; "hook" means a pass-through wrapper around a quantizeml
function that keeps its argument or result.

| key | dtype, shape | what it is | source |
|---|---|---|---|
| `sigma_rec` | f4 `(C,)` | `rsqrt(moving_variance + epsilon)` | the layer's `sigma_rec` property |
| `a_float` | f4 `(C,)` | `gamma * sigma_rec`, the float a before quantization | hook on `QFloat.quantize` (1st call) |
| `a_scaled` | f4 `(C,)` | `a_float / a_scales`, the argument of round-half-even | hook on `round_through` (1st call) |
| `a_values` | i8 `(C,)` | quantized a (after saturation) | a_quantizer recorder |
| `a_value_bits` | i8 `()` | value bits of a | a_quantizer recorder |
| `a_scales` | f4 `()` | a's scale `max(max(abs(a_float)) / (2^vb-1), 1e-6)` | a_quantizer recorder |
| `input_shift` | i8 `(C,)` | per-axis FixedPoint inputs only: the expand shift `max(fb) - fb_c` | the layer's `input_shift` recorder |
| `xa_values` | i8 x-shape | `x * a` values (saturated to the buffer); its frac bits and scales are `buffer_frac_bits` and `buffer_scales` (checked) | hook on the layer's `b(outputs)` argument |
| `b_float` | f4 `(C,)` | `-moving_mean * gamma * sigma_rec + beta` | hook on `QFloat.quantize` (2nd call) |
| `b_scaled` | f4 `(C,)` | `b_float / S * 2^b_frac_bits`, the argument of round-half-even | hook on `round_through` (2nd call) |
| `b_values` | i8 `(C,)` | b quantized, before its alignment upscale | hook on `QFloat.upscale` (its `self`) |
| `b_value_bits` | i8 `()` | value bits of b | same |
| `b_frac_bits` | i8 `()` or `(1,)` | frac bits of b before alignment | same |
| `b_shift` | i8 `()` or `(1,)` | alignment shift `F - b_frac_bits` | b_quantizer `shift` recorder |
| `b_aligned_values` | i8 `(C,)` | b after the upscale (saturated to the buffer) | b_quantizer `qweights` recorder |
| `buffer_values` | i8 x-shape | `x*a + b`, the layer's QFloat before any output quantizer | the output quantizer's input (hook) or `y` |
| `buffer_value_bits` | i8 `()` | buffer value bits (`buffer_bitwidth - 1`) | same |
| `buffer_frac_bits` | i8 | `F` | same |
| `buffer_scales` | f4 | `S` | same |
| `qscales_float` | f4 `()` or `(C,)` | `S * rescaling_rate` | hook on `QFloat.to_fixed_point` (`self.scales`) |
| `qscales_scaled` | f4 | `S' * 2^qscales_frac_bits`, the argument of round-half-even | hook on `round_through` (3rd call) |
| `qscales_values` | i8 | quantized output scales | output quantizer `qscales` recorder |
| `qscales_frac_bits` | i8 | their frac bits | same |
| `scaled_values` | i8 x-shape | buffer values times `qscales_values` (saturated to the buffer) | hook on `FixedPoint.rescale` (`self`) |
| `scaled_frac_bits` | i8 | `F + qscales_frac_bits` | same |
| `out_scaled` | f4 x-shape | `scaled_values * 2^out_shift`, before `floor(x + 0.5)` | the same TF op recomputed, checked equal (after `+0.5`) to the captured `floor_through` argument |
| `out_shift` | i8 | `out_frac_bits - scaled_frac_bits` | output quantizer `shift` recorder |
| `out_frac_bits` | i8 | output frac bits (= `y.frac_bits`) | `y` |

The `qscales_*`, `scaled_*`, `out_*` keys exist only with an output quantizer. a's frac bits are
always 0 (checked by the generator), so they are not stored.

## Graph mode vs eager

{graph_intro}

{graph_line}{extra}

## Case names

`NNNN-<input>-<frac bits>-c<C>-r<rank>-<output quantizer>-<design tags>-<observed tags>`, e.g.
`0001-fp-pt-c8-r4-oq-axis`. Input: `fp` FixedPoint, `qf` QFloat. Frac bits: `pt` per-tensor `()`,
`pa` per-axis `(C,)`, `pa1` per-axis with C = 1 (shape `(1,)`), `fb1` shape `(1,)` with C > 1.
Output quantizer: `nooq`, `oq-tensor`, `oq-axis` (or `oq` when set by a config spelling).
`err`: the reference raised. Observed tags are computed from the trace:

{md_table([(k, d) for k, d in AUTO_TAG_DOC.items()], ["tag", "meaning"])}

(`tie` in a folder name stands for `tie-a` and/or `tie-b`.)

## What is not covered

* Inputs that are not a QTensor (a plain `tf.Tensor` or numpy array; quantizeml raises TypeError):
  the interchange format can only express FixedPoint and QFloat inputs.
* A per-axis output quantizer on an input of rank < 3 (its ValueError): BN already rejects
  ranks other than 3 and 4 in `build`.
* quant_config keys that quantizeml silently ignores (e.g. `"bias_quantizer"` at the top level):
  the interchange contract makes them an error in qbn4j, so no case uses them.
* `ASSERT_ENABLED=0` (quantizeml assertions off) is not exercised.

## Cases per family

{md_table(fam_rows, ["family", "cases"])}

## Coverage (computed by the generator)

Counts are numbers of cases. "design tag" is what the case was built to exercise; "observed in
the trace" is what actually happened in quantizeml.

{md_table(cov, ["category", "value", "cases"])}

### Buffer saturation by buffer_bitwidth (successful cases)

`sat-lo`/`sat-hi`: x*a or the buffer reached -2^(bb-1) / the upper clip; `clip-f32`: the upper clip
is float32(2^(bb-1) - 1) = 2^(bb-1) (bb >= 26) and was reached.

{md_table(buf_rows, ["buffer_bitwidth", "cases", "sat-lo", "sat-hi", "clip-f32"])}

### range_max = 2^k exactly, by exponent (successful cases with an output quantizer)

Per-tensor: number of cases. Per-axis: number of (case, channel) pairs, split into channels that
TensorFlow evaluates in AVX packets of 8 (c < floor(C/8)*8) and the scalar tail.

{md_table(p2_rows, ["k", "per-tensor cases", "per-axis, packet channels", "per-axis, tail channels"])}
"""
    with open(README, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
