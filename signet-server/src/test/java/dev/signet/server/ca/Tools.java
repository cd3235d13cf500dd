package dev.signet.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real peers: the machine's {@code openssl} and the running JDK's {@code keytool}. */
final class Tools {
    private Tools() {}

    record Result(int exit, String output) {}

    static String keytool() {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assertThat(Files.isExecutable(keytool))
                .as("keytool is required for these tests and is missing at " + keytool)
                .isTrue();
        return keytool.toString();
    }

    static String openssl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "openssl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(
                "openssl is required for these tests and is not on the PATH: install it (apt-get install openssl)");
    }

    static Result run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), output);
    }

    /** Runs {@code command} and asserts it exits 0; returns its output. */
    static String ok(Path dir, String... command) throws Exception {
        Result result = run(dir, command);
        assertThat(result.exit())
                .as(String.join(" ", command) + "\n" + result.output())
                .isZero();
        return result.output();
    }
}
