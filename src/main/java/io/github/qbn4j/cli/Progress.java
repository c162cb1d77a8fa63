package io.github.qbn4j.cli;

import java.io.PrintStream;

/**
 * Progress of a long run, on standard error: one line per item (when there are several), or one
 * line each time another tenth of the items is done, up to 90% (only for runs of at least
 * {@link #MIN_ITEMS} items). Silent with {@code --quiet}. Not thread-safe.
 */
final class Progress {

    /** Runs shorter than this report nothing in the per-tenth mode. */
    static final int MIN_ITEMS = 20;

    private final PrintStream err;
    private final String prefix;
    private final String unit;
    private final int total;
    private final boolean everyItem;
    private final boolean enabled;
    private int done;
    private int lastTenth;

    private Progress(PrintStream err, String prefix, String unit, int total, boolean everyItem, boolean quiet) {
        this.err = err;
        this.prefix = prefix;
        this.unit = unit;
        this.total = total;
        this.everyItem = everyItem;
        this.enabled = !quiet && (everyItem ? total > 1 : total >= MIN_ITEMS);
    }

    /** Reports each tenth, e.g. {@code qbn4j conformance: 143 of 1429 cases (10%), 0 failed}. */
    static Progress tenths(PrintStream err, String command, String unit, int total, boolean quiet) {
        return new Progress(err, "qbn4j " + command + ": ", unit, total, false, quiet);
    }

    /** Reports every item, e.g. {@code qbn4j calibrate: batch 3 of 8 (32 samples)}. */
    static Progress everyItem(PrintStream err, String command, String unit, int total, boolean quiet) {
        return new Progress(err, "qbn4j " + command + ": ", unit, total, true, quiet);
    }

    /**
     * Records one more item done.
     *
     * @param detail appended to the line after a comma, or null
     */
    void step(String detail) {
        done++;
        if (!enabled) {
            return;
        }
        String tail = detail == null ? "" : detail;
        if (everyItem) {
            err.println(prefix + unit + " " + done + " of " + total + tail);
            return;
        }
        int tenth = (int) (10L * done / total);
        if (tenth > lastTenth && done < total) { // the command's own summary reports the end
            lastTenth = tenth;
            err.println(prefix + done + " of " + total + " " + unit + " (" + (100L * done / total) + "%)" + tail);
        }
    }
}
