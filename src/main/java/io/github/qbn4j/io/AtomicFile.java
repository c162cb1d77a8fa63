package io.github.qbn4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers of the target path see either the old content or the complete
 * new content: the data go to a temporary file in the same directory, which is synced and then
 * moved over the target. On any failure the temporary file is removed and the target is left
 * untouched.
 *
 * <p>Special targets (issue 11): a symbolic link is followed to the file it names, which is replaced
 * and the link kept; a FIFO or a device is written through (opened and written, no rename: replacing
 * it with a regular file would destroy it, as {@code --output} once did to a device node); a directory
 * is refused before anything is created. A replaced file keeps its POSIX permissions.
 */
final class AtomicFile {

    /** Produces the content of the file. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    static void write(Path target, Body body) throws IOException {
        Path absolute = follow(target.toAbsolutePath());
        java.nio.file.attribute.BasicFileAttributes attrs = null;
        if (Files.exists(absolute)) {
            attrs = Files.readAttributes(absolute, java.nio.file.attribute.BasicFileAttributes.class);
        }
        Path dir = absolute.getParent();
        if (dir == null || (attrs != null && attrs.isDirectory())) {
            throw new java.nio.file.FileSystemException(target.toString(), null, "is a directory");
        }
        if (attrs != null && attrs.isOther()) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(absolute,
                    StandardOpenOption.WRITE), 1 << 16)) {
                body.writeTo(out);
            }
            return;
        }
        Path tmp = createTemp(dir, absolute.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel),
                            1 << 16)) {
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            if (attrs != null) {
                keepPermissions(absolute, tmp);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    // the original failure matters more; a stray temporary file is harmless
                }
            }
        }
    }

    /** The file a chain of symbolic links ends at (the path itself if it is none). */
    private static Path follow(Path path) throws IOException {
        Path p = path;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops >= 40) {
                throw new java.nio.file.FileSystemException(path.toString(), null, "too many levels of symbolic links");
            }
            Path link = Files.readSymbolicLink(p);
            Path parent = p.getParent();
            p = parent == null ? link : parent.resolve(link).normalize();
        }
        return p;
    }

    /** Gives the new file the permissions of the file it replaces, where the file system has them. */
    private static void keepPermissions(Path old, Path replacement) throws IOException {
        if (Files.getFileAttributeView(old, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(replacement, Files.getPosixFilePermissions(old));
        }
    }

    /**
     * Creates a new empty file named {@code .<name>.<random>.tmp} in {@code dir}. Unlike
     * {@link Files#createTempFile}, the file gets the default permissions (subject to the
     * umask), so the target keeps the permissions an ordinary new file would have.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }
}
