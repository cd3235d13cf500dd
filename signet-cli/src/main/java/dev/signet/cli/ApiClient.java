package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small client for Signet's REST API ({@code /api/v1}): JSON in and out, the token as a bearer
 * header, no redirects followed (a token is never sent anywhere but the configured server). A
 * refusal becomes an {@link ApiException} carrying the server's stable code and its message; a
 * server that cannot be reached is named in the message. The token never appears in a message.
 */
final class ApiClient {
    /** The server refused the request; {@code code()} is its stable problem code. */
    static final class ApiException extends SignetException {
        private final int status;

        ApiException(int status, String code, String message) {
            super(code, message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final String token;
    private final HttpClient http;

    ApiClient(Credentials credentials) {
        this.base = credentials.url();
        this.token = credentials.token();
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI base() {
        return base;
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, Map<String, ?> body) {
        return send("POST", path, body);
    }

    JsonNode patch(String path, Map<String, ?> body) {
        return send("PATCH", path, body);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** Sends one request; answers the JSON body (a missing node for an empty one) of a 2xx answer. */
    JsonNode send(String method, String path, Map<String, ?> body) {
        HttpResponse<String> response = exchange(
                method, path, body, "application/json, application/problem+json", HttpResponse.BodyHandlers.ofString());
        return answer(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    /**
     * POSTs JSON and answers the raw bytes of a 2xx answer, for large answers read with a streaming
     * parser (no String, no tree); a refusal is read as problem+json like any other.
     */
    byte[] postForBytes(String path, Map<String, ?> body) {
        HttpResponse<byte[]> response = exchange(
                "POST",
                path,
                body,
                "application/json, application/problem+json",
                HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        answer(status, type, new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        throw new ApiException(status, "cli.http_" + status, "unexpected answer from " + base + ": HTTP " + status);
    }

    /**
     * GETs a raw (binary or PEM) body, such as a CRL or a certificate; a refusal is read as
     * problem+json like any other.
     */
    byte[] getBytes(String path) {
        HttpResponse<byte[]> response =
                exchange("GET", path, null, "*/*, application/problem+json", HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        answer(status, type, new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        throw new ApiException(status, "cli.http_" + status, "unexpected answer from " + base + ": HTTP " + status);
    }

    private <T> HttpResponse<T> exchange(
            String method, String path, Map<String, ?> body, String accept, HttpResponse.BodyHandler<T> handler) {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", accept)
                .header("User-Agent", "signet-cli");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(request.build(), handler);
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("the connection timed out");
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within 60 seconds");
        } catch (ConnectException e) {
            throw unreachable(
                    e.getCause() instanceof UnresolvedAddressException ? "unknown host" : "connection refused");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable("interrupted");
        }
    }

    private JsonNode answer(int status, String type, String body) {
        JsonNode json = JSON.missingNode();
        if (type.contains("json") && !body.isBlank()) {
            try {
                json = JSON.readTree(body);
            } catch (JacksonException e) {
                throw new ApiException(
                        status,
                        "cli.bad_answer",
                        "the server at " + base + " sent unreadable JSON (HTTP " + status + ")");
            }
        }
        if (status >= 200 && status < 300) {
            return json;
        }
        String code = json.path("code").asString("");
        String detail = json.path("detail").asString("");
        if (code.isEmpty()) {
            throw new ApiException(
                    status,
                    "cli.http_" + status,
                    "unexpected answer from " + base + ": HTTP " + status
                            + (status == 404 ? " (is this a Signet server?)" : ""));
        }
        String hint = status == 401
                ? "; run `signet login` with a valid token (or check SIGNET_TOKEN)"
                : status == 403 && code.equals("auth.insufficient_scope")
                        ? "; create a token with the scope this command needs"
                        : "";
        throw new ApiException(status, code, (detail.isEmpty() ? "refused" : detail) + " [" + code + "]" + hint);
    }

    private SignetException unreachable(String why) {
        return new SignetException("cli.unreachable", "cannot connect to " + base + ": " + why);
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }
}
