package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * A file a client command writes: prepared before the server is asked (so that a file that already
 * exists, or a directory that cannot be written, is found before anything is issued or taken offline),
 * then written in full to a temporary file beside it, flushed to disk and moved into place, so the
 * target is never half-written.
 *
 * <p>An existing file is never replaced unless the command has {@code --force} (a mistyped {@code
 * --out key.pem} must not destroy a private key); without it the temporary file is hard-linked to
 * the target, which fails atomically when the target appeared meanwhile. A file holding a private key
 * ({@link #secret}) is created with mode 0600 and keeps it; others end up 0644.
 */
final class OutputFile implements AutoCloseable {
    private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private final Path target;
    private final boolean secret;
    private final boolean force;
    private final Path temporary;
    private boolean done;
    private boolean keep;

    private OutputFile(Path target, boolean secret, boolean force) {
        this.target = target.toAbsolutePath().normalize();
        this.secret = secret;
        this.force = force;
        if (Files.isDirectory(this.target)) {
            throw new SignetException("usage.output_is_directory", target + " is a directory; name a file");
        }
        if (!force && Files.exists(this.target, LinkOption.NOFOLLOW_LINKS)) {
            throw new SignetException(
                    "usage.output_exists",
                    target + " already exists; choose another name or add --force to replace it");
        }
        Path dir = this.target.getParent();
        if (!Files.isDirectory(dir)) {
            throw new SignetException("usage.output_directory_missing", "directory " + dir + " does not exist");
        }
        try {
            String name = "." + this.target.getFileName() + "-";
            this.temporary = posix(dir)
                    ? Files.createTempFile(dir, name, ".tmp", PosixFilePermissions.asFileAttribute(SECRET))
                    : Files.createTempFile(dir, name, ".tmp");
        } catch (IOException e) {
            throw new SignetException("cli.write_failed", "cannot write in " + dir + ": " + reason(e));
        }
    }

    /** A file that will hold a private key or a PKCS#12: mode 0600 from its first byte. */
    static OutputFile secret(Path target, boolean force) {
        return new OutputFile(target, true, force);
    }

    /** A file that will hold public material (certificates, CRLs): mode 0644. */
    static OutputFile open(Path target, boolean force) {
        return new OutputFile(target, false, force);
    }

    /** Refuses two outputs of one command that name the same file. */
    static void distinct(List<Path> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = i + 1; j < paths.size(); j++) {
                if (paths.get(i)
                        .toAbsolutePath()
                        .normalize()
                        .equals(paths.get(j).toAbsolutePath().normalize())) {
                    throw new SignetException("usage.output_twice", paths.get(i) + " is named for two outputs");
                }
            }
        }
    }

    Path target() {
        return target;
    }

    void write(String text) {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code content} and moves it into place. When the content cannot be moved into place it
     * stays in the temporary file (mode 0600), whose name the message gives: the server may already
     * have issued it or removed its own copy.
     */
    void write(byte[] content) {
        try (FileChannel ch =
                FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new SignetException("cli.write_failed", "cannot write " + target + ": " + reason(e));
        }
        try {
            if (!secret && posix(temporary)) {
                Files.setPosixFilePermissions(temporary, PUBLIC);
            }
            if (force) {
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                try {
                    Files.createLink(target, temporary);
                    Files.delete(temporary);
                } catch (FileAlreadyExistsException e) {
                    throw e;
                } catch (UnsupportedOperationException | FileSystemException e) {
                    // No hard links here (some network and FAT file systems): a plain rename, which still
                    // refuses an existing target, with a short window between its check and the rename.
                    Files.move(temporary, target);
                }
            }
            done = true;
        } catch (FileAlreadyExistsException e) {
            keep = true;
            throw new SignetException(
                    "cli.output_exists",
                    target + " was created by someone else meanwhile; what the server sent is in " + temporary);
        } catch (IOException e) {
            keep = true;
            throw new SignetException(
                    "cli.write_failed",
                    "cannot move " + temporary + " to " + target + " (" + reason(e) + "); what the server sent is in "
                            + temporary);
        }
    }

    /** Removes the temporary file unless it was moved into place or holds what could not be. */
    @Override
    public void close() {
        if (!done && !keep) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // Best effort: an empty 0600 file is left behind.
            }
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String reason(IOException e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " " + e.getMessage();
    }
}
