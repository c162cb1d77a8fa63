/**
 * quantizeml 0.5.2's quantizers: {@link io.github.qbn4j.quantizer.WeightQuantizer} for {@code a},
 * {@link io.github.qbn4j.quantizer.AlignedWeightQuantizer} for {@code b}, and
 * {@link io.github.qbn4j.quantizer.OutputQuantizer} for the layer output, and
 * {@link io.github.qbn4j.quantizer.OutputObserver}, the calibration that sets the output quantizer's
 * range.
 */
package io.github.qbn4j.quantizer;
