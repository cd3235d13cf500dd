package dev.signet.server.account;

import java.time.Instant;
import java.util.Optional;

/** A user account. The password hash is deliberately not part of this view. */
public record User(
        String id,
        String username,
        String email,
        String displayName,
        Role role,
        Status status,
        Kind kind,
        Instant createdAt,
        Optional<Instant> lastSignInAt) {

    public enum Role {
        ADMIN,
        USER
    }

    public enum Status {
        ACTIVE,
        DISABLED
    }

    /** A person signs in with a password (and later factors); a service account only uses API tokens. */
    public enum Kind {
        PERSON,
        SERVICE
    }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }
}
