package io.github.qbn4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line of one command: options with a value ({@code --name VALUE} or
 * {@code --name=VALUE}), flags ({@code --name}), and positional arguments. Every option may be given
 * once; {@code --} ends the options; {@code -h}, {@code -q} and {@code -v} stand for {@code --help},
 * {@code --quiet} and {@code --verbose}. {@code --help} anywhere asks for the command's help.
 */
final class Args {

    private static final Map<String, String> ALIASES = Map.of("-h", "--help", "-q", "--quiet", "-v", "--verbose");

    private final Map<String, String> values;
    private final List<String> positionals;
    private final boolean help;

    private Args(Map<String, String> values, List<String> positionals, boolean help) {
        this.values = values;
        this.positionals = positionals;
        this.help = help;
    }

    /**
     * Parses {@code argv}.
     *
     * @param argv the arguments after the command name
     * @param valueOptions the options that take a value
     * @param flags the options that take none ({@code --help} is always accepted)
     * @return the parsed arguments; when {@link #help()} is true nothing else was checked
     * @throws CliException (usage) for an unknown option, a missing value, or a repeated option
     */
    static Args parse(String[] argv, Set<String> valueOptions, Set<String> flags) throws CliException {
        for (String arg : argv) {
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Args(Map.of(), List.of(), true);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                positionals.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name = ALIASES.getOrDefault(arg, arg);
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw CliException.usage("option " + name + " takes no value, got \"" + arg + "\"");
                }
                value = "";
            } else if (valueOptions.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw CliException.usage("option " + name + " needs a value");
                    }
                    value = argv[++i];
                }
            } else {
                throw CliException.usage("unknown option " + name);
            }
            if (values.put(name, value) != null) {
                throw CliException.usage("option " + name + " is given twice");
            }
        }
        return new Args(values, List.copyOf(positionals), false);
    }

    boolean help() {
        return help;
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    /** The option's value, or null when it was not given. */
    String get(String option) {
        return values.get(option);
    }

    /** The option's value. */
    String require(String option) throws CliException {
        String v = values.get(option);
        if (v == null) {
            throw CliException.usage("missing option " + option);
        }
        return v;
    }

    /** Refuses an option that makes no sense with the others. */
    void forbid(String option, String because) throws CliException {
        if (values.containsKey(option)) {
            throw CliException.usage("option " + option + " " + because);
        }
    }

    List<String> positionals() {
        return positionals;
    }

    /** The single positional argument, named {@code what} in messages. */
    String single(String what) throws CliException {
        if (positionals.isEmpty()) {
            throw CliException.usage("missing " + what);
        }
        if (positionals.size() > 1) {
            throw CliException.usage("takes one " + what + ", got " + positionals.size() + ": " + positionals);
        }
        return positionals.get(0);
    }

    /** Refuses positional arguments. */
    void noPositionals() throws CliException {
        if (!positionals.isEmpty()) {
            throw CliException.usage("unexpected argument \"" + positionals.get(0) + "\"");
        }
    }

    /** An integer option, or {@code otherwise} when it was not given. */
    int intValue(String option, int otherwise, int min, int max) throws CliException {
        String v = values.get(option);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw CliException.usage("option " + option + " must be in [" + min + ", " + max + "], got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw CliException.usage("option " + option + " must be an integer, got \"" + v + "\"");
        }
    }

    /** A comma-separated list of floats, or null when the option was not given. */
    float[] floats(String option) throws CliException {
        String v = values.get(option);
        if (v == null) {
            return null;
        }
        String[] parts = v.split(",", -1);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw CliException.usage("option " + option + " must be a comma-separated list of numbers, got \""
                        + v + "\"");
            }
        }
        return out;
    }
}
