#!/usr/bin/env python
"""Golden conformance suite generator for qbn4j's quantizeml 0.17.1 profile.

What it makes
    src/test/resources/golden/bn-0.17.1-amd-eager/NNNN-<tags>/   one folder per case, in the
        interchange format of docs/interchange.md (layer.json, weights.npz, x.npz, then
        y.npz + trace.npz, or error.txt). layer.json carries "quantizeml": "0.17.1" beside
        class_name and config.
    src/test/resources/golden/bn-0.17.1-amd-eager/reference.json   {"quantizeml": "0.17.1",
        "cpu": "amd-zen3", "mode": "eager"}
    src/test/resources/golden/bn-0.17.1-amd-eager/README.md        provenance, trace keys,
        coverage, all written by this script.

Reference
    Every expected output is produced by BrainChip's released package quantizeml 0.17.1
    (tensorflow 2.15.1, keras 2.15.0, numpy 1.26.4, Python 3.11.7; asserted at start-up), called
    eagerly. Nothing re-implements quantizeml's arithmetic: traces come from quantizeml's own
    recorders and pass-through hooks on its functions.

Structure
    This script imports the 0.5.2 generator (generate.py, next to it) and reuses its case
    families, random building blocks, writers and coverage bookkeeping unchanged, with the same
    master seed, so that case j of family f draws the same inputs in both suites (the case
    outcomes differ where 0.17.1 behaves differently). It replaces what 0.17.1 changes (the hook
    counts: upscale now goes through rescale; the output quantizer's promotion), trims the random
    family to keep the suite small, and adds families for each 0.17.1 change (ids 20..25).

How to run (by hand, never in CI; from the repository root, on an AMD Zen 3 CPU)
    python src/test/resources/golden/generate_0_17_1.py

    It deletes and rewrites bn-0.17.1-amd-eager/ and nothing else. Results depend on the CPU
    (TensorFlow's packet rsqrt starts from VRSQRTPS): regenerate only on the same kind of CPU.
"""
import copy
import datetime
import itertools
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate as g                                  # noqa: E402  (the 0.5.2 generator)
from generate import (np, tf, keras, QuantizedBatchNormalization, OutputQuantizer,  # noqa: E402
                      FixedPoint, QFloat, qml_fixed_point, f32, i64, vb_array, same_bits,
                      f32a, base_spec, set_oq, shape_for, calibrated_rm, rand_fb, family)

GEN_DATE = "2026-12-03"
SUITE_NAME = "bn-0.17.1-amd-eager"
REFERENCE = {"quantizeml": "0.17.1", "cpu": "amd-zen3", "mode": "eager"}
RAND_CASES = 200          # of the 0.5.2 suite's 430, to stay near 20 MB

g.SUITE_NAME = SUITE_NAME
g.SUITE_DIR = os.path.join(HERE, SUITE_NAME)
g.README = os.path.join(g.SUITE_DIR, "README.md")
g.EXPECTED_VERSIONS = {
    "quantizeml": "0.17.1", "tensorflow": "2.15.1", "keras": "2.15.0", "numpy": "1.26.4",
    "python": "3.11.7",
}


# ------------------------------------------------------------------------------------------------
# Hooks and trace for 0.17.1
# ------------------------------------------------------------------------------------------------

class Hooks(g.Hooks):
    """Same pass-through hooks as 0.5.2's, plus FixedPoint.rescale recording its arguments."""

    def __enter__(self):
        super().__enter__()
        h = self
        o_rescale = self.o_rescale

        def rescale(self_, *a, **k):
            h.rec("rescale", self_)
            res = o_rescale(self_, *a, **k)
            h.rec("rescale_out", res)
            return res
        FixedPoint.rescale = rescale
        return self


def collect_trace(layer, y, cap):
    """Intermediates of the traced call (0.17.1 call order).

    rescale is called by the input expand (per-axis FixedPoint input), by b's upscale and by the
    output quantizer, in that order; round_through by a's, b's and the output scales'
    quantization; floor_through once per rescale.
    """
    t = {}
    n = {k: len(v) for k, v in cap.items()}
    oq = layer.out_quantizer
    rec = getattr(layer, "input_shift", None)
    expanded = rec is not None and rec.value is not None
    exp_round = 3 if oq is not None else 2
    exp_rescale = int(expanded) + 1 + int(oq is not None)
    if n.get("quantize") != 2 or n.get("round") != exp_round or n.get("upscale") != 1 \
            or n.get("xa") != 1 or n.get("rescale") != exp_rescale \
            or n.get("floor") != exp_rescale:
        raise g.GenError(f"unexpected hook counts {n}")
    t["sigma_rec"] = f32(layer.sigma_rec)
    a_x, _, _, _ = cap["quantize"][0]
    t["a_float"] = f32(a_x)
    t["a_scaled"] = f32(cap["round"][0])
    a = layer.a_quantizer.qweights.value
    t["a_values"] = i64(a.fp.values, "a")
    t["a_value_bits"] = vb_array(a.fp.value_bits, "a")
    if np.any(i64(a.fp.frac_bits, "a fb") != 0):
        raise g.GenError("a has non-zero frac bits")
    t["a_scales"] = f32(a.scales)
    if expanded:
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
        raise g.GenError("x*a and the buffer differ in frac bits or scales")
    if oq is not None:
        if n.get("tfp_scales") != 1:
            raise g.GenError(f"unexpected output-quantizer hook counts {n}")
        t["qscales_float"] = f32(cap["tfp_scales"][0])
        t["qscales_scaled"] = f32(cap["round"][2])
        qs = oq.qscales.value
        t["qscales_values"] = i64(qs.values, "qscales")
        t["qscales_frac_bits"] = i64(qs.frac_bits, "qscales fb")
        v = cap["rescale"][-1]
        t["scaled_values"] = i64(v.values, "scaled")
        t["scaled_value_bits"] = vb_array(v.value_bits, "scaled")
        t["scaled_frac_bits"] = i64(v.frac_bits, "scaled fb")
        shift = oq.shift.value
        out_scaled = tf.math.multiply(v.values, tf.pow(2.0, tf.cast(shift, tf.float32)))
        if not np.array_equal(f32(out_scaled + 0.5), f32(cap["floor"][-1]), equal_nan=True):
            raise g.GenError("recomputed out_scaled disagrees with the captured rounding argument")
        t["out_scaled"] = f32(out_scaled)
        t["out_shift"] = i64(shift, "out_shift")
        t["out_frac_bits"] = i64(y.frac_bits, "out fb")
    return t


g.Hooks = Hooks
g.collect_trace = collect_trace


def write_case(path, res):
    """As 0.5.2's, with the version marker in layer.json."""
    g.write_case_052(path, res)
    p = os.path.join(path, "layer.json")
    with open(p, encoding="utf-8") as f:
        doc = json.load(f)
    g.save_json(p, {"class_name": doc["class_name"], "quantizeml": "0.17.1",
                    "config": doc["config"]})


g.write_case_052 = g.write_case
g.write_case = write_case


# ------------------------------------------------------------------------------------------------
# Families: the 0.5.2 ones (rand trimmed), then one per 0.17.1 change
# ------------------------------------------------------------------------------------------------

def _trim(fn, n):
    def wrapped(ctx):
        return itertools.islice(fn(ctx), n)
    return wrapped


g.FAMILIES[:] = [(fid, name, _trim(fn, RAND_CASES) if name == "rand" else fn)
                 for fid, name, fn in g.FAMILIES]


def _fam(fid, name):
    return family(fid, name)


@_fam(20, "bpa")
def fam_b_per_axis(ctx):
    """b per axis (bitwidth > 4) vs per tensor (<= 4): channel magnitudes spread over decades."""
    j = 0
    for bw in range(2, 9):
        for signed in (True, False):
            for rep in range(3):
                rng = g.crng(20, j)
                j += 1
                C = [9, 13, 16, 70, 3, 8][(j + rep) % 6]
                xk, fbm = [("fp", "pt"), ("fp", "pa"), ("qf", "pt")][rep]
                s = base_spec(rng, "bpa", shape_for(rng, int(rng.choice([3, 4])), C), xk, fbm)
                # beta spread over 6 decades so that per-channel frac bits differ
                s["beta"] = f32a(rng.choice([-1, 1], C) * 10 ** rng.uniform(-3, 3, C))
                if rep == 2:
                    s["beta"][int(rng.integers(C))] = 0.0     # a zero range: fb = vb, then min F
                    s["mean"][:] = 0.0
                s["qc"] = {"b_quantizer": {"bitwidth": bw, "signed": signed}}
                s["tags"].append(f"b{bw}{'s' if signed else 'u'}")
                if rep == 1:
                    set_oq(rng, s, "pa" if j % 2 else "pt")
                yield s
    # default b (8 bits) on large channel counts, packet and tail channels, with b near powers of 2
    for C in (64, 70, 256, 9, 17):
        rng = g.crng(20, j)
        j += 1
        s = base_spec(rng, "bpa", shape_for(rng, 3, C), "fp", "pt")
        s["beta"] = f32a(rng.choice([-1, 1], C) * 2.0 ** rng.integers(-8, 8, C))
        s["mean"][:] = 0.0
        s["tags"].append("b-pow2")
        yield s
    # wide b quantizers: values past 2^23 stored at shift 0 go through rescale's +0.5
    for bw in (20, 24, 25, 26, 28):
        for rep in range(2):
            rng = g.crng(20, j)
            j += 1
            C = int(rng.choice([3, 9, 13]))
            s = base_spec(rng, "bpa", shape_for(rng, 3, C), "fp", "pt", vb=4,
                          fb=np.float32(int(rng.integers(-2, 3))))
            s["beta"] = f32a(rng.choice([-1, 1], C) * 10 ** rng.uniform(0, 3, C))
            s["qc"] = {"b_quantizer": {"bitwidth": bw, "signed": bool(rep == 0)}}
            s["tags"].append(f"b{bw}{'s' if rep == 0 else 'u'}")
            yield s


@_fam(21, "oqbuf")
def fam_oq_buffer(ctx):
    """output_quantizer.buffer_bitwidth: saturation of y*q_s, and its errors."""
    j = 0

    def nxt():
        nonlocal j
        r = g.crng(21, j)
        j += 1
        return r

    def saturating(rng, mode, layer_bb=None):
        C = int(rng.choice([3, 9, 13, 16]))
        vb = 24
        s = base_spec(rng, "oqbuf", shape_for(rng, 3, C), "fp", "pt", vb=vb, extremes=True)
        vals = s["xvals"].reshape(-1)
        sel = rng.random(vals.size) < 0.6
        vals[sel] = rng.integers(2 ** 22, 2 ** 24, sel.sum()) * rng.choice([-1, 1], sel.sum())
        s["gamma"] = f32a(rng.uniform(0.5, 1.0, C) * rng.choice([-1, 1], C) * 100)
        s["xfb"] = np.float32(int(rng.integers(0, 6)))
        set_oq(rng, s, mode, bitwidth=8, signed=True)
        if layer_bb is not None:
            s["qc"]["buffer_bitwidth"] = layer_bb
        return s
    for obb in (None, 32, 31, 33, 34, 36, 40, 48):
        for mode in ("pt", "pa"):
            rng = nxt()
            s = saturating(rng, mode)
            if obb is not None:
                s["qc"]["output_quantizer"]["buffer_bitwidth"] = obb
            s["tags"].append(f"obb{obb if obb is not None else '-default'}")
            yield s
    # narrower layer buffers with a matching or wider output-quantizer buffer
    for lbb, obb in ((20, 19), (20, 20), (24, 24), (24, 32), (16, 15), (28, 40)):
        rng = nxt()
        s = saturating(rng, "pt" if lbb % 8 else "pa", layer_bb=lbb)
        s["xvb"] = min(s["xvb"], lbb - 1)
        s["xvals"] = g.exact_ints(rng, s["shape"], s["xvb"], True)
        s["qc"]["output_quantizer"]["buffer_bitwidth"] = obb
        s["tags"] += [f"bb{lbb}", f"obb{obb}"]
        yield s
    # errors: narrower than the layer's value bits, not an int, negative; order vs "pointless"
    for obb in (30, 16, 0, -1, 32.0, "32", None, True, False):
        rng = nxt()
        s = base_spec(rng, "oqbuf", shape_for(rng, 3, int(rng.choice([3, 9]))), "fp", "pt")
        set_oq(rng, s, "pt" if j % 2 else "pa")
        s["qc"]["output_quantizer"]["buffer_bitwidth"] = obb
        s["tags"].append("obb-" + json.dumps(obb).replace('"', "q").replace(".", "p"))
        yield s
    for lbb, obw, obb in ((20, 20, 16), (20, 24, 40), (12, 8, 10)):
        rng = nxt()
        s = base_spec(rng, "oqbuf", shape_for(rng, 3, 3), "fp", "pt", vb=4)
        set_oq(rng, s, "pt", bitwidth=obw)
        s["qc"]["buffer_bitwidth"] = lbb
        s["qc"]["output_quantizer"]["buffer_bitwidth"] = obb
        s["tags"] += [f"bb{lbb}", f"obb{obb}", "oq-pointless"]
        yield s


@_fam(22, "upscale")
def fam_upscale(ctx):
    """Odd values in [2^23, 2^24) (and their negatives) at shift 0 in the input expand."""
    j = 0
    for vb in (24, 24, 24, 25, 26, 28, 30, 31):
        for mode in ("none", "pt", "pa"):
            rng = g.crng(22, j)
            j += 1
            C = int(rng.choice([2, 3, 9, 13]))
            shape = shape_for(rng, int(rng.choice([3, 4])), C)
            s = base_spec(rng, "upscale", shape, "fp", "pa", vb=min(vb, 24))
            s["xvb"] = vb
            fb = rng.integers(-2, 6, C).astype(np.float32)
            top = int(rng.integers(C))
            fb[top] = fb.max() + int(rng.integers(1, 4))        # the one channel at shift 0
            s["xfb"] = f32a(fb)
            v = rng.integers(2 ** 22, 2 ** 23, shape, dtype=np.int64) * 2 + 1    # odd
            v = v * rng.choice([-1, 1], shape)
            other = rng.integers(-2 ** 10, 2 ** 10, shape, dtype=np.int64)
            mask = np.zeros(shape, bool)
            mask[..., top] = True
            s["xvals"] = np.where(mask, v, other)
            s["gamma"] = f32a(rng.choice([-1, 1], C) * 2.0 ** rng.integers(-10, -6, C))
            if mode != "none":
                set_oq(rng, s, mode)
            s["tags"] += [f"vb{vb}", "odd-2p23"]
            yield s
    # spread exactly at and beyond the limit, with the new message
    for spread in (30, 31, 33):
        rng = g.crng(22, j)
        j += 1
        s = base_spec(rng, "upscale", shape_for(rng, 3, 3), "fp", "pa", vb=3)
        s["xfb"] = f32a([0, spread, 5])
        s["tags"].append(f"spread{spread}")
        yield s


@_fam(23, "fpq")
def fam_fp_quantizer(ctx):
    """a_quantizer.fp_quantizer (new key): truthy makes a a FixedPoint; the layer then raises."""
    j = 0
    for fpq, xk, fbm, oq in ((True, "fp", "pt", None), (True, "fp", "pa", "pa"),
                             (True, "qf", "pt", None), (True, "qf", "pt", "pt"),
                             (1, "fp", "pt", None), ("yes", "fp", "pt", None),
                             (False, "fp", "pt", None), (False, "qf", "pt", "pa"),
                             (False, "fp", "pa", "pt"), (0, "fp", "pt", None),
                             (None, "fp", "pt", None), ([], "qf", "pt", None)):
        rng = g.crng(23, j)
        j += 1
        C = int(rng.choice([3, 9, 13]))
        s = base_spec(rng, "fpq", shape_for(rng, int(rng.choice([3, 4])), C), xk, fbm)
        s["qc"] = {"a_quantizer": {"bitwidth": 8, "fp_quantizer": fpq}}
        if oq:
            set_oq(rng, s, oq)
        s["tags"].append("fpq-" + json.dumps(fpq).replace('"', "").replace("[]", "list"))
        yield s


@_fam(24, "wide")
def fam_wide_buffer(ctx):
    """Layer buffers of 33..40 bits: outputs of up to 39 value bits; with an output quantizer."""
    j = 0
    for bb in range(33, 41):
        for variant in range(3):
            rng = g.crng(24, j)
            j += 1
            C = int(rng.choice([2, 3, 8, 9, 13]))
            xk = "qf" if variant == 2 else "fp"
            fbm = "pa" if variant == 1 else "pt"
            s = base_spec(rng, "wide", shape_for(rng, int(rng.choice([3, 4])), C), xk, fbm,
                          vb=24, extremes=True)
            if fbm == "pa":
                s["xfb"] = rand_fb(rng, C, "pa", 30, hi=10, max_spread=6)
            s["gamma"] = f32a(np.abs(s["gamma"]) * np.where(np.arange(C) % 2 == 0, 1.0, -1.0)
                              * 10 ** rng.uniform(0, 4))
            s["qc"] = {"buffer_bitwidth": bb}
            s["tags"].append(f"bb{bb}")
            yield s
    # with an output quantizer: default buffer (error from 34 bits on), or a wide enough one
    for bb, obb in ((33, None), (36, None), (40, None), (40, 40), (40, 39), (36, 48), (33, 33)):
        rng = g.crng(24, j)
        j += 1
        C = int(rng.choice([3, 9, 13]))
        s = base_spec(rng, "wide", shape_for(rng, 3, C), "fp", "pt", vb=24, extremes=True)
        s["gamma"] = f32a(s["gamma"] * 10 ** rng.uniform(0, 3))
        set_oq(rng, s, "pa" if j % 2 else "pt")
        s["qc"]["buffer_bitwidth"] = bb
        if obb is not None:
            s["qc"]["output_quantizer"]["buffer_bitwidth"] = obb
        s["tags"] += [f"bb{bb}", f"obb{obb if obb is not None else '-default'}"]
        yield s


@_fam(25, "cfg")
def fam_config(ctx):
    """Config spellings new in 0.17.1's get_config, round-tripped through layer.json."""
    variants = [("oq-all-explicit", {"output_quantizer": {"bitwidth": 8, "signed": True,
                                                          "axis": "per-axis", "scale_bits": 8,
                                                          "buffer_bitwidth": 32}}),
                ("a-all-explicit", {"a_quantizer": {"bitwidth": 8, "signed": True, "axis": -1,
                                                    "fp_quantizer": False}})]
    j = 0
    for tag, qc in variants:
        for rep in range(2):
            rng = g.crng(25, j)
            j += 1
            s = base_spec(rng, "cfg", shape_for(rng, 3 + rep, int(rng.choice([3, 9]))), "fp", "pt")
            s["qc"] = copy.deepcopy(qc)
            if "output_quantizer" in qc:
                s["rm"] = f32a(calibrated_rm(rng, s, True))
                s["rr"] = np.ones(s["shape"][-1], np.float32)
            s["tags"].append(tag)
            yield s


# ------------------------------------------------------------------------------------------------
# README
# ------------------------------------------------------------------------------------------------

def cpuinfo():
    keys = ("vendor_id", "cpu family", "model", "model name", "stepping", "microcode")
    out = {}
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                k = k.strip()
                if k in keys and k not in out:
                    out[k] = v.strip()
    return out


TRACE_KEYS = """| key | dtype, shape | what it is | source |
|---|---|---|---|
| `sigma_rec` | f4 `(C,)` | `rsqrt(moving_variance + epsilon)` as TensorFlow 2.15.1 computed it on this CPU | the layer's `sigma_rec` property |
| `a_float` | f4 `(C,)` | `gamma * sigma_rec` | hook on `QFloat.quantize` (1st call) |
| `a_scaled` | f4 `(C,)` | `a_float / a_scales`, the argument of round-half-even | hook on `round_through` (1st call) |
| `a_values` | i8 `(C,)` | quantized a | a_quantizer recorder |
| `a_value_bits` | i8 `()` | value bits of a | a_quantizer recorder |
| `a_scales` | f4 `()` | a's scale | a_quantizer recorder |
| `input_shift` | i8 `(C,)` | per-axis FixedPoint inputs only: the expand shift `max(fb) - fb_c` | the layer's `input_shift` recorder |
| `xa_values` | i8 x-shape | `x * a` values; frac bits and scales are `buffer_frac_bits`, `buffer_scales` (checked) | hook on the layer's `b(outputs)` argument |
| `b_float` | f4 `(C,)` | `-moving_mean * gamma * sigma_rec + beta` | hook on `QFloat.quantize` (2nd call) |
| `b_scaled` | f4 `(C,)` | `b_float / S * 2^b_frac_bits`, the argument of round-half-even | hook on `round_through` (2nd call) |
| `b_values` | i8 `(C,)` | b quantized, before its alignment | hook on `QFloat.upscale` (its `self`) |
| `b_value_bits` | i8 `()` | value bits of b | same |
| `b_frac_bits` | i8 **`(C,)` when the b_quantizer bitwidth is > 4** (per-axis b, new in 0.17.1), `()` when <= 4 | frac bits of b before alignment, `min(vb_b - ceil_log2(range/S), vb_b, F)` per channel or per tensor | same |
| `b_shift` | i8, shape of `b_frac_bits` | alignment shift `F - b_frac_bits` | b_quantizer `shift` recorder |
| `b_aligned_values` | i8 `(C,)` | b after the alignment (`rescale`: `floor(b * 2^shift + 0.5)`, saturated to the buffer) | b_quantizer `qweights` recorder |
| `buffer_values` | i8 x-shape | `x*a + b`, the layer's QFloat before any output quantizer | the output quantizer's input (hook) or `y` |
| `buffer_value_bits` | i8 `()` | buffer value bits (`buffer_bitwidth - 1`, up to 39 here) | same |
| `buffer_frac_bits` | i8 | `F` | same |
| `buffer_scales` | f4 | `S` | same |
| `qscales_float` | f4 `()` or `(C,)` | `S * rescaling_rate` | hook on `QFloat.to_fixed_point` (`self.scales`) |
| `qscales_scaled` | f4 | `S' * 2^qscales_frac_bits`, the argument of round-half-even | hook on `round_through` (3rd call) |
| `qscales_values` | i8 | quantized output scales | output quantizer `qscales` recorder |
| `qscales_frac_bits` | i8 | their frac bits | same |
| `scaled_values` | i8 x-shape | buffer values times `qscales_values`, **saturated to `scaled_value_bits`** | hook on `FixedPoint.rescale` (last call, `self`) |
| `scaled_value_bits` | i8 `()` | **new**: the value bits the product saturates to = the output quantizer's `buffer_bitwidth` (32 by default; the buffer is promoted to it, not to `buffer_bitwidth - 1`) | same |
| `scaled_frac_bits` | i8 | `F + qscales_frac_bits` | same |
| `out_scaled` | f4 x-shape | `scaled_values * 2^out_shift`, before `floor(x + 0.5)` | same TF op recomputed, checked equal (after `+0.5`) to the captured `floor_through` argument |
| `out_shift` | i8 | `out_frac_bits - scaled_frac_bits` | output quantizer `shift` recorder |
| `out_frac_bits` | i8 | output frac bits (= `y.frac_bits`) | `y` |
"""


def write_readme(records, v, probes):
    from collections import Counter, OrderedDict
    n = len(records)
    n_err = sum(1 for r in records if r[2]["status"] != "ok")
    cats = OrderedDict()
    for name, spec, res in records:
        seen = set()
        for cat, val in g.features(spec, res):
            if (cat, val) in seen:
                continue
            seen.add((cat, val))
            cats.setdefault(cat, Counter())[val] += 1
        if res["status"] == "ok":
            bfb = res["trace"]["b_frac_bits"]
            val = f"per-axis, {len(set(bfb.tolist()))} distinct" if bfb.ndim else "per-tensor"
            key = ("b frac bits (trace)", "per-axis" if bfb.ndim else "per-tensor")
            cats.setdefault(key[0], Counter())[key[1]] += 1
            if bfb.ndim and len(set(bfb.tolist())) > 1:
                cats[key[0]]["per-axis, channels differ"] += 1
            sv = res["trace"].get("scaled_value_bits")
            if sv is not None:
                cats.setdefault("output quantizer promotion (scaled_value_bits)", Counter())[
                    str(int(sv))] += 1
                lim = 2 ** int(sv)
                if np.any(np.abs(res["trace"]["scaled_values"]) >= lim):
                    cats["output quantizer promotion (scaled_value_bits)"][
                        f"{int(sv)}: y*q_s saturated"] += 1
            del val
        else:
            first = str(res["err"]).split("\n")
            msg = next((x for x in first if x.strip() and not x.startswith("Exception encountered")),
                       "")
            cats.setdefault("error message (first quantizeml line)", Counter())[
                type(res["err"]).__name__ + ": " + msg.strip()[:90]] += 1
    cov = []
    for cat, cnt in cats.items():
        for val in sorted(cnt, key=str):
            cov.append((cat, str(val).replace("|", "\\|"), cnt[val]))
    fams = Counter(spec["fam"] for _, spec, _ in records)
    fam_rows = [(f, fams[f]) for _, f, _ in g.FAMILIES]
    cpu = cpuinfo()
    probe_log, probe_rsq = probes
    n_clip = sum(1 for _, _, r in records if r["status"] == "ok"
                 and np.any(r["y"]["values"] > 2 ** int(r["y"]["value_bits"]) - 1))
    vbs = Counter(int(r["y"]["value_bits"]) for _, _, r in records if r["status"] == "ok")
    text = f"""# Golden data: quantizeml 0.17.1 `QuantizedBatchNormalization` (AMD Zen 3, eager)

{n} cases: {n - n_err} with an output, {n_err} where the reference raises. Format:
`docs/interchange.md`, plus the version marker `"quantizeml": "0.17.1"` at the top level
of every `layer.json` (beside `class_name` and `config`) and `reference.json` in this folder:
`{json.dumps(REFERENCE)}`. The delta to 0.5.2 is specified in `docs/quantizeml-0.17.1.md`.

## Provenance

| | |
|---|---|
| generator | `src/test/resources/golden/generate_0_17_1.py` (imports `generate.py`; run by hand, never in CI) |
| command | `python src/test/resources/golden/generate_0_17_1.py` (from the repository root) |
| reference | quantizeml {v['quantizeml']} (the released PyPI package, called eagerly) |
| tensorflow | {v['tensorflow']} |
| keras | {v['keras']} |
| numpy | {v['numpy']} |
| Python | {v['python']} |
| CPU | {cpu.get('model name')}: vendor {cpu.get('vendor_id')}, family {cpu.get('cpu family')}, model {cpu.get('model')} (Zen 3), stepping {cpu.get('stepping')}, microcode {cpu.get('microcode')} (`/proc/cpuinfo`; flags include {g.cpu_flags()}) |
| master seed | {g.MASTER_SEED} (the 0.5.2 suite's: case j of family f uses `numpy.random.default_rng([{g.MASTER_SEED}, f, j])`, so families 1..17 draw the same inputs as `bn-0.5.2`, the random family only its first {RAND_CASES}) |
| date | {GEN_DATE} |

**CPU dependence.** TensorFlow 2.15.1's packet `rsqrt` is the CPU's `VRSQRTPS` estimate refined
by `h = (x*r)*r - 1; y = (r*-0.5)*h + r` (no FMA); on this CPU the estimate equals
`shared/data/rsqrtps-amd-zen4.txt`. The last `C mod 8` channels use `1/sqrt(x)` in float32.
Measured in `tools/tf215-probe/`. The `sigma_rec` trace key holds what TensorFlow produced here.

Measured by the generator here for x = 2^k, k = -40..40 (packet: in one tensor of 88, all on
AVX packet lanes; scalar: each value alone):

* k where `ceil(tnp.log2(2^k)) != k` (quantizeml's `ceil_log2`):

{g.md_table(probe_log, ["mode", "evaluation", "k"])}

* k where `tf.math.rsqrt(2^k)` is not the correctly rounded float32 of 2^(-k/2):

{g.md_table(probe_rsq, ["mode", "evaluation", "k", "ulps off"])}

## Regenerating

```
python src/test/resources/golden/generate_0_17_1.py
```

It checks the versions above, deletes and rewrites `{SUITE_NAME}/` (cases, this README and
`reference.json`) and nothing else. The `.npz` files are written byte-reproducibly (fixed zip
timestamps), as in the 0.5.2 suite.

## How each case was produced

As in `../README.md` (the 0.5.2 suite): construct with `quant_config`, `axis`, `epsilon`,
`name="bn"`; build and mark built (`QuantizedBatchNormalization.build` still does not call
`super().build()` in 0.17.1); build the output quantizer; assign the float32 weights; `y = layer(x)`
eagerly; a second call under `quantizeml.layers.recording(True)` with hooks gives `trace.npz` and
must return the same bits. Any exception becomes `error.txt` (class name, then `str(e)`, with
Keras' "Exception encountered when calling layer ..." wrapper; in 0.17.1 the wrapper may name an
inner layer, e.g. `'b_quantizer'` or `'output_quantizer'`).

* `layer.json`: `{{"class_name": "QuantizedBatchNormalization", "quantizeml": "0.17.1", "config": ...}}`.
  `config` is 0.17.1's `get_config()`: `name`, `dtype`, `quant_config`, `epsilon`, `axis` —
  **no `trainable`** (0.17.1 drops it with the other ignored arguments). quantizeml's write-backs
  appear as it writes them (`a_quantizer: {{"bitwidth": 8}}` when absent, `buffer_bitwidth: 32`
  when absent or null). New keys may appear: `output_quantizer.buffer_bitwidth` and
  `a_quantizer.fp_quantizer`, exactly as passed (they are not written back when absent).
* `weights.npz`, `x.npz`, `y.npz`: as in the 0.5.2 suite. `y` without an output quantizer is the
  layer's QFloat with value_bits = buffer_bitwidth - 1 (here up to 39:
  {", ".join(f"vb {k}: {vbs[k]}" for k in sorted(vbs))}).
* Values of exactly +2^value_bits occur in `y` ({n_clip} cases): the float32 upper clip.

## trace.npz keys (every successful case)

{TRACE_KEYS}
The `qscales_*`, `scaled_*`, `out_*` keys exist only with an output quantizer. a's frac bits are
always 0 (checked), so they are not stored. New relative to the 0.5.2 suite: `scaled_value_bits`;
`b_frac_bits`/`b_shift` of shape `(C,)`.

## Not covered

* Graph mode (`tf.function`, `model.predict`): this suite is eager only (`"mode": "eager"`).
* Inputs that are not a QTensor (a `tf.Tensor` is still a TypeError for this layer).
* `ASSERT_ENABLED=0`.
* Layer buffers above 40 bits (0.17.1 sets no upper bound; outputs past 2^63 would not fit
  the interchange's int64 values).

## Case names

As in the 0.5.2 suite (`NNNN-<input>-<frac bits>-c<C>-r<rank>-<output quantizer>-<design
tags>-<observed tags>`). New design tags: `obbN` (output_quantizer.buffer_bitwidth N),
`obb-<json>` (a bad one), `fpq-<json>` (a_quantizer.fp_quantizer), `odd-2p23` (odd input values in
[2^23, 2^24) on the channel with shift 0 in the expand), `b-pow2`, `bNs`/`bNu` up to 28 bits.

## Cases per family

{g.md_table(fam_rows, ["family", "cases"])}

## Coverage (computed by the generator)

{g.md_table(cov, ["category", "value", "cases"])}
"""
    with open(g.README, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    v = g.versions()
    if v != g.EXPECTED_VERSIONS:
        sys.exit(f"version mismatch: {v} != {g.EXPECTED_VERSIONS}")
    if os.path.isdir(g.SUITE_DIR):
        shutil.rmtree(g.SUITE_DIR)
    os.makedirs(g.SUITE_DIR)
    # quantizeml 0.17.1's recorders store values through small tf.functions that retrace for
    # every new layer (seconds per case); running them eagerly gives the same values (the
    # recorded call is checked bit-equal to the plain one) without the tracing.
    tf.config.run_functions_eagerly(True)
    records = []
    idx = 0
    for fid, fname, fn in g.FAMILIES:
        for spec in fn({}):
            idx += 1
            res = spec.pop("_res", None) or g.run_case(spec)
            res["auto"] = g.auto_tags(res)
            name = g.case_name(idx, spec, res)
            g.write_case(os.path.join(g.SUITE_DIR, name), res)
            records.append((name, spec, {k: res[k] for k in res if k != "layer"}))
            if idx % 100 == 0:
                print(f"{idx} cases", flush=True)
                tf.keras.backend.clear_session()
    tf.config.run_functions_eagerly(False)       # the probes' graph rows need real graphs
    g.save_json(os.path.join(g.SUITE_DIR, "reference.json"), REFERENCE)
    write_readme(records, v, g.tf_probes())
    n_err = sum(1 for r in records if r[2]["status"] != "ok")
    print(f"{len(records)} cases, {n_err} errors")


if __name__ == "__main__":
    del datetime
    main()
