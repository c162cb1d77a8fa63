package io.github.qbn4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/** Compiles and runs every {@code java} block of README.md and checks the {@code // } comments it prints. */
class ReadmeTest {

    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PRINTED = Pattern.compile("System\\.out\\.println\\(.*?\\);\\s*// (.*)");

    @Test
    void readmeJavaExamplesCompileRunAndPrintWhatTheySay() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = BLOCK.matcher(readme);
        int blocks = 0;
        while (m.find()) {
            String code = m.group(1);
            List<String> expected = new ArrayList<>();
            Matcher p = PRINTED.matcher(code);
            while (p.find()) {
                expected.add(p.group(1).trim());
            }
            String printed = compileAndRun(code, blocks);
            assertThat(printed.lines().toList()).as("output of README java block %d", blocks).containsExactlyElementsOf(expected);
            blocks++;
        }
        assertThat(blocks).as("java blocks in README.md").isPositive();
    }

    private static String compileAndRun(String body, int index) throws Exception {
        Path dir = Files.createTempDirectory("readme");
        String className = "ReadmeBlock" + index;
        // a block's own imports go first: none is added, so every block must import what it uses
        StringBuilder imports = new StringBuilder();
        StringBuilder statements = new StringBuilder();
        for (String line : body.split("\n")) {
            (line.startsWith("import ") ? imports : statements).append(line).append('\n');
        }
        assertThat(imports.length()).as("imports in README java block %d", index).isPositive();
        String source = imports + "public class " + className + " {\n public static void main(String[] args) throws Exception {\n"
                + statements + "\n }\n}\n";
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, null, diagnostics, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(),
                file.toString());
        assertThat(rc).as("javac on README block %d:%n%s%n%s", index, source, diagnostics).isZero();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeTest.class.getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
            deleteQuietly(dir);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
