package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.pki.RevocationReason;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code signet certs ...}: the inventory of certificates the server's CAs issued, through {@code
 * /api/v1/certificates} (needs {@code ca:issue}): search, expiring soon, download.
 */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        description = "Certificates the server's CAs issued: search and download (needs a token with ca:issue).",
        subcommands = {CertsCommand.ListCerts.class, CertsCommand.Get.class})
final class CertsCommand {
    private static final int PAGE = 200;
    private static final List<String> STATUSES = List.of("valid", "revoked", "expired");

    private CertsCommand() {}

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List issued certificates (all pages).")
    static final class ListCerts implements Callable<Integer> {
        @Option(
                names = "--query",
                paramLabel = "TEXT",
                description = "Only certificates whose subject, SAN or serial contains TEXT.")
        String query;

        @Option(names = "--ca", paramLabel = "CA", description = "Only certificates of this CA.")
        String ca;

        @Option(names = "--status", paramLabel = "valid|revoked|expired", description = "Only with this status.")
        String status;

        @Option(names = "--profile", paramLabel = "PROFILE", description = "Only of this profile.")
        String profile;

        @Option(
                names = "--expiring-within-days",
                paramLabel = "DAYS",
                description = "Only valid certificates that expire within DAYS days.")
        Integer expiringWithinDays;

        @Option(names = "--json", description = "Print the certificates as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String filters = filters();
            ApiClient api = LoginCommand.client(spec);
            ArrayNode all = ApiClient.JSON.createArrayNode();
            long total;
            int offset = 0;
            do {
                JsonNode page = api.get("/api/v1/certificates?limit=" + PAGE + "&offset=" + offset + filters);
                total = page.path("total").asLong();
                JsonNode certificates = page.path("certificates");
                certificates.forEach(all::add);
                if (certificates.isEmpty()) {
                    break;
                }
                offset += certificates.size();
            } while (offset < total);
            if (json) {
                ObjectNode out = ApiClient.JSON.createObjectNode();
                out.set("certificates", all);
                out.put("total", all.size());
                System.out.println(out);
                return Main.EXIT_OK;
            }
            Table table = new Table("SERIAL", "STATUS", "NOT AFTER", "CA", "PROFILE", "SUBJECT");
            for (JsonNode c : all) {
                String state = CaCommand.text(c, "status");
                String reason = RevocationReason.byId(CaCommand.text(c, "revocationReason"))
                        .map(CaCommand::rfcName)
                        .orElse(CaCommand.text(c, "revocationReason"));
                table.row(
                        CaCommand.text(c, "serial"),
                        reason.isEmpty() ? state : state + " (" + reason + ")",
                        CaCommand.text(c, "notAfter"),
                        CaCommand.text(c, "ca"),
                        CaCommand.text(c, "profile"),
                        CaCommand.text(c, "subject"));
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }

        private String filters() {
            StringBuilder q = new StringBuilder();
            if (query != null) {
                q.append("&q=").append(ApiClient.encode(query));
            }
            if (ca != null) {
                q.append("&ca=").append(ApiClient.encode(ca));
            }
            if (status != null) {
                String s = status.strip().toLowerCase(Locale.ROOT);
                if (!STATUSES.contains(s)) {
                    throw new SignetException(
                            "usage.status_invalid", "--status must be valid, revoked or expired, not '" + status + "'");
                }
                q.append("&status=").append(s);
            }
            if (profile != null) {
                q.append("&profile=").append(ApiClient.encode(profile));
            }
            if (expiringWithinDays != null) {
                CaCommand.positive(expiringWithinDays, "--expiring-within-days");
                q.append("&expiringWithinDays=").append(expiringWithinDays);
            }
            return q.toString();
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "Download one certificate: PEM by default, DER, or a PKCS#7 bundle with its chain.")
    static final class Get implements Callable<Integer> {
        @Option(names = "--serial", required = true, paramLabel = "HEX", description = "Its serial number, in hex.")
        String serial;

        @Option(
                names = "--ca",
                paramLabel = "CA",
                description = "The CA that issued it (only needed should two CAs share a serial).")
        String ca;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where it goes.")
        Path out;

        @ArgGroup(exclusive = true)
        Format format;

        static final class Format {
            @Option(names = "--der", description = "DER instead of PEM.")
            boolean der;

            @Option(names = "--p7b", description = "A PKCS#7 bundle (DER) with the chain.")
            boolean p7b;
        }

        @Option(names = "--force", description = "Replace the file if it exists.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String hex = CaCommand.serial(serial);
            String kind = format == null ? "pem" : format.der ? "der" : format.p7b ? "p7b" : "pem";
            String path = "/api/v1/certificates/" + hex + "?format=" + kind
                    + (ca == null ? "" : "&ca=" + ApiClient.encode(ca));
            try (OutputFile file = OutputFile.open(out, force)) {
                file.write(LoginCommand.client(spec).getBytes(path));
                System.out.println("Certificate " + hex + " written to " + file.target() + " ("
                        + kind.toUpperCase(Locale.ROOT) + ")");
            }
            return Main.EXIT_OK;
        }
    }
}
