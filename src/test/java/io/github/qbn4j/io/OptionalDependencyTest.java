package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small consumer project, compiled with javac and run in child JVMs, uses the optional readers
 * (LayerFiles: Jackson; KerasModels: jhdf) the two ways an application can: on the class path, and
 * as a JPMS module on the module path. The library is this build's {@code target/classes}, an
 * exploded module (module-info.class at its root), and the dependencies are the jars of this test's
 * own class or module path.
 */
class OptionalDependencyTest {

    private static final String CONSUMER = String.join("\n",
            "package consumer;",
            "",
            "import io.github.qbn4j.io.KerasModels;",
            "import io.github.qbn4j.io.LayerFiles;",
            "import io.github.qbn4j.io.QTensorFiles;",
            "import io.github.qbn4j.layer.QuantizedBatchNormalization;",
            "import java.nio.file.Path;",
            "",
            "public class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        System.out.println(\"module \" + Main.class.getModule().getName());",
            "        Path dir = Path.of(args[0]);",
            "        try {",
            "            QuantizedBatchNormalization bn = LayerFiles.read(dir.resolve(\"layer.json\"), dir.resolve(\"weights.npz\"));",
            "            System.out.println(\"layer.json: \" + bn.call(QTensorFiles.read(dir.resolve(\"x.npz\"))));",
            "        } catch (IllegalStateException e) {",
            "            System.out.println(\"layer.json: \" + e.getMessage());",
            "        }",
            "        try {",
            "            System.out.println(\"h5: \" + KerasModels.loadAllQuantized(Path.of(args[1])).size() + \" layers\");",
            "        } catch (IllegalStateException e) {",
            "            System.out.println(\"h5: \" + e.getMessage());",
            "        }",
            "    }",
            "}",
            "");

    private static final Path CASE = Path.of("src/test/resources/conformance-mini/suite/example2-per-axis-input-per-tensor-output");
    private static final Path MODEL = Path.of("src/test/resources/models/quantized_model.h5");
    private static final String EXPECTED_Y = "FixedPoint[shape=[1, 2, 2], valueBits=7, fracBits=4, values=[20, 8, -14, 114]]";

    @TempDir
    static Path tmp;

    static Path library;
    static List<Path> jars;
    static Path moduleClasses;
    static Path plainClasses;

    @BeforeAll
    static void compileConsumers() throws IOException {
        library = Path.of(OptionalDependency.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        assertThat(library.resolve("module-info.class")).as("the library is an exploded module").exists();
        Set<Path> found = new LinkedHashSet<>();
        for (String prop : new String[] {"java.class.path", "jdk.module.path"}) {
            String value = System.getProperty(prop);
            if (value == null) {
                continue;
            }
            for (String entry : value.split(File.pathSeparator)) {
                String name = Path.of(entry).getFileName().toString();
                if (name.matches("(jackson-(databind|core|annotations)|jhdf|slf4j-api|commons-lang3|compress-lzf"
                        + "|lz4-java)-[0-9].*\\.jar")) {
                    found.add(Path.of(entry));
                }
            }
        }
        jars = new ArrayList<>(found);
        assertThat(jars).as("the dependencies' jars").hasSize(8);

        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("consumer/Main.java"), CONSUMER);
        Files.writeString(src.resolve("module-info.java"), "module consumer {\n    requires io.github.qbn4j;\n}\n");
        moduleClasses = tmp.resolve("module");
        plainClasses = tmp.resolve("plain");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", moduleClasses.toString(), "--module-path", library.toString(),
                src.resolve("module-info.java").toString(), src.resolve("consumer/Main.java").toString()))
                .as("javac on the module path").isZero();
        assertThat(javac.run(null, null, null, "-d", plainClasses.toString(), "-cp", library.toString(),
                src.resolve("consumer/Main.java").toString())).as("javac on the class path").isZero();
    }

    private static String path(List<Path> entries) {
        List<String> s = new ArrayList<>();
        for (Path p : entries) {
            s.add(p.toString());
        }
        return String.join(File.pathSeparator, s);
    }

    private static List<Path> without(String prefix) {
        List<Path> out = new ArrayList<>();
        for (Path p : jars) {
            if (!p.getFileName().toString().startsWith(prefix)) {
                out.add(p);
            }
        }
        return out;
    }

    private static String run(List<String> javaArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaArgs);
        cmd.add(CASE.toString());
        cmd.add(MODEL.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    private static List<String> modulePath(List<Path> deps, String... extra) {
        List<Path> mp = new ArrayList<>(List.of(moduleClasses, library));
        mp.addAll(deps);
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("--module-path", path(mp), "-m", "consumer/consumer.Main"));
        return args;
    }

    @Test
    void readersWorkOnTheClassPath() throws Exception {
        List<Path> cp = new ArrayList<>(List.of(plainClasses, library));
        cp.addAll(jars);
        String out = run(List.of("-cp", path(cp), "consumer.Main"));
        assertThat(out).contains("module null", "layer.json: " + EXPECTED_Y, "h5: 3 layers");
    }

    @Test
    void absentFromTheClassPathTheAdviceNamesTheClassPath() throws Exception {
        List<Path> cp = new ArrayList<>(List.of(plainClasses, library));
        cp.addAll(without("jackson-"));
        String out = run(List.of("-cp", path(cp), "consumer.Main"));
        assertThat(out).contains("layer.json: layer.json needs Jackson, which is not available: add the optional "
                + "dependency com.fasterxml.jackson.core:jackson-databind (and its dependencies) to the class path");
    }

    @Test
    void onTheModulePathButUnresolvedTheAdviceNamesTheModulesToAdd() throws Exception {
        String out = run(modulePath(jars));
        assertThat(out).contains("module consumer",
                "layer.json: layer.json needs Jackson, which is not available: module com.fasterxml.jackson.databind"
                        + " must be resolved, got it on the module path but not resolved (io.github.qbn4j requires"
                        + " Jackson statically): run with --add-modules com.fasterxml.jackson.databind, or add"
                        + " `requires com.fasterxml.jackson.databind;` to your module-info.java",
                "h5: a Keras file needs jhdf, which is not available: modules io.jhdf, org.apache.commons.lang3 must be"
                        + " resolved, got them on the module path but not resolved (io.github.qbn4j requires jhdf"
                        + " statically): run with --add-modules io.jhdf,org.apache.commons.lang3,com.ning.compress.lzf,"
                        + "org.lz4.java, or add `requires io.jhdf;` and `requires org.apache.commons.lang3;` to your"
                        + " module-info.java");
    }

    @Test
    void onTheModulePathWithTheAdvisedModulesTheReadersWork() throws Exception {
        String out = run(modulePath(jars, "--add-modules",
                "com.fasterxml.jackson.databind,io.jhdf,org.apache.commons.lang3,com.ning.compress.lzf,org.lz4.java"));
        assertThat(out).contains("module consumer", "layer.json: " + EXPECTED_Y, "h5: 3 layers");
    }

    @Test
    void absentFromTheModulePathTheAdviceNamesTheModulePath() throws Exception {
        String out = run(modulePath(without("jackson-databind")));
        assertThat(out).contains("layer.json: layer.json needs Jackson, which is not available: module "
                + "com.fasterxml.jackson.databind must be on the module path, got none of that name: add the optional"
                + " dependency com.fasterxml.jackson.core:jackson-databind (and its dependencies) to the module path");
    }
}
