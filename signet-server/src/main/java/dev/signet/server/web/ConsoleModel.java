package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.token.TokenService;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What the account and admin pages share: the {@code isAdmin} model attribute for the top bar, the
 * rows their tables show (sessions, tokens, sign-in attempts, with device labels and reasons in
 * words), and how a refusal becomes a notice with the right status.
 */
@ControllerAdvice
public final class ConsoleModel {

    @ModelAttribute("isAdmin")
    boolean isAdmin() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
            return false;
        }
        return auth.getAuthorities().stream().anyMatch(a -> "ROLE_ADMIN".equals(a.getAuthority()));
    }

    /** One browser session as the session lists show it. */
    public record SessionRow(
            String id,
            String device,
            String userAgent,
            String ip,
            Instant created,
            Instant lastSeen,
            Instant expires,
            boolean current) {}

    /** One API token as the token list shows it: never the secret. */
    public record TokenRow(
            String id,
            String name,
            String hint,
            List<String> scopes,
            Instant created,
            Instant expires,
            Instant lastUsed,
            String status) {
        public boolean active() {
            return "active".equals(status);
        }
    }

    /** One sign-in attempt with its device and its reason in words. */
    public record AttemptRow(
            Instant at,
            String username,
            String userId,
            String ip,
            String device,
            String userAgent,
            String outcome,
            String reason) {
        public boolean success() {
            return "success".equals(outcome);
        }
    }

    static List<SessionRow> sessions(List<DbSessionRepository.View> views, String currentRowId) {
        return views.stream()
                .map(v -> new SessionRow(
                        v.id(),
                        Devices.label(v.userAgent()),
                        v.userAgent(),
                        v.ip(),
                        v.created(),
                        v.lastSeen(),
                        v.expires(),
                        v.id().equals(currentRowId)))
                .toList();
    }

    static List<TokenRow> tokens(List<TokenService.ApiToken> tokens, Instant now) {
        return tokens.stream()
                .map(t -> new TokenRow(
                        t.id(),
                        t.name(),
                        t.hint(),
                        List.copyOf(t.scopes()),
                        t.created(),
                        t.expires().orElse(null),
                        t.lastUsed().orElse(null),
                        t.revoked().isPresent() ? "revoked" : t.activeAt(now) ? "active" : "expired"))
                .toList();
    }

    static List<AttemptRow> attempts(List<SignInHistory.Attempt> attempts) {
        return attempts.stream()
                .map(a -> new AttemptRow(
                        a.at(),
                        a.username(),
                        a.userId(),
                        a.ip(),
                        Devices.label(a.userAgent()),
                        a.userAgent(),
                        a.outcome(),
                        reason(a.reason())))
                .toList();
    }

    /** A sign-in refusal's reason code ({@code bad_password}) in words for people ("wrong password"). */
    static String reason(String code) {
        if (code == null || code.isBlank()) {
            return null;
        }
        return switch (code) {
            case "bad_password" -> "wrong password";
            case "unknown_user" -> "no such user";
            case "no_password" -> "no password set";
            case "account_disabled" -> "account disabled";
            case "missing_input" -> "username or password missing";
            case "input_too_long" -> "input too long";
            case "throttled_account" -> "too many attempts";
            case "throttled_ip" -> "too many attempts from this address";
            case "throttled_stuffing", "throttled_spraying" -> "too many attempts (address blocked)";
            default ->
                code.startsWith("throttled_")
                        ? "too many attempts"
                        : code.replace('_', ' ').toLowerCase(Locale.ROOT);
        };
    }

    /**
     * Puts a refusal on the page as a notice ({@code error}, {@code errorCode}) and sets the status
     * its code calls for: 404 for {@code *.not_found}, 409 for {@code *.taken} and {@code
     * *.last_admin}, otherwise 400.
     */
    static void refusal(SignetException e, Model model, HttpServletResponse response) {
        response.setStatus(Problems.status(e).value());
        model.addAttribute("error", e.getMessage());
        model.addAttribute("errorCode", e.code());
    }

    /** The offset and limit of a listing, kept within sane bounds. */
    public record Paging(int offset, int limit) {
        static Paging of(Integer offset, Integer limit, int defaultLimit) {
            int l = limit == null ? defaultLimit : Math.clamp(limit, 1, 200);
            int o = offset == null ? 0 : Math.clamp(offset, 0, 1_000_000);
            return new Paging(o, l);
        }

        public int previous() {
            return Math.max(0, offset - limit);
        }

        public int next() {
            return offset + limit;
        }
    }
}
