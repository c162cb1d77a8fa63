#!/usr/bin/env python
"""Pure-numpy float32 emulation of quantizeml 0.5.2's QuantizedBatchNormalization, in its eager
form, with switches for the graph-mode rewrites found in README.md (this folder).  It checks that
applying exactly those rewrites turns the eager results into the graph results.

Only two float32 functions are taken from TensorFlow, per element, exactly as the layer calls
them (same tensor shapes, so the same packet/tail evaluation): `tf.math.rsqrt` (or the suite's
own trace key `sigma_rec` with --sigma-from-trace, e.g. for a suite made on another CPU) and
`tf.math.log`.  Every other operation is a numpy float32 operation, one at a time, in
quantizeml's order.  Reading the suite is numpy + json; quantizeml is never imported.

Usage:
  emulate.py SUITE_DIR --mode eager|graph [--rewrites all|none|recip127|log2]
             [--sigma-from-trace]
It prints one line per case whose emulated output differs from y.npz, then
`N cases with an output: M identical, K differ`.  Cases with error.txt are skipped (the
emulation checks arithmetic, not validation).
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np                 # noqa: E402
import tensorflow as tf            # noqa: E402

F32 = np.float32
LN2 = F32(np.log(2))              # tnp.log2's divisor after conversion to float32: 0x3f317218


def recip(d):
    """The float32 constant Grappler's constant folding puts in place of `x / d`:
    Reciprocal(d) evaluated by TensorFlow's float32 kernel (see README: equals the correctly
    rounded 1/d for every d used here, checked by check_constants)."""
    return F32(tf.math.reciprocal(tf.constant(F32(d))).numpy())


def pow2(n):
    return np.power(F32(2.0), F32(n), dtype=F32)


def saturate(x, n):
    int_max = pow2(n)
    return np.clip(x, -int_max, F32(int_max - F32(1)), dtype=F32).astype(F32)


def tf_log(x):
    return tf.math.log(tf.constant(np.asarray(x, F32))).numpy().astype(F32)


class Rewrites:
    def __init__(self, which):
        self.recip127 = which in ("all", "recip127")     # optimal_scales: / (2^vb - 1)
        self.log2 = which in ("all", "log2")             # tnp.log2: / log(2)


def ceil_log2(x, rw):
    lg = tf_log(x)
    if rw.log2:
        q = (lg * recip(LN2)).astype(F32)
    else:
        q = (lg / LN2).astype(F32)
    return np.ceil(q).astype(F32)


def max_frac_bits(value_bits, ranges, rw, clamp=True):
    fb = (F32(value_bits) - ceil_log2(ranges, rw)).astype(F32)
    if clamp:
        fb = np.minimum(fb, F32(value_bits)).astype(F32)
    return fb


def emulate(case, rw, sigma_rec=None):
    cfg = json.load(open(os.path.join(case, "layer.json")))["config"]
    qc = cfg["quant_config"]
    w = dict(np.load(os.path.join(case, "weights.npz")))
    x = dict(np.load(os.path.join(case, "x.npz")))
    bvb = int(qc["buffer_bitwidth"]) - 1
    aq = qc.get("a_quantizer") or {}
    avb = aq.get("bitwidth", 4) - (1 if aq.get("signed", True) else 0)
    bq = qc.get("b_quantizer") or {}
    bvbb = bq.get("bitwidth", 8) - (1 if bq.get("signed", True) else 0)
    oq = qc.get("output_quantizer") or None
    eps = F32(cfg["epsilon"])
    # input (already saturated to its own value bits when quantizeml built it)
    v = x["values"].astype(F32)
    fb = x["frac_bits"].astype(F32)
    qfloat = "scales" in x
    # tensor_inputs: per-axis FixedPoint -> expand, else promote
    per_tensor = fb.ndim == 0 or fb.shape == (1,)
    if not qfloat and not per_tensor:
        mfb = F32(fb.max())
        shift = (mfb - fb).astype(F32)
        v = saturate((v * pow2(shift)).astype(F32), bvb)
        fb = mfb
    else:
        v = saturate(v, bvb)
    # a
    mv, g, beta, mm = (w[k].astype(F32) for k in ("moving_variance", "gamma", "beta",
                                                   "moving_mean"))
    if sigma_rec is None:
        sr = tf.math.rsqrt(tf.constant((mv + eps).astype(F32))).numpy().astype(F32)
    else:
        sr = sigma_rec
    a_f = (g * sr).astype(F32)
    ranges = F32(np.max(np.abs(a_f)))
    d = F32(2 ** avb - 1)
    s_a = F32(ranges * recip(d)) if rw.recip127 else F32(ranges / d)
    s_a = np.maximum(s_a, F32(1e-6)).astype(F32)
    a_q = saturate(np.rint((a_f / s_a).astype(F32)), avb)
    # outputs = x * a
    xa = saturate((v * a_q).astype(F32), bvb)
    F = F32(fb + F32(0))
    S = F32(x["scales"].astype(F32) * s_a) if qfloat else s_a
    # b
    b_f = ((((-mm) * g).astype(F32) * sr).astype(F32) + beta).astype(F32)
    rb = F32(np.max(np.abs(b_f)))
    fbb = max_frac_bits(bvbb, F32(rb / S), rw)
    fbb = np.minimum(fbb, F).astype(F32)
    b_q = saturate(np.rint(((b_f / S).astype(F32) * pow2(fbb)).astype(F32)), bvbb)
    b_al = saturate((b_q * pow2(F32(F - fbb))).astype(F32), bvb)
    y = saturate((xa + b_al).astype(F32), bvb)
    if not oq:
        return {"values": y, "value_bits": bvb, "frac_bits": F, "scales": S}
    ovb = oq.get("bitwidth", 8) - (1 if oq.get("signed", True) else 0)
    sb = oq.get("scale_bits", 8)
    s2 = (S * w["output_quantizer/rescaling_rate"].astype(F32)).astype(F32)
    fbs = (F32(sb) - ceil_log2(s2, rw)).astype(F32)
    q_s = saturate(np.rint((s2 * pow2(fbs)).astype(F32)), sb)
    vs = saturate((y * q_s).astype(F32), bvb)
    sfb = (F + fbs).astype(F32)
    ofb = max_frac_bits(ovb, w["output_quantizer/range_max"].astype(F32), rw)
    shift = (ofb - sfb).astype(F32)
    out = saturate(np.floor(((vs * pow2(shift)).astype(F32) + F32(0.5)).astype(F32)), ovb)
    return {"values": out, "value_bits": ovb, "frac_bits": ofb}


def same(e, y):
    """Exact comparison with the interchange arrays of y.npz; returns the differing fields."""
    bad = []
    for k in ("values", "value_bits", "frac_bits", "scales"):
        if k not in y and k not in e:
            continue
        if (k in y) != (k in e):
            bad.append(k)
            continue
        a = np.asarray(e[k])
        b = y[k]
        if k == "scales":
            ok = a.shape == b.shape and a.astype(F32).tobytes() == b.tobytes()
        else:
            ok = np.broadcast_to(a, b.shape).shape == b.shape and \
                np.array_equal(np.broadcast_to(a.astype(np.float64), b.shape),
                               b.astype(np.float64))
        if not ok:
            bad.append(k)
    return bad


def check_constants():
    """The reciprocal constants of the optimised graph vs the correctly rounded 1/d."""
    rows = []
    for vb in range(1, 9):
        d = F32(2 ** vb - 1)
        r = recip(d)
        cr = F32(1.0 / float(d))            # float64 1/d rounded once to float32
        rows.append((vb, int(d), f"0x{r.view(np.uint32):08x}", r == cr))
    r = recip(LN2)
    rows.append(("ln2", f"0x{LN2.view(np.uint32):08x}", f"0x{r.view(np.uint32):08x}",
                 r == F32(1.0 / float(LN2))))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("suite")
    ap.add_argument("--mode", choices=("eager", "graph"), required=True)
    ap.add_argument("--rewrites", choices=("all", "none", "recip127", "log2"), default=None,
                    help="default: none for --mode eager, all for --mode graph")
    ap.add_argument("--sigma-from-trace", action="store_true")
    ap.add_argument("--constants", action="store_true", help="print the reciprocal constants")
    a = ap.parse_args()
    if a.constants:
        for r in check_constants():
            print(*r)
    which = a.rewrites or ("none" if a.mode == "eager" else "all")
    rw = Rewrites(which)
    n = ok = 0
    for name in sorted(os.listdir(a.suite)):
        case = os.path.join(a.suite, name)
        if not os.path.exists(os.path.join(case, "y.npz")):
            continue
        n += 1
        sr = None
        if a.sigma_from_trace:
            sr = np.load(os.path.join(case, "trace.npz"))["sigma_rec"]
        with np.errstate(all="ignore"):
            e = emulate(case, rw, sr)
        bad = same(e, dict(np.load(os.path.join(case, "y.npz"))))
        if bad:
            print(f"DIFF {name}: {', '.join(bad)}")
        else:
            ok += 1
    print(f"{a.suite}: mode {a.mode}, rewrites {which}: {n} cases with an output: "
          f"{ok} identical, {n - ok} differ")
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(main())
