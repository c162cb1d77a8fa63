package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The library must work when {@code jdk.incubator.vector} is not resolved (no {@code --add-modules}):
 * a child JVM, started without the flag, compiles and applies a plan on the scalar kernels.
 */
class PlanWithoutVectorModuleTest {

    @Test
    void runsOnScalarKernelsWithoutAddModules() throws IOException, InterruptedException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                PlanWithoutVectorModuleTest.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as(output).contains("vector=false kernel=SCALAR_INTEGER result=[65, 92, 127] equal=true")
                .doesNotContain("incubator");
        assertThat(p.exitValue()).isZero();
    }

    /** Run in the child JVM. */
    public static void main(String[] args) {
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().gamma(0.8f, -1.2f, 0.3f)
                .beta(0.05f, 0.1f, -0.02f).movingMean(0.5f, -0.25f, 1.0f).movingVariance(0.25f, 1.0f, 0.04f)
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(
                        io.github.qbn4j.quantizer.OutputQuantizer.of(8, true,
                                io.github.qbn4j.quantizer.OutputQuantizer.Axis.PER_AXIS, 8)))
                .rangeMax(4.5f, 6.0f, 0.75f).build();
        Plan plan = bn.compile(7, FracBits.of(0), null);
        byte[] out = new byte[3];
        plan.apply(new byte[] {3, -5, 7}, 0, out, 0, 3);
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 3), new int[] {3, -5, 7}, 7, FracBits.of(0));
        System.out.println("vector=" + Plan.vectorKernelsAvailable() + " kernel=" + plan.kernel() + " result="
                + java.util.Arrays.toString(out) + " equal=" + plan.apply(x).equals(bn.callUncompiled(x)));
    }
}
