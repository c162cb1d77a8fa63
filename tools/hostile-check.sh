#!/usr/bin/env bash
# Issue 11's done criterion, checked: no file of at most 1 MB makes a qbn4j command use more than 256 MB
# of heap or 64 MB of temporary disk. Makes bomb files (each <= 1 MB) in a fresh temporary folder, runs
# each command with -Xmx256m and its own java.io.tmpdir, and prints per run: exit status, the first line
# of standard error, the input's size, the peak size of the temporary folder (sampled every 50 ms) and
# whether the JVM ran out of memory. Never touches a system file.
#   usage: tools/hostile-check.sh   (after: mvn -q -Dmaven.test.skip=true package)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/qbn4j-cli.jar"
models="$here/src/test/resources/models"
case1="$here/src/test/resources/conformance-mini/suite/example1-per-tensor-input"
w="$(mktemp -d)"
trap 'rm -rf "$w"' EXIT
python3 - "$w" "$models" "$case1" <<'PY'
import os, shutil, struct, sys, zipfile, zlib
w, models, case1 = sys.argv[1:]
def npy(descr, shape):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    h = (d + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h
def bomb(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, header, zeros, extra in entries:
            with z.open(name, "w", force_zip64=True) as f:
                f.write(header)
                block = bytes(1 << 20)
                left = zeros
                while left > 0:
                    f.write(block[:min(left, len(block))]); left -= len(block)
                f.write(extra)
v = lambda n: npy("<i8", "()")[:0]
def scalar(x):
    return npy("<i8", "()") + struct.pack("<q", x)
# 1. x.npz: values honestly (1, 1024, 1024, 256) int8
bomb(os.path.join(w, "x_bomb.npz"), [("values.npy", npy("|i1", "(1, 1024, 1024, 256)"), 1 << 28, b""),
    ("value_bits.npy", scalar(7), 0, b""), ("frac_bits.npy", scalar(2), 0, b"")])
# 2. x.npz under the heap-fitted limit (-Xmx256m: heap / 64 = 4,194,304 elements): (1, 1024, 1800, 2) int8,
#    3,686,400 elements, the other entries (value_bits, frac_bits, scales) those of the good case: accepted, run
with zipfile.ZipFile(os.path.join(case1, "x.npz")) as good:
    rest = [(n, good.read(n), 0, b"") for n in good.namelist() if n != "values.npy"]
bomb(os.path.join(w, "x_at_limit.npz"), [("values.npy", npy("|i1", "(1, 1024, 1800, 2)"), 1024 * 1800 * 2, b"")]
     + rest)
bomb(os.path.join(w, "x_at_limit64.npz"), [("values.npy", npy("<i8", "(1, 1024, 1800, 2)"), 8 * 1024 * 1800 * 2, b"")]
     + rest)
# 3. weights.npz with a 2^28-float gamma (1 GiB inflated)
bomb(os.path.join(w, "w_bomb.npz"), [("gamma.npy", npy("<f4", "(268435456,)"), 1 << 30, b"")])
# 4. calibration samples of (256, 1024, 1024, 1) float32: 1 GiB
bomb(os.path.join(w, "s_bomb.npz"), [("x.npy", npy("<f4", "(256, 1024, 1024, 1)"), 1 << 30, b"")])
# 5. a conformance suite whose one case has the x bomb, next to a good case
suite = os.path.join(w, "suite")
shutil.copytree(case1, os.path.join(suite, "good"))
shutil.copytree(case1, os.path.join(suite, "bomb"))
shutil.copy(os.path.join(w, "x_bomb.npz"), os.path.join(suite, "bomb", "x.npz"))
# 6. a .keras whose central directory claims ~4 GB for the stored weights
data = bytearray(open(os.path.join(models, "keras3_model.keras"), "rb").read())
name = b"model.weights.h5"
at = 0
while True:
    at = data.find(b"PK\x01\x02", at)
    if data[at + 46:at + 46 + len(name)] == name:
        data[at + 20:at + 24] = struct.pack("<I", 0xF0000000); break
    at += 4
open(os.path.join(w, "lying.keras"), "wb").write(bytes(data))
for f in sorted(os.listdir(w)):
    p = os.path.join(w, f)
    if os.path.isfile(p):
        print("made %-16s %8d bytes" % (f, os.path.getsize(p)))
PY
cp "$models/lzf_bomb_model.h5" "$models/gzip_bomb_model.h5" "$w/"
layer="$case1/layer.json"; weights="$case1/weights.npz"
run() {
    local label="$1"; shift
    local t="$w/tmp-$label"; mkdir -p "$t"
    java -Xmx256m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir="$t" -jar "$jar" "$@" >"$w/out" 2>"$w/err" &
    local pid=$! peak=0 kb
    while kill -0 "$pid" 2>/dev/null; do
        kb=$(du -sk "$t" | cut -f1); (( kb > peak )) && peak=$kb; sleep 0.05
    done
    wait "$pid"; local status=$?
    local oom=no; grep -q "OutOfMemoryError" "$w/err" "$w/out" && oom=YES
    printf '%-22s exit %-3s tmp peak %6s KiB  OOM %-3s  %s\n' "$label" "$status" "$peak" "$oom" \
        "$(head -c 150 "$w/err" | head -1)"
}
run x_bomb        run --layer "$layer" --weights "$weights" --input "$w/x_bomb.npz" --output "$w/y.npz"
run x_at_limit    run --layer "$layer" --weights "$weights" --input "$w/x_at_limit.npz" --output "$w/y2.npz" --stats
run x_at_limit64  run --layer "$layer" --weights "$weights" --input "$w/x_at_limit64.npz" --output "$w/y4.npz"
run w_bomb        run --layer "$layer" --weights "$w/w_bomb.npz" --input "$case1/x.npz" --output "$w/y3.npz"
run s_bomb        calibrate "$models/keras2_model.h5" --layer bn_add --samples "$w/s_bomb.npz" --out "$w/cal"
run suite         conformance "$w/suite"
tail -1 "$w/out"
run lzf_bomb      inspect "$w/lzf_bomb_model.h5"
run gzip_bomb     inspect "$w/gzip_bomb_model.h5"
run lying_keras   inspect "$w/lying.keras"
