package dev.signet.server.oidc;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.signet.server.account.DisplayNames;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registry's rules for what a client may be, each refusal a {@link ClientException} with a stable
 * code. Pure functions of their input: nothing here reads or writes storage.
 */
final class ClientRules {
    static final int MAX_NAME = 100;
    static final int MAX_URIS = 20;
    static final int MAX_URI_LENGTH = 2000;
    static final int MAX_SCOPES = 50;
    static final int MAX_SCOPE_LENGTH = 100;
    static final int MAX_JWKS_LENGTH = 16 * 1024;
    static final int MAX_JWKS_KEYS = 10;
    static final int MIN_RSA_BITS = 2048;

    static final Duration DEFAULT_ACCESS_TTL = Duration.ofMinutes(5);
    static final Duration DEFAULT_REFRESH_TTL = Duration.ofDays(30);
    static final Duration MIN_ACCESS_TTL = Duration.ofMinutes(1);
    static final Duration MAX_ACCESS_TTL = Duration.ofHours(24);
    static final Duration MIN_REFRESH_TTL = Duration.ofMinutes(5);
    static final Duration MAX_REFRESH_TTL = Duration.ofDays(366);

    /** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    /** RFC 3986 §3.1 scheme; a private-use scheme must also contain a dot (RFC 8252 §7.1). */
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    private ClientRules() {}

    static String name(String name) {
        return DisplayNames.clean(name, MAX_NAME)
                .orElseThrow(() -> new ClientException(
                        ClientException.NAME_INVALID,
                        "a client needs a name of 1 to " + MAX_NAME + " printable characters"));
    }

    /** A public client authenticates with nothing; a confidential one with a secret or a key. */
    static void auth(ClientType type, ClientAuth auth) {
        if (type == null) {
            throw new ClientException(ClientException.TYPE_UNKNOWN, "the client type must be confidential or public");
        }
        if (auth == null) {
            throw new ClientException(
                    ClientException.AUTH_UNKNOWN,
                    "the authentication method must be client_secret_basic, client_secret_post, private_key_jwt"
                            + " or none");
        }
        if (type == ClientType.PUBLIC && auth != ClientAuth.NONE) {
            throw new ClientException(
                    ClientException.AUTH_INVALID,
                    "a public client cannot keep a secret or a key; its authentication method is none (it uses PKCE)");
        }
        if (type == ClientType.CONFIDENTIAL && auth == ClientAuth.NONE) {
            throw new ClientException(
                    ClientException.AUTH_INVALID,
                    "a confidential client authenticates: client_secret_basic, client_secret_post or private_key_jwt");
        }
    }

    /**
     * The JWK Set of a {@code private_key_jwt} client (RFC 7517 §5), as public JSON: 1 to 10 public
     * signing keys (RSA of 2048 bits or more, EC on P-256, P-384 or P-521, or Ed25519), key ids unique.
     * Any other client must not have one.
     *
     * @return the normalised public JWK Set, or {@code null} when the client uses no keys
     */
    static String jwks(ClientAuth auth, String jwks) {
        boolean given = jwks != null && !jwks.isBlank();
        if (auth != ClientAuth.PRIVATE_KEY_JWT) {
            if (given) {
                throw new ClientException(
                        ClientException.JWKS_UNEXPECTED, "only a private_key_jwt client has a JWK Set");
            }
            return null;
        }
        if (!given) {
            throw new ClientException(
                    ClientException.JWKS_INVALID, "a private_key_jwt client needs the JWK Set of its public keys");
        }
        if (jwks.length() > MAX_JWKS_LENGTH) {
            throw new ClientException(
                    ClientException.JWKS_INVALID, "the JWK Set is longer than " + MAX_JWKS_LENGTH + " characters");
        }
        JWKSet set;
        try {
            set = JWKSet.parse(jwks);
        } catch (ParseException | RuntimeException e) {
            throw new ClientException(
                    ClientException.JWKS_INVALID, "the JWK Set is not a JSON JWK Set (RFC 7517 §5): {\"keys\": [...]}");
        }
        List<JWK> keys = set.getKeys();
        if (keys.isEmpty() || keys.size() > MAX_JWKS_KEYS) {
            throw new ClientException(
                    ClientException.JWKS_INVALID, "the JWK Set must hold 1 to " + MAX_JWKS_KEYS + " keys");
        }
        Set<String> kids = new HashSet<>();
        for (JWK key : keys) {
            if (key.isPrivate()) {
                throw new ClientException(
                        ClientException.JWKS_INVALID,
                        "register public keys only: the JWK Set holds a private or symmetric key; keep that on the client");
            }
            if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
                throw new ClientException(ClientException.JWKS_INVALID, "a key's \"use\" must be \"sig\"");
            }
            String strength = switch (key) {
                case RSAKey rsa -> rsa.size() >= MIN_RSA_BITS ? null : "RSA keys need at least 2048 bits";
                case ECKey ec ->
                    Set.of(Curve.P_256, Curve.P_384, Curve.P_521).contains(ec.getCurve())
                            ? null
                            : "EC keys must be on P-256, P-384 or P-521";
                case OctetKeyPair okp -> Curve.Ed25519.equals(okp.getCurve()) ? null : "OKP keys must be Ed25519";
                default -> "keys must be RSA, EC or Ed25519";
            };
            if (strength != null) {
                throw new ClientException(ClientException.JWKS_INVALID, strength);
            }
            if (key.getKeyID() != null && !kids.add(key.getKeyID())) {
                throw new ClientException(ClientException.JWKS_INVALID, "two keys have the same \"kid\"");
            }
        }
        return set.toPublicJWKSet().toString(true);
    }

    /** The grant types in {@link OidcClient#GRANT_TYPES} order, checked against the client's type and method. */
    static Set<String> grants(Set<String> requested, ClientType type, ClientAuth auth) {
        if (requested == null || requested.isEmpty()) {
            throw new ClientException(
                    ClientException.GRANT_MISSING,
                    "a client needs at least one grant type: " + String.join(", ", OidcClient.GRANT_TYPES));
        }
        for (String g : requested) {
            if (g == null || !OidcClient.GRANT_TYPES.contains(g)) {
                throw new ClientException(
                        ClientException.GRANT_UNKNOWN,
                        "unknown grant type '" + printable(g) + "'; Signet offers "
                                + String.join(", ", OidcClient.GRANT_TYPES) + " (not implicit or password)");
            }
        }
        if (requested.contains(OidcClient.CLIENT_CREDENTIALS) && type == ClientType.PUBLIC) {
            throw new ClientException(
                    ClientException.GRANT_NOT_ALLOWED,
                    "client_credentials is for confidential clients: a public client cannot prove who it is");
        }
        if (requested.contains(OidcClient.DEVICE_CODE) && auth.usesSecret()) {
            throw new ClientException(
                    ClientException.GRANT_NOT_ALLOWED,
                    "a device client proves itself by signing (private_key_jwt) or is public; it never holds"
                            + " a shared secret");
        }
        if (requested.contains(OidcClient.REFRESH_TOKEN)
                && !requested.contains(OidcClient.AUTHORIZATION_CODE)
                && !requested.contains(OidcClient.DEVICE_CODE)) {
            throw new ClientException(
                    ClientException.GRANT_NOT_ALLOWED,
                    "refresh_token goes with authorization_code or the device grant, which sign a person in");
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String g : OidcClient.GRANT_TYPES) {
            if (requested.contains(g)) {
                ordered.add(g);
            }
        }
        return ordered;
    }

    /**
     * Redirect URIs (RFC 6749 §3.1.2, RFC 9700 §2.1 exact matching, RFC 8252 §7 for native apps):
     * absolute, no fragment, no wildcard; {@code https}, or {@code http} on {@code 127.0.0.1} or
     * {@code [::1]} only, or a private-use scheme with a dot in it ({@code com.example.app:/callback}).
     */
    static List<String> redirectUris(List<String> uris, String field, String code) {
        if (uris == null) {
            return List.of();
        }
        if (uris.size() > MAX_URIS) {
            throw new ClientException(code, "at most " + MAX_URIS + " " + field + " URIs");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String uri : uris) {
            out.add(redirectUri(uri, field, code));
        }
        return new ArrayList<>(out);
    }

    static String redirectUri(String raw, String field, String code) {
        String s = raw == null ? "" : raw.strip();
        String shown = printable(s);
        if (s.isEmpty() || s.length() > MAX_URI_LENGTH) {
            throw new ClientException(code, field + " URIs must be 1 to " + MAX_URI_LENGTH + " characters");
        }
        if (s.contains("#")) {
            throw new ClientException(code, field + " URI " + shown + " has a fragment; fragments are not allowed");
        }
        if (s.contains("*")) {
            throw new ClientException(
                    code, field + " URI " + shown + " has a wildcard; register each exact URI instead");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new ClientException(code, field + " URI " + shown + " is not a valid URI");
        }
        if (!uri.isAbsolute()) {
            throw new ClientException(code, field + " URI " + shown + " must be absolute, with a scheme");
        }
        String scheme = uri.getScheme();
        if (!scheme.equals(scheme.toLowerCase(Locale.ROOT))) {
            throw new ClientException(code, field + " URI " + shown + ": write the scheme in lower case");
        }
        if (scheme.equals("https") || scheme.equals("http")) {
            webUri(uri, shown, field, code);
        } else if (!SCHEME.matcher(scheme).matches() || !scheme.contains(".")) {
            throw new ClientException(
                    code,
                    field + " URI " + shown + " must use https, http on 127.0.0.1 or [::1], or a private-use"
                            + " scheme named after a domain you own (com.example.app:/callback)");
        }
        return s;
    }

    /** The back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.2): https or loopback http. */
    static String logoutUri(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String s = raw.strip();
        String shown = printable(s);
        String code = ClientException.LOGOUT_URI_INVALID;
        if (s.length() > MAX_URI_LENGTH || s.contains("#")) {
            throw new ClientException(
                    code, "back-channel logout URI " + shown + " must be at most 2000 characters, without a fragment");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new ClientException(code, "back-channel logout URI " + shown + " is not a valid URI");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new ClientException(code, "back-channel logout URI " + shown + " must use https");
        }
        webUri(uri, shown, "back-channel logout", code);
        return s;
    }

    private static void webUri(URI uri, String shown, String field, String code) {
        String host = uri.getHost();
        if (uri.isOpaque() || host == null || host.isEmpty()) {
            throw new ClientException(code, field + " URI " + shown + " has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ClientException(code, field + " URI " + shown + " must not carry a user name or password");
        }
        if (uri.getScheme().equals("http")) {
            if (host.equalsIgnoreCase("localhost")) {
                throw new ClientException(
                        code,
                        field + " URI " + shown + ": use http://127.0.0.1 or http://[::1] rather than localhost"
                                + " (RFC 8252 §8.3)");
            }
            if (!host.equals("127.0.0.1") && !host.equals("[::1]")) {
                throw new ClientException(
                        code, field + " URI " + shown + " must use https; plain http is only for 127.0.0.1 or [::1]");
            }
        }
    }

    /** Scopes as RFC 6749 §3.3 scope tokens, in the order given, without duplicates. */
    static Set<String> scopes(Set<String> scopes) {
        if (scopes == null) {
            return Set.of();
        }
        if (scopes.size() > MAX_SCOPES) {
            throw new ClientException(ClientException.SCOPE_INVALID, "at most " + MAX_SCOPES + " scopes");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : scopes) {
            if (s == null
                    || s.length() > MAX_SCOPE_LENGTH
                    || !SCOPE_TOKEN.matcher(s).matches()) {
                throw new ClientException(
                        ClientException.SCOPE_INVALID,
                        "scope '" + printable(s) + "' is not a scope token (RFC 6749 §3.3): 1 to " + MAX_SCOPE_LENGTH
                                + " printable ASCII characters without spaces, quotes or backslashes");
            }
            out.add(s);
        }
        return out;
    }

    static Duration accessTtl(Duration ttl) {
        Duration d = ttl == null ? DEFAULT_ACCESS_TTL : ttl;
        if (d.compareTo(MIN_ACCESS_TTL) < 0 || d.compareTo(MAX_ACCESS_TTL) > 0) {
            throw new ClientException(
                    ClientException.TTL_INVALID, "the access token lifetime must be from 1 minute to 24 hours");
        }
        return d;
    }

    static Duration refreshTtl(Duration ttl, Duration access) {
        Duration d = ttl == null ? DEFAULT_REFRESH_TTL : ttl;
        if (d.compareTo(MIN_REFRESH_TTL) < 0 || d.compareTo(MAX_REFRESH_TTL) > 0) {
            throw new ClientException(
                    ClientException.TTL_INVALID, "the refresh token lifetime must be from 5 minutes to 366 days");
        }
        if (d.compareTo(access) < 0) {
            throw new ClientException(
                    ClientException.TTL_INVALID, "the refresh token cannot live shorter than the access token");
        }
        return d;
    }

    static String idTokenAlgorithm(String alg) {
        if (alg == null || alg.isBlank()) {
            return OidcClient.ID_TOKEN_ALGORITHMS.getFirst();
        }
        for (String known : OidcClient.ID_TOKEN_ALGORITHMS) {
            if (known.equalsIgnoreCase(alg.strip())) {
                return known;
            }
        }
        throw new ClientException(
                ClientException.ALGORITHM_UNKNOWN,
                "the ID token algorithm must be one of " + String.join(", ", OidcClient.ID_TOKEN_ALGORITHMS));
    }

    /** Input quoted in a message: control characters replaced, cut at 80 code points. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return s.codePointCount(0, s.length()) > 80 ? b + "…" : b.toString();
    }
}
