package dev.signet.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.signet.core.SignetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet clients ...}: the server's OpenID Connect clients through {@code /api/v1/clients}
 * (needs a token with {@code clients:admin}). A new or rotated secret is printed once and never
 * again: {@code create} prints the client id and the secret on standard output, {@code
 * rotate-secret} the secret alone (so it can be piped into a secret store). A {@code
 * private_key_jwt} client's public keys come from a JWK Set file ({@code --jwks FILE}).
 */
@Command(
        name = "clients",
        mixinStandardHelpOptions = true,
        description = {
            "OpenID Connect clients (applications, services, devices) on the server.",
            "Needs a token with clients:admin."
        },
        subcommands = {
            ClientsCommand.ListClients.class,
            ClientsCommand.Create.class,
            ClientsCommand.Show.class,
            ClientsCommand.Update.class,
            ClientsCommand.Delete.class,
            ClientsCommand.RotateSecret.class
        })
final class ClientsCommand {
    static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
    private static final Pattern LIFETIME = Pattern.compile("(\\d{1,9})\\s*([smhd]?)");
    /** No JWK Set an operator registers is anywhere near this; the server takes 16 KiB. */
    private static final long MAX_JWKS = 64 * 1024;

    private ClientsCommand() {}

    static String clientPath(String id) {
        return "/api/v1/clients/" + ApiClient.encode(id);
    }

    /**
     * The settings {@code create} and {@code update} share. Every option is optional: {@code create}
     * leaves out what was not given (the server's defaults apply), {@code update} keeps what the
     * client has.
     */
    static final class Settings {
        @Option(names = "--name", paramLabel = "NAME", description = "What people see when they sign in.")
        String name;

        @Option(
                names = "--type",
                paramLabel = "confidential|public",
                description = "public: a single-page, mobile or desktop app (PKCE, no secret). Default: from --auth.")
        String type;

        @Option(
                names = "--auth",
                paramLabel = "METHOD",
                description = "client_secret_basic (default), client_secret_post, private_key_jwt or none (public).")
        String auth;

        @Option(
                names = "--jwks",
                paramLabel = "FILE",
                description = "The client's public keys, for private_key_jwt: a JWK Set (JSON), or PEM (a public"
                        + " key or certificate; of a key pair only the public half is sent).")
        Path jwks;

        @Option(
                names = "--redirect-uri",
                paramLabel = "URI",
                description = "An exact redirect URI (repeat for more); replaces the list on update.")
        List<String> redirectUris;

        @Option(
                names = "--post-logout-redirect-uri",
                paramLabel = "URI",
                description = "Where people may be sent after signing out (repeat for more).")
        List<String> postLogoutRedirectUris;

        @Option(
                names = "--grant",
                paramLabel = "GRANT",
                split = ",",
                description = "authorization_code, refresh_token, client_credentials, device_code (repeat or"
                        + " separate with commas). Default: authorization_code.")
        List<String> grants;

        @Option(
                names = "--scope",
                paramLabel = "SCOPES",
                description = "Scopes the client may ask for, e.g. 'openid profile email offline_access'.")
        String scope;

        @Option(names = "--access-ttl", paramLabel = "TIME", description = "Access token lifetime: 300s, 5m, 1h.")
        String accessTtl;

        @Option(names = "--refresh-ttl", paramLabel = "TIME", description = "Refresh token lifetime: 8h, 30d.")
        String refreshTtl;

        @Option(
                names = "--id-token-alg",
                paramLabel = "ALG",
                description = "ID token signature: ES256 (default), RS256 or EdDSA.")
        String idTokenAlg;

        @Option(
                names = "--consent",
                negatable = true,
                description = "Ask people to approve the scopes (default), or not (--no-consent).")
        Boolean consent;

        @Option(
                names = "--require-mfa",
                negatable = true,
                description = "Always require a second factor to sign in to this client.")
        Boolean requireMfa;

        @Option(
                names = "--backchannel-logout-uri",
                paramLabel = "URI",
                description = "Where Signet posts logout tokens (OpenID Connect Back-Channel Logout).")
        String backchannelLogoutUri;

        /** Puts every given setting into {@code body}, in the API's RFC 7591 names. */
        void into(Map<String, Object> body) {
            put(body, "client_name", name);
            put(body, "client_type", type);
            put(body, "token_endpoint_auth_method", auth);
            if (jwks != null) {
                body.put("jwks", readJwks(jwks));
            }
            put(body, "redirect_uris", redirectUris);
            put(body, "post_logout_redirect_uris", postLogoutRedirectUris);
            if (grants != null) {
                body.put(
                        "grant_types",
                        grants.stream().map(ClientsCommand::grant).toList());
            }
            put(body, "scope", scope);
            if (accessTtl != null) {
                body.put("access_token_ttl", seconds(accessTtl, "--access-ttl"));
            }
            if (refreshTtl != null) {
                body.put("refresh_token_ttl", seconds(refreshTtl, "--refresh-ttl"));
            }
            put(body, "id_token_signed_response_alg", idTokenAlg);
            put(body, "require_consent", consent);
            put(body, "require_mfa", requireMfa);
            put(body, "backchannel_logout_uri", backchannelLogoutUri);
        }

        private static void put(Map<String, Object> body, String field, Object value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the clients (never their secrets).")
    static final class ListClients implements Callable<Integer> {
        @Option(names = "--json", description = "Print the server's JSON answer.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = LoginCommand.client(spec).get("/api/v1/clients");
            if (json) {
                System.out.println(answer.toPrettyString());
                return Main.EXIT_OK;
            }
            Table table = new Table("NAME", "TYPE", "AUTH", "GRANTS", "STATE", "CLIENT ID");
            for (JsonNode c : answer.path("clients")) {
                table.row(
                        c.path("client_name").asString(),
                        c.path("client_type").asString(),
                        c.path("token_endpoint_auth_method").asString(),
                        String.join(",", grants(c)),
                        c.path("enabled").asBoolean() ? "enabled" : "disabled",
                        c.path("client_id").asString());
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Register a client. Prints its id and, for a client with a secret, the secret: once, so store it now.",
                "Examples:",
                "  web app:  --name Wiki --redirect-uri https://wiki.example.com/callback"
                        + " --grant authorization_code,refresh_token --scope 'openid profile email offline_access'",
                "  SPA:      --name Board --type public --redirect-uri https://board.example.com/cb --scope openid",
                "  service:  --name Sync --auth private_key_jwt --jwks sync.jwks.json --grant client_credentials"
                        + " --scope inventory:read"
            })
    static final class Create implements Callable<Integer> {
        @Mixin
        Settings settings;

        @Option(names = "--json", description = "Print the server's JSON answer (with the secret).")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (settings.name == null) {
                throw new SignetException("usage.name_missing", "give the client a name with --name");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            settings.into(body);
            JsonNode created = LoginCommand.client(spec).post("/api/v1/clients", body);
            if (json) {
                System.out.println(created.toPrettyString());
            } else {
                System.out.println("client_id:     " + created.path("client_id").asString());
                if (created.has("client_secret")) {
                    System.out.println(
                            "client_secret: " + created.path("client_secret").asString());
                }
            }
            System.err.println("Client '" + created.path("client_name").asString() + "' registered ("
                    + created.path("client_type").asString() + ", "
                    + created.path("token_endpoint_auth_method").asString() + ")."
                    + (created.has("client_secret") ? " The secret is shown once: store it now." : ""));
            return Main.EXIT_OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one client's settings.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "CLIENT_ID", description = "The client's id (see `signet clients list`).")
        String id;

        @Option(names = "--json", description = "Print the server's JSON answer.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode c = LoginCommand.client(spec).get(clientPath(id));
            if (json) {
                System.out.println(c.toPrettyString());
            } else {
                describe(c);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = {
                "Change a client's settings; what is not given stays. A list option (--redirect-uri, --grant)"
                        + " replaces the whole list.",
                "A client that changes to a secret method has no secret until `signet clients rotate-secret`."
            })
    static final class Update implements Callable<Integer> {
        @Parameters(paramLabel = "CLIENT_ID", description = "The client's id.")
        String id;

        @Mixin
        Settings settings;

        @Option(names = "--enable", description = "Let the client get tokens again.")
        boolean enable;

        @Option(names = "--disable", description = "Stop the client getting tokens (its settings stay).")
        boolean disable;

        @Option(names = "--no-redirect-uris", description = "Remove every redirect URI.")
        boolean noRedirectUris;

        @Option(names = "--no-jwks", description = "Remove the JWK Set (when leaving private_key_jwt).")
        boolean noJwks;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (enable && disable) {
                throw new SignetException("usage.conflict", "give --enable or --disable, not both");
            }
            ApiClient api = LoginCommand.client(spec);
            JsonNode current = api.get(clientPath(id));
            Map<String, Object> body = editable(current);
            if (noRedirectUris) {
                body.put("redirect_uris", List.of());
                body.put("post_logout_redirect_uris", List.of());
            }
            if (noJwks || (settings.auth != null && !settings.auth.equalsIgnoreCase("private_key_jwt"))) {
                body.remove("jwks");
            }
            settings.into(body);
            if (enable || disable) {
                body.put("enabled", enable);
            }
            JsonNode updated = api.send("PUT", clientPath(id), body);
            describe(updated);
            if (updated.path("token_endpoint_auth_method").asString().startsWith("client_secret")
                    && !updated.path("has_secret").asBoolean()) {
                System.err.println("The client has no secret yet: run `signet clients rotate-secret " + id + "`.");
            }
            return Main.EXIT_OK;
        }

        /** The client's current settings as a request body (what the server reports but does not take, left out). */
        private static Map<String, Object> editable(JsonNode c) {
            Map<String, Object> body = new LinkedHashMap<>();
            for (String field : List.of(
                    "client_name",
                    "client_type",
                    "token_endpoint_auth_method",
                    "jwks",
                    "redirect_uris",
                    "post_logout_redirect_uris",
                    "grant_types",
                    "scope",
                    "access_token_ttl",
                    "refresh_token_ttl",
                    "id_token_signed_response_alg",
                    "require_consent",
                    "require_mfa",
                    "backchannel_logout_uri",
                    "enabled")) {
                JsonNode v = c.path(field);
                if (!v.isMissingNode() && !v.isNull()) {
                    body.put(field, v);
                }
            }
            return body;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a client for good; its grants and refresh tokens end at once.")
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "CLIENT_ID", description = "The client's id.")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LoginCommand.client(spec).delete(clientPath(id));
            System.out.println("Client " + id + " deleted.");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "rotate-secret",
            mixinStandardHelpOptions = true,
            description = {
                "Issue a new secret; the old one stops working at once.",
                "The secret is printed once, alone on standard output."
            })
    static final class RotateSecret implements Callable<Integer> {
        @Parameters(paramLabel = "CLIENT_ID", description = "The client's id.")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode rotated = LoginCommand.client(spec).post(clientPath(id) + "/secret", null);
            System.out.println(rotated.path("client_secret").asString());
            System.err.println("New secret for '" + rotated.path("client_name").asString()
                    + "'; the old one no longer works. It is shown once: store it now.");
            return Main.EXIT_OK;
        }
    }

    // ---------------------------------------------------------------------------------------------

    static void describe(JsonNode c) {
        System.out.println("Client ID:       " + c.path("client_id").asString());
        System.out.println("Name:            " + c.path("client_name").asString());
        System.out.println("State:           " + (c.path("enabled").asBoolean() ? "enabled" : "disabled"));
        System.out.println("Type:            " + c.path("client_type").asString());
        String auth = c.path("token_endpoint_auth_method").asString();
        System.out.println("Authentication:  " + auth
                + (auth.startsWith("client_secret")
                        ? (c.path("has_secret").asBoolean() ? " (secret set)" : " (no secret yet)")
                        : ""));
        if (!c.path("jwks").isNull() && !c.path("jwks").isMissingNode()) {
            List<String> kids = new ArrayList<>();
            c.path("jwks")
                    .path("keys")
                    .forEach(k -> kids.add(
                            k.path("kty").asString() + ":" + k.path("kid").asString("-")));
            System.out.println("Keys:            " + String.join(", ", kids));
        }
        System.out.println("Grants:          " + String.join(", ", grants(c)));
        lines("Redirect URIs:   ", c.path("redirect_uris"));
        lines("After logout:    ", c.path("post_logout_redirect_uris"));
        System.out.println("Scopes:          " + c.path("scope").asString());
        System.out.println(
                "Access token:    " + lifetime(c.path("access_token_ttl").asLong()));
        System.out.println(
                "Refresh token:   " + lifetime(c.path("refresh_token_ttl").asLong()));
        System.out.println(
                "ID token alg:    " + c.path("id_token_signed_response_alg").asString());
        System.out.println("Consent:         " + (c.path("require_consent").asBoolean() ? "asked" : "not asked"));
        System.out.println(
                "Second factor:   " + (c.path("require_mfa").asBoolean() ? "always required" : "as the user's policy"));
        if (!c.path("backchannel_logout_uri").isNull()) {
            System.out.println(
                    "Logout URI:      " + c.path("backchannel_logout_uri").asString());
        }
        System.out.println("Created:         " + c.path("created_at").asString());
        System.out.println("Changed:         " + c.path("updated_at").asString());
    }

    private static void lines(String label, JsonNode values) {
        if (values.isEmpty()) {
            System.out.println(label + "-");
            return;
        }
        String pad = " ".repeat(label.length());
        boolean first = true;
        for (JsonNode v : values) {
            System.out.println((first ? label : pad) + v.asString());
            first = false;
        }
    }

    private static List<String> grants(JsonNode c) {
        List<String> out = new ArrayList<>();
        c.path("grant_types").forEach(g -> out.add(g.asString().equals(DEVICE_CODE) ? "device_code" : g.asString()));
        return out;
    }

    /** A grant's short name ({@code device_code}) as the URN the server takes; others as given. */
    static String grant(String g) {
        String s = g.strip().toLowerCase(Locale.ROOT);
        return s.equals("device_code") || s.equals("device") ? DEVICE_CODE : g.strip();
    }

    /**
     * A lifetime in seconds from {@code 300}, {@code 300s}, {@code 5m}, {@code 8h} or {@code 30d}.
     *
     * @throws SignetException {@code usage.lifetime_invalid} (exit code 2)
     */
    static long seconds(String text, String option) {
        Matcher m = LIFETIME.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SignetException(
                    "usage.lifetime_invalid",
                    option + " takes a number and a unit (90s, 5m, 8h, 30d), not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86_400;
            default -> n;
        };
    }

    static String lifetime(long s) {
        if (s > 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /**
     * The public keys in {@code file} as a JWK Set for the request: a JSON JWK Set as it is, or PEM
     * (a public key, a certificate, or a key pair of which only the public half is taken) converted
     * by Nimbus, each key with its RFC 7638 thumbprint as {@code kid}. The server checks the keys.
     *
     * @throws SignetException {@code usage.jwks_unreadable} (exit code 2)
     */
    static JsonNode readJwks(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_JWKS) {
                throw new SignetException("usage.jwks_unreadable", file + " is too large for a JWK Set");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SignetException("usage.jwks_unreadable", "no such file: " + file);
        } catch (IOException e) {
            throw new SignetException("usage.jwks_unreadable", "cannot read " + file + ": " + e.getMessage());
        }
        if (text.strip().startsWith("-----BEGIN")) {
            return ApiClient.JSON.readTree(fromPem(text, file).toString(true));
        }
        try {
            JsonNode jwks = ApiClient.JSON.readTree(text);
            if (!jwks.isObject()) {
                throw new SignetException(
                        "usage.jwks_unreadable", file + " is not a JWK Set: expected {\"keys\": [...]}");
            }
            return jwks;
        } catch (JacksonException e) {
            throw new SignetException("usage.jwks_unreadable", file + " is neither JSON ({\"keys\": [...]}) nor PEM");
        }
    }

    private static JWKSet fromPem(String pem, Path file) {
        try {
            JWK key = JWK.parseFromPEMEncodedObjects(pem).toPublicJWK();
            return new JWKSet(
                    switch (key) {
                        case RSAKey rsa ->
                            new RSAKey.Builder(rsa).keyIDFromThumbprint().build();
                        case ECKey ec ->
                            new ECKey.Builder(ec).keyIDFromThumbprint().build();
                        default -> key;
                    });
        } catch (JOSEException | RuntimeException e) {
            throw new SignetException(
                    "usage.jwks_unreadable", file + " holds no RSA or EC key Signet can read as PEM; give a JWK Set");
        }
    }
}
