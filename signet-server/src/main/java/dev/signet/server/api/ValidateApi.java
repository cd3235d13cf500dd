package dev.signet.server.api;

import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.signin.SignInService;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.signin.ValidationService;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/validate} (scope {@code validate}): checks a user's password and/or one-time
 * code for a system that cannot do OIDC. Answers {@code 200} with {@code {"result":"accept"}} or
 * {@code {"result":"reject","reason":...}}; malformed requests get a 400 problem.
 *
 * <p>{@code clientIp} is the end user's address as the calling system saw it; the per-client
 * throttle applies to it (otherwise to the caller's own address, and one VPN gateway would be
 * throttled for all its users).
 */
@RestController
class ValidateApi {
    record Validate(String username, String password, String otp, String clientIp) {}

    static final int MAX_CODE = 32;

    private final ValidationService validation;

    ValidateApi(ValidationService validation) {
        this.validation = validation;
    }

    @PostMapping(path = "/api/v1/validate", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> validate(
            @JsonBody Validate body, @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request) {
        if (body.username() == null || body.username().isBlank()) {
            throw RequestRefused.invalid("field 'username' is required");
        }
        if (body.username().length() > SignInService.MAX_USERNAME) {
            throw RequestRefused.invalid("field 'username' is longer than " + SignInService.MAX_USERNAME);
        }
        if (body.password() == null && body.otp() == null) {
            throw RequestRefused.invalid("give 'password', 'otp' or both");
        }
        if (body.password() != null
                && (body.password().isEmpty() || body.password().length() > 1024)) {
            throw RequestRefused.invalid("field 'password' must be 1 to 1024 characters");
        }
        if (body.otp() != null && (body.otp().isBlank() || body.otp().length() > MAX_CODE)) {
            throw RequestRefused.invalid("field 'otp' must be 1 to " + MAX_CODE + " characters");
        }
        String ip = request.getRemoteAddr();
        if (body.clientIp() != null) {
            ip = literalIp(body.clientIp());
        }
        String code = body.otp() == null ? null : body.otp().replace(" ", "").strip();
        ValidationService.Outcome outcome = validation.validate(
                body.username(),
                body.password(),
                code,
                new ClientInfo(ip, request.getHeader("User-Agent")),
                me.username());
        Map<String, Object> answer = new LinkedHashMap<>();
        if (outcome.accepted()) {
            answer.put("result", "accept");
            answer.put("username", body.username().strip());
            answer.put(
                    "factors",
                    outcome.factors().stream().map(Factor::amr).distinct().toList());
        } else {
            answer.put("result", "reject");
            answer.put("reason", outcome.reason());
            outcome.retryAfter()
                    .ifPresent(d -> answer.put("retryAfterSeconds", Math.max(1, (d.toMillis() + 999) / 1000)));
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(answer);
    }

    /** An IPv4 or IPv6 literal, never a name to resolve. */
    private static String literalIp(String text) {
        String t = text.strip();
        boolean v4 = t.matches("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
        boolean v6 = t.matches("[0-9a-fA-F:.]{2,45}") && t.contains(":");
        if (!v4 && !v6) {
            throw RequestRefused.invalid("field 'clientIp' must be an IPv4 or IPv6 address");
        }
        try {
            // the pattern above admits literals only, so this never looks a name up
            return InetAddress.getByName(t).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw RequestRefused.invalid("field 'clientIp' must be an IPv4 or IPv6 address");
        }
    }
}
