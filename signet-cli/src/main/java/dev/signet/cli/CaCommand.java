package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Pem;
import dev.signet.core.pki.RevocationReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet ca ...}: the server's certificate authorities through {@code /api/v1/ca}, with the
 * stored login or {@code SIGNET_URL} / {@code SIGNET_TOKEN}. Creating, importing, taking offline and
 * revoking need a token with {@code ca:admin}; listing, issuing and downloading need {@code ca:issue}.
 *
 * <p>Passwords (of a PKCS#12 to make or to open) are read from the terminal without echo, or from
 * the first line of standard input when piped; never from the command line. Files are written by
 * {@link OutputFile}: completely or not at all, never over an existing file without {@code --force},
 * and mode 0600 when they hold a private key. Every output is checked before the server is asked, so
 * that nothing is issued (or taken offline) that could not then be saved.
 */
@Command(
        name = "ca",
        mixinStandardHelpOptions = true,
        description = {
            "Certificate authorities on the server: create, import, issue, revoke, publish.",
            "Needs a token with ca:admin (create, import, offline/online, revoke) or ca:issue (list, issue, download)."
        },
        subcommands = {
            CaCommand.CreateRoot.class,
            CaCommand.CreateIntermediate.class,
            CaCommand.Import.class,
            CaCommand.ListCas.class,
            CaCommand.Show.class,
            CaCommand.Issue.class,
            CaCommand.Revoke.class,
            CaCommand.Crl.class,
            CaCommand.Chain.class,
            CaCommand.Offline.class,
            CaCommand.Online.class
        })
final class CaCommand {
    static final String KEYS = "ec-p256|ec-p384|ed25519|rsa-2048|rsa-3072|rsa-4096|ml-dsa-65";
    private static final Pattern SERIAL = Pattern.compile("[0-9a-f]{1,64}");
    private static final Pattern SAN = Pattern.compile("(?i)(dns|ip|email|uri):(.+)");
    /** No certificate, key, CSR or PKCS#12 an operator hands us is anywhere near this. */
    private static final long MAX_INPUT = 1 << 20;

    private CaCommand() {}

    /** Key algorithm names for help and completion, from the core's list. */
    static final class KeyNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(KeyAlgorithm.values()).map(KeyAlgorithm::id).iterator();
        }
    }

    /** Revocation reasons as RFC 5280 names them, for help and completion. */
    static final class ReasonNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(RevocationReason.values())
                    .map(CaCommand::rfcName)
                    .iterator();
        }
    }

    static String caPath(String name) {
        return "/api/v1/ca/" + ApiClient.encode(name);
    }

    /** @throws SignetException {@code usage.key_invalid} (exit code 2) */
    static String key(String id) {
        return KeyAlgorithm.byId(id.strip())
                .orElseThrow(() -> new SignetException(
                        "usage.key_invalid", "--key must be one of " + KEYS.replace("|", ", ") + ", not '" + id + "'"))
                .id();
    }

    /**
     * A serial number as the server writes it: lower-case hex without leading zeros. Accepts what
     * {@code openssl x509 -serial} and browsers show ({@code 0A:1B...}, {@code serial=0A1B...},
     * {@code 0x0a1b...}).
     *
     * @throws SignetException {@code usage.serial_invalid} (exit code 2)
     */
    static String serial(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("serial=")) {
            s = s.substring("serial=".length());
        }
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        s = s.replaceAll("[:\\s]", "");
        if (!SERIAL.matcher(s).matches()) {
            throw new SignetException(
                    "usage.serial_invalid",
                    "--serial takes a serial number in hex, such as 5f3a09c1, not '" + text + "'");
        }
        s = s.replaceFirst("^0+(?=.)", "");
        return s;
    }

    /**
     * A revocation reason by its RFC 5280 name ({@code keyCompromise}) or the API's ({@code
     * key-compromise}), in any case.
     *
     * @throws SignetException {@code usage.reason_invalid} (exit code 2)
     */
    static RevocationReason reason(String text) {
        String kebab = text.strip()
                .replaceAll("([a-z])([A-Z])", "$1-$2")
                .replace('_', '-')
                .toLowerCase(Locale.ROOT);
        return RevocationReason.byId(kebab)
                .orElseThrow(() -> new SignetException(
                        "usage.reason_invalid",
                        "--reason must be one of "
                                + Arrays.stream(RevocationReason.values())
                                        .map(CaCommand::rfcName)
                                        .collect(Collectors.joining(", "))
                                + ", not '" + text + "'"));
    }

    /** The RFC 5280 spelling of a reason: key-compromise → keyCompromise. */
    static String rfcName(RevocationReason reason) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : reason.id().toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** {@code dns:host}, {@code ip:10.0.0.1}, {@code email:a@b}, {@code uri:spiffe://...}; the type folded to lower case. */
    static List<String> sans(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String san : given) {
            var m = SAN.matcher(san.strip());
            if (!m.matches() || m.group(2).isBlank()) {
                throw new SignetException(
                        "usage.san_invalid",
                        "--san takes dns:NAME, ip:ADDRESS, email:ADDRESS or uri:URI, not '" + san + "'");
            }
            out.add(m.group(1).toLowerCase(Locale.ROOT) + ":" + m.group(2).strip());
        }
        return out;
    }

    static void positive(Integer value, String option) {
        if (value != null && value < 1) {
            throw new SignetException("usage.number_invalid", option + " must be 1 or more");
        }
    }

    /** A file the operator names as input, whole. */
    static byte[] read(Path file, String what) {
        try {
            if (Files.isDirectory(file)) {
                throw new SignetException("usage.input_unreadable", what + " " + file + " is a directory");
            }
            if (Files.size(file) > MAX_INPUT) {
                throw new SignetException(
                        "usage.input_unreadable", what + " " + file + " is larger than " + MAX_INPUT + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SignetException("usage.input_unreadable", what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new SignetException(
                    "usage.input_unreadable", "cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** A new password for a file holding a private key: asked twice on a terminal, or one line of stdin. */
    static String newPassword(String label) {
        String password = Prompt.newSecret(label);
        if (password.isEmpty()) {
            throw new SignetException(
                    "usage.password_empty", "the " + label.toLowerCase(Locale.ROOT) + " must not be empty");
        }
        return password;
    }

    static String text(JsonNode node, String field) {
        return node.path(field).isNull() ? "" : node.path(field).asString("");
    }

    /** The parts of a CA that an operator reads. */
    static void describe(JsonNode ca) {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("name", text(ca, "name"));
        lines.put("kind", text(ca, "kind"));
        lines.put("status", text(ca, "status"));
        lines.put("key", text(ca, "keyAlgorithm"));
        lines.put("subject", text(ca, "subject"));
        lines.put("parent", text(ca, "parent"));
        lines.put("serial", text(ca, "serial"));
        lines.put("valid from", text(ca, "notBefore"));
        lines.put("valid until", text(ca, "notAfter"));
        lines.put("CRL", text(ca, "crlUrl"));
        lines.put("OCSP", text(ca, "ocspUrl"));
        lines.put("CA certificate", text(ca, "certUrl"));
        lines.forEach((k, v) -> {
            if (!v.isEmpty()) {
                System.out.println(String.format("%-15s %s", k + ":", v.replaceAll("\\p{Cntrl}", "?")));
            }
        });
    }

    /** What a new CA is: its key and where it sits. */
    abstract static class NewCa implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The CA's name on the server.")
        String name;

        @Option(
                names = "--key",
                required = true,
                paramLabel = "ALGORITHM",
                completionCandidates = KeyNames.class,
                description = "The CA's key: ${COMPLETION-CANDIDATES}.")
        String key;

        @Option(
                names = "--subject",
                paramLabel = "DN",
                description =
                        "The CA's distinguished name, e.g. 'CN=Example Root CA,O=Example'. Default: the server's, from NAME.")
        String subject;

        @Option(
                names = "--validity-days",
                paramLabel = "DAYS",
                description = "How long the CA certificate is valid. Default: the server's.")
        Integer validityDays;

        @Spec
        CommandSpec spec;

        Map<String, Object> body() {
            positive(validityDays, "--validity-days");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("key", key(key));
            if (subject != null) {
                body.put("subject", subject);
            }
            if (validityDays != null) {
                body.put("validityDays", validityDays);
            }
            return body;
        }

        Integer create(Map<String, Object> body, String what) {
            JsonNode ca = LoginCommand.client(spec).post("/api/v1/ca", body);
            System.out.println(what + " '" + text(ca, "name") + "' created: " + text(ca, "subject") + ", "
                    + text(ca, "keyAlgorithm") + ", valid until " + text(ca, "notAfter") + ".");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "create-root",
            mixinStandardHelpOptions = true,
            description = "Create a root CA: a new key and a self-signed certificate (needs ca:admin).")
    static final class CreateRoot extends NewCa {
        @Override
        public Integer call() {
            return create(body(), "Root CA");
        }
    }

    @Command(
            name = "create-intermediate",
            mixinStandardHelpOptions = true,
            description = "Create an intermediate CA signed by another CA of the server (needs ca:admin).")
    static final class CreateIntermediate extends NewCa {
        @Option(names = "--parent", required = true, paramLabel = "CA", description = "The CA that signs it.")
        String parent;

        @Option(
                names = "--path-length",
                paramLabel = "N",
                description = "How many CAs may sit below it (pathLenConstraint). Default: 0, it issues only end"
                        + " entities.")
        Integer pathLength;

        @Override
        public Integer call() {
            Map<String, Object> body = body();
            body.put("parent", parent);
            if (pathLength != null) {
                if (pathLength < 0) {
                    throw new SignetException("usage.number_invalid", "--path-length must be 0 or more");
                }
                body.put("pathLength", pathLength);
            }
            return create(body, "Intermediate CA");
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = {
                "Import an existing CA certificate and its key, e.g. to chain Signet under a company root (needs"
                        + " ca:admin).",
                "The password of the PKCS#12 file (or of an encrypted PEM key) is read from the terminal, or from the"
                        + " first line of standard input."
            })
    static final class Import implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The CA's name on the server.")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--p12", paramLabel = "FILE", description = "A PKCS#12 file with the key and its chain.")
            Path p12;

            @ArgGroup(exclusive = false)
            PemFiles pem;
        }

        static final class PemFiles {
            @Option(
                    names = "--cert-pem",
                    required = true,
                    paramLabel = "FILE",
                    description = "The CA certificate, optionally followed by its issuers, in PEM.")
            Path certificates;

            @Option(
                    names = "--key-pem",
                    required = true,
                    paramLabel = "FILE",
                    description = "The CA's private key in PEM (PKCS#8, encrypted or not).")
            Path key;
        }

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (source.p12 != null) {
                body.put("pkcs12Base64", Base64.getEncoder().encodeToString(read(source.p12, "PKCS#12 file")));
                body.put("password", Prompt.secret("PKCS#12 password", passwordStdin));
            } else {
                String key = new String(read(source.pem.key, "key file"), StandardCharsets.UTF_8);
                body.put(
                        "certificatesPem",
                        new String(read(source.pem.certificates, "certificate file"), StandardCharsets.UTF_8));
                body.put("privateKeyPem", key);
                if (key.contains("ENCRYPTED")) {
                    body.put("password", Prompt.secret("Key password", passwordStdin));
                }
            }
            JsonNode ca = LoginCommand.client(spec).post("/api/v1/ca/import", body);
            System.out.println("CA '" + text(ca, "name") + "' imported: " + text(ca, "subject") + ", "
                    + text(ca, "keyAlgorithm") + ", valid until " + text(ca, "notAfter") + ".");
            return Main.EXIT_OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the server's CAs (needs ca:issue).")
    static final class ListCas implements Callable<Integer> {
        @Option(names = "--json", description = "Print the CAs as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = LoginCommand.client(spec).get("/api/v1/ca");
            if (json) {
                System.out.println(answer);
                return Main.EXIT_OK;
            }
            Table table = new Table("NAME", "KIND", "STATUS", "KEY", "PARENT", "NOT AFTER", "SUBJECT");
            for (JsonNode ca : answer.path("cas")) {
                table.row(
                        text(ca, "name"),
                        text(ca, "kind"),
                        text(ca, "status"),
                        text(ca, "keyAlgorithm"),
                        text(ca, "parent"),
                        text(ca, "notAfter"),
                        text(ca, "subject"));
            }
            table.print(System.out);
            return Main.EXIT_OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one CA (needs ca:issue).")
    static final class Show implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "CA", description = "The CA.")
        String name;

        @Option(names = "--json", description = "Print the CA as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode ca = LoginCommand.client(spec).get(caPath(name));
            if (json) {
                System.out.println(ca);
            } else {
                describe(ca);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "issue",
            mixinStandardHelpOptions = true,
            description = {
                "Issue a certificate from a CSR, or with a key the server generates (needs ca:issue):",
                "  from a PKCS#10 request: --csr FILE --out CERT.pem [--chain-out CHAIN.pem], or",
                "  with a key the server generates: --subject DN [--san ...] [--key ALG] and --p12 OUT.p12 (key,"
                        + " certificate and chain) or --pem-out PREFIX (PREFIX.crt, PREFIX.key encrypted, PREFIX.chain.crt).",
                "The new password of the PKCS#12 or key is asked twice on the terminal, or read from the first line of"
                        + " standard input. Files are never replaced without --force; key files are mode 0600."
            })
    static final class Issue implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "CA", description = "The issuing CA.")
        String ca;

        @Option(
                names = "--profile",
                required = true,
                paramLabel = "PROFILE",
                description = "tls-server, tls-client, code-signing, timestamping, ocsp-signing, sub-ca, ...")
        String profile;

        @Option(names = "--csr", paramLabel = "FILE", description = "A PKCS#10 request (PEM or DER) to sign.")
        Path csr;

        @Option(names = "--out", paramLabel = "CERT.pem", description = "With --csr: where the certificate goes.")
        Path out;

        @Option(
                names = "--chain-out",
                paramLabel = "CHAIN.pem",
                description = "With --csr: where the issuing CA's chain goes.")
        Path chainOut;

        @Option(names = "--subject", paramLabel = "DN", description = "Generate a key for this name, e.g. 'CN=host'.")
        String subject;

        @Option(
                names = "--san",
                paramLabel = "TYPE:VALUE",
                description = "With --subject: a subject alternative name, dns:NAME, ip:ADDRESS, email:ADDRESS or"
                        + " uri:URI; repeatable.")
        List<String> sans = new ArrayList<>();

        @Option(
                names = "--key",
                paramLabel = "ALGORITHM",
                completionCandidates = KeyNames.class,
                description = "With --subject: the key to generate (${COMPLETION-CANDIDATES}). Default: the server's.")
        String key;

        @Option(names = "--p12", paramLabel = "OUT.p12", description = "With --subject: write a PKCS#12 file.")
        Path p12;

        @Option(
                names = "--pem-out",
                paramLabel = "PREFIX",
                description = "With --subject: write PREFIX.crt, PREFIX.key (encrypted) and PREFIX.chain.crt.")
        String pemOut;

        @Option(names = "--validity-days", paramLabel = "DAYS", description = "Validity. Default: the profile's.")
        Integer validityDays;

        @Option(names = "--force", description = "Replace output files that exist.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            positive(validityDays, "--validity-days");
            if ((csr == null) == (subject == null)) {
                throw usage("give --csr FILE to sign a request, or --subject DN to have a key generated (not both)");
            }
            return csr != null ? fromCsr() : generate();
        }

        private ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }

        private Integer fromCsr() {
            if (out == null) {
                throw usage("--csr needs --out CERT.pem");
            }
            if (p12 != null || pemOut != null || !sans.isEmpty() || key != null) {
                throw usage("--p12, --pem-out, --san and --key go with --subject; a CSR carries its own key and names");
            }
            String csrPem = csrPem(read(csr, "CSR"));
            List<Path> targets = new ArrayList<>(List.of(out));
            if (chainOut != null) {
                targets.add(chainOut);
            }
            OutputFile.distinct(targets);
            try (OutputFile certFile = OutputFile.open(out, force);
                    OutputFile chainFile = chainOut == null ? null : OutputFile.open(chainOut, force)) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("profile", profile);
                body.put("csrPem", csrPem);
                if (validityDays != null) {
                    body.put("validityDays", validityDays);
                }
                JsonNode issued = LoginCommand.client(spec).post(caPath(ca) + "/issue", body);
                announce(issued);
                certFile.write(text(issued, "certificatePem"));
                System.out.println("Certificate written to " + certFile.target());
                if (chainFile != null) {
                    chainFile.write(text(issued, "chainPem"));
                    System.out.println("Chain written to " + chainFile.target());
                }
            }
            return Main.EXIT_OK;
        }

        private Integer generate() {
            if (out != null || chainOut != null) {
                throw usage("--out and --chain-out go with --csr; with --subject use --p12 FILE or --pem-out PREFIX");
            }
            if ((p12 == null) == (pemOut == null)) {
                throw usage("--subject needs one of --p12 OUT.p12 or --pem-out PREFIX");
            }
            List<String> names = sans(sans);
            String keyId = key == null ? null : key(key);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("profile", profile);
            body.put("subject", subject);
            if (!names.isEmpty()) {
                body.put("sans", names);
            }
            if (keyId != null) {
                body.put("key", keyId);
            }
            if (validityDays != null) {
                body.put("validityDays", validityDays);
            }
            if (p12 != null) {
                try (OutputFile file = OutputFile.secret(p12, force)) {
                    String password = newPassword("PKCS#12 password");
                    body.put("format", "p12");
                    body.put("password", password);
                    JsonNode issued = LoginCommand.client(spec).post(caPath(ca) + "/generate", body);
                    announce(issued);
                    file.write(decode(issued, "pkcs12Base64"));
                    System.out.println("Key, certificate and chain written to " + file.target() + " (mode 0600)");
                }
                return Main.EXIT_OK;
            }
            Path crt = Path.of(pemOut + ".crt");
            Path keyPath = Path.of(pemOut + ".key");
            Path chain = Path.of(pemOut + ".chain.crt");
            try (OutputFile keyFile = OutputFile.secret(keyPath, force);
                    OutputFile certFile = OutputFile.open(crt, force);
                    OutputFile chainFile = OutputFile.open(chain, force)) {
                String password = newPassword("Key password");
                body.put("format", "pem");
                body.put("password", password);
                JsonNode issued = LoginCommand.client(spec).post(caPath(ca) + "/generate", body);
                announce(issued);
                keyFile.write(encrypted(text(issued, "privateKeyPem"), password));
                certFile.write(text(issued, "certificatePem"));
                chainFile.write(text(issued, "chainPem"));
                System.out.println("Key written to " + keyFile.target() + " (encrypted, mode 0600)");
                System.out.println("Certificate written to " + certFile.target() + ", chain to " + chainFile.target());
            }
            return Main.EXIT_OK;
        }

        private void announce(JsonNode issued) {
            String until = text(issued, "notAfter");
            System.out.println("Certificate " + text(issued, "serial") + " issued by CA '" + ca + "' (" + profile + ")"
                    + (until.isEmpty() ? "" : ", valid until " + until) + ".");
        }
    }

    /** PEM as the API takes it; a DER request (as some tools write) is wrapped. */
    static String csrPem(byte[] content) {
        String text = new String(content, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN")) {
            return new String(content, StandardCharsets.UTF_8);
        }
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(content)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    static byte[] decode(JsonNode answer, String field) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text(answer, field));
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new SignetException("cli.bad_answer", "the server's answer has no readable " + field);
        }
    }

    /**
     * The key PEM to write: the server encrypts it with the password it was given; should it ever send
     * the key in clear, it is encrypted here (PBKDF2 and AES-256-CBC) rather than written as it came.
     */
    static String encrypted(String keyPem, String password) {
        if (keyPem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return keyPem;
        }
        try (PEMParser parser = new PEMParser(new StringReader(keyPem))) {
            if (!(parser.readObject() instanceof PrivateKeyInfo info)) {
                throw new SignetException("cli.bad_answer", "the server's answer has no readable private key");
            }
            PrivateKey key = new JcaPEMKeyConverter()
                    .setProvider(new BouncyCastleProvider())
                    .getPrivateKey(info);
            return Pem.privateKey(key, password.toCharArray());
        } catch (IOException e) {
            throw new SignetException("cli.bad_answer", "the server's answer has no readable private key");
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke a certificate; the CA's CRL and OCSP answers follow at once (needs ca:admin).")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "CA", description = "The CA that issued it.")
        String ca;

        @Option(names = "--serial", required = true, paramLabel = "HEX", description = "Its serial number, in hex.")
        String serial;

        @Option(
                names = "--reason",
                required = true,
                paramLabel = "REASON",
                completionCandidates = ReasonNames.class,
                description = "RFC 5280 reason: ${COMPLETION-CANDIDATES}.")
        String reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String hex = serial(serial);
            RevocationReason why = reason(reason);
            LoginCommand.client(spec).post(caPath(ca) + "/revoke", Map.of("serial", hex, "reason", why.id()));
            System.out.println("Certificate " + hex + " of CA '" + ca + "' revoked (" + rfcName(why) + ").");
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "crl",
            mixinStandardHelpOptions = true,
            description = "Download a CA's current CRL, DER by default (needs ca:issue).")
    static final class Crl implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "CA", description = "The CA.")
        String ca;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the CRL goes.")
        Path out;

        @Option(names = "--pem", description = "PEM instead of DER.")
        boolean pem;

        @Option(names = "--force", description = "Replace the file if it exists.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (OutputFile file = OutputFile.open(out, force)) {
                file.write(LoginCommand.client(spec).getBytes(caPath(ca) + "/crl?format=" + (pem ? "pem" : "der")));
                System.out.println("CRL of CA '" + ca + "' written to " + file.target() + (pem ? " (PEM)" : " (DER)"));
            }
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "chain",
            mixinStandardHelpOptions = true,
            description =
                    "Download a CA's certificate and its issuers up to the root, PEM by default (needs ca:issue).")
    static final class Chain implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "CA", description = "The CA.")
        String ca;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the chain goes.")
        Path out;

        @Option(names = "--p7b", description = "A PKCS#7 bundle (DER) instead of PEM.")
        boolean p7b;

        @Option(names = "--force", description = "Replace the file if it exists.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (OutputFile file = OutputFile.open(out, force)) {
                file.write(LoginCommand.client(spec).getBytes(caPath(ca) + "/chain?format=" + (p7b ? "p7b" : "pem")));
                System.out.println("Chain of CA '" + ca + "' written to " + file.target());
            }
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "offline",
            mixinStandardHelpOptions = true,
            description = {
                "Take a CA offline: the server hands over its key as a PKCS#12 file and deletes its own copy; the CA"
                        + " can then neither issue nor sign CRLs until `signet ca online` (needs ca:admin).",
                "The new password of the file is asked twice on the terminal, or read from the first line of standard"
                        + " input. Keep the file and the password apart, and safe."
            })
    static final class Offline implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "CA", description = "The CA, usually a root.")
        String name;

        @Option(names = "--out", required = true, paramLabel = "FILE.p12", description = "Where the key goes.")
        Path out;

        @Option(names = "--force", description = "Replace the file if it exists.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (OutputFile file = OutputFile.secret(out, force)) {
                String password = newPassword("PKCS#12 password");
                JsonNode answer =
                        LoginCommand.client(spec).post(caPath(name) + "/offline", Map.of("password", password));
                byte[] p12 = decode(answer, "pkcs12Base64");
                try {
                    file.write(p12);
                } catch (SignetException e) {
                    // The server no longer has the key: this is the only copy. Better on the terminal than lost.
                    System.err.println("signet: the server has removed the key of CA '" + name + "'; its PKCS#12"
                            + " (encrypted under the password just given), base64:");
                    System.err.println(Base64.getMimeEncoder().encodeToString(p12));
                    throw e;
                }
                if (!opens(p12, password)) {
                    throw new SignetException(
                            "cli.bad_answer",
                            file.target() + " does not open with the password given; the server has removed the key"
                                    + " of CA '" + name + "': keep the file and report this");
                }
                System.out.println("CA '" + name + "' is offline: its key is in " + file.target()
                        + " (mode 0600) and no longer on the server.");
            }
            return Main.EXIT_OK;
        }

        private static boolean opens(byte[] p12, String password) {
            try (InputStream in = new ByteArrayInputStream(p12)) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(in, password.toCharArray());
                for (String alias : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(alias)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException | GeneralSecurityException e) {
                return false;
            }
        }
    }

    @Command(
            name = "online",
            mixinStandardHelpOptions = true,
            description = {
                "Bring an offline CA back: upload the PKCS#12 file `signet ca offline` wrote (needs ca:admin).",
                "Its password is read from the terminal, or from the first line of standard input."
            })
    static final class Online implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "CA", description = "The CA.")
        String name;

        @Option(names = "--p12", required = true, paramLabel = "FILE", description = "The PKCS#12 file with its key.")
        Path p12;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String content = Base64.getEncoder().encodeToString(read(p12, "PKCS#12 file"));
            String password = Prompt.secret("PKCS#12 password", passwordStdin);
            LoginCommand.client(spec)
                    .post(caPath(name) + "/online", Map.of("pkcs12Base64", content, "password", password));
            System.out.println("CA '" + name + "' is online again.");
            return Main.EXIT_OK;
        }
    }
}
