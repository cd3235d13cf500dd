package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real peers: the machine's {@code openssl}, the running JDK's {@code jarsigner} and {@code keytool}. */
final class Tools {
    private Tools() {}

    record Result(int exit, String output) {}

    static String jdkTool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        assertThat(Files.isExecutable(tool))
                .as(name + " is required for these tests and is missing at " + tool)
                .isTrue();
        return tool.toString();
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
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
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
