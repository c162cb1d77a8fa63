package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.Reference.Cpu;
import io.github.qbn4j.Reference.Mode;
import io.github.qbn4j.Reference.Quantizeml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The options that choose the reference profile ({@link Reference}): {@code --cpu}, {@code --mode}
 * and {@code --quantizeml}. Each overrides one part of a base profile (a suite's
 * {@code reference.json}, else the default); {@code auto} (conformance only) tries every value.
 */
final class ProfileOptions {

    static final String CPU = "--cpu";
    static final String MODE = "--mode";
    static final String QUANTIZEML = "--quantizeml";
    static final String AUTO = "auto";

    /** The options, for {@link Args#parse}. */
    static final Set<String> OPTIONS = Set.of(CPU, MODE, QUANTIZEML);

    /** Help lines for commands that take one profile. */
    static final String HELP = String.join("\n",
            "  --cpu CPU       the CPU the reference ran on: intel (default), amd-zen4, amd-zen3, or a",
            "                  VRSQRTPS table measured with dump_rsqrtps (docs/cpus.md)",
            "  --mode MODE     how the reference called the layer: eager (default, layer(x)) or graph",
            "                  (tf.function, model.predict)",
            "  --quantizeml V  the quantizeml release: 0.5.2 or 0.17.1 (default: the layer file's \"quantizeml\"",
            "                  key, else 0.5.2)");

    /** Help lines for conformance, where {@code auto} tries every value. */
    static final String HELP_AUTO = String.join("\n",
            "  --cpu CPU       the CPU the reference ran on: intel, amd-zen4, amd-zen3, a VRSQRTPS table",
            "                  measured with dump_rsqrtps (docs/cpus.md), or auto (try every built-in CPU)",
            "  --mode MODE     eager (layer(x)), graph (tf.function, model.predict), or auto (try both)",
            "  --quantizeml V  the quantizeml release: 0.5.2 or 0.17.1",
            "                  Each overrides the suite's reference.json (default: 0.5.2, intel, eager).");

    private ProfileOptions() {
    }

    /** Whether {@code --cpu} or {@code --mode} is {@code auto}. */
    static boolean auto(Args a) {
        return AUTO.equals(a.get(CPU)) || AUTO.equals(a.get(MODE));
    }

    /**
     * The profile the options give: {@code base} with each given option in place of its part.
     *
     * @throws CliException (usage) for an unknown value or {@code auto}
     * @throws IOException if a table file cannot be read
     */
    static Reference resolve(Args a, Reference base) throws CliException, IOException {
        if (auto(a)) {
            throw CliException.usage("option " + (AUTO.equals(a.get(CPU)) ? CPU : MODE)
                    + " auto is for conformance only; name one value");
        }
        Reference r = base;
        if (a.has(QUANTIZEML)) {
            r = r.withQuantizeml(parse(QUANTIZEML, a.get(QUANTIZEML), Quantizeml::of));
        }
        if (a.has(CPU)) {
            r = r.withCpu(cpu(a.get(CPU)));
        }
        if (a.has(MODE)) {
            r = r.withMode(parse(MODE, a.get(MODE), Mode::of));
        }
        return r;
    }

    /**
     * Every profile to try: the product of the CPUs and modes the options allow ({@code auto}: all
     * built-in CPUs with distinct estimates, or both modes), the other parts from {@code base}.
     */
    static List<Reference> candidates(Args a, Reference base) throws CliException, IOException {
        Reference fixed = base;
        if (a.has(QUANTIZEML)) {
            fixed = fixed.withQuantizeml(parse(QUANTIZEML, a.get(QUANTIZEML), Quantizeml::of));
        }
        List<Cpu> cpus = new ArrayList<>();
        if (AUTO.equals(a.get(CPU))) {
            cpus.add(Cpu.INTEL);
            cpus.add(Cpu.AMD_ZEN4);
            if (!base.cpu().sameEstimateAs(Cpu.INTEL) && !base.cpu().sameEstimateAs(Cpu.AMD_ZEN4)) {
                cpus.add(base.cpu()); // a suite's own measured table
            }
        } else {
            cpus.add(a.has(CPU) ? cpu(a.get(CPU)) : base.cpu());
        }
        List<Mode> modes = AUTO.equals(a.get(MODE)) ? List.of(Mode.values())
                : List.of(a.has(MODE) ? parse(MODE, a.get(MODE), Mode::of) : base.mode());
        List<Reference> out = new ArrayList<>();
        for (Cpu cpu : cpus) {
            for (Mode mode : modes) {
                out.add(fixed.withCpu(cpu).withMode(mode));
            }
        }
        return out;
    }

    private static Cpu cpu(String value) throws CliException, IOException {
        if (Cpu.builtInNames().contains(value.toLowerCase(java.util.Locale.ROOT))) {
            return Cpu.named(value);
        }
        Path table = Path.of(value);
        if (!Files.isRegularFile(table)) {
            throw CliException.usage("option " + CPU + " must be one of " + Cpu.builtInNames()
                    + " or a table file measured with dump_rsqrtps, got \"" + value + "\"");
        }
        return Cpu.load(table);
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T parse(String option, String value, Parser<T> parser) throws CliException {
        try {
            return parser.parse(value);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("option " + option + ": " + e.getMessage());
        }
    }
}
