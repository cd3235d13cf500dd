package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.token.Scopes;
import dev.signet.server.token.TokenService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The signed-in user's own pages: profile and password ({@code /account}), browser sessions ({@code
 * /account/sessions}) and API tokens ({@code /account/tokens}). Everything acts on the principal's own
 * account; ids in paths are checked against it by the services (a session or token of someone else
 * is "not found"). Successes redirect (post/redirect/get) with a flash notice; refusals render the
 * page again with the reason and a 4xx status. A new token's secret is the one exception: it is
 * rendered directly in the answer to the POST, never redirected, never cached.
 */
@Controller
@RequestMapping("/account")
class AccountController {
    static final int HISTORY_SIZE = 50;
    /** Expiry choices offered for a new token, in days; "never" is offered too. */
    static final List<String> EXPIRY_CHOICES = List.of("30", "90", "365", "never");

    private final AccountService accounts;
    private final DbSessionRepository sessions;
    private final TokenService tokens;
    private final SignInHistory history;
    private final AuditLog audit;
    private final Clock clock;
    private final SignetSettings settings;
    private final SignInFlow flow;

    AccountController(
            AccountService accounts,
            DbSessionRepository sessions,
            TokenService tokens,
            SignInHistory history,
            AuditLog audit,
            Clock clock,
            SignetSettings settings,
            SignInFlow flow) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
        this.history = history;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
        this.flow = flow;
    }

    // ---- profile and password ----------------------------------------------------------------

    @GetMapping
    String account(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        return accountPage(me, model);
    }

    @PostMapping("/profile")
    String saveProfile(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "email", required = false) String email,
            @RequestParam(name = "displayName", required = false) String displayName,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        User current = accounts.get(me.userId());
        String before = current.email() == null ? "" : current.email();
        if (!before.equalsIgnoreCase(email == null ? "" : email.strip()) && !flow.stepUpFresh(request)) {
            // a new email address can reset the password: it needs a fresh authentication
            redirect.addFlashAttribute("notice", "Confirm it is you, then change your email address again.");
            return "redirect:/account/step-up?next=/account";
        }
        try {
            accounts.update(
                    me.userId(),
                    new AccountService.Changes(
                            email == null ? "" : email, displayName == null ? "" : displayName, null),
                    me.username());
            redirect.addFlashAttribute("notice", "Your profile is saved.");
            return "redirect:/account";
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("errorFor", "profile");
            model.addAttribute("email", email);
            model.addAttribute("displayName", displayName);
            return accountPage(me, model);
        }
    }

    @PostMapping("/password")
    String changePassword(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "current", required = false) String current,
            @RequestParam(name = "password", required = false) String next,
            @RequestParam(name = "confirm", required = false) String confirm,
            @RequestParam(name = "endOthers", defaultValue = "false") boolean endOthers,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        try {
            if (next == null || next.isEmpty()) {
                throw new AccountException("password.missing", "type a new password");
            }
            if (!next.equals(confirm)) {
                throw new AccountException("password.mismatch", "the new password and its repetition differ");
            }
            int ended = accounts.changePassword(me.userId(), current, next, endOthers, currentRowId(request));
            redirect.addFlashAttribute(
                    "notice",
                    "Your password is changed. "
                            + (!endOthers
                                    ? "Your other sessions stay signed in."
                                    : ended == 0
                                            ? "You had no other sessions to sign out."
                                            : ended == 1
                                                    ? "1 other session was signed out."
                                                    : ended + " other sessions were signed out."));
            return "redirect:/account";
        } catch (SignetException e) {
            // the password policy speaks through dev.signet.core exceptions, accounts through AccountException
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("errorFor", "password");
            model.addAttribute("endOthers", endOthers);
            return accountPage(me, model);
        }
    }

    private String accountPage(SignetPrincipal me, Model model) {
        User user = accounts.get(me.userId());
        model.addAttribute("user", user);
        if (!model.containsAttribute("email")) {
            model.addAttribute("email", user.email());
            model.addAttribute("displayName", user.displayName());
        }
        if (!model.containsAttribute("endOthers")) {
            model.addAttribute("endOthers", true);
        }
        model.addAttribute("minPasswordLength", settings.accounts().minPasswordLength());
        model.addAttribute("signIns", ConsoleModel.attempts(history.forUser(me.userId(), HISTORY_SIZE)));
        model.addAttribute("sessionCount", sessions.forUser(me.userId()).size());
        Instant now = clock.instant();
        model.addAttribute(
                "tokenCount",
                tokens.forUser(me.userId()).stream()
                        .filter(t -> t.activeAt(now))
                        .count());
        return "account";
    }

    // ---- sessions ------------------------------------------------------------------------------

    @GetMapping("/sessions")
    String sessionsPage(@AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request, Model model) {
        return sessionsPage(me, currentRowId(request), model);
    }

    @PostMapping("/sessions/{id}/end")
    String endSession(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        String current = currentRowId(request);
        if (!sessions.end(me.userId(), id)) {
            ConsoleModel.refusal(
                    new AccountException("session.not_found", "that session has already ended"), model, response);
            return sessionsPage(me, current, model);
        }
        audit.append(SecurityConfig.client(AuditEvent.of("session.ended", AuditEvent.SUCCESS), request)
                .actor(me.username())
                .subject(me.username())
                .detail("session", id)
                .build());
        if (id.equals(current)) {
            // this browser's own session: it is gone, so this is a sign-out
            return "redirect:/signin?signedout";
        }
        redirect.addFlashAttribute("notice", "The session is ended; that device is signed out.");
        return "redirect:/account/sessions";
    }

    @PostMapping("/sessions/end-others")
    String endOtherSessions(
            @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request, RedirectAttributes redirect) {
        String current = currentRowId(request);
        if (current == null) {
            return "redirect:/signin";
        }
        int ended = sessions.endAll(me.userId(), current);
        audit.append(SecurityConfig.client(AuditEvent.of("account.sessions_ended", AuditEvent.SUCCESS), request)
                .actor(me.username())
                .subject(me.username())
                .detail("sessions_ended", Integer.toString(ended))
                .build());
        redirect.addFlashAttribute(
                "notice",
                ended == 0
                        ? "You had no other sessions."
                        : ended == 1 ? "1 other session was ended." : ended + " other sessions were ended.");
        return "redirect:/account/sessions";
    }

    private String sessionsPage(SignetPrincipal me, String currentRowId, Model model) {
        List<ConsoleModel.SessionRow> rows = ConsoleModel.sessions(sessions.forUser(me.userId()), currentRowId);
        model.addAttribute("sessions", rows);
        model.addAttribute("otherCount", rows.stream().filter(r -> !r.current()).count());
        return "account-sessions";
    }

    // ---- API tokens ----------------------------------------------------------------------------

    @GetMapping("/tokens")
    String tokensPage(@AuthenticationPrincipal SignetPrincipal me, Model model) {
        return tokensPage(me, accounts.get(me.userId()), model);
    }

    @PostMapping("/tokens")
    String createToken(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "name", required = false) String name,
            @RequestParam(name = "scopes", required = false) List<String> scopes,
            @RequestParam(name = "expiry", required = false) String expiry,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (!flow.stepUpFresh(request)) {
            return "redirect:/account/step-up?next=/account/tokens";
        }
        User user = accounts.get(me.userId());
        try {
            TokenService.Created created = tokens.create(
                    user,
                    name,
                    new LinkedHashSet<>(scopes == null ? List.of() : scopes),
                    expiry(expiry),
                    me.username());
            // the secret is in this answer only: never stored, redirected with, or cached
            response.setHeader("Cache-Control", "no-store");
            response.setHeader("Pragma", "no-cache");
            model.addAttribute("secret", created.secret());
            model.addAttribute(
                    "token",
                    ConsoleModel.tokens(List.of(created.token()), clock.instant())
                            .getFirst());
            return "account-token-created";
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute("name", name);
            model.addAttribute("chosenScopes", scopes == null ? List.of() : scopes);
            model.addAttribute("expiry", expiry);
            return tokensPage(me, user, model);
        }
    }

    @PostMapping("/tokens/{id}/revoke")
    String revokeToken(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        User user = accounts.get(me.userId());
        if (!tokens.revoke(user, id, me.username())) {
            ConsoleModel.refusal(
                    new AccountException("token.not_found", "no such live token of yours"), model, response);
            return tokensPage(me, user, model);
        }
        String name = tokens.byId(id).map(TokenService.ApiToken::name).orElse("The token");
        redirect.addFlashAttribute("notice", "“" + name + "” is revoked; it no longer works.");
        return "redirect:/account/tokens";
    }

    private String tokensPage(SignetPrincipal me, User user, Model model) {
        model.addAttribute("tokens", ConsoleModel.tokens(tokens.forUser(me.userId()), clock.instant()));
        model.addAttribute("grantable", Scopes.grantableTo(user.role()));
        model.addAttribute("expiryChoices", EXPIRY_CHOICES);
        if (!model.containsAttribute("expiry")) {
            model.addAttribute("expiry", "90");
        }
        if (!model.containsAttribute("chosenScopes")) {
            model.addAttribute("chosenScopes", List.of());
        }
        return "account-tokens";
    }

    private Optional<Instant> expiry(String choice) {
        if ("never".equals(choice)) {
            return Optional.empty();
        }
        if (choice != null && EXPIRY_CHOICES.contains(choice)) {
            return Optional.of(clock.instant().plus(Duration.ofDays(Long.parseLong(choice))));
        }
        throw new AccountException(
                "token.expiry_invalid", "choose when the token expires: 30, 90 or 365 days, or never");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The row id of the session this request belongs to; null when it has none (or it just ended). */
    private String currentRowId(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : sessions.rowIdOf(session.getId()).orElse(null);
    }
}
