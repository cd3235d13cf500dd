package dev.signet.server.account;

import dev.signet.core.SignetException;

/** A request about an account that cannot be honoured; the code is stable. */
public final class AccountException extends SignetException {
    public AccountException(String code, String message) {
        super(code, message);
    }
}
