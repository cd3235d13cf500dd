package dev.signet.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet tokens ...}: the caller's own API tokens through {@code /api/v1/tokens} (needs
 * {@code tokens:write}). A new token is printed once, alone on standard output, so that it can be
 * piped; a listing never shows secrets.
 */
@Command(
        name = "tokens",
        mixinStandardHelpOptions = true,
        description = "Your API tokens, through the server's API (needs a token with tokens:write).",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Create.class, TokensCommand.Revoke.class})
final class TokensCommand {
    private TokensCommand() {}

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Option(names = "--json", description = "Print the tokens as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = LoginCommand.client(spec).get("/api/v1/tokens");
            if (json) {
                System.out.println(answer);
                return Main.EXIT_OK;
            }
            Table table = new Table("NAME", "SCOPES", "EXPIRES", "LAST USED", "STATE", "ID");
            for (JsonNode t : answer.path("tokens")) {
                List<String> scopes = new ArrayList<>();
                t.path("scopes").forEach(s -> scopes.add(s.asString()));
                table.row(
                        t.path("name").asString(),
                        String.join(",", scopes),
                        t.path("expiresAt").isNull()
                                ? "never"
                                : t.path("expiresAt").asString(),
                        t.path("lastUsedAt").asString(""),
                        !t.path("revokedAt").isNull()
                                ? "revoked"
                                : t.path("active").asBoolean() ? "active" : "expired",
                        t.path("id").asString());
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create a token for yourself; it is printed once, alone on standard output.",
                "A token can only create tokens with scopes it has itself, expiring no later than itself."
            })
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for.")
        String name;

        @Option(
                names = "--scopes",
                required = true,
                paramLabel = "SCOPES",
                description = "Space- or comma-separated, e.g. 'users:read users:write'.")
        String scopes;

        @Option(
                names = "--expires",
                paramLabel = "90d|DATE|never",
                description = "Days (90d), a date (2027-01-01), an instant, or never."
                        + " Default: 90 days, or the calling token's expiry if sooner.")
        String expires;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            List<String> list = new ArrayList<>();
            for (String s : scopes.split("[\\s,]+")) {
                if (!s.isEmpty()) {
                    list.add(s);
                }
            }
            body.put("scopes", list);
            if (expires != null) {
                switch (Expiry.parse(expires)) {
                    case Expiry.InDays d -> body.put("expiresInDays", d.days());
                    case Expiry.At a -> body.put("expiresAt", a.instant().toString());
                    case Expiry.Never n -> body.put("expiresAt", "never");
                }
            }
            JsonNode created = LoginCommand.client(spec).post("/api/v1/tokens", body);
            System.out.println(created.path("token").asString());
            System.err.println("Token '" + created.path("name").asString() + "' ("
                    + created.path("id").asString() + ") expires " + expiry(created.path("expiresAt"))
                    + ". It is shown once: store it now.");
            return Main.EXIT_OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke one of your tokens at once.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The token's id (see `signet tokens list`).")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LoginCommand.client(spec).delete("/api/v1/tokens/" + ApiClient.encode(id));
            System.out.println("Token " + id + " revoked.");
            return Main.EXIT_OK;
        }
    }

    static String expiry(JsonNode at) {
        return at.isNull() || at.isMissingNode() ? "never" : "at " + Instant.parse(at.asString());
    }
}
