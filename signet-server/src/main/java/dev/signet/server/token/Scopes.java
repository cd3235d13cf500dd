package dev.signet.server.token;

import dev.signet.server.account.AccountException;
import dev.signet.server.account.User;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an API token may do. A token never carries more than its owner's role allows: the
 * administrative scopes need an administrator. Later features add their scopes here.
 *
 * <p>Besides the fixed scopes there is one pattern: {@code sign:KEYNAME}, the right to sign with the
 * signing key named KEYNAME (stored lower-cased; key names are case-insensitive). Any account may
 * give it to its tokens; whether the token's owner (or the token) is granted on that key is checked
 * when it signs ({@code signing.SigningService}), so a {@code sign:} scope for a key the owner may
 * not use, or one that does not exist yet, is accepted here and refused there.
 */
public final class Scopes {
    public static final String USERS_READ = "users:read";
    public static final String USERS_WRITE = "users:write";
    public static final String AUDIT_READ = "audit:read";
    public static final String TOKENS_WRITE = "tokens:write";
    public static final String SESSIONS_WRITE = "sessions:write";
    public static final String CA_ISSUE = "ca:issue";
    public static final String CA_ADMIN = "ca:admin";
    public static final String VALIDATE = "validate";
    public static final String KEYS_ADMIN = "keys:admin";
    /** The prefix of the dynamic {@code sign:KEYNAME} scopes. */
    public static final String SIGN_PREFIX = "sign:";

    /** A signing key's name, as in {@code sign:KEYNAME}: what {@code signing.SigningKeyService} accepts. */
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public static final String CLIENTS_ADMIN = "clients:admin";

    /** Every scope, with whether it needs the administrator role, and what it allows. */
    public record Scope(String name, boolean adminOnly, String description) {}

    private static final Map<String, Scope> ALL = new TreeMap<>();

    static {
        add(USERS_READ, true, "list and read user accounts");
        add(USERS_WRITE, true, "create, change, disable and delete user accounts; end their sessions");
        add(AUDIT_READ, true, "read the audit log and sign-in history");
        add(TOKENS_WRITE, false, "list, create and revoke the owner's own API tokens");
        add(SESSIONS_WRITE, false, "list and end the owner's own browser sessions");
        add(CA_ISSUE, true, "list CAs and certificates, issue certificates from CSRs or generated keys, download them");
        add(VALIDATE, true, "check users' passwords and one-time codes (for VPN, SSH, PAM and RADIUS bridges)");
        add(CA_ADMIN, true, "create, import and take offline certificate authorities; revoke certificates");
        add(KEYS_ADMIN, true, "create signing keys, grant and remove their use, export exportable keys");
        add(CLIENTS_ADMIN, true, "register, change and delete OpenID Connect clients; issue their secrets");
    }

    private static void add(String name, boolean adminOnly, String description) {
        ALL.put(name, new Scope(name, adminOnly, description));
    }

    private Scopes() {}

    public static List<Scope> all() {
        return List.copyOf(ALL.values());
    }

    /** The scope that lets a token sign with the key named {@code keyName}. */
    public static String sign(String keyName) {
        return SIGN_PREFIX + keyName.toLowerCase(Locale.ROOT);
    }

    /** The key name of a well-formed {@code sign:KEYNAME} scope (lower-cased), or empty. */
    public static Optional<String> signKey(String scope) {
        if (scope == null || !scope.regionMatches(true, 0, SIGN_PREFIX, 0, SIGN_PREFIX.length())) {
            return Optional.empty();
        }
        String name = scope.substring(SIGN_PREFIX.length());
        return KEY_NAME.matcher(name).matches() ? Optional.of(name.toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** Whether a token of a user of {@code role} may carry {@code scope}. */
    public static boolean allows(String scope, User.Role role) {
        if (signKey(scope).isPresent()) {
            return true;
        }
        Scope s = ALL.get(scope);
        return s != null && (!s.adminOnly() || role == User.Role.ADMIN);
    }

    /** The scopes a user of {@code role} may give a token. */
    public static List<Scope> grantableTo(User.Role role) {
        return ALL.values().stream()
                .filter(s -> !s.adminOnly() || role == User.Role.ADMIN)
                .toList();
    }

    /**
     * Parses a list of scopes (separated by spaces or commas) for a token owned by a user of {@code
     * role}.
     *
     * @throws AccountException {@code token.scopes_missing}, {@code token.scope_unknown} or {@code
     *     token.scope_not_allowed}
     */
    public static Set<String> parse(String text, User.Role role) {
        Set<String> scopes = new LinkedHashSet<>();
        if (text != null) {
            for (String part : text.split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    scopes.add(part);
                }
            }
        }
        return check(scopes, role);
    }

    public static Set<String> check(Set<String> scopes, User.Role role) {
        if (scopes.isEmpty()) {
            throw new AccountException("token.scopes_missing", "a token needs at least one scope");
        }
        Set<String> canonical = new LinkedHashSet<>();
        for (String s : scopes) {
            Optional<String> key = signKey(s);
            if (key.isPresent()) {
                canonical.add(SIGN_PREFIX + key.get());
                continue;
            }
            Scope scope = ALL.get(s);
            if (scope == null) {
                throw new AccountException(
                        "token.scope_unknown",
                        "unknown scope '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'; known: "
                                + String.join(" ", ALL.keySet()) + " " + SIGN_PREFIX + "KEYNAME");
            }
            if (scope.adminOnly() && role != User.Role.ADMIN) {
                throw new AccountException(
                        "token.scope_not_allowed", "scope '" + s + "' needs an administrator account");
            }
            canonical.add(s);
        }
        return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(canonical));
    }
}
