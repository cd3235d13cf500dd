package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.cli.SignFiles.Target;
import dev.signet.core.SignetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code signet sign} picks up, and how it names and places things; no server needed. */
class SignFilesTest {
    @TempDir
    Path dir;

    List<String> names(List<Target> targets) {
        return targets.stream().map(t -> t.relative().toString()).toList();
    }

    @Test
    void collectWhenWalkingThenSortedSignaturesSkippedGlobsByNameOrPathAndOutDirLeftOut() throws Exception {
        Files.createDirectories(dir.resolve("lib/deep"));
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("b.txt"), "b");
        Files.writeString(dir.resolve("a.tar.gz"), "a");
        Files.writeString(dir.resolve("a.tar.gz.p7s"), "old signature");
        Files.writeString(dir.resolve("a.tar.gz.sig.json"), "old bundle");
        Files.writeString(dir.resolve("lib/x.jar"), "jar");
        Files.writeString(dir.resolve("lib/deep/y.jar"), "jar");
        Files.writeString(dir.resolve("out/z.txt.p7s"), "out");
        Files.writeString(dir.resolve("out/z.txt"), "out");
        Files.createSymbolicLink(dir.resolve("loop"), dir);
        Files.createSymbolicLink(dir.resolve("dangling.txt"), dir.resolve("nowhere"));

        assertThat(names(SignFiles.collect(List.of(), List.of(dir), List.of(), List.of(), dir.resolve("out"))))
                .containsExactly("a.tar.gz", "b.txt", "dangling.txt", "lib/deep/y.jar", "lib/x.jar");
        assertThat(names(SignFiles.collect(List.of(), List.of(dir), List.of("*.jar"), List.of(), null)))
                .containsExactly("lib/deep/y.jar", "lib/x.jar");
        assertThat(names(SignFiles.collect(List.of(), List.of(dir), List.of("lib/*.jar"), List.of(), null)))
                .containsExactly("lib/x.jar");
        assertThat(names(SignFiles.collect(List.of(), List.of(dir), List.of("lib/**"), List.of("**/deep/*"), null)))
                .containsExactly("lib/x.jar");
        assertThat(names(SignFiles.collect(List.of(), List.of(dir), List.of(), List.of("*.txt", "*.jar"), null)))
                .containsExactly("a.tar.gz");

        // A file named twice, or named and found, is signed once; a named one keeps its spelling.
        List<Target> twice = SignFiles.collect(
                List.of(dir.resolve("b.txt"), dir.resolve("lib/../b.txt")),
                List.of(dir),
                List.of("b.*"),
                List.of(),
                null);
        assertThat(twice).hasSize(1);
        assertThat(twice.get(0).name()).isEqualTo(dir.resolve("b.txt").toString());
        assertThat(twice.get(0).relative()).isEqualTo(Path.of("b.txt"));
    }

    @Test
    void collectWhenArgumentsAreWrongThenUsageErrors() {
        assertThatThrownBy(
                        () -> SignFiles.collect(List.of(), List.of(dir.resolve("missing")), List.of(), List.of(), null))
                .isInstanceOf(SignetException.class)
                .hasMessageContaining("is not a directory")
                .extracting(e -> ((SignetException) e).code())
                .isEqualTo("usage.input_missing");
        assertThatThrownBy(() -> SignFiles.collect(List.of(), List.of(dir), List.of("[a-"), List.of(), null))
                .extracting(e -> ((SignetException) e).code())
                .isEqualTo("usage.glob_invalid");
    }

    @Test
    void reportWhenOnATerminalThenABarWithFilesBytesRateAndFailuresAboveIt() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Path manifest = dir.resolve("m.jsonl");
        Target ok = new Target(dir.resolve("ok.txt"), "ok.txt", Path.of("ok.txt"));
        Target bad = new Target(dir.resolve("bad\u001b[2J.txt"), "bad\u001b[2J.txt", Path.of("bad.txt"));
        try (SignReport report = new SignReport(
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                true,
                false,
                manifest)) {
            report.started(2, 3 << 20);
            report.read(1 << 20);
            report.finished(new SignRun.Outcome(
                    ok,
                    SignRun.Format.CMS,
                    1 << 20,
                    dev.signet.core.sign.DigestAlgorithm.SHA256,
                    new byte[32],
                    dir.resolve("ok.txt.p7s"),
                    null,
                    null));
            report.finished(new SignRun.Outcome(
                    bad,
                    SignRun.Format.CMS,
                    0,
                    dev.signet.core.sign.DigestAlgorithm.SHA256,
                    null,
                    null,
                    "file.missing",
                    "does not exist (removed?)"));
            report.summary(new SignRun.Summary(2, 1, 1, 3 << 20, null), "key 'k'");
        }
        String bar = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(bar)
                .contains("signet: not signed: bad?[2J.txt: does not exist (removed?) [file.missing]")
                .contains("2/2 files")
                .contains("/3.0 MiB")
                .contains("/s")
                .contains("Signed 1 of 2 files (3.0 MiB) with key 'k'")
                .contains("; 1 failed.")
                .doesNotContain("\u001b");
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();
        List<String> lines = Files.readAllLines(manifest);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"result\":\"signed\"").contains("\"signature\":");
        assertThat(lines.get(1))
                .contains("\"result\":\"failed\"")
                .contains("\"error\":\"file.missing\"")
                .contains("\"digest\":null");
    }

    @Test
    void reportWhenManyFailForOneReasonThenAFewAreShownAndTheRestCounted() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream errStream = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        try (SignReport report = new SignReport(errStream, errStream, false, false, null)) {
            report.started(9, 0);
            for (int i = 0; i < 8; i++) {
                Target t = new Target(dir.resolve("f" + i), "f" + i, Path.of("f" + i));
                report.finished(new SignRun.Outcome(
                        t,
                        SignRun.Format.CMS,
                        0,
                        null,
                        null,
                        null,
                        "sign.not_allowed",
                        "not granted [sign.not_allowed]"));
            }
            report.finished(new SignRun.Outcome(
                    new Target(dir.resolve("g"), "g", Path.of("g")),
                    SignRun.Format.CMS,
                    0,
                    null,
                    null,
                    null,
                    "file.missing",
                    "does not exist (removed?)"));
            report.summary(new SignRun.Summary(9, 0, 9, 0, null), "key 'k'");
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.contains("not granted")).count()).isEqualTo(6);
        assertThat(text)
                .contains("signet: not signed: f4: not granted [sign.not_allowed]")
                .doesNotContain("signet: not signed: f5:")
                .contains("... and 3 more not signed for the same reason: not granted [sign.not_allowed]")
                .contains("signet: not signed: g: does not exist (removed?) [file.missing]")
                .contains("Signed 0 of 9 files");
    }

    @Test
    void formatWhenByExtensionThenJarsAreJarsAndTheRestCms() {
        assertThat(SignRun.Format.forFile(Path.of("app.JAR"))).isEqualTo(SignRun.Format.JAR);
        assertThat(SignRun.Format.forFile(Path.of("web.war"))).isEqualTo(SignRun.Format.JAR);
        assertThat(SignRun.Format.forFile(Path.of("big.ear"))).isEqualTo(SignRun.Format.JAR);
        assertThat(SignRun.Format.forFile(Path.of("app.jar.txt"))).isEqualTo(SignRun.Format.CMS);
        assertThat(SignRun.Format.byId(" Bundle ")).isEqualTo(SignRun.Format.BUNDLE);
        assertThatThrownBy(() -> SignRun.Format.byId("zip")).hasMessageContaining("cms, pem, jar or bundle");
    }

    @Test
    void namesWhenGivenThenJarSignerNamesAndGranteesAreNormalised() {
        assertThat(SignCommand.jarSignerName("release")).isEqualTo("RELEASE");
        assertThat(SignCommand.jarSignerName("my.release-key-2026")).isEqualTo("MY_RELEA");
        assertThat(SignCommand.jarSignerName("ünï")).isEqualTo("_N_");
        assertThat(KeysCommand.grantee("alice")).isEqualTo("user:alice");
        assertThat(KeysCommand.grantee("Token:abc")).isEqualTo("token:abc");
        assertThat(KeysCommand.grantee(" client:ci-bot ")).isEqualTo("client:ci-bot");
        assertThatThrownBy(() -> KeysCommand.grantee("group:x")).hasMessageContaining("user:NAME");
        assertThatThrownBy(() -> KeysCommand.grantee("user:")).hasMessageContaining("names nobody");
    }

    @Test
    void exitCodeWhenTheRunStopsThenRefusalsAreFourAndOutagesFive() {
        assertThat(SignRun.exitCode(new ApiClient.ApiException(403, "sign.not_allowed", "no")))
                .isEqualTo(Main.EXIT_REFUSED);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(401, "auth.invalid_token", "no")))
                .isEqualTo(Main.EXIT_REFUSED);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(404, "sign.key_unknown", "no")))
                .isEqualTo(Main.EXIT_REFUSED);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(404, "cli.http_404", "not Signet")))
                .isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(503, "cli.http_503", "down")))
                .isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(SignRun.exitCode(new SignetException("cli.unreachable", "cannot connect")))
                .isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(404, "keys.not_found", "no")))
                .isEqualTo(Main.EXIT_REFUSED);
        assertThat(SignRun.exitCode(new ApiClient.ApiException(409, "sign.key_revoked", "no")))
                .isEqualTo(Main.EXIT_REFUSED);
        assertThat(SignRun.stops(new ApiClient.ApiException(409, "sign.key_revoked", "no")))
                .isTrue();
        assertThat(SignRun.stops(new ApiClient.ApiException(400, "sign.digest_length", "bad")))
                .isFalse();
        assertThat(SignRun.exitCode(new SignetException("settings.not_logged_in", "no")))
                .isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void auditNameWhenTheFileNameIsOddThenTheServerGetsOneItTakes() {
        assertThat(RemoteBackend.auditName("dist/a b.txt")).isEqualTo("dist/a b.txt");
        assertThat(RemoteBackend.auditName("evil\nname\u0007.txt")).isEqualTo("evil?name?.txt");
        assertThat(RemoteBackend.auditName(" ")).isEqualTo("(unnamed)");
        String longName = "d/".repeat(600) + "end.txt";
        assertThat(RemoteBackend.auditName(longName))
                .hasSize(1024)
                .startsWith("...")
                .endsWith("end.txt");
    }
}
