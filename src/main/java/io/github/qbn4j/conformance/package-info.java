/**
 * Conformance checking against quantizeml: {@link io.github.qbn4j.conformance.TensorComparison}
 * compares two quantized tensors exactly and reports the first difference as an
 * {@code (n, h, w, c)} coordinate, and {@link io.github.qbn4j.conformance.ConformanceSuite} runs a
 * folder of cases in the interchange format (layer, weights, input, and the expected output or
 * error, as quantizeml 0.5.2 produced them).
 */
package io.github.qbn4j.conformance;
