package dev.signet.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** HTTP calls to a {@link TestServer}: the CA API with a bearer token, and the public URLs with none. */
final class CaCalls {
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

        String text(String field) {
            return json.path(field).asString();
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

    CaCalls(TestServer server) {
        this.server = server;
    }

    Answer get(String path, String token) {
        return send("GET", server.uri(path), token, null, null, "*/*");
    }

    Answer post(String path, String token, Object body) {
        String json = body instanceof String s ? s : JSON.writeValueAsString(body);
        return send("POST", server.uri(path), token, "application/json", json.getBytes(StandardCharsets.UTF_8), "*/*");
    }

    /** A GET of an absolute URL (one a certificate names), without credentials. */
    Answer fetch(String url, String accept) {
        return send("GET", URI.create(url), null, null, null, accept);
    }

    Answer send(String method, URI uri, String token, String contentType, byte[] body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
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
        if (accept != null) {
            b.header("Accept", accept);
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
}
