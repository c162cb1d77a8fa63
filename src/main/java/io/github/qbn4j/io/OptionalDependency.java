package io.github.qbn4j.io;

import java.io.File;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An optional dependency of one reader (Jackson for {@code layer.json}, jhdf for Keras files), found
 * where the application put it: on the class path, or on the module path.
 *
 * <p>On the module path, {@code io.github.qbn4j} {@code requires static} these modules, and a module
 * required statically is resolved only if something else requires it, or {@code --add-modules}
 * names it. A module that is on the module path but not resolved cannot be loaded once the JVM has
 * started, so the advice names the modules to add; jhdf is an automatic module, which declares none
 * of its dependencies, so commons-lang3 (an explicit module) must be named as well.
 */
final class OptionalDependency {

    /** Jackson, for layer.json and Keras configs. */
    static final OptionalDependency JACKSON = new OptionalDependency("Jackson",
            "com.fasterxml.jackson.core:jackson-databind", "com.fasterxml.jackson.databind.ObjectMapper",
            List.of("com.fasterxml.jackson.databind"), List.of());

    /** jhdf and what it needs at run time, for Keras and quantizeml .h5 files. */
    static final OptionalDependency JHDF = new OptionalDependency("jhdf", "io.jhdf:jhdf", "io.jhdf.HdfFile",
            List.of("io.jhdf", "org.apache.commons.lang3"), List.of("com.ning.compress.lzf", "org.lz4.java"));

    private final String name;
    private final String artifact;
    private final String probeClass;
    private final List<String> modules;
    private final List<String> alsoUseful;

    private OptionalDependency(String name, String artifact, String probeClass, List<String> modules,
            List<String> alsoUseful) {
        this.name = name;
        this.artifact = artifact;
        this.probeClass = probeClass;
        this.modules = modules;
        this.alsoUseful = alsoUseful;
    }

    /**
     * Checks that the dependency can be used.
     *
     * @param what what needs it, e.g. {@code "layer.json"}
     * @throws IllegalStateException naming what to add, and where, if it cannot
     */
    void require(String what) {
        String problem = problem(OptionalDependency.class.getModule(), System.getProperty("jdk.module.path"));
        if (problem != null) {
            throw new IllegalStateException(what + " needs " + name + ", which is not available: " + problem);
        }
    }

    /**
     * Says what is missing, or null if the dependency can be used.
     *
     * @param self this library's module (unnamed on the class path)
     * @param modulePath the {@code jdk.module.path} property, or null
     * @return the advice, or null
     */
    String problem(Module self, String modulePath) {
        if (!self.isNamed()) {
            try {
                Class.forName(probeClass, false, OptionalDependency.class.getClassLoader());
                return null;
            } catch (ClassNotFoundException | LinkageError e) {
                return "add the optional dependency " + artifact + " (and its dependencies) to the class path";
            }
        }
        ModuleLayer layer = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        List<String> unresolved = new ArrayList<>();
        for (String m : modules) {
            if (layer.findModule(m).isEmpty()) {
                unresolved.add(m);
            }
        }
        if (unresolved.isEmpty()) {
            return null;
        }
        ModuleFinder finder = ModuleFinder.of(paths(modulePath));
        List<String> absent = new ArrayList<>();
        List<String> toAdd = new ArrayList<>();
        for (String m : unresolved) {
            (finder.find(m).isPresent() ? toAdd : absent).add(m);
        }
        for (String m : alsoUseful) {
            if (layer.findModule(m).isEmpty() && finder.find(m).isPresent()) {
                toAdd.add(m);
            }
        }
        if (!absent.isEmpty()) {
            return "module" + (absent.size() > 1 ? "s " : " ") + String.join(", ", absent) + " must be on the module"
                    + " path, got none of that name: add the optional dependency " + artifact
                    + " (and its dependencies) to the module path";
        }
        return "module" + (unresolved.size() > 1 ? "s " : " ") + String.join(", ", unresolved) + " must be resolved,"
                + " got " + (unresolved.size() > 1 ? "them" : "it") + " on the module path but not resolved"
                + " (io.github.qbn4j requires " + name + " statically): run with --add-modules "
                + String.join(",", toAdd) + ", or add `requires " + String.join(";` and `requires ", unresolved)
                + ";` to your module-info.java";
    }

    private static Path[] paths(String modulePath) {
        if (modulePath == null || modulePath.isEmpty()) {
            return new Path[0];
        }
        List<Path> out = new ArrayList<>();
        for (String p : modulePath.split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                out.add(Path.of(p));
            }
        }
        return out.toArray(new Path[0]);
    }
}
