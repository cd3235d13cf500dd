package dev.signet.cli;

import dev.signet.cli.SignFiles.Target;
import dev.signet.core.SignetException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code signet sign}: signs files and JARs with a key on the server (only digests are sent) or,
 * offline, with a local PKCS#12. See {@link SignRun} for the pipeline and docs/ci-signing.md for
 * the exit codes and CI examples.
 */
@Command(
        name = "sign",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Sign files and JARs. Files are hashed here and only their digests go to the server, in batches;"
                    + " the key never leaves it. A detached CMS signature FILE.p7s is written beside each file"
                    + " (or under --out-dir); a JAR (.jar, .war, .ear) is signed in place (or to --out).",
            "Needs a token with sign:KEY, and the key granted to the token or its owner: SIGNET_URL and SIGNET_TOKEN, or `signet"
                    + " login`. Offline: --keystore FILE.p12 (password from SIGNET_KEYSTORE_PASSWORD or asked).",
            "",
            "Exit codes: 0 all signed; 1 some files not signed (each is reported, the others are signed); 2 bad"
                    + " usage or settings; 4 refused by the server (authentication, permission, unknown key); 5 the"
                    + " server cannot be reached or answered wrongly.",
            ""
        })
final class SignCommand implements Callable<Integer> {
    static final String KEYSTORE_PASSWORD = "SIGNET_KEYSTORE_PASSWORD";
    private static final Pattern SIGNER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,8}");

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeySource source;

    static final class KeySource {
        @Option(names = "--key", paramLabel = "NAME", description = "The server's signing key.")
        String key;

        @Option(
                names = "--keystore",
                paramLabel = "FILE.p12",
                description = "Sign offline with the key of this PKCS#12 file.")
        Path keystore;
    }

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files to sign.")
    List<Path> files = new ArrayList<>();

    @Option(
            names = {"-r", "--recursive"},
            paramLabel = "DIR",
            description =
                    "Sign every file under DIR (repeatable). Existing signatures (*.p7s, *.sig.json) are skipped.")
    List<Path> directories = new ArrayList<>();

    @Option(
            names = "--include",
            paramLabel = "GLOB",
            description = "Only files matching GLOB (repeatable): '*.tar.gz' matches names, 'lib/**.jar' paths"
                    + " relative to the directory walked.")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Skip files matching GLOB (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "cms (DER .p7s), pem (PEM .p7s), jar (a signed JAR) or bundle (JSON .sig.json)."
                    + " Default: jar for .jar/.war/.ear, cms for the rest.")
    String format;

    @Option(
            names = "--out-dir",
            paramLabel = "DIR",
            description = "Write signatures (and signed JARs) under DIR, mirroring the files' relative paths,"
                    + " instead of beside the files.")
    Path outDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Where the signed JAR goes, when signing one JAR.")
    Path out;

    @Option(
            names = "--manifest",
            paramLabel = "FILE.jsonl",
            description = "Write one JSON line per file: name, size, digest, result, signature or reason.")
    Path manifest;

    @Option(names = "--no-timestamp", description = "Do not have the server timestamp the signatures.")
    boolean noTimestamp;

    @Option(
            names = "--alias",
            paramLabel = "ALIAS",
            description = "With --keystore: the key's alias (default: the only key).")
    String alias;

    @Option(
            names = "--tsa",
            paramLabel = "URL",
            description =
                    "With --keystore: timestamp the signatures at this RFC 3161 TSA (e.g. https://signet.example.com/tsa).")
    String tsa;

    @Option(
            names = "--signer-name",
            paramLabel = "NAME",
            description = "The name of a JAR's META-INF/NAME.SF (1-8 of A-Z 0-9 _ -). Default: from the key's name.")
    String signerName;

    @Option(names = "--threads", paramLabel = "N", description = "Files hashed at once. Default: the number of CPUs.")
    Integer threads;

    @Option(names = "--batch-size", paramLabel = "N", hidden = true, description = "Digests per request (1-1000).")
    int batchSize = SignRun.MAX_BATCH;

    @Option(
            names = {"-q", "--quiet"},
            description = "No line per signed file; failures and the summary still show.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SignRun.Format fixed = format == null ? null : SignRun.Format.byId(format);
        check();
        Hashing.warmUp(dev.signet.core.sign.DigestAlgorithm.SHA256);
        List<Target> targets = SignFiles.collect(files, directories, includes, excludes, outDir);
        if (targets.isEmpty()) {
            System.err.println("signet: nothing to sign: no file given or matched");
            return Main.EXIT_FAILED;
        }
        if (out != null
                && (targets.size() != 1
                        || (fixed != null
                                        ? fixed
                                        : SignRun.Format.forFile(targets.get(0).file()))
                                != SignRun.Format.JAR)) {
            throw new SignetException(
                    "usage.out_invalid",
                    "--out names the signed JAR when one JAR is signed; use --out-dir for more files");
        }
        if (outDir != null) {
            try {
                Files.createDirectories(outDir);
            } catch (java.io.IOException e) {
                throw new SignetException(
                        "usage.output_unwritable", "cannot create --out-dir " + outDir + ": " + e.getMessage());
            }
        }
        SignBackend backend;
        try {
            backend = backend();
        } catch (SignetException e) {
            int code = SignRun.exitCode(e);
            if (code == Main.EXIT_USAGE) {
                throw e;
            }
            if (manifest != null) {
                // Every file is in the manifest, even when none could be signed.
                try (SignReport report = new SignReport(System.out, System.err, false, true, manifest)) {
                    for (Target t : targets) {
                        report.record(new SignRun.Outcome(
                                t,
                                fixed != null ? fixed : SignRun.Format.forFile(t.file()),
                                0,
                                null,
                                null,
                                null,
                                e.code(),
                                e.getMessage()));
                    }
                }
            }
            System.err.println("signet: nothing signed: " + e.getMessage());
            return code;
        }
        try (SignReport report = new SignReport(System.out, System.err, Prompt.interactive(), quiet, manifest)) {
            SignRun.Options options = new SignRun.Options(
                    fixed,
                    outDir,
                    out,
                    signerName != null ? signerName.toUpperCase(Locale.ROOT) : jarSignerName(backend.signerName()),
                    threads != null
                            ? threads
                            : Math.min(16, Runtime.getRuntime().availableProcessors()),
                    2,
                    batchSize,
                    20,
                    manifest != null);
            SignRun.Summary summary = new SignRun(backend, options, report).run(targets);
            report.summary(summary, backend.describe());
            if (summary.fatal() != null) {
                System.err.println("signet: stopped: " + summary.fatal().getMessage());
                return SignRun.exitCode(summary.fatal());
            }
            return summary.failed() == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
        }
    }

    private void check() {
        if (files.isEmpty() && directories.isEmpty()) {
            throw new SignetException("usage.input_missing", "name files to sign, or a directory with --recursive DIR");
        }
        if (out != null && outDir != null) {
            throw new SignetException("usage.out_invalid", "--out and --out-dir do not go together");
        }
        if (source.key != null && (alias != null || tsa != null)) {
            throw new SignetException(
                    "usage.option_invalid", "--alias and --tsa go with --keystore; the server timestamps with --key");
        }
        if (signerName != null && !SIGNER_NAME.matcher(signerName).matches()) {
            throw new SignetException(
                    "usage.signer_name_invalid",
                    "--signer-name takes 1 to 8 letters, digits, '_' or '-', not '" + signerName + "'");
        }
        if (threads != null && (threads < 1 || threads > 64)) {
            throw new SignetException("usage.number_invalid", "--threads must be 1 to 64");
        }
        if (batchSize < 1 || batchSize > SignRun.MAX_BATCH) {
            throw new SignetException("usage.number_invalid", "--batch-size must be 1 to " + SignRun.MAX_BATCH);
        }
        if (outDir != null && Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new SignetException("usage.output_is_file", "--out-dir " + outDir + " is a file");
        }
        if (manifest != null) {
            Path parent = manifest.toAbsolutePath().getParent();
            if (Files.isDirectory(manifest) || parent == null || !Files.isDirectory(parent)) {
                throw new SignetException(
                        "usage.output_directory_missing",
                        "--manifest " + manifest + ": name a file in an existing directory");
            }
        }
    }

    private SignBackend backend() {
        Map<String, String> env = Main.env(spec);
        if (source.key != null) {
            ApiClient api = LoginCommand.client(spec);
            return RemoteBackend.open(api, source.key, !noTimestamp);
        }
        TsaClient timestamper = null;
        if (tsa != null) {
            timestamper = new TsaClient(tsaUrl(tsa));
        }
        String password = env.get(KEYSTORE_PASSWORD);
        if (password == null) {
            password = Prompt.secret("Password of " + source.keystore, false);
        }
        return LocalBackend.open(source.keystore, alias, password.toCharArray(), timestamper, Clock.systemUTC());
    }

    /**
     * An RFC 3161 time-stamp authority's URL: absolute http(s), with a host.
     *
     * @throws SignetException {@code usage.tsa_invalid} (exit code 2)
     */
    static URI tsaUrl(String text) {
        try {
            URI u = new URI(text.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https"))
                    && u.getHost() != null
                    && u.getRawUserInfo() == null) {
                return u;
            }
        } catch (java.net.URISyntaxException e) {
            // refused below
        }
        throw new SignetException(
                "usage.tsa_invalid",
                "--tsa takes the time-stamp authority's http(s) URL, e.g. https://signet.example.com/tsa, not '" + text
                        + "'");
    }

    /** A JAR signer name from a key's name, as jarsigner makes one from an alias: 8 characters, upper case. */
    static String jarSignerName(String name) {
        String s = name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_-]", "_");
        s = s.length() > 8 ? s.substring(0, 8) : s;
        return s.isEmpty() ? "SIGNER" : s;
    }
}
