package io.github.qbn4j.cli;

import io.github.qbn4j.io.ReadLimits;
import java.util.Set;

/**
 * The read budget of a command: {@link ReadLimits#WEIGHTS} for layer files and {@link ReadLimits#ACTIVATIONS}
 * for tensors and samples, both lowered to what this JVM's heap ({@code -Xmx}) holds, and the activations'
 * limits replaced by {@code --max-elements} and {@code --max-bytes} when given.
 */
final class Limits {

    static final String MAX_ELEMENTS = "--max-elements";
    static final String MAX_BYTES = "--max-bytes";
    static final Set<String> OPTIONS = Set.of(MAX_ELEMENTS, MAX_BYTES);

    static final String HELP = String.join("\n",
            "  --max-elements N most elements of one input tensor (default: 2^27, or the heap / 64)",
            "  --max-bytes N    most bytes of one input tensor and of one input file, counted inflated",
            "                   (default: 1 GiB per tensor and 2 GiB per file, or the heap / 8 and / 4);",
            "                   a file over a limit is refused (exit 3) before it is read");

    final ReadLimits weights;
    final ReadLimits activations;

    private Limits(ReadLimits weights, ReadLimits activations) {
        this.weights = weights;
        this.activations = activations;
    }

    static Limits from(Args a) throws CliException {
        long heap = Runtime.getRuntime().maxMemory();
        ReadLimits activations = ReadLimits.ACTIVATIONS.fittingHeap(heap);
        if (a.has(MAX_ELEMENTS)) {
            activations = activations.withMaxTensorElements(positive(a, MAX_ELEMENTS));
        }
        if (a.has(MAX_BYTES)) {
            long n = positive(a, MAX_BYTES);
            activations = activations.withMaxTensorBytes(n).withMaxFileBytes(n);
        }
        return new Limits(ReadLimits.WEIGHTS.fittingHeap(heap), activations);
    }

    private static long positive(Args a, String option) throws CliException {
        String v = a.get(option);
        try {
            long n = Long.parseLong(v.trim());
            if (n < 1) {
                throw CliException.usage("option " + option + " must be >= 1, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw CliException.usage("option " + option + " must be an integer, got \"" + v + "\"");
        }
    }
}
