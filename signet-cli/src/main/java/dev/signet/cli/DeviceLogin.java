package dev.signet.cli;

import dev.signet.core.SignetException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code signet login --device}: the OAuth 2.0 device authorization grant (RFC 8628) as the
 * built-in public client {@value #CLIENT_ID}. It asks the server for a device code (section 3.1),
 * shows the person where to go and which code to enter (section 3.3), and polls the token endpoint
 * every {@code interval} seconds (section 3.4) until the person has approved, refused, or the code
 * expired; {@code slow_down} makes it wait 5 seconds longer from then on (section 3.5). What it gets
 * is an API token like the one {@code signet login --token-stdin} stores.
 */
final class DeviceLogin {
    static final String CLIENT_ID = "signet-cli";
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
    /** RFC 8628 section 3.2: "If no value is provided, clients MUST use 5 as the default." */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** RFC 8628 section 3.5: "the interval MUST be increased by 5 seconds". */
    static final Duration SLOW_DOWN = Duration.ofSeconds(5);

    /** How the wait between polls passes; tests replace it so that no test sleeps. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    static volatile Sleeper sleeper = d -> Thread.sleep(d);

    private final URI server;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    DeviceLogin(URI server, PrintStream out) {
        this.server = server;
        this.out = out;
    }

    /**
     * Runs the grant and answers the access token.
     *
     * @throws SignetException {@code login.device_unavailable}, {@code login.device_denied}, {@code
     *     login.device_expired}, {@code login.device_failed}, {@code cli.unreachable}
     */
    String run(String scopes) {
        Map<String, String> start = new LinkedHashMap<>();
        start.put("client_id", CLIENT_ID);
        if (scopes != null && !scopes.isBlank()) {
            start.put("scope", scopes.strip());
        }
        Answer started = post("/oauth2/device_authorization", start);
        if (started.status() != 200) {
            throw new SignetException(
                    started.status() == 404 ? "login.device_unavailable" : "login.device_failed",
                    started.status() == 404
                            ? server + " does not offer sign-in by device code (is it a Signet server?)"
                            : "the server refused to start a device sign-in: " + started.error());
        }
        JsonNode d = started.json();
        String deviceCode = required(d, "device_code");
        String userCode = required(d, "user_code");
        String verificationUri = required(d, "verification_uri");
        long expiresIn = d.path("expires_in").asLong(0);
        Duration interval = d.path("interval").asLong(0) > 0
                ? Duration.ofSeconds(d.path("interval").asLong())
                : DEFAULT_INTERVAL;
        out.println("To sign in, open " + verificationUri);
        out.println("and enter the code: " + userCode);
        if (d.hasNonNull("verification_uri_complete")) {
            out.println("(or open " + d.path("verification_uri_complete").asString() + ")");
        }
        out.println("Waiting for the sign-in to be approved...");

        Map<String, String> poll = new LinkedHashMap<>();
        poll.put("grant_type", GRANT_TYPE);
        poll.put("device_code", deviceCode);
        poll.put("client_id", CLIENT_ID);
        Duration waited = Duration.ZERO;
        while (true) {
            if (expiresIn > 0 && waited.toSeconds() >= expiresIn) {
                throw expired();
            }
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SignetException("login.device_failed", "interrupted while waiting for the approval");
            }
            waited = waited.plus(interval);
            Answer answer = post("/oauth2/token", poll);
            if (answer.status() == 200) {
                String token = answer.json().path("access_token").asString("");
                if (token.isEmpty()) {
                    throw new SignetException("login.device_failed", "the server answered without an access token");
                }
                return token;
            }
            String error = answer.json().path("error").asString("");
            switch (error) {
                case "authorization_pending" -> {}
                case "slow_down" -> interval = interval.plus(SLOW_DOWN);
                case "access_denied" ->
                    throw new SignetException("login.device_denied", "the sign-in was refused on the server");
                case "expired_token" -> throw expired();
                default ->
                    throw new SignetException(
                            "login.device_failed", "the server refused the device sign-in: " + answer.error());
            }
        }
    }

    private static SignetException expired() {
        return new SignetException(
                "login.device_expired", "the code expired before it was approved; run `signet login --device` again");
    }

    private static String required(JsonNode d, String field) {
        String value = d.path(field).asString("");
        if (value.isEmpty()) {
            throw new SignetException("login.device_failed", "the server's device answer has no " + field);
        }
        return value;
    }

    /** One answer of the authorization server: status and JSON body (a missing node when not JSON). */
    record Answer(int status, JsonNode json) {
        String error() {
            String e = json.path("error").asString("");
            if (e.isEmpty()) {
                return "HTTP " + status;
            }
            String description = json.path("error_description").asString("");
            return description.isEmpty() ? e : e + " (" + description + ")";
        }
    }

    private Answer post(String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("User-Agent", "signet-cli")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SignetException(
                    "cli.unreachable",
                    "cannot connect to " + server + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignetException("cli.unreachable", "cannot connect to " + server + ": interrupted");
        }
        JsonNode json = ApiClient.JSON.missingNode();
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.contains("json") && !response.body().isBlank()) {
            try {
                json = ApiClient.JSON.readTree(response.body());
            } catch (JacksonException e) {
                throw new SignetException(
                        "cli.bad_answer",
                        "the server at " + server + " sent unreadable JSON (HTTP " + response.statusCode() + ")");
            }
        }
        return new Answer(response.statusCode(), json);
    }
}
