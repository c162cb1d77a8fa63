/**
 * qbn4j: quantized batch-normalization inference, bit-exact with quantizeml 0.5.2 and 0.17.1.
 *
 * <h2>Glossary</h2>
 * <dl>
 *   <dt>Q-format, fixed point</dt>
 *   <dd>An integer {@code v} with {@code fracBits} fractional bits stands for the real
 *       {@code v * 2^-fracBits}. {@code fracBits} may be negative (coarse steps) and may differ per
 *       channel (per-axis) or be shared by the whole tensor (per-tensor).</dd>
 *   <dt>value bits vs bitwidth</dt>
 *   <dd>{@code valueBits} counts magnitude bits only, without the sign (quantizeml
 *       {@code value_bits}); a signed quantizer of {@code bitwidth} 8 has 7 value bits. A tensor of
 *       {@code valueBits} {@code n} holds integers in {@code [-2^n, 2^n - 1]}.</dd>
 *   <dt>scales</dt>
 *   <dd>A {@link io.github.qbn4j.tensor.QFloat} adds a float32 scale (per tensor or per channel):
 *       real = {@code v * 2^-fracBits * scale}.</dd>
 *   <dt>the three rounding rules</dt>
 *   <dd><b>round half to even</b> when quantizing floats ({@code tf.math.round});
 *       <b>round half up</b> ({@code floor(x + 0.5)}, ties toward +infinity) when rescaling a fixed
 *       point to fewer fractional bits; <b>floor</b> in {@code shift} and right shifts.</dd>
 *   <dt>saturation</dt>
 *   <dd>Every result is clipped to {@code [-2^n, 2^n - 1]} of its value bits; it never wraps and never
 *       throws. Because quantizeml stores integers in float32, the upper bound is
 *       {@code float32(2^n - 1)}, which is {@code 2^n} from {@code n = 25} on: a 31-bit buffer clips
 *       at {@code +2^31}, not {@code 2^31 - 1}.</dd>
 *   <dt>float32 arithmetic</dt>
 *   <dd>quantizeml (TensorFlow on CPU) computes every step in float32 with subnormals flushed to
 *       zero. qbn4j performs the same float32 operations in the same order, one at a time (never
 *       fused), flushes subnormals the same way, and reproduces TensorFlow's own {@code rsqrt} and
 *       {@code log}: see {@link io.github.qbn4j.layer.QuantizedBatchNormalization}.</dd>
 * </dl>
 *
 * <p>Matched releases: quantizeml 0.5.2 (its {@code QuantizedBatchNormalization} is byte-identical
 * in 0.5.0 and 0.5.1) running on TensorFlow 2.12.1, the default, and quantizeml 0.17.1 on TensorFlow
 * 2.15.1; on an Intel or AMD CPU, called eagerly or in a graph: see {@link io.github.qbn4j.Reference}.
 */
package io.github.qbn4j;
