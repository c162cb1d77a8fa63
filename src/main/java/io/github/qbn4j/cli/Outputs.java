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

    /** Moves a file; replaced by tests to make a given move fail. */
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    static Mover mover = (from, to) -> Files.move(from, to, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);

    /**
     * Writes {@code dir/layer.json} and {@code dir/weights.npz} as one unit: after any failure, and after
     * a kill at any point, {@code dir} holds exactly the old pair or exactly the new one.
     *
     * <p>When {@code dir} does not exist yet, or is a symbolic link (as this method leaves it), the pair is
     * written into a new hidden sibling folder {@code .<dir>.<random>}, and {@code dir} becomes, by one
     * atomic rename of a new link over it, a symbolic link to that folder; the previous folder is then
     * deleted. When {@code dir} is an existing real folder, which cannot be replaced atomically, the old
     * files are moved aside, the new ones moved in, and on a failure the old ones are moved back; that is
     * all-or-nothing on failure but not under a kill between the moves (the documented limit: let qbn4j
     * create {@code dir}).
     */
    static void writeLayer(Path dir, QuantizedBatchNormalization layer) throws CliException {
        try {
            Path absolute = dir.toAbsolutePath().normalize();
            if (absolute.getParent() == null) {
                throw CliException.file("cannot write " + dir + ": it is the root folder", null);
            }
            if (Files.isSymbolicLink(absolute) || !Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                writeLayerByLink(absolute, layer);
            } else if (Files.isDirectory(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                writeLayerInPlace(absolute, layer);
            } else {
                throw CliException.file("cannot write " + dir + ": it exists and is not a directory", null);
            }
        } catch (IOException e) {
            throw CliException.file("cannot write " + dir + ": " + describe(e, "cannot write"), e);
        }
    }

    private static void writeLayerByLink(Path dir, QuantizedBatchNormalization layer) throws IOException {
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        String base = "." + dir.getFileName() + ".";
        Path fresh = Files.createTempDirectory(parent, base);
        Path link = null;
        boolean done = false;
        try {
            LayerFiles.write(fresh, layer);
            Path previous = Files.isSymbolicLink(dir) ? Files.readSymbolicLink(dir) : null;
            link = parent.resolve(fresh.getFileName() + ".link");
            Files.createSymbolicLink(link, fresh.getFileName());
            mover.move(link, dir); // the one step that switches from the old pair to the new one
            link = null;
            done = true;
            if (previous != null && !previous.isAbsolute() && previous.getNameCount() == 1
                    && previous.toString().startsWith(base)) {
                deleteQuietly(parent.resolve(previous)); // only a folder this method made
            }
        } finally {
            if (link != null) {
                Files.deleteIfExists(link);
            }
            if (!done) {
                deleteQuietly(fresh);
            }
        }
    }

    private static void writeLayerInPlace(Path dir, QuantizedBatchNormalization layer) throws IOException {
        Path tmp = Files.createTempDirectory(dir, ".qbn4j-");
        Path[] names = {Path.of(LayerFiles.WEIGHTS_NPZ), Path.of(LayerFiles.LAYER_JSON)};
        boolean[] asideDone = new boolean[names.length];
        boolean[] inDone = new boolean[names.length];
        boolean ok = false;
        try {
            LayerFiles.write(tmp, layer);
            Path aside = Files.createDirectory(tmp.resolve("old"));
            for (int i = 0; i < names.length; i++) {
                if (Files.exists(dir.resolve(names[i]), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    mover.move(dir.resolve(names[i]), aside.resolve(names[i]));
                    asideDone[i] = true;
                }
            }
            for (int i = 0; i < names.length; i++) {
                mover.move(tmp.resolve(names[i]), dir.resolve(names[i]));
                inDone[i] = true;
            }
            ok = true;
        } finally {
            if (!ok) {
                // roll back: the new files out, the old ones back
                for (int i = 0; i < names.length; i++) {
                    if (inDone[i]) {
                        Files.deleteIfExists(dir.resolve(names[i]));
                    }
                    if (asideDone[i]) {
                        Files.move(tmp.resolve("old").resolve(names[i]), dir.resolve(names[i]),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            deleteQuietly(tmp);
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
