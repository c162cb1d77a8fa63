package io.github.qbn4j.io;

import io.github.qbn4j.Reference;
import io.github.qbn4j.Reference.Cpu;
import io.github.qbn4j.Reference.Mode;
import io.github.qbn4j.Reference.Quantizeml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code reference.json}: which {@link Reference} profile produced a conformance suite, at the suite's
 * root. The format ({@code docs/interchange.md}):
 *
 * <pre>{@code
 * {"quantizeml": "0.5.2", "cpu": "amd-zen4", "mode": "graph"}
 * }</pre>
 *
 * <ul>
 *   <li>{@code quantizeml} (required): the release, e.g. {@code "0.5.2"};</li>
 *   <li>{@code mode} (required): {@code "eager"} or {@code "graph"};</li>
 *   <li>exactly one of {@code cpu}, a built-in CPU name ({@link Cpu#named}), and {@code cpu_table},
 *       the path, relative to the suite folder and inside it, of a table measured with
 *       {@code dump_rsqrtps} ({@link Cpu#load});</li>
 *   <li>{@code description} (optional): free text, e.g. the machine's CPU model.</li>
 * </ul>
 * Any other key is refused, so that a misspelt key never silently falls back to a default.
 */
public final class ReferenceFiles {

    /** The file name, at a suite's root. */
    public static final String REFERENCE_JSON = "reference.json";

    /** Largest {@code reference.json} read: it holds a handful of short strings. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Set<String> KEYS = Set.of("quantizeml", "cpu", "cpu_table", "mode", "description");

    private ReferenceFiles() {
    }

    /**
     * Reads {@code suiteDir/reference.json} if there is one.
     *
     * @param suiteDir a suite folder
     * @return the profile, or empty when the folder has no {@code reference.json}
     * @throws FileFormatException if the file is not valid JSON, too large, or not as described above
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if the file or a table it names cannot be read
     */
    public static Optional<Reference> readIfPresent(Path suiteDir) throws IOException {
        Objects.requireNonNull(suiteDir, "suiteDir");
        Path file = suiteDir.resolve(REFERENCE_JSON);
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    /**
     * Reads a {@code reference.json}.
     *
     * @param file the file; a {@code cpu_table} is resolved against its folder
     * @return the profile
     * @throws FileFormatException if the file is not valid JSON, too large, or not as described above
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if the file or the table it names cannot be read
     */
    public static Reference read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        LayerFiles.requireJackson(REFERENCE_JSON);
        String name = file.toString();
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new FileFormatException(name, -1, "a reference.json must be at most " + MAX_BYTES
                    + " bytes, got " + size);
        }
        Object root = LayerJson.parse(name, Files.readAllBytes(file));
        if (!(root instanceof Map)) {
            throw new FileFormatException(name, -1, "the top level must be a JSON object, got " + root);
        }
        Map<?, ?> map = (Map<?, ?>) root;
        for (Object key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new FileFormatException(name, -1, "key '" + key + "' is unknown; the keys are quantizeml, "
                        + "mode, cpu or cpu_table, and description");
            }
        }
        try {
            Quantizeml quantizeml = Quantizeml.of(string(map, "quantizeml", name, true));
            Mode mode = Mode.of(string(map, "mode", name, true));
            String cpuName = string(map, "cpu", name, false);
            String table = string(map, "cpu_table", name, false);
            string(map, "description", name, false);
            if ((cpuName == null) == (table == null)) {
                throw new FileFormatException(name, -1, "exactly one of 'cpu' and 'cpu_table' must be given, got "
                        + (cpuName == null ? "neither" : "both"));
            }
            Cpu cpu = cpuName != null ? Cpu.named(cpuName) : Cpu.load(tableInside(file, table));
            return Reference.of(quantizeml, cpu, mode);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(name, -1, e.getMessage(), e);
        }
    }

    private static Path tableInside(Path file, String table) throws FileFormatException {
        Path folder = file.toAbsolutePath().normalize().getParent();
        Path resolved = folder.resolve(table).normalize();
        if (Path.of(table).isAbsolute() || !resolved.startsWith(folder)) {
            throw new FileFormatException(file.toString(), -1, "cpu_table must be a path inside the suite folder, "
                    + "got \"" + table + "\"");
        }
        return resolved;
    }

    private static String string(Map<?, ?> map, String key, String file, boolean required)
            throws FileFormatException {
        Object v = map.get(key);
        if (v == null) {
            if (required) {
                throw new FileFormatException(file, -1, "key '" + key + "' is missing");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw new FileFormatException(file, -1, key + " must be a string, got " + v);
        }
        return (String) v;
    }

    /**
     * Writes {@code suiteDir/reference.json} for a profile with a built-in CPU.
     *
     * @param suiteDir the suite folder (created if needed)
     * @param reference the profile
     * @throws IllegalArgumentException if the profile's CPU is not built in (write its table beside the
     *     suite and a {@code cpu_table} key by hand)
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if writing fails
     */
    public static void write(Path suiteDir, Reference reference) throws IOException {
        Objects.requireNonNull(suiteDir, "suiteDir");
        Objects.requireNonNull(reference, "reference");
        LayerFiles.requireJackson(REFERENCE_JSON);
        if (!Cpu.builtInNames().contains(reference.cpu().name())) {
            throw new IllegalArgumentException("reference cpu must be built in to be written by name, got "
                    + reference.cpu().name());
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("quantizeml", reference.quantizeml().version());
        root.put("cpu", reference.cpu().name());
        root.put("mode", reference.mode().label());
        byte[] json = LayerJson.format(root);
        Files.createDirectories(suiteDir);
        AtomicFile.write(suiteDir.resolve(REFERENCE_JSON), out -> out.write(json));
    }
}
