package dev.signet.server.signin;

import java.time.Duration;
import java.util.Optional;

/**
 * The brute-force check sign-in passes before any password hashing (see {@code
 * dev.signet.server.guard.SignInGuard}, which keeps its state in the database).
 */
public interface ThrottleGate {
    /** A refusal: which rule ({@code account}, {@code ip}, {@code stuffing}, {@code spraying}) and for how long. */
    record Throttled(String scope, Duration retryAfter) {}

    /** Called before hashing; an empty answer lets the attempt through. */
    Optional<Throttled> check(String usernameKey, String ip);

    void failed(String usernameKey, String ip, CharSequence password);

    void succeeded(String usernameKey, String ip);
}
