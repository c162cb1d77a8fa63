package io.github.qbn4j.cli;

import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.QTensor;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writing the tool's outputs, all or nothing, and describing file errors. */
final class Outputs {

    private Outputs() {
    }

    /** Writes a quantized tensor; a failure leaves no file. */
    static void writeTensor(Path file, QTensor t) throws CliException {
        try {
            QTensorFiles.write(file, t);
        } catch (IOException e) {
            throw CliException.file("cannot write " + file + ": " + describe(e, "cannot write"), e);
        }
    }

    /**
     * Writes {@code dir/layer.json} and {@code dir/weights.npz}, creating {@code dir} if needed. Both
     * are written into a temporary folder inside {@code dir} first and moved into place, so a failure
     * leaves neither file.
     */
    static void writeLayer(Path dir, QuantizedBatchNormalization layer) throws CliException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw CliException.file("cannot write " + dir + ": it exists and is not a directory", null);
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(dir, ".qbn4j-");
            LayerFiles.write(tmp, layer);
            Files.move(tmp.resolve(LayerFiles.WEIGHTS_NPZ), dir.resolve(LayerFiles.WEIGHTS_NPZ),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp.resolve(LayerFiles.LAYER_JSON), dir.resolve(LayerFiles.LAYER_JSON),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw CliException.file("cannot write " + dir + ": " + describe(e, "cannot write"), e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the folder is hidden and empty unless a write failed
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    /** A one-line description of an I/O failure, naming the file. */
    static String describe(IOException e, String verb) {
        if (e instanceof FileFormatException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return verb + " " + e.getMessage() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return verb + " " + e.getMessage() + ": permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return verb + " " + e.getMessage() + ": not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return verb + " " + e.getMessage() + ": a file is in the way";
        }
        if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
            java.nio.file.FileSystemException f = (java.nio.file.FileSystemException) e;
            return verb + " " + f.getFile() + ": " + f.getReason();
        }
        return verb + ": " + e;
    }
}
