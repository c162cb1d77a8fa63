#!/usr/bin/env bash
# Runs the benchmark subsets reported in BENCHMARKS.md with one JDK.
# Usage: src/jmh/run-benchmarks.sh /path/to/java OUTDIR      (after: mvn -Pbench -DskipTests package)
# Every run: 1 fork (FORKS=n before a run line for more), 3 x 1 s warmup, 5 x 1 s measurement, sample
# mode (every call timed: the minimum and median are reported, which resist the load of a shared
# machine), -prof gc; the fork adds
# --add-modules=jdk.incubator.vector -Xmx12g (see @Fork in BnBenchmark).
# RUNS="A T2 G" (names below) runs only those subsets; the machine load (uptime) before and after each
# run goes to OUT/load.txt.
set -euo pipefail
JAVA=${1:?java}
OUT=${2:?outdir}
mkdir -p "$OUT"
JAR=${JAR:-target/benchmarks.jar}
# the host, for the report's headings: CPU model, family and model numbers, JDK
{ grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'
  echo "family $(grep -m1 "cpu family" /proc/cpuinfo | sed 's/.*: //') model $(grep -m1 "^model[[:space:]]" /proc/cpuinfo | sed 's/.*: //'), $(nproc) vCPUs"
  "$JAVA" -version 2>&1 | head -1; } > "$OUT/cpu.txt"
ALL="A A-ort B C D E E2 E64 E64-2 T2 P S V H G COLD"
want() { [[ " ${RUNS:-$ALL} " == *" $1 "* ]]; }
load() { echo "$1 $2 $(date +%T) $(uptime | sed 's/.*load average/load average/')" >> "$OUT/load.txt"; }
run() {
  local name=$1; shift
  want "$name" || return 0
  load "$name" start
  "$JAVA" -jar "$JAR" "$@" -bm sample -tu us -f "${FORKS:-1}" -wi 3 -w 1 -i 5 -r 1 -prof gc -rf json -rff "$OUT/$name.json" > "$OUT/$name.log" 2>&1
  load "$name" end
}
# A: the target case and every candidate
run A 'BnBenchmark.(planAuto|planScalar|arraycopy|naive|highLevel)$' -p shape=8x112x112x64 -p input=perTensor,perAxis -p oq=on -p threads=1
run A-ort 'BnBenchmark.(ortQLinear|ortQdq)$' -p shape=8x112x112x64 -p input=perTensor -p oq=on -p threads=1
# B: the other shapes
run B 'BnBenchmark.(planAuto|planScalar|arraycopy|ortQLinear)$' -p shape=1x56x56x64,1x112x112x64,1x7x7x1024,1x224x224x3 -p input=perTensor -p oq=on -p threads=1
# C: two threads
run C 'BnBenchmark.(planAuto|arraycopy|ortQLinear)$' -p shape=8x112x112x64 -p input=perTensor -p oq=on -p threads=2
# T2: two threads against one, planAuto and arraycopy, on two cache-resident tensors (1x112x112x64,
#     1.6 MB moved, and the target case, 12.8 MB moved)
run T2 'BnBenchmark.(planAuto|arraycopy)$' -p shape=1x112x112x64,8x112x112x64 -p input=perTensor -p oq=on -p threads=1,2
# D: no output quantizer (31-bit buffer into long[])
run D 'BnBenchmark.(planAuto|planScalar|arraycopy)$' -p shape=8x112x112x64 -p input=perTensor,perAxis -p oq=off -p threads=1
# E: DRAM-sized tensor, 268,435,456 int8 elements
run E 'BnBenchmark.(planAuto|planScalar|arraycopy|ortQLinear)$' -p shape=dram -p input=perTensor -p oq=on -p threads=1
run E2 'BnBenchmark.(planAuto|arraycopy)$' -p shape=dram -p input=perTensor -p oq=on -p threads=2
# E64: the target layer (64 channels, per-axis output quantizer) at DRAM size, 4x1024x1024x64 =
#      268,435,456 elements; three forks, since at this size arraycopy's time moves from one JVM
#      to the next (fork medians from 37 to 57 ms on the same day)
FORKS=3 run E64 'BnBenchmark.(planAuto|arraycopy)$' -p shape=4x1024x1024x64 -p input=perTensor,perAxis -p oq=on -p threads=1
# E64-2: the target layer at DRAM size on two threads, against two-thread arraycopy
run E64-2 'BnBenchmark.(planAuto|arraycopy)$' -p shape=4x1024x1024x64 -p input=perTensor -p oq=on -p threads=2
# P: the density probe (DensityBenchmark): the plan's loop with fewer and fewer of its operations,
#    in cache and at DRAM size, beside the plan and arraycopy
FORKS=2 run P 'DensityBenchmark|BnBenchmark.(planAuto|arraycopy)$' -p shape=8x112x112x64,4x1024x1024x64 -p input=perTensor -p oq=on -p threads=1
# S: working-set sweep (16 Ki and 256 Ki elements) to separate compute from memory limits
run S 'BnBenchmark.(planAuto|planScalar|arraycopy)$' -p shape=1x1x256x64,1x16x256x64 -p input=perTensor -p oq=on -p threads=1
# V: a Vector API copy loop of the same bytes, beside the plan and arraycopy (store path vs arithmetic)
run V 'BnBenchmark.(planAuto|vectorCopy|arraycopy)$' -p shape=8x112x112x64,dram -p input=perTensor -p oq=on -p threads=1
# H: the DRAM-sized tensor again, on 2 MiB pages (transparent huge pages, which the JVM asks the kernel
#    for with this flag; the kernel's setting must be "madvise" or "always")
run H 'BnBenchmark.(planAuto|vectorCopy|arraycopy)$' -p shape=dram -p input=perTensor -p oq=on -p threads=1,2 -jvmArgsPrepend -XX:+UseTransparentHugePages
# G: allocation per call in average-time mode (sample mode's own bookkeeping shows up in -prof gc)
run_avgt() {
  local name=$1; shift
  want "$name" || return 0
  load "$name" start
  "$JAVA" -jar "$JAR" "$@" -bm avgt -tu us -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc -rf json -rff "$OUT/$name.json" > "$OUT/$name.log" 2>&1
  load "$name" end
}
run_avgt G 'BnBenchmark.(planAuto|planScalar|arraycopy)$' -p shape=1x56x56x64,8x112x112x64 -p input=perTensor,perAxis -p oq=on -p threads=1
# COLD: cold start, five fresh JVMs each: the vector kernel, and the scalar one (no incubator module)
if want COLD; then
  load COLD start
  for i in 1 2 3 4 5; do
    "$JAVA" --add-modules=jdk.incubator.vector -cp "$JAR" io.github.qbn4j.bench.ColdStart 1x56x56x64 1000
    "$JAVA" -cp "$JAR" io.github.qbn4j.bench.ColdStart 1x56x56x64 1000
  done > "$OUT/COLD.log" 2>&1
  load COLD end
fi
