package dev.signet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls to a {@link TestServer}'s API over real HTTP, with the answer parsed as JSON when it is JSON. */
final class ApiCalls {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** One answer: status, headers, raw body, and the body as JSON (a missing node when not JSON). */
    record Answer(int status, HttpHeaders headers, String body, JsonNode json) {
        String code() {
            return json.path("code").asString("");
        }

        /** Asserts a problem+json answer with this status and stable code, and nothing internal in it. */
        Answer isProblem(int expectedStatus, String expectedCode) {
            assertThat(status).as(body).isEqualTo(expectedStatus);
            assertThat(headers.firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(code()).as(body).isEqualTo(expectedCode);
            assertThat(json.path("status").asInt()).isEqualTo(expectedStatus);
            assertThat(json.path("detail").asString("")).isNotBlank();
            assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("tools.jackson");
            return this;
        }
    }

    private final TestServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    ApiCalls(TestServer server) {
        this.server = server;
    }

    Answer get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    Answer post(String path, String token, String json) {
        return send("POST", path, token, "application/json", json);
    }

    Answer patch(String path, String token, String json) {
        return send("PATCH", path, token, "application/json", json);
    }

    Answer delete(String path, String token) {
        return send("DELETE", path, token, null, null);
    }

    Answer send(String method, String path, String token, String contentType, String body) {
        return send(method, path, token, contentType, body, "application/json");
    }

    Answer send(String method, String path, String token, String contentType, String body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.header("Accept", accept);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.missingNode();
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r.headers(), r.body(), json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
