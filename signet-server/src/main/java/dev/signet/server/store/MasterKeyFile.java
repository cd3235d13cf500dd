package dev.signet.server.store;

import dev.signet.core.crypto.CryptoException;
import dev.signet.core.crypto.MasterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The master key file ({@code data/master.key}): base64, one line, mode 0600. Like ssh with a
 * private key, Signet refuses a key file that others can read.
 */
public final class MasterKeyFile {
    private MasterKeyFile() {}

    public static MasterKey read(Path file) {
        checkPermissions(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new StoreException(StoreException.MASTER_KEY, "cannot read the master key file " + file + ": " + e);
        }
        try {
            return MasterKey.fromBase64(text);
        } catch (CryptoException e) {
            throw new StoreException(
                    StoreException.MASTER_KEY, "the master key file " + file + " is damaged: " + e.getMessage());
        }
    }

    /** Writes a new key file with mode 0600, atomically; fails if the file exists. */
    public static void create(Path file, MasterKey key) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, key.toBase64() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.SYNC);
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString());
            }
            move(tmp, file);
        } catch (IOException e) {
            throw new StoreException(StoreException.MASTER_KEY, "cannot write the master key file " + file + ": " + e);
        }
    }

    /** Atomically replaces {@code target} with {@code source}. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void checkPermissions(Path file) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new StoreException(StoreException.MASTER_KEY, "cannot read the master key file " + file + ": " + e);
        }
        for (PosixFilePermission p : perms) {
            switch (p) {
                case GROUP_READ, GROUP_WRITE, GROUP_EXECUTE, OTHERS_READ, OTHERS_WRITE, OTHERS_EXECUTE ->
                    throw new StoreException(
                            StoreException.MASTER_KEY,
                            "permissions " + PosixFilePermissions.toString(perms) + " for the master key file " + file
                                    + " are too open: it must be readable by its owner only. Run: chmod 600 " + file);
                default -> {}
            }
        }
    }
}
