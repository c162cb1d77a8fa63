package io.github.qbn4j.cli;

import io.github.qbn4j.BadInputTable;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's answer to every bad-input class: its exit status and the first line it prints on
 * standard error (the {@code cli} rows of the table in {@code TESTING.md}). Every refused {@code run}
 * must leave no output file behind, not even a temporary one.
 */
class BadInputTest {

    @TempDir
    Path tmp;

    private Path out;

    /** Runs the tool; "throws" its exit status and first error line, after checking nothing was written. */
    private BadInputTable.Call run(String... args) {
        return () -> {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int status;
            try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                    PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8)) {
                status = Main.run(args, o, e);
            }
            List<String> written = new ArrayList<>();
            try (Stream<Path> files = Files.list(out.getParent())) {
                files.filter(f -> f.getFileName().toString().contains("y.npz")).forEach(f -> written.add(f.toString()));
            }
            if (!written.isEmpty()) {
                throw new AssertionError("a refused run must write no output, got " + written);
            }
            String text = err.toString(StandardCharsets.UTF_8);
            throw new BadInputTable.Exit(status, text.isEmpty() ? "" : text.lines().findFirst().orElse(""));
        };
    }

    @TestFactory
    Stream<DynamicTest> rejects() throws IOException {
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        out = outDir.resolve("y.npz");
        Path dir = Files.createDirectories(tmp.resolve("layer"));
        LayerFiles.write(dir, QuantizedBatchNormalization.builder().name("bn")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f).build());
        String layer = dir.resolve(LayerFiles.LAYER_JSON).toString();
        String weights = dir.resolve(LayerFiles.WEIGHTS_NPZ).toString();
        Path x = tmp.resolve("x.npz");
        QTensorFiles.write(x, FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2)));
        Path rank2 = tmp.resolve("rank2.npz");
        QTensorFiles.write(rank2, FixedPoint.of(Shape.of(1, 2), new int[] {10, -20}, 7, FracBits.of(2)));
        Path channels3 = tmp.resolve("c3.npz");
        QTensorFiles.write(channels3, FixedPoint.of(Shape.of(1, 1, 3), new int[] {1, 2, 3}, 7, FracBits.of(2)));
        Path corrupt = tmp.resolve("corrupt.npz");
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 0, 0});
        Path nanDir = Files.createDirectories(tmp.resolve("nan"));
        Files.copy(Path.of(layer), nanDir.resolve(LayerFiles.LAYER_JSON));
        io.github.qbn4j.io.Npz.write(nanDir.resolve(LayerFiles.WEIGHTS_NPZ), java.util.Map.of(
                "gamma", io.github.qbn4j.io.NpyArray.ofFloat32(new int[] {2}, new float[] {1f, Float.NaN}),
                "beta", io.github.qbn4j.io.NpyArray.ofFloat32(new int[] {2}, new float[] {0f, 0f}),
                "moving_mean", io.github.qbn4j.io.NpyArray.ofFloat32(new int[] {2}, new float[] {0f, 0f}),
                "moving_variance", io.github.qbn4j.io.NpyArray.ofFloat32(new int[] {2}, new float[] {1f, 1f})));
        String nanWeights = nanDir.resolve(LayerFiles.WEIGHTS_NPZ).toString();
        Path badJson = tmp.resolve("bad.json");
        Files.writeString(badJson, "{\"class_name\": ");
        String o = out.toString();
        String blocked = tmp.resolve("file-not-dir").toString();
        Files.writeString(Path.of(blocked), "a file where a directory should be");

        return new BadInputTable("cli.BadInputTest").replace(tmp.toString(), "<tmp>")
                .replaceAll("\\.y\\.npz\\.[0-9a-f]+\\.tmp", ".y.npz.<random>.tmp")
                .add("qbn4j run", "missing option", "exit 64",
                        "qbn4j: run: missing option --output", run("run", "--layer", layer, "--weights", weights,
                        "--input", x.toString()))
                .add("qbn4j run", "unknown option", "exit 64",
                        "qbn4j: run: unknown option --layers", run("run", "--layers", layer))
                .add("qbn4j run", "option given twice", "exit 64",
                        "qbn4j: run: option --layer is given twice", run("run", "--layer", layer, "--layer", layer))
                .add("qbn4j run", "option without value", "exit 64",
                        "qbn4j: run: option --layer needs a value", run("run", "--layer"))
                .add("qbn4j run", "missing input file", "exit 3",
                        "qbn4j run: cannot read <tmp>/nope.npz: no such file or directory", run("run", "--layer", layer, "--weights", weights,
                        "--input", tmp.resolve("nope.npz").toString(), "--output", o))
                .add("qbn4j run", "corrupt input file", "exit 3",
                        "qbn4j run: <tmp>/corrupt.npz: not a valid zip archive: zip END header not found", run("run", "--layer", layer, "--weights", weights,
                        "--input", corrupt.toString(), "--output", o))
                .add("qbn4j run", "corrupt layer.json", "exit 3",
                        "qbn4j run: <tmp>/bad.json: malformed JSON: Unexpected end-of-input within/between Object entries (line 1, column 16) (at byte 15)", run("run", "--layer", badJson.toString(), "--weights", weights,
                        "--input", x.toString(), "--output", o))
                .add("qbn4j run", "wrong rank (2)", "exit 2",
                        "ValueError: input rank must be 3 (N, W, C) or 4 (N, H, W, C), got 2 (shape [1, 2], <tmp>/rank2.npz): "
                        + "a BatchNormalization after a Dense layer sees (N, C), which quantizeml 0.5.2 takes as (N, 1, C); "
                        + "reshape the input to [1, 1, 2]", run("run", "--layer", layer, "--weights", weights,
                        "--input", rank2.toString(), "--output", o))
                .add("qbn4j run", "wrong channel count", "exit 2",
                        "IllegalArgumentException: input has 3 channels, expected 2 (layer \"bn\")", run("run", "--layer", layer, "--weights", weights,
                        "--input", channels3.toString(), "--output", o))
                .add("qbn4j run", "NaN gamma", "exit 2",
                        "IllegalArgumentException: gamma must be finite, got NaN at index 1", run("run", "--layer", layer, "--weights", nanWeights,
                        "--input", x.toString(), "--output", o))
                .add("qbn4j run", "output not writable", "exit 3",
                        "qbn4j run: cannot write <tmp>/file-not-dir/y.npz: cannot write <tmp>/file-not-dir/.y.npz.<random>.tmp: Not a directory", run("run", "--layer", layer, "--weights", weights,
                        "--input", x.toString(), "--output", Path.of(blocked, "y.npz").toString()))
                .add("qbn4j", "unknown command", "exit 64",
                        "qbn4j: unknown command \"fold\"; the commands are run, conformance, inspect, calibrate, quantize", run("fold"))
                .add("qbn4j help", "unknown command", "exit 64",
                        "qbn4j: help takes one of the commands run, conformance, inspect, calibrate, quantize, got [fold]", run("help", "fold"))
                .add("qbn4j conformance", "missing suite directory", "exit 3",
                        "qbn4j conformance: <tmp>/nosuite is not a directory",
                        run("conformance", tmp.resolve("nosuite").toString()))
                .add("qbn4j conformance", "two directories", "exit 64",
                        "qbn4j: conformance: takes one SUITE_DIR, got 2: [a, b]", run("conformance", "a", "b"))
                .tests();
    }
}
