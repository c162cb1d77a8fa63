package io.github.qbn4j.internal;

import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.lang.invoke.MethodHandles;

/**
 * The compiled plan's access to a {@link FixedPoint}'s storage, without copies: the tensor package
 * installs the one implementation when {@code FixedPoint} is initialized. Not API (this package is
 * not exported): the arrays handed out and taken in are shared, and must never be modified once
 * wrapped.
 */
public abstract class TensorAccess {

    private static volatile TensorAccess instance;

    /** For the tensor package's implementation only. */
    protected TensorAccess() {
    }

    /**
     * Installs the implementation; only the first call counts.
     *
     * @param access the implementation
     */
    public static void install(TensorAccess access) {
        synchronized (TensorAccess.class) {
            if (instance == null) {
                instance = access;
            }
        }
    }

    /**
     * Returns the implementation, initializing {@code FixedPoint} if need be.
     *
     * @return the implementation
     */
    public static TensorAccess get() {
        TensorAccess a = instance;
        if (a == null) {
            try {
                MethodHandles.lookup().ensureInitialized(FixedPoint.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("FixedPoint must be initializable, got " + e, e);
            }
            a = instance;
        }
        return a;
    }

    /**
     * Returns the int8 storage of a tensor.
     *
     * @param x the tensor
     * @return its bytes (shared, not to be modified), or null if it is stored as float32
     */
    public abstract byte[] bytes(FixedPoint x);

    /**
     * Returns the float32 storage of a tensor, made from its bytes if need be.
     *
     * @param x the tensor
     * @return its values (shared, not to be modified)
     */
    public abstract float[] floats(FixedPoint x);

    /**
     * Wraps int8 values, unchecked: they must lie in the range of {@code valueBits}.
     *
     * @param shape the shape
     * @param values the values (owned by the tensor from now on)
     * @param valueBits the value bits
     * @param fracBits the fractional bits
     * @return the tensor
     */
    public abstract FixedPoint wrap(Shape shape, byte[] values, int valueBits, FracBits fracBits);

    /**
     * Wraps float32 integers, unchecked: they must lie in the range of {@code valueBits}.
     *
     * @param shape the shape
     * @param values the values (owned by the tensor from now on)
     * @param valueBits the value bits
     * @param fracBits the fractional bits
     * @return the tensor
     */
    public abstract FixedPoint wrap(Shape shape, float[] values, int valueBits, FracBits fracBits);
}
