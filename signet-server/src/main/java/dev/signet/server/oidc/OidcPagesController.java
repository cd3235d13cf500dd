package dev.signet.server.oidc;

import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

/**
 * The pages of the OpenID Connect provider, in the console's style: consent ({@code
 * /oauth2/consent}), entering a device's code ({@code /device}, RFC 8628 section 3.3), going back to
 * a waiting application after sign-in or step-up ({@code /oidc/continue}), the page that says a
 * required factor is missing ({@code /oidc/unmet}), and the user's applications ({@code
 * /account/applications}: consents and live grants, with revoke).
 */
@Controller
class OidcPagesController {
    /** What each standard scope lets an application do, in words. */
    static final Map<String, String> SCOPE_WORDS = Map.of(
            "openid", "Know who you are (your Signet account id)",
            "profile", "See your username and display name",
            "email", "See your email address",
            "offline_access", "Stay signed in to it when you are away (keep access until you revoke it)");

    private final SignetClients clients;
    private final DbAuthorizationService authorizations;
    private final DbConsentService consents;
    private final OidcFormAction formAction;
    private final AuditLog audit;
    private final Clock clock;

    OidcPagesController(
            SignetClients clients,
            DbAuthorizationService authorizations,
            DbConsentService consents,
            OidcFormAction formAction,
            AuditLog audit,
            Clock clock) {
        this.clients = clients;
        this.authorizations = authorizations;
        this.consents = consents;
        this.formAction = formAction;
        this.audit = audit;
        this.clock = clock;
    }

    /** One scope on the consent page. */
    record ScopeRow(String name, String description, boolean granted) {}

    // ---- consent ---------------------------------------------------------------------------------

    /**
     * Consent (RFC 6749 section 4.1.1, "the authorization server ... obtains an authorization
     * decision"): the scopes the client asks for; allowing posts the chosen ones back to the endpoint
     * that asked (authorization or device verification), denying posts none. The answer to an
     * authorization request is a redirect to the client, which the page's CSP {@code form-action}
     * allows ({@link OidcFormAction}).
     */
    @GetMapping("/oauth2/consent")
    String consent(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "client_id", required = false) String clientId,
            @RequestParam(name = "scope", required = false) String scope,
            @RequestParam(name = "state", required = false) String state,
            @RequestParam(name = "user_code", required = false) String userCode,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        Optional<OidcClient> client = clients.client(clientId);
        if (client.isEmpty() || state == null || state.isBlank() || state.length() > 512) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            model.addAttribute(
                    "problem", "This consent request is not valid. Go back to the application and start again.");
            return "oidc-problem";
        }
        Set<String> already = Optional.ofNullable(consents.findById(client.get().clientId(), me.username()))
                .map(c -> c.getScopes())
                .orElse(Set.of());
        List<ScopeRow> rows = new ArrayList<>();
        for (String s : words(scope)) {
            if (s.equals("openid")) {
                continue;
            }
            rows.add(new ScopeRow(s, SCOPE_WORDS.getOrDefault(s, "Use “" + s + "”"), already.contains(s)));
        }
        response.setHeader("Cache-Control", "no-store");
        if (userCode == null) {
            formAction.consentPage(request, client.get(), state);
        }
        model.addAttribute("client", client.get());
        model.addAttribute("scopes", rows);
        model.addAttribute("signsIn", words(scope).contains("openid"));
        model.addAttribute("state", state);
        model.addAttribute("userCode", userCode);
        model.addAttribute("action", userCode == null ? "/oauth2/authorize" : "/oauth2/device_verification");
        return "oidc-consent";
    }

    // ---- device codes (RFC 8628) -----------------------------------------------------------------

    /**
     * Where a device sends its user ({@code verification_uri}): enter the code shown on the device
     * (or have it filled in from {@code verification_uri_complete}), then approve on the consent
     * page. Signs the user in first if needed.
     */
    @GetMapping("/device")
    String device(
            @RequestParam(name = "user_code", required = false) String userCode,
            @RequestParam(name = "approved", required = false) String approved,
            @RequestParam(name = "invalid", required = false) String invalid,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (!signedIn()) {
            String back = "/device"
                    + (userCode == null
                            ? ""
                            : "?user_code="
                                    + UriUtils.encodeQueryParam(
                                            userCode.length() > 32 ? userCode.substring(0, 32) : userCode,
                                            StandardCharsets.UTF_8));
            OidcContinuation.save(request, back, clock);
            return "redirect:/signin";
        }
        model.addAttribute("userCode", userCode == null ? "" : normalise(userCode));
        if (approved != null) {
            model.addAttribute("notice", "Done: the device is signed in. You can close this page.");
        }
        if (invalid != null) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            model.addAttribute(
                    "error",
                    "That code is not valid, has expired, or was used already. Check the device and try again.");
        }
        return "oidc-device";
    }

    @PostMapping("/device")
    String deviceCode(@RequestParam(name = "user_code", required = false) String userCode) {
        String code = userCode == null ? "" : normalise(userCode);
        if (code.isEmpty()) {
            return "redirect:/device?invalid";
        }
        return "redirect:/oauth2/device_verification?user_code="
                + UriUtils.encodeQueryParam(code, StandardCharsets.UTF_8);
    }

    /** "wdjb mjht", "WDJBMJHT", "wdjb-mjht" → "WDJB-MJHT" (the form Spring's user codes take). */
    static String normalise(String userCode) {
        String letters = userCode.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        if (letters.length() > 16) {
            letters = letters.substring(0, 16);
        }
        return letters.length() == 8 ? letters.substring(0, 4) + "-" + letters.substring(4) : letters;
    }

    // ---- back to the application ----------------------------------------------------------------

    @GetMapping(OidcContinuation.PATH)
    String continueToApplication(HttpServletRequest request) {
        return "redirect:" + OidcContinuation.take(request, clock).orElse("/");
    }

    @GetMapping("/oidc/unmet")
    String unmet(
            @RequestParam(name = "client", required = false) String clientId,
            @RequestParam(name = "level", required = false) String level,
            HttpServletResponse response,
            Model model) {
        response.setStatus(HttpStatus.FORBIDDEN.value());
        model.addAttribute(
                "clientName", clients.anyClient(clientId).map(OidcClient::name).orElse("The application"));
        model.addAttribute("passkey", "phishing_resistant".equals(level));
        return "oidc-unmet";
    }

    // ---- the user's applications ----------------------------------------------------------------

    /** One application on the account page: what it was allowed, and its live grants. */
    record ApplicationRow(
            String clientId,
            String name,
            List<String> scopes,
            Instant since,
            int grants,
            boolean offline,
            boolean consented) {}

    @GetMapping("/account/applications")
    String applications(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        Map<String, ApplicationRow> rows = new TreeMap<>();
        Map<String, Set<String>> scopes = new LinkedHashMap<>();
        for (DbConsentService.Consent c : consents.forUser(me.userId())) {
            scopes.computeIfAbsent(c.clientId(), k -> new LinkedHashSet<>()).addAll(c.scopes());
            rows.put(c.clientId(), row(c.clientId(), c.createdAt(), 0, false, true));
        }
        for (DbAuthorizationService.Grant g : authorizations.liveGrants(me.userId())) {
            scopes.computeIfAbsent(g.clientId(), k -> new LinkedHashSet<>()).addAll(g.scopes());
            ApplicationRow before = rows.get(g.clientId());
            Instant since = before == null || g.createdAt().isBefore(before.since()) ? g.createdAt() : before.since();
            rows.put(
                    g.clientId(),
                    row(
                            g.clientId(),
                            since,
                            (before == null ? 0 : before.grants()) + 1,
                            g.offline() || (before != null && before.offline()),
                            before != null && before.consented()));
        }
        List<ApplicationRow> list = rows.values().stream()
                .map(r -> new ApplicationRow(
                        r.clientId(),
                        r.name(),
                        scopes.getOrDefault(r.clientId(), Set.of()).stream()
                                .filter(s -> !s.isBlank())
                                .toList(),
                        r.since(),
                        r.grants(),
                        r.offline(),
                        r.consented()))
                .sorted((a, b) -> a.name().compareToIgnoreCase(b.name()))
                .toList();
        model.addAttribute("applications", list);
        return "account-applications";
    }

    private ApplicationRow row(String clientId, Instant since, int grants, boolean offline, boolean consented) {
        String name = clients.anyClient(clientId).map(OidcClient::name).orElse(clientId);
        return new ApplicationRow(clientId, name, List.of(), since, grants, offline, consented);
    }

    /** Revokes everything an application has of the user: its grants (and their tokens) and the consent. */
    @PostMapping("/account/applications/{clientId}/revoke")
    String revoke(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("clientId") String clientId,
            HttpServletRequest request,
            RedirectAttributes redirect) {
        int grants = authorizations.revokeUserGrants(me.userId(), clientId, "user_revoked");
        boolean consent = consents.withdraw(me.userId(), clientId);
        if (grants == 0 && !consent) {
            redirect.addFlashAttribute("notice", "That application has no access to revoke.");
            return "redirect:/account/applications";
        }
        audit.append(AuditEvent.of("oidc.application_revoked", AuditEvent.SUCCESS)
                .actor(me.username())
                .subject(me.username())
                .client(request.getRemoteAddr(), request.getHeader("User-Agent"))
                .detail("client", clientId)
                .detail("grants", Integer.toString(grants))
                .build());
        String name = clients.anyClient(clientId).map(OidcClient::name).orElse("The application");
        redirect.addFlashAttribute(
                "notice", name + " no longer has access: its tokens are revoked; it will ask again next time.");
        return "redirect:/account/applications";
    }

    private static boolean signedIn() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth instanceof SignetAuthentication s && s.stage() == SignetAuthentication.Stage.COMPLETE;
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            for (String w : text.trim().split("\\s+")) {
                if (!w.isEmpty() && !out.contains(w)) {
                    out.add(w);
                }
            }
        }
        return out;
    }
}
