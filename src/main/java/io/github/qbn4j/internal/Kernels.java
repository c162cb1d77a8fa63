package io.github.qbn4j.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Creates kernels, and finds out once whether the vector kernels can run.
 *
 * <p>{@code VectorKernel} refers to {@code jdk.incubator.vector}, an incubator module that the JVM
 * resolves only when asked ({@code --add-modules jdk.incubator.vector}). It is compiled apart from
 * the module descriptor (src/main/java-vector), and this class never names it in code: it looks the
 * module up in the boot layer and, only if it is there, adds the read edge and loads the kernel
 * class by name. Without the module the library runs on the scalar kernels and needs no flag.
 * The system property {@code qbn4j.vector=false} turns the vector kernels off.
 */
public final class Kernels {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final MethodHandle VECTOR_FACTORY = findVectorFactory(
            ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
            !"false".equalsIgnoreCase(System.getProperty("qbn4j.vector")));
    private static final String VECTOR_STATUS = describeVectorStatus();

    private Kernels() {
    }

    /**
     * Finds {@code VectorKernel.create}, or returns null when it cannot be used.
     *
     * @param modulePresent whether {@code jdk.incubator.vector} is in the boot layer
     * @param enabled whether the user allows vector kernels
     * @return the factory handle, or null
     */
    static MethodHandle findVectorFactory(boolean modulePresent, boolean enabled) {
        if (!modulePresent || !enabled) {
            return null;
        }
        try {
            // VectorKernel is compiled apart from module-info.java, which does not require the
            // incubator module: a named io.github.qbn4j must be made to read it before linking.
            Module self = Kernels.class.getModule();
            if (self.isNamed()) {
                self.addReads(ModuleLayer.boot().findModule(VECTOR_MODULE).orElseThrow());
            }
            Class<?> type = Class.forName("io.github.qbn4j.internal.VectorKernel");
            MethodHandle lanes = MethodHandles.lookup().findStatic(type, "lanes", MethodType.methodType(int.class));
            if ((int) lanes.invokeExact() < 8) {
                return null;
            }
            return MethodHandles.lookup().findStatic(type, "create",
                    MethodType.methodType(BnKernel.class, BnConstants.class, boolean.class));
        } catch (Throwable e) { // LinkageError, ReflectiveOperationException: no vector kernels then
            return null;
        }
    }

    private static String describeVectorStatus() {
        if (VECTOR_FACTORY != null) {
            return "available";
        }
        if (!"false".equalsIgnoreCase(System.getProperty("qbn4j.vector"))
                && ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "module " + VECTOR_MODULE + " not present (run with --add-modules " + VECTOR_MODULE + ")";
        }
        return "disabled or unsupported on this JVM";
    }

    /**
     * Whether vector kernels can be created in this JVM.
     *
     * @return true if {@link #vector} works
     */
    public static boolean vectorAvailable() {
        return VECTOR_FACTORY != null;
    }

    /**
     * Says why vector kernels are or are not available.
     *
     * @return {@code "available"} or the reason
     */
    public static String vectorStatus() {
        return VECTOR_STATUS;
    }

    /**
     * Creates the readable float32 kernel.
     *
     * @param k the constants
     * @return the kernel
     */
    public static BnKernel scalarFloat32(BnConstants k) {
        return new Float32Kernel(k);
    }

    /**
     * Creates the scalar integer kernel.
     *
     * @param k constants whose integer path is proven exact
     * @return the kernel
     * @throws IllegalArgumentException if it is not
     */
    public static BnKernel scalarInteger(BnConstants k) {
        return new IntegerKernel(k);
    }

    /**
     * Creates a vector kernel.
     *
     * @param k the constants
     * @param integer the integer mode (requires {@link BnConstants#integerExact()}), else float32
     * @return the kernel
     * @throws IllegalStateException if vector kernels are not available
     * @throws IllegalArgumentException if the integer mode is not proven exact
     */
    public static BnKernel vector(BnConstants k, boolean integer) {
        if (VECTOR_FACTORY == null) {
            throw new IllegalStateException("vector kernels must be available, got: " + VECTOR_STATUS);
        }
        try {
            return (BnKernel) VECTOR_FACTORY.invokeExact(k, integer);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("vector kernel creation failed", e);
        }
    }
}
