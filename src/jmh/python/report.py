"""Turns the JMH JSON files and logs of src/jmh/run-benchmarks.sh into the tables of BENCHMARKS.md.

Usage: python3 src/jmh/python/report.py OUTDIR_JDK17 OUTDIR_JDK25 [quantizeml.txt [quantizeml-1thread.txt]]
Each table's heading names the host (OUTDIR/cpu.txt: CPU, family/model, JDK); runs not made are skipped.
quantizeml.txt is time_quantizeml.py with TensorFlow's default thread pools (one thread per core),
quantizeml-1thread.txt the same with `time_quantizeml.py 1`. "× quantizeml" divides quantizeml's time
per call by the candidate's with as many threads on each side (TensorFlow's default is taken as
two threads on the two-core machine of BENCHMARKS.md); "× TF all cores" divides by TensorFlow's
default whatever the candidate's threads.
The runs use JMH's sample mode (every call timed). Derived columns use the fastest call ("min"),
which a shared, loaded machine disturbs least; the median call is given beside it. ns/element =
time per call / elements; GB/s counts the bytes read plus the bytes written (int8 in; int8 out with
the output quantizer, int64 out without); "% copy" is that rate over the rate of System.arraycopy of
the same input bytes in the same run (same shape and threads, fastest call as well).
"""
import glob
import json
import os
import re
import sys


def elements(shape):
    s = "4x256x1024x256" if shape == "dram" else shape
    n = 1
    for d in s.split("x"):
        n *= int(d)
    return n


def load(outdir):
    rows = []
    checks = {}
    kernels = {}
    for f in sorted(glob.glob(os.path.join(outdir, "*.json"))):
        try:
            data = json.load(open(f))
        except ValueError:
            continue
        for r in data:
            p = r["params"]
            alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            pm = r["primaryMetric"]
            pct = pm.get("scorePercentiles", {})
            # DensityBenchmark (run P) has a shape only: one thread, int8 in and out, outputs not checked
            rows.append(dict(bench=r["benchmark"].split(".")[-1], shape=p["shape"], input=p.get("input", "-"),
                             oq=p.get("oq", "on"), threads=int(p.get("threads", 1)),
                             us=pct.get("0.0", pm["score"]), med=pct.get("50.0", pm["score"]),
                             mean=pm["score"], alloc=alloc, run=os.path.basename(f)[:-5]))
    for f in glob.glob(os.path.join(outdir, "*.log")):
        for line in open(f, errors="replace"):
            m = re.search(r"CHECK (\S+) shape=(\S+) input=(\S+) oq=(\S+) threads=(\d+) (.*)", line)
            if not m:
                continue
            cand, shape, inp, oq, th, rest = m.groups()
            key = (shape, inp, oq, int(th))
            if cand == "plan":
                kernels[key] = re.search(r"kernel=(\S+)", rest).group(1)
            mm = re.search(r"mismatches=(\d+) of (\d+)", rest)
            if mm:
                checks[(cand,) + key] = int(mm.group(1))
    return rows, checks, kernels


def quantizeml_times(path):
    t = {}
    if path and os.path.exists(path):
        for line in open(path):
            m = re.match(r"(\S+) input=(\S+) oq=on ms/call=([\d.]+)", line)
            if m:
                t[(m.group(1), m.group(2))] = float(m.group(3)) * 1000.0
    return t


def fmt(us):
    return "%.1f" % us if us < 1000 else "{:,.0f}".format(us)


def table(outdir, qml, qml1, runs=None):
    all_rows, checks, kernels = load(outdir)
    rows = [r for r in all_rows if runs is None or r["run"] in runs]
    out = []
    hdr = ("| candidate | shape | input | OQ | thr | µs/call min | median | ns/elem | GB/s | % copy | × ORT QLinear "
           "| × quantizeml | × TF all cores | alloc B/op | mismatches |")
    out.append(hdr)
    out.append("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        key = (r["shape"], r["input"], r["oq"], r["threads"])
        n = elements(r["shape"])
        outbytes = 1 if r["oq"] == "on" else 8
        moved = n * (1 + (1 if r["bench"] == "arraycopy" else outbytes))
        gbs = moved / (r["us"] * 1e-6) / 1e9
        copy = [c for c in all_rows if c["bench"] == "arraycopy" and (c["shape"], c["threads"]) == (r["shape"], r["threads"])
                and c["run"].replace("-ort", "") == r["run"].replace("-ort", "")]
        if not copy:
            copy = [c for c in all_rows if c["bench"] == "arraycopy" and (c["shape"], c["threads"]) == (r["shape"], r["threads"])]
        pct = ""
        if copy:
            cgbs = 2 * n / (copy[0]["us"] * 1e-6) / 1e9
            pct = "%.0f%%" % (100 * gbs / cgbs)
        ort = [c for c in all_rows if c["bench"] == "ortQLinear" and (c["shape"], c["oq"], c["threads"]) ==
               (r["shape"], r["oq"], r["threads"]) and c["input"] == "perTensor"]
        probe = r["input"] == "-"
        xort = "%.1f" % (ort[0]["us"] / r["us"]) if ort and r["bench"] not in ("arraycopy", "vectorCopy") and not probe else ""
        timed = r["oq"] == "on" and r["bench"] not in ("arraycopy", "vectorCopy") and not probe
        q_all = qml.get((r["shape"], r["input"])) if timed else None
        q_same = (qml1 if r["threads"] == 1 else qml).get((r["shape"], r["input"])) if timed else None
        xq = "%.0f" % (q_same / r["us"]) if q_same else ""
        xq_all = "%.0f" % (q_all / r["us"]) if q_all else ""
        name = r["bench"]
        cand = {"planAuto": "plan-" + kernels.get(key, "?"), "planScalar": None}.get(name, name)
        if name == "planScalar":
            cand = next((c[0] for c in checks if c[0].startswith("plan-SCALAR") and c[1:] == key), "plan-SCALAR")
        label = {"planAuto": "plan (%s)" % kernels.get(key, "?"), "planScalar": "plan (%s)" % cand[5:]}.get(name, name)
        mism = checks.get((cand,) + key, "" if name in ("arraycopy", "vectorCopy") else "probe" if probe else "n/a")
        alloc = "" if r["alloc"] is None else ("%.1f" % r["alloc"])
        out.append("| %s | %s | %s | %s | %d | %s | %s | %.3f | %.2f | %s | %s | %s | %s | %s | %s |" % (
            label, r["shape"], r["input"], r["oq"], r["threads"], fmt(r["us"]), fmt(r["med"]), r["us"] * 1000 / n, gbs,
            pct, xort, xq, xq_all, alloc, mism))
    return "\n".join(out)


RUNS = [("A", ["A", "A-ort"]), ("B", ["B"]), ("C", ["C"]), ("T2", ["T2"]), ("D", ["D"]), ("E", ["E", "E2"]),
        ("E64", ["E64", "E64-2"]), ("H", ["H"]), ("S", ["S"]), ("V", ["V"]), ("P", ["P"]), ("G", ["G"])]


def host(outdir):
    """The CPU and JDK line that run-benchmarks.sh wrote to OUTDIR/cpu.txt, or the directory's name."""
    path = os.path.join(outdir, "cpu.txt")
    if not os.path.exists(path):
        return os.path.basename(outdir.rstrip("/"))
    lines = [l.strip() for l in open(path) if l.strip()]
    return "%s (%s), %s" % (lines[0], lines[1], lines[2] if len(lines) > 2 else "?")


def cold(outdir):
    """The COLD lines of run COLD as a table: median and range over the fresh JVMs, per kernel."""
    path = os.path.join(outdir, "COLD.log")
    if not os.path.exists(path):
        return None
    runs = {}
    for line in open(path):
        if line.startswith("COLD "):
            f = dict(kv.split("=", 1) for kv in line.split()[1:])
            runs.setdefault(f["kernel"], []).append(f)
    keys = ["first_ms", "first10_ms", "first100_ms", "first1000_ms", "last100_median_us", "steady_from_call",
            "uptime_at_first_result_ms", "mismatches"]
    out = ["| kernel | JVMs | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 2)]
    for kernel, rs in sorted(runs.items()):
        cells = []
        for k in keys:
            v = sorted(float(r[k]) for r in rs)
            med = v[len(v) // 2]
            cells.append("%g (%g–%g)" % (med, v[0], v[-1]) if v[0] != v[-1] else "%g" % med)
        out.append("| %s | %d | %s |" % (kernel, len(rs), " | ".join(cells)))
    return "\n".join(out)

if __name__ == "__main__":
    qml = quantizeml_times(sys.argv[3] if len(sys.argv) > 3 else None)
    qml1 = quantizeml_times(sys.argv[4] if len(sys.argv) > 4 else None)
    for d in sys.argv[1:3]:
        for name, runs in RUNS:
            t = table(d, qml, qml1, runs)
            if t.count("\n") < 2:
                continue  # run not made in this directory
            print("#### %s, run %s" % (host(d), name))
            print()
            print(t)
            print()
        c = cold(d)
        if c:
            print("#### %s, run COLD (1x56x56x64, fresh JVMs: median (range))" % host(d))
            print()
            print(c)
            print()
