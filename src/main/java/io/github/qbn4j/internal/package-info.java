/**
 * Implementation details: TensorFlow float32 emulation, argument checks and kernels. Not exported.
 */
package io.github.qbn4j.internal;
