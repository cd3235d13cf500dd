package dev.signet.cli;

import dev.signet.core.sign.DigestAlgorithm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Streaming digests of files: one pass through a {@link FileChannel} into a large reused buffer,
 * nothing else held in memory, whatever the file's size. A file is looked at before and after it is
 * read, so a file that changes (or is replaced) while it is read is noticed rather than signed with
 * a digest of half its old and half its new content.
 */
final class Hashing {
    /** Large enough that a typical file is one read, and a 5 GB one costs few system calls. */
    static final int BUFFER = 1 << 20;

    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocate(BUFFER));

    private Hashing() {}

    /**
     * Starts compiling the digest's fast path while the command is still starting: many small
     * updates make the JIT compile {@code DigestBase.implCompressMultiBlock} with its SHA
     * intrinsic within about 0.1 s, where 1 MiB updates would take gigabytes of slow hashing to get
     * there (measured on JDK 25: 1.28 GB in 1.0 s cold, 0.75 s after this). On a daemon thread; the
     * digests it makes are thrown away.
     */
    static void warmUp(DigestAlgorithm... algorithms) {
        Thread t = new Thread(
                () -> {
                    byte[] block = new byte[128];
                    for (DigestAlgorithm algorithm : algorithms) {
                        MessageDigest md = algorithm.newDigest();
                        for (int i = 0; i < 20_000; i++) {
                            md.update(block);
                        }
                        md.digest();
                    }
                },
                "signet-hash-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** What a file was when it was hashed: enough to tell later that it is still the same. */
    record Stamp(long size, FileTime modified, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        }

        /** Whether {@code file} still has this size, time and identity (false when it is gone). */
        boolean same(Path file) {
            try {
                return equals(of(file));
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Why a file cannot be hashed, as a stable code and a sentence. */
    static final class FileProblem extends Exception {
        private final String code;

        FileProblem(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    /** A regular file (through links), or the reason it is not one; one stat when it is one. */
    static Stamp check(Path file) throws FileProblem {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw Files.isSymbolicLink(file)
                    ? new FileProblem("file.missing", "is a link to nothing")
                    : new FileProblem("file.missing", "does not exist (removed?)");
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (a.isDirectory()) {
            throw new FileProblem("file.not_regular", "is a directory (sign what is in it with --recursive DIR)");
        }
        if (!a.isRegularFile()) {
            throw new FileProblem("file.not_regular", "is not a regular file (a device, pipe or socket)");
        }
        return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
    }

    /**
     * The digest of the whole file, read once.
     *
     * @param read told how many bytes were read, as they are read (for the progress display)
     * @return the digest and the file's stamp from before it was read
     */
    static Digested digest(Path file, DigestAlgorithm algorithm, LongConsumer read) throws FileProblem {
        Stamp before = check(file);
        MessageDigest md = algorithm.newDigest();
        ByteBuffer buffer = BUFFERS.get();
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    md.update(buffer.array(), 0, n);
                    total += n;
                    read.accept(n);
                }
            }
        } catch (NoSuchFileException e) {
            throw new FileProblem("file.missing", "does not exist (removed?)");
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (total != before.size() || !before.same(file)) {
            throw new FileProblem("file.changed", "changed while it was being read; sign it again once it is complete");
        }
        return new Digested(md.digest(), before);
    }

    record Digested(byte[] digest, Stamp stamp) {
        Digested {
            Objects.requireNonNull(digest);
            Objects.requireNonNull(stamp);
        }
    }

    static FileProblem unreadable(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String text = e instanceof java.nio.file.AccessDeniedException
                ? "cannot be read: permission denied"
                : "cannot be read: " + message;
        return new FileProblem("file.unreadable", text);
    }
}
