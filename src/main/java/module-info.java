/**
 * qbn4j: quantized batch-normalization inference, bit-exact with quantizeml 0.5.2 and 0.17.1.
 *
 * <p>Only {@code slf4j-api} is required at run time. Two optional dependencies serve single readers of
 * {@link io.github.qbn4j.io}: Jackson ({@code layer.json}) and jhdf (Keras and quantizeml model
 * files). The Vector API kernels are used when {@code jdk.incubator.vector} is present at run time;
 * nothing requires it.
 */
module io.github.qbn4j {
    requires org.slf4j;
    requires static com.fasterxml.jackson.databind;
    requires static io.jhdf;

    exports io.github.qbn4j;
    exports io.github.qbn4j.tensor;
    exports io.github.qbn4j.quantizer;
    exports io.github.qbn4j.layer;
    exports io.github.qbn4j.io;
    exports io.github.qbn4j.conformance;
    exports io.github.qbn4j.cli;
}
