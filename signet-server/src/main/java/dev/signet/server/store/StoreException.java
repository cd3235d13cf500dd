package dev.signet.server.store;

import dev.signet.core.SignetException;

/** The store cannot start or serve: unreachable database, wrong master key, unsafe key file. */
public final class StoreException extends SignetException {
    public static final String UNREACHABLE = "store.unreachable";
    public static final String MASTER_KEY = "store.master_key";
    public static final String MIGRATION = "store.migration";

    public StoreException(String code, String message) {
        super(code, message);
    }

    public StoreException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
