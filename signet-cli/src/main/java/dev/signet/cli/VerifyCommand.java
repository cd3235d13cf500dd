package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.sign.NetworkRevocation;
import dev.signet.core.sign.SignatureBundle;
import dev.signet.core.sign.SignatureVerifier;
import dev.signet.core.sign.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code signet verify}: checks a signed JAR, a file against its detached CMS signature, or a file
 * against its signature bundle, with the core's {@link SignatureVerifier}: digest, signature, chain
 * to a {@code --trust} anchor, code-signing EKU, revocation (OCSP, else CRL, fetched from the URLs in
 * the certificates, timestamp-aware) and the timestamp itself. No server login is needed.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Verify signed files: a JAR (.jar, .war, .ear), a file with FILE.p7s beside it (or --sig), or a file with"
                    + " FILE.sig.json beside it (or --bundle).",
            "Checks the digest, the signature, the chain up to a --trust certificate, the code-signing usage,"
                    + " revocation (OCSP or CRL from the certificates' URLs; skipped with --offline) and the"
                    + " timestamp: a signature timestamped while its certificate was valid stays valid after"
                    + " the certificate expires.",
            "",
            "Exit codes: 0 every file valid; 1 a signature is not valid (the reason is printed, and in --json);"
                    + " 2 bad usage (no --trust, a file or signature that cannot be read).",
            ""
        })
final class VerifyCommand implements Callable<Integer> {
    /** A CRL of a large CA can be a few megabytes; nothing fetched for revocation may be larger. */
    private static final int MAX_FETCH = 16 << 20;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "The signed files (or JARs).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--sig", paramLabel = "FILE.p7s", description = "The detached CMS signature (DER or PEM) of FILE.")
    Path sig;

    @Option(names = "--bundle", paramLabel = "FILE.sig.json", description = "The signature bundle of FILE.")
    Path bundle;

    @Option(
            names = "--trust",
            paramLabel = "CERTS.pem",
            description = "Trusted root (or CA) certificates, PEM or DER (repeatable; required), e.g. from"
                    + " `signet ca chain`. Env: SIGNET_TRUST.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--json", description = "One JSON object per file, for machines.")
    boolean json;

    @Option(names = "--offline", description = "Do not check revocation (no network access).")
    boolean offline;

    @Option(
            names = "--at",
            paramLabel = "TIME",
            description = "Validate as of TIME (e.g. 2027-01-31T00:00:00Z) instead of now, for signatures without a"
                    + " timestamp (a timestamped one is validated at its timestamp).")
    String at;

    @Spec
    CommandSpec spec;

    /** What was checked against what. */
    record Checked(Path file, String format, Path signature, Verdict verdict) {}

    @Override
    public Integer call() {
        Map<String, String> env = Main.env(spec);
        if (trust.isEmpty()
                && env.get("SIGNET_TRUST") != null
                && !env.get("SIGNET_TRUST").isBlank()) {
            trust.add(Path.of(env.get("SIGNET_TRUST").strip()));
        }
        if (trust.isEmpty()) {
            throw new SignetException(
                    "usage.trust_missing",
                    "name the certificates to trust with --trust ROOT.pem (e.g. from `signet ca chain --ca NAME`)");
        }
        if ((sig != null || bundle != null) && files.size() != 1) {
            throw new SignetException("usage.option_invalid", "--sig and --bundle go with one FILE");
        }
        if (sig != null && bundle != null) {
            throw new SignetException("usage.option_invalid", "--sig and --bundle do not go together");
        }
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path t : trust) {
            anchors.addAll(certificates(t));
        }
        Clock clock = Clock.systemUTC();
        if (at != null) {
            try {
                clock = Clock.fixed(Instant.parse(at.strip()), java.time.ZoneOffset.UTC);
            } catch (java.time.format.DateTimeParseException e) {
                throw new SignetException(
                        "usage.time_invalid", "--at takes an instant such as 2027-01-31T00:00:00Z, not '" + at + "'");
            }
        }
        SignatureVerifier verifier = new SignatureVerifier(anchors, offline ? null : revocation(), clock);
        boolean allValid = true;
        for (Path file : files) {
            Checked checked = check(verifier, file);
            allValid &= checked.verdict().valid();
            print(checked);
        }
        return allValid ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private Checked check(SignatureVerifier verifier, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SignetException("usage.input_unreadable", file + " does not exist or is not a file");
        }
        try {
            if (sig != null) {
                return new Checked(file, "cms", sig, verifier.verifyDetached(CaCommand.read(sig, "signature"), file));
            }
            if (bundle != null) {
                return bundle(verifier, file, bundle);
            }
            if (SignRun.Format.forFile(file) == SignRun.Format.JAR) {
                return new Checked(file, "jar", null, verifier.verifyJar(file));
            }
            Path p7s = file.resolveSibling(file.getFileName() + ".p7s");
            if (Files.isRegularFile(p7s)) {
                return new Checked(file, "cms", p7s, verifier.verifyDetached(CaCommand.read(p7s, "signature"), file));
            }
            Path json = file.resolveSibling(file.getFileName() + ".sig.json");
            if (Files.isRegularFile(json)) {
                return bundle(verifier, file, json);
            }
            String name = file.getFileName().toString();
            if (name.toLowerCase(Locale.ROOT).endsWith(".p7s") && name.length() > 4) {
                Path content = file.resolveSibling(name.substring(0, name.length() - 4));
                if (Files.isRegularFile(content)) {
                    return new Checked(
                            content, "cms", file, verifier.verifyDetached(CaCommand.read(file, "signature"), content));
                }
            }
        } catch (IOException e) {
            throw new SignetException("usage.input_unreadable", "cannot read " + file + ": " + e.getMessage());
        }
        return new Checked(
                file,
                "none",
                null,
                new Verdict(
                        false,
                        "unsigned",
                        "no signature found: neither " + file.getFileName() + ".p7s nor " + file.getFileName()
                                + ".sig.json is beside it (name one with --sig or --bundle)",
                        null,
                        List.of(),
                        null,
                        null));
    }

    private static Checked bundle(SignatureVerifier verifier, Path file, Path bundleFile) {
        SignatureBundle b = Bundles.read(CaCommand.read(bundleFile, "signature bundle"));
        byte[] digest;
        try {
            digest = Hashing.digest(file, b.digestAlgorithm(), n -> {}).digest();
        } catch (Hashing.FileProblem p) {
            throw new SignetException("usage.input_unreadable", file + " " + p.getMessage());
        }
        return new Checked(file, "bundle", bundleFile, verifier.verifyBundle(b, digest));
    }

    private void print(Checked c) {
        Verdict v = c.verdict();
        if (json) {
            ObjectNode o = ApiClient.JSON.createObjectNode();
            o.put("file", c.file().toString());
            o.put("format", c.format());
            if (c.signature() == null) {
                o.putNull("signature");
            } else {
                o.put("signature", c.signature().toString());
            }
            o.put("valid", v.valid());
            o.put("code", v.code());
            o.put("reason", v.reason());
            if (v.signer() != null) {
                ObjectNode s = o.putObject("signer");
                s.put("subject", v.signer().getSubjectX500Principal().getName());
                s.put("issuer", v.signer().getIssuerX500Principal().getName());
                s.put("serial", v.signer().getSerialNumber().toString(16));
                s.put("notBefore", v.signer().getNotBefore().toInstant().toString());
                s.put("notAfter", v.signer().getNotAfter().toInstant().toString());
            } else {
                o.putNull("signer");
            }
            ArrayNode chain = o.putArray("chain");
            if (v.chain() != null) {
                v.chain().forEach(x -> chain.add(x.getSubjectX500Principal().getName()));
            }
            putTime(o, "signingTime", v.signingTime());
            putTime(o, "timestampTime", v.timestampTime());
            o.put("revocationChecked", !offline);
            System.out.println(o);
            return;
        }
        String name = SignReport.clean(c.file().toString());
        if (v.valid()) {
            StringBuilder line = new StringBuilder("VALID    " + name);
            if (v.signer() != null) {
                line.append("\n  signed by  ")
                        .append(SignReport.clean(
                                v.signer().getSubjectX500Principal().getName()));
                line.append(" (serial ")
                        .append(v.signer().getSerialNumber().toString(16))
                        .append(")");
            }
            if (v.signingTime() != null) {
                line.append("\n  signed at  ").append(v.signingTime());
            }
            line.append("\n  timestamp  ")
                    .append(
                            v.timestampTime() == null
                                    ? "none"
                                    : v.timestampTime().toString());
            if (v.chain() != null && !v.chain().isEmpty()) {
                line.append("\n  chain      ");
                List<String> subjects = new ArrayList<>();
                v.chain()
                        .forEach(x -> subjects.add(
                                SignReport.clean(x.getSubjectX500Principal().getName())));
                line.append(String.join(" <- ", subjects.reversed()));
            }
            line.append("\n  revocation ").append(offline ? "not checked (--offline)" : "checked");
            System.out.println(line);
        } else {
            System.out.println("INVALID  " + name + ": " + SignReport.clean(v.reason()) + " [" + v.code() + "]");
        }
    }

    private static void putTime(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }

    /** Certificates of a PEM (one or more) or DER file. */
    static List<X509Certificate> certificates(Path file) {
        byte[] content = CaCommand.read(file, "trusted certificates");
        try (InputStream in = new ByteArrayInputStream(content)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return out;
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new SignetException(
                    "usage.trust_invalid", file + " holds no certificate Signet can read (PEM or DER)");
        }
    }

    /** OCSP (POST, RFC 6960 appendix A.1) and CRL (GET) over java.net.http; failures surface as "revocation unknown". */
    static NetworkRevocation revocation() {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        return new NetworkRevocation(
                uri -> fetch(http, HttpRequest.newBuilder(uri).GET(), uri),
                (uri, body) -> fetch(
                        http,
                        HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/ocsp-request")
                                .header("Accept", "application/ocsp-response")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                        uri));
    }

    private static byte[] fetch(HttpClient http, HttpRequest.Builder request, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UncheckedIOException(new IOException("not an http(s) URL: " + uri));
        }
        try {
            HttpResponse<InputStream> response = http.send(
                    request.timeout(Duration.ofSeconds(15))
                            .header("User-Agent", "signet-cli")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException(uri + " answered HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_FETCH + 1);
                if (bytes.length > MAX_FETCH) {
                    throw new IOException(uri + " sent more than " + MAX_FETCH + " bytes");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
