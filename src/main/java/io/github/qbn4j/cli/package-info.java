/**
 * The {@code qbn4j} command-line tool: {@code qbn4j run} applies a layer stored in the interchange
 * format to an input tensor, {@code qbn4j conformance} runs a conformance suite, and {@code qbn4j}
 * without arguments prints a worked example. See {@link io.github.qbn4j.cli.Main}.
 */
package io.github.qbn4j.cli;
