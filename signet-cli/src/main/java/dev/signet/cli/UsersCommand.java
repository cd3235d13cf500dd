package dev.signet.cli;

import dev.signet.core.SignetException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code signet users ...}: user accounts through the REST API ({@code /api/v1/users}), with the
 * stored login or {@code SIGNET_URL} / {@code SIGNET_TOKEN}. Needs a token with {@code users:read}
 * (list) or {@code users:write} (the rest). A user is named by username or id.
 */
@Command(
        name = "users",
        mixinStandardHelpOptions = true,
        description = "User accounts, through the server's API (needs a token with users:read / users:write).",
        subcommands = {
            UsersCommand.ListUsers.class,
            UsersCommand.Create.class,
            UsersCommand.Disable.class,
            UsersCommand.Enable.class,
            UsersCommand.Delete.class,
            UsersCommand.Factors.class,
            UsersCommand.Mfa.class,
            UsersCommand.ResetFactors.class
        })
final class UsersCommand {
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    private static final int PAGE = 200;

    private UsersCommand() {}

    /** The user a command names, by id or by username (compared as the server compares usernames). */
    static JsonNode find(ApiClient api, String nameOrId) {
        if (ID.matcher(nameOrId).matches()) {
            return api.get("/api/v1/users/" + nameOrId);
        }
        JsonNode users =
                api.get("/api/v1/users?username=" + ApiClient.encode(nameOrId)).path("users");
        if (users.isEmpty()) {
            throw new SignetException("user.not_found", "no user named '" + nameOrId + "'");
        }
        return users.get(0);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users (all pages).")
    static final class ListUsers implements Callable<Integer> {
        @Option(
                names = "--query",
                paramLabel = "TEXT",
                description = "Only users whose username, email or display name contains TEXT.")
        String query;

        @Option(names = "--status", paramLabel = "active|disabled", description = "Only users with this status.")
        String status;

        @Option(names = "--json", description = "Print the users as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = LoginCommand.client(spec);
            ArrayNode all = ApiClient.JSON.createArrayNode();
            long total;
            int offset = 0;
            do {
                StringBuilder path = new StringBuilder("/api/v1/users?limit=" + PAGE + "&offset=" + offset);
                if (query != null) {
                    path.append("&q=").append(ApiClient.encode(query));
                }
                if (status != null) {
                    path.append("&status=").append(ApiClient.encode(status));
                }
                JsonNode page = api.get(path.toString());
                total = page.path("total").asLong();
                page.path("users").forEach(all::add);
                if (page.path("users").isEmpty()) {
                    break;
                }
                offset += page.path("users").size();
            } while (offset < total);
            if (json) {
                ObjectNode out = ApiClient.JSON.createObjectNode();
                out.set("users", all);
                out.put("total", all.size());
                System.out.println(out);
                return Main.EXIT_OK;
            }
            Table table = new Table("USERNAME", "ROLE", "STATUS", "KIND", "EMAIL", "LAST SIGN-IN", "ID");
            for (JsonNode u : all) {
                table.row(
                        u.path("username").asString(),
                        u.path("role").asString(),
                        u.path("status").asString(),
                        u.path("kind").asString(),
                        u.path("email").asString(""),
                        u.path("lastSignInAt").asString(""),
                        u.path("id").asString());
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create a user. A person's password is read from the terminal (asked twice, not echoed) or, when piped,"
                        + " from the first line of standard input; --no-password creates one without (set it later).",
                "A service account (--service) has no password and uses API tokens."
            })
    static final class Create implements Callable<Integer> {
        @Option(names = "--username", required = true, paramLabel = "NAME", description = "The new username.")
        String username;

        @Option(names = "--email", paramLabel = "ADDRESS", description = "Email address.")
        String email;

        @Option(names = "--display-name", paramLabel = "NAME", description = "Display name.")
        String displayName;

        @Option(
                names = "--role",
                paramLabel = "user|admin",
                defaultValue = "user",
                description = "Role. Default: ${DEFAULT-VALUE}")
        String role;

        @Option(names = "--service", description = "A service account: no password, API tokens only.")
        boolean service;

        @Option(names = "--no-password", description = "A person without a password for now.")
        boolean noPassword;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = LoginCommand.client(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", username);
            if (email != null) {
                body.put("email", email);
            }
            if (displayName != null) {
                body.put("displayName", displayName);
            }
            body.put("role", role);
            body.put("kind", service ? "service" : "person");
            if (!service && !noPassword) {
                body.put("password", Prompt.newSecret("Password"));
            }
            JsonNode user = api.post("/api/v1/users", body);
            System.out.println("User '" + user.path("username").asString() + "' created ("
                    + user.path("role").asString() + ", " + user.path("kind").asString() + "), id "
                    + user.path("id").asString() + ".");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "disable",
            mixinStandardHelpOptions = true,
            description = "Disable a user: their sessions end and their API tokens stop working at once.")
    static final class Disable implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return act(spec, user, (a, id) -> {
                a.post("/api/v1/users/" + id + "/disable", null);
                return " disabled.";
            });
        }
    }

    @Command(
            name = "enable",
            mixinStandardHelpOptions = true,
            description = "Enable a disabled user (their old API tokens stay revoked).")
    static final class Enable implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return act(spec, user, (a, id) -> {
                a.post("/api/v1/users/" + id + "/enable", null);
                return " enabled.";
            });
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a user with their sessions and tokens (their sign-in history and audit trail stay).")
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return act(spec, user, (a, id) -> {
                a.delete("/api/v1/users/" + id);
                return " deleted.";
            });
        }
    }

    @Command(
            name = "factors",
            mixinStandardHelpOptions = true,
            description = "Show a user's MFA policy and second factors (counts only, never a secret).")
    static final class Factors implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Option(names = "--json", description = "Print the server's JSON answer.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ApiClient api = LoginCommand.client(spec);
            JsonNode u = find(api, user);
            JsonNode f = api.get("/api/v1/users/" + u.path("id").asString() + "/factors");
            if (json) {
                System.out.println(f.toPrettyString());
                return Main.EXIT_OK;
            }
            System.out.println("User:             " + u.path("username").asString());
            System.out.println("Policy (own):     " + f.path("mfaRequired").asString());
            System.out.println("Policy in force:  " + f.path("effective").asString());
            System.out.println("Authenticators:   " + f.path("otpDevices").asInt());
            System.out.println("Passkeys:         " + f.path("passkeys").asInt());
            System.out.println(
                    "Recovery codes:   " + f.path("recoveryCodesLeft").asInt() + " left");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "mfa",
            mixinStandardHelpOptions = true,
            description = "Set a user's own MFA policy; it can only make the server's (SIGNET_MFA_REQUIRED) stricter.")
    static final class Mfa implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Option(
                names = "--required",
                required = true,
                paramLabel = "POLICY",
                description =
                        "server (follow the server setting), any (a second factor), phishing_resistant (a passkey).")
        String required;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return act(spec, user, (a, id) -> {
                JsonNode f = a.send("PUT", "/api/v1/users/" + id + "/factors/policy", Map.of("mfaRequired", required));
                return ": second factor policy " + f.path("effective").asString() + " (own setting: "
                        + f.path("mfaRequired").asString() + ").";
            });
        }
    }

    @Command(
            name = "reset-factors",
            mixinStandardHelpOptions = true,
            description = "Remove every second factor of a user (a lost device) and end their sessions.")
    static final class ResetFactors implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|ID", description = "Username or id.")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return act(spec, user, (a, id) -> {
                JsonNode r = a.delete("/api/v1/users/" + id + "/factors");
                return ": " + r.path("factorsRemoved").asInt() + " second factor(s) removed, "
                        + r.path("sessionsEnded").asInt() + " session(s) ended.";
            });
        }
    }

    /**
     * Finds the user by name or id, applies {@code call} to its id, and prints "User 'NAME'" followed by
     * what {@code call} answers.
     */
    private static int act(CommandSpec spec, String user, BiFunction<ApiClient, String, String> call) {
        ApiClient api = LoginCommand.client(spec);
        JsonNode u = find(api, user);
        String said = call.apply(api, u.path("id").asString());
        System.out.println("User '" + u.path("username").asString() + "'" + said);
        return Main.EXIT_OK;
    }
}
