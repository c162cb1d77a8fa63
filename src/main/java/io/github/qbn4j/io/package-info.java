/**
 * Files Python users can hand over: NumPy {@code .npy}/{@code .npz} ({@link io.github.qbn4j.io.Npy},
 * {@link io.github.qbn4j.io.Npz}, our own reader and writer), the interchange format of quantized
 * tensors and layers ({@link io.github.qbn4j.io.QTensorFiles}, {@link io.github.qbn4j.io.LayerFiles};
 * {@code layer.json} needs the optional Jackson dependency), and Keras / quantizeml model files
 * ({@link io.github.qbn4j.io.KerasModels}; needs the optional jhdf dependency).
 *
 * <p>Every reader reports a corrupt or unsupported file with one checked exception,
 * {@link io.github.qbn4j.io.FileFormatException}, naming the file and the byte offset where known;
 * content that parses but describes an invalid layer or tensor is an
 * {@link java.lang.IllegalArgumentException}. Writers replace their target atomically.
 */
package io.github.qbn4j.io;
