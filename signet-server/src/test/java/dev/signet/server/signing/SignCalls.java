package dev.signet.server.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** HTTP calls to a {@link TestServer} for the signing tests, and the machine's {@code openssl}. */
final class SignCalls {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** One answer: status, headers, raw body, and the body as JSON when it is JSON. */
    record Answer(int status, HttpHeaders headers, byte[] bytes, JsonNode json) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String code() {
            return json.path("code").asString("");
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        Answer isOk(int expected) {
            assertThat(status).as(body()).isEqualTo(expected);
            return this;
        }

        /** A problem+json answer with this status and stable code, and nothing internal in it. */
        Answer isProblem(int expectedStatus, String expectedCode) {
            assertThat(status).as(body()).isEqualTo(expectedStatus);
            assertThat(contentType()).startsWith("application/problem+json");
            assertThat(code()).as(body()).isEqualTo(expectedCode);
            assertThat(json.path("detail").asString("")).isNotBlank();
            assertThat(body()).doesNotContain("Exception").doesNotContain("\tat ");
            return this;
        }
    }

    private final TestServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    SignCalls(TestServer server) {
        this.server = server;
    }

    Answer get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    Answer delete(String path, String token) {
        return send("DELETE", path, token, null, null);
    }

    Answer post(String path, String token, Object body) {
        String json = body instanceof String s ? s : JSON.writeValueAsString(body);
        return send("POST", path, token, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Answer send(String method, String path, String token, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path))
                .timeout(Duration.ofSeconds(120))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = JSON.missingNode();
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && r.body().length > 0) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r.headers(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int exit, String output) {}

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

    /** Runs {@code openssl ARGS} in {@code dir}, asserts it exits 0, returns its output. */
    static String openssl(Path dir, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = openssl();
        System.arraycopy(args, 0, command, 1, args.length);
        Result result = run(dir, command);
        assertThat(result.exit())
                .as(String.join(" ", command) + "\n" + result.output())
                .isZero();
        return result.output();
    }
}
