/**
 * The quantized batch-normalization layer of quantizeml 0.5.2 and what it folds per input format.
 */
package io.github.qbn4j.layer;
