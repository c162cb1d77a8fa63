/**
 * Quantized tensors: {@link io.github.qbn4j.tensor.FixedPoint} and
 * {@link io.github.qbn4j.tensor.QFloat}, immutable values with quantizeml 0.5.2's rules for
 * quantize, rescale, upscale, promote, expand, add, multiply and saturation.
 */
package io.github.qbn4j.tensor;
