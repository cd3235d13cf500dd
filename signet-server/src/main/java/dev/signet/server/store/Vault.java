package dev.signet.server.store;

import dev.signet.core.crypto.CryptoException;
import dev.signet.core.crypto.MasterKey;
import dev.signet.server.config.SignetSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Opens the store with its master key, in the one order that cannot damage data:
 *
 * <ol>
 *   <li>connect (an unreachable database stops here, nothing written);
 *   <li>if the database already has a keyring, find the master key and check it against the stored
 *       check value — a wrong or missing key stops here, before any migration runs;
 *   <li>migrate;
 *   <li>on a new database, record the key's check value (generating the key file if needed).
 * </ol>
 *
 * The key comes from {@code SIGNET_MASTER_KEY} when set, else from {@code data/master.key}.
 */
public final class Vault {
    public static final String KEY_FILE = "master.key";
    public static final String PENDING_KEY_FILE = "master.key.new";

    /** An open store and its key ring. Closing closes the store. */
    public record Opened(Store store, KeyRing keyRing) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    private Vault() {}

    /**
     * @param notices where to print operator notices (a new key file to back up, a completed rotation)
     */
    public static Opened open(SignetSettings settings, Clock clock, PrintStream notices) {
        return open(settings, clock, notices, false);
    }

    /**
     * @param mustExist refuse (changing nothing) when the database has not been set up yet — for
     *     commands that only make sense on an existing installation
     */
    public static Opened open(SignetSettings settings, Clock clock, PrintStream notices, boolean mustExist) {
        if (mustExist
                && settings.dbUrl().isEmpty()
                && !Files.exists(settings.dataDir().resolve("signet.db"))) {
            throw new StoreException(
                    StoreException.UNREACHABLE,
                    "no Signet database in " + settings.dataDir() + " (set --data-dir or SIGNET_DATA_DIR)");
        }
        Store store = Store.connect(settings);
        try {
            Optional<String> check = storedCheckValue(store);
            if (mustExist && check.isEmpty()) {
                throw new StoreException(
                        StoreException.UNREACHABLE,
                        "the database (" + store.description() + ") has not been set up yet");
            }
            MasterKey key = resolve(settings, check, notices);
            store.migrate();
            if (check.isEmpty()) {
                long now = clock.millis();
                store.jdbc()
                        .sql(
                                "INSERT INTO keyring (name, check_value, created_at, updated_at) VALUES ('master', ?, ?, ?)")
                        .params(key.checkValue(), now, now)
                        .update();
            }
            return new Opened(store, new KeyRing(store, key, clock));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Replaces the master key: a new key is made, every data key is re-wrapped under it in one
     * transaction, then the new key file replaces the old one. A crash between the two leaves {@code
     * master.key.new}, which the next start recognises and completes. With {@code SIGNET_MASTER_KEY}
     * the new key is printed once instead, for the operator to put in the environment.
     *
     * @return the number of data keys re-wrapped
     */
    public static int rotate(SignetSettings settings, Opened opened, PrintStream out) {
        MasterKey next = MasterKey.generate();
        if (settings.masterKey().isPresent()) {
            int n = opened.keyRing().rewrapAll(next);
            out.println("New master key (set it as SIGNET_MASTER_KEY before the next start; it is shown only once):");
            out.println(next.toBase64());
            return n;
        }
        Path file = settings.dataDir().resolve(KEY_FILE);
        Path pending = settings.dataDir().resolve(PENDING_KEY_FILE);
        try {
            Files.deleteIfExists(pending);
        } catch (IOException e) {
            throw new StoreException(StoreException.MASTER_KEY, "cannot remove a stale " + pending + ": " + e);
        }
        MasterKeyFile.create(pending, next);
        int n = opened.keyRing().rewrapAll(next);
        try {
            MasterKeyFile.move(pending, file);
        } catch (IOException e) {
            throw new StoreException(
                    StoreException.MASTER_KEY,
                    "the data keys are re-wrapped under " + pending + " but it could not replace " + file + " (" + e
                            + "); move it by hand: mv " + pending + " " + file);
        }
        return n;
    }

    private static Optional<String> storedCheckValue(Store store) {
        if (!store.tableExists("keyring")) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql("SELECT check_value FROM keyring WHERE name = 'master'")
                .query(String.class)
                .optional();
    }

    private static MasterKey resolve(SignetSettings settings, Optional<String> check, PrintStream notices) {
        if (settings.masterKey().isPresent()) {
            MasterKey key;
            try {
                key = MasterKey.fromBase64(settings.masterKey().get());
            } catch (CryptoException e) {
                throw new StoreException(
                        StoreException.MASTER_KEY, "SIGNET_MASTER_KEY is not usable: " + e.getMessage());
            }
            if (check.isPresent() && !key.matches(check.get())) {
                throw new StoreException(
                        StoreException.MASTER_KEY,
                        "SIGNET_MASTER_KEY does not match this database: it was created with another master key."
                                + " Nothing was changed. Set the key this database was created with.");
            }
            return key;
        }
        Path dir = settings.dataDir();
        Path file = dir.resolve(KEY_FILE);
        Path pending = dir.resolve(PENDING_KEY_FILE);
        if (Files.exists(file)) {
            MasterKey key = MasterKeyFile.read(file);
            if (check.isEmpty() || key.matches(check.get())) {
                return key;
            }
            return completeRotation(pending, file, check.get(), notices)
                    .orElseThrow(() -> new StoreException(
                            StoreException.MASTER_KEY,
                            file + " does not match this database: it was created with another master key."
                                    + " Nothing was changed. Restore the master.key that belongs to this database from"
                                    + " your backup, or set SIGNET_MASTER_KEY."));
        }
        if (check.isPresent()) {
            return completeRotation(pending, file, check.get(), notices)
                    .orElseThrow(() -> new StoreException(
                            StoreException.MASTER_KEY,
                            "the master key is missing: this database was created with a master key, but " + file
                                    + " does not exist and SIGNET_MASTER_KEY is not set. Nothing was changed."
                                    + " Restore master.key from your backup into " + dir + "."));
        }
        Store.ensurePrivateDirectory(dir);
        MasterKey key = MasterKey.generate();
        MasterKeyFile.create(file, key);
        notices.println("signet: WARNING: generated a new master key in " + file
                + ". Back it up now, apart from the database: without it every stored secret is lost.");
        return key;
    }

    private static Optional<MasterKey> completeRotation(Path pending, Path file, String check, PrintStream notices) {
        if (!Files.exists(pending)) {
            return Optional.empty();
        }
        MasterKey key = MasterKeyFile.read(pending);
        if (!key.matches(check)) {
            return Optional.empty();
        }
        try {
            MasterKeyFile.move(pending, file);
        } catch (IOException e) {
            throw new StoreException(StoreException.MASTER_KEY, "cannot move " + pending + " to " + file + ": " + e);
        }
        notices.println(
                "signet: completed an interrupted master key rotation: " + file + " is the new key. Back it up.");
        return Optional.of(key);
    }
}
