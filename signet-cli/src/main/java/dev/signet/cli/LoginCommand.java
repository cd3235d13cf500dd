package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet login}: checks an API token against the server ({@code GET /api/v1/me}) and keeps
 * URL and token in the credentials file ({@link Credentials}). The token is read from standard
 * input (or typed without echo), never from the command line, where other users and shell history
 * would see it. With {@code --device} the person signs in through the browser instead and the
 * server issues the token ({@link DeviceLogin}, RFC 8628). {@link Logout} and {@link Whoami} sit
 * beside it.
 */
@Command(
        name = "login",
        mixinStandardHelpOptions = true,
        description = {
            "Keep a server URL and API token for the client commands (users, tokens, whoami).",
            "The token is read from standard input with --token-stdin (or typed, not echoed), checked against the"
                    + " server, and stored in $XDG_CONFIG_HOME/signet/credentials (mode 0600).",
            "Or sign in through the browser with --device: the server shows a code to enter at its /device page,"
                    + " and the API token it then issues is stored the same way.",
            "CI can skip this and set SIGNET_URL and SIGNET_TOKEN instead."
        })
final class LoginCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "The server, e.g. https://signet.example.com. Env: SIGNET_URL.")
    String url;

    @Option(names = "--token-stdin", description = "Read the token from the first line of standard input.")
    boolean tokenStdin;

    @Option(
            names = "--device",
            description = "Sign in through the browser instead: the server shows where to go and a code to enter"
                    + " (on any device); once approved, an API token is stored (RFC 8628 device grant).")
    boolean device;

    @Option(
            names = "--scopes",
            paramLabel = "SCOPES",
            description = "With --device: the scopes to ask for, e.g. 'users:read ca:issue'. Default: all that"
                    + " your account may have.")
    String scopes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> env = Main.env(spec);
        String base = url != null ? url : env.get(Credentials.URL_VARIABLE);
        if (base == null || base.isBlank()) {
            throw new SignetException("usage.url_missing", "give the server's URL with --url (or SIGNET_URL)");
        }
        URI server = Credentials.baseUrl(base);
        if (device && tokenStdin) {
            throw new SignetException("usage.conflict", "give --device or --token-stdin, not both");
        }
        if (scopes != null && !device) {
            throw new SignetException("usage.conflict", "--scopes goes with --device");
        }
        String token = device ? new DeviceLogin(server, System.err).run(deviceScopes()) : readToken();
        if (server.getScheme().equalsIgnoreCase("http") && !loopback(server.getHost())) {
            System.err.println("signet: warning: " + server + " is plain HTTP; the token crosses the network"
                    + " unencrypted. Use https.");
        }
        Credentials credentials = new Credentials(server, token);
        JsonNode me = new ApiClient(credentials).get("/api/v1/me");
        Path file = Credentials.file(env);
        credentials.save(file);
        System.out.println("Logged in to " + server + " as "
                + me.path("user").path("username").asString() + " ("
                + me.path("user").path("role").asString() + "), token '"
                + me.path("token").path("name").asString() + "'; saved in " + file);
        return Main.EXIT_OK;
    }

    /** The scopes asked for by {@code --device}: those given, or every API scope (the server keeps what the role allows). */
    private String deviceScopes() {
        if (scopes != null) {
            return String.join(" ", scopes.strip().split("[\\s,]+"));
        }
        return dev.signet.server.token.Scopes.all().stream()
                .map(dev.signet.server.token.Scopes.Scope::name)
                .collect(java.util.stream.Collectors.joining(" "));
    }

    private String readToken() {
        String token;
        if (tokenStdin) {
            try {
                token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new SignetException("usage.token_missing", "cannot read standard input: " + e.getMessage());
            }
        } else if (Prompt.interactive()) {
            char[] typed = System.console().readPassword("API token: ");
            token = typed == null ? null : new String(typed);
        } else {
            throw new SignetException(
                    "usage.token_missing",
                    "give the token on standard input with --token-stdin (never as an argument)");
        }
        if (token == null || token.isBlank()) {
            throw new SignetException("usage.token_missing", "expected an API token on standard input");
        }
        return token.strip();
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The client commands' connection: {@code SIGNET_URL} / {@code SIGNET_TOKEN} or the stored login. */
    static ApiClient client(CommandSpec spec) {
        return new ApiClient(Credentials.resolve(Main.env(spec)));
    }

    @Command(
            name = "logout",
            mixinStandardHelpOptions = true,
            description = {
                "Forget the stored server URL and token (the token stays valid: revoke it with `signet tokens revoke`)."
            })
    static final class Logout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Path file = Credentials.file(Main.env(spec));
            System.out.println(Credentials.delete(file) ? "Logged out: removed " + file : "Not logged in.");
            return Main.EXIT_OK;
        }
    }

    @Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show who the API token belongs to.")
    static final class Whoami implements Callable<Integer> {
        @Option(names = "--json", description = "Print the server's answer as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = client(spec);
            JsonNode me = api.get("/api/v1/me");
            if (json) {
                System.out.println(me);
                return Main.EXIT_OK;
            }
            JsonNode user = me.path("user");
            JsonNode token = me.path("token");
            List<String> scopes = new ArrayList<>();
            token.path("scopes").forEach(s -> scopes.add(s.asString()));
            System.out.println(user.path("username").asString() + " ("
                    + user.path("role").asString() + ", " + user.path("kind").asString() + ") at " + api.base());
            System.out.println("token '" + token.path("name").asString() + "' ("
                    + token.path("id").asString()
                    + "), scopes: " + String.join(" ", scopes) + ", expires: "
                    + (token.path("expiresAt").isNull()
                            ? "never"
                            : token.path("expiresAt").asString()));
            return Main.EXIT_OK;
        }
    }
}
