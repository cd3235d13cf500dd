package dev.signet.cli;

import dev.signet.core.SignetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet keys ...}: the server's signing keys through {@code /api/v1/keys}. Creating a key
 * and managing who may use it needs a token with {@code keys:admin}; a token with {@code sign:NAME}
 * sees that key. A key's private half never leaves the server (unless it was created {@code
 * --exportable}, which is audited).
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = {
            "Signing keys on the server: create, list, show, and grant who may sign with them.",
            "Needs a token with keys:admin (a token with sign:NAME may list and show that key)."
        },
        subcommands = {
            KeysCommand.Create.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Show.class,
            KeysCommand.Grant.class,
            KeysCommand.RevokeGrant.class,
            KeysCommand.Grants.class
        })
final class KeysCommand {
    static final List<String> ALGORITHMS = List.of("ec-p256", "ec-p384", "ed25519", "rsa-3072", "rsa-4096");
    private static final Pattern GRANTEE = Pattern.compile("(?i)(user|token|client):(.*)");

    private KeysCommand() {}

    static String keyPath(String name) {
        return "/api/v1/keys/" + ApiClient.encode(name);
    }

    /** Key algorithm names for help and completion. */
    static final class AlgorithmNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ALGORITHMS.iterator();
        }
    }

    /**
     * Who a grant is for, as the API writes it: {@code user:NAME}, {@code token:ID}, {@code
     * client:ID}; a plain name is a user.
     *
     * @throws SignetException {@code usage.grantee_invalid} (exit code 2)
     */
    static String grantee(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new SignetException(
                    "usage.grantee_invalid", "--to needs user:NAME, token:ID, client:ID or a user name");
        }
        Matcher m = GRANTEE.matcher(t);
        if (m.matches()) {
            if (m.group(2).isBlank()) {
                throw new SignetException("usage.grantee_invalid", "--to '" + text + "' names nobody");
            }
            return m.group(1).toLowerCase(Locale.ROOT) + ":" + m.group(2).strip();
        }
        if (t.contains(":")) {
            throw new SignetException(
                    "usage.grantee_invalid",
                    "--to takes user:NAME, token:ID or client:ID (or a user name), not '" + text + "'");
        }
        return "user:" + t;
    }

    static void describe(JsonNode k) {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("name", CaCommand.text(k, "name"));
        lines.put("algorithm", CaCommand.text(k, "algorithm"));
        lines.put("digest", CaCommand.text(k, "digestAlgorithm"));
        lines.put("signature", CaCommand.text(k, "signatureAlgorithm"));
        lines.put("CA", CaCommand.text(k, "ca"));
        JsonNode c = k.path("certificate");
        lines.put("subject", CaCommand.text(c, "subject"));
        lines.put("serial", CaCommand.text(c, "serial"));
        lines.put("valid until", CaCommand.text(c, "notAfter"));
        lines.put("status", CaCommand.text(c, "status"));
        lines.put(
                "exportable",
                k.path("exportable").isBoolean() ? (k.path("exportable").asBoolean() ? "yes" : "no") : "");
        lines.put("step-up", k.path("stepUp").isBoolean() ? (k.path("stepUp").asBoolean() ? "yes" : "no") : "");
        lines.put("created", CaCommand.text(k, "createdAt"));
        lines.forEach((key, v) -> {
            if (!v.isEmpty()) {
                System.out.println(String.format("%-12s %s", key + ":", v.replaceAll("\\p{Cntrl}", "?")));
            }
        });
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Create a signing key with a code-signing certificate from a CA of the server (needs keys:admin).")
    static final class Create implements Callable<Integer> {
        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "The key's name; tokens sign with it under the scope sign:NAME.")
        String name;

        @Option(
                names = "--algorithm",
                required = true,
                paramLabel = "ALGORITHM",
                completionCandidates = AlgorithmNames.class,
                description = "${COMPLETION-CANDIDATES}.")
        String algorithm;

        @Option(names = "--ca", required = true, paramLabel = "CA", description = "The CA that issues its certificate.")
        String ca;

        @Option(
                names = "--subject",
                paramLabel = "DN",
                description =
                        "The certificate's subject, e.g. 'CN=Example Release,O=Example'. Default: the server's, from NAME.")
        String subject;

        @Option(
                names = "--validity-days",
                paramLabel = "DAYS",
                description = "How long the certificate is valid. Default: the server's.")
        Integer validityDays;

        @Option(
                names = "--exportable",
                description = "Allow exporting the private key later (audited; the default is never).")
        boolean exportable;

        @Option(names = "--step-up", description = "Signing in the console needs a fresh second factor.")
        boolean stepUp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String alg = algorithm.strip().toLowerCase(Locale.ROOT);
            if (!ALGORITHMS.contains(alg)) {
                throw new SignetException(
                        "usage.key_invalid",
                        "--algorithm must be one of " + String.join(", ", ALGORITHMS) + ", not '" + algorithm + "'");
            }
            CaCommand.positive(validityDays, "--validity-days");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("algorithm", alg);
            body.put("ca", ca);
            body.put("exportable", exportable);
            body.put("stepUp", stepUp);
            if (subject != null) {
                body.put("subject", subject);
            }
            if (validityDays != null) {
                body.put("validityDays", validityDays);
            }
            JsonNode key = LoginCommand.client(spec).post("/api/v1/keys", body);
            System.out.println(
                    "Signing key '" + CaCommand.text(key, "name") + "' created (" + CaCommand.text(key, "algorithm")
                            + "), certificate " + CaCommand.text(key.path("certificate"), "serial") + " from CA '" + ca
                            + "', valid until "
                            + CaCommand.text(key.path("certificate"), "notAfter") + ".");
            System.out.println("Grant it with `signet keys grant --key " + CaCommand.text(key, "name")
                    + " --to USER`; tokens sign with the scope sign:" + CaCommand.text(key, "name") + ".");
            return Main.EXIT_OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the signing keys you may see.")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = "--json", description = "Print the keys as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = LoginCommand.client(spec).get("/api/v1/keys");
            if (json) {
                System.out.println(answer);
                return Main.EXIT_OK;
            }
            Table table = new Table("NAME", "ALGORITHM", "CA", "NOT AFTER", "STATUS", "FLAGS", "SUBJECT");
            for (JsonNode k : answer.path("keys")) {
                String flags = (k.path("exportable").asBoolean(false) ? "exportable " : "")
                        + (k.path("stepUp").asBoolean(false) ? "step-up" : "");
                table.row(
                        CaCommand.text(k, "name"),
                        CaCommand.text(k, "algorithm"),
                        CaCommand.text(k, "ca"),
                        CaCommand.text(k.path("certificate"), "notAfter"),
                        CaCommand.text(k.path("certificate"), "status"),
                        flags.strip(),
                        CaCommand.text(k.path("certificate"), "subject"));
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one signing key; --chain prints its certificate chain (PEM).")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The key.")
        String name;

        @Option(
                names = "--chain",
                description = "Print the certificate chain in PEM, leaf first (to save as a file or feed to --trust).")
        boolean chain;

        @Option(names = "--json", description = "Print the key as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode key = LoginCommand.client(spec).get(keyPath(name));
            if (json) {
                System.out.println(key);
            } else if (chain) {
                for (JsonNode pem : key.path("chain")) {
                    String text = pem.asString("");
                    System.out.print(text.endsWith("\n") ? text : text + "\n");
                }
            } else {
                describe(key);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "grant",
            mixinStandardHelpOptions = true,
            description = {
                "Allow a user, an API token or an OAuth client to sign with a key (needs keys:admin).",
                "A token also needs the scope sign:KEY; a user's tokens need it too."
            })
    static final class Grant implements Callable<Integer> {
        @Option(names = "--key", required = true, paramLabel = "NAME", description = "The key.")
        String key;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "WHO",
                description = "user:NAME, token:ID or client:ID; a plain NAME is a user.")
        String to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String who = grantee(to);
            LoginCommand.client(spec).post(keyPath(key) + "/grants", Map.of("to", who));
            System.out.println("Granted " + who + " the use of key '" + key + "'.");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "revoke-grant",
            mixinStandardHelpOptions = true,
            description = "Take back a grant (needs keys:admin).")
    static final class RevokeGrant implements Callable<Integer> {
        @Option(names = "--key", required = true, paramLabel = "NAME", description = "The key.")
        String key;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "WHO",
                description = "user:NAME, token:ID or client:ID; a plain NAME is a user.")
        String to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String who = grantee(to);
            LoginCommand.client(spec).delete(keyPath(key) + "/grants/" + ApiClient.encode(who));
            System.out.println("Grant of key '" + key + "' to " + who + " revoked.");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "grants",
            mixinStandardHelpOptions = true,
            description = "List who may sign with a key (needs keys:admin).")
    static final class Grants implements Callable<Integer> {
        @Option(names = "--key", required = true, paramLabel = "NAME", description = "The key.")
        String key;

        @Option(names = "--json", description = "Print the grants as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = LoginCommand.client(spec).get(keyPath(key) + "/grants");
            if (json) {
                System.out.println(answer);
                return Main.EXIT_OK;
            }
            Table table = new Table("TO", "WHO", "GRANTED", "BY");
            for (JsonNode g : answer.path("grants")) {
                table.row(
                        CaCommand.text(g, "to"),
                        CaCommand.text(g, "label"),
                        CaCommand.text(g, "createdAt"),
                        CaCommand.text(g, "createdBy"));
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }
}
