/**
 * The {@code qbn4j} command-line tool: {@code run} applies a layer (interchange files or a layer of
 * a Keras or quantizeml model) to an input tensor, optionally counting saturations;
 * {@code conformance} runs a conformance suite; {@code inspect} shows what a batch normalization
 * folds to (quantized a and b, shifts, scales, Akida-style integers, quantization error);
 * {@code calibrate} finds an output quantizer's range from float samples as quantizeml's
 * {@code calibrate()} does; {@code quantize} writes a layer as {@code layer.json} and
 * {@code weights.npz}; without arguments the tool runs the bundled example and checks it against
 * quantizeml's output. See {@link io.github.qbn4j.cli.Main}. The classes are thin: they parse
 * arguments, call the library, and print.
 */
package io.github.qbn4j.cli;
