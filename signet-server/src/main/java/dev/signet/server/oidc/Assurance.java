package dev.signet.server.oidc;

import dev.signet.server.signin.SignetAuthentication;
import java.util.Optional;

/**
 * How strongly a session's user proved who they are, as the {@code acr} claim (<a
 * href="https://openid.net/specs/openid-connect-core-1_0.html#IDToken">OpenID Connect Core 1.0 section
 * 2</a>) says it and as {@code acr_values} (section 3.1.2.1) asks for it. The levels are ordered: a
 * stronger one satisfies a request for a weaker one.
 *
 * <ul>
 *   <li>{@code urn:signet:acr:pwd}: one factor, a password;
 *   <li>{@code urn:signet:acr:mfa}: two factors of different kinds (password and one-time code, or a
 *       passkey, which is possession plus user verification);
 *   <li>{@code urn:signet:acr:phishing-resistant}: a passkey was used (bound to this server's origin).
 * </ul>
 */
public enum Assurance {
    PWD("urn:signet:acr:pwd"),
    MFA("urn:signet:acr:mfa"),
    PHISHING_RESISTANT("urn:signet:acr:phishing-resistant");

    private final String uri;

    Assurance(String uri) {
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }

    public boolean satisfies(Assurance required) {
        return ordinal() >= required.ordinal();
    }

    /** What the session achieved. */
    public static Assurance of(SignetAuthentication auth) {
        boolean phishingResistant =
                auth.factors().stream().anyMatch(u -> u.factor().phishingResistant());
        if (phishingResistant) {
            return PHISHING_RESISTANT;
        }
        return auth.amr().contains("mfa") ? MFA : PWD;
    }

    /** The level named {@code uri}, if it is one of Signet's. */
    public static Optional<Assurance> byUri(String uri) {
        for (Assurance a : values()) {
            if (a.uri.equals(uri)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The weakest level among the values of an {@code acr_values} parameter that Signet knows (the
     * client lists acceptable ones: any will do, and a stronger one always does); empty when it names
     * none of them (unknown values are ignored, as the parameter is a voluntary request).
     */
    public static Optional<Assurance> required(String acrValues) {
        if (acrValues == null || acrValues.isBlank()) {
            return Optional.empty();
        }
        Assurance weakest = null;
        for (String value : acrValues.trim().split("\\s+")) {
            Optional<Assurance> level = byUri(value);
            if (level.isPresent() && (weakest == null || level.get().ordinal() < weakest.ordinal())) {
                weakest = level.get();
            }
        }
        return Optional.ofNullable(weakest);
    }
}
