package dev.signet.server.web;

import dev.signet.core.SignetException;
import dev.signet.server.account.AccountException;
import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.account.Usernames;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings.MfaRequirement;
import dev.signet.server.guard.SignInGuard;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.FactorPolicy;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.signin.SignetPrincipal;
import dev.signet.server.store.Store;
import dev.signet.server.token.TokenService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The administrator's user pages: the searchable list with a "new user" form ({@code /admin/users})
 * and one user's page ({@code /admin/users/{id}}) with its details, status, sessions, sign-in delay,
 * password and recent sign-ins. The web chain lets only administrators in ({@code /admin/**}). Every
 * change goes through {@link AccountService} (or the session store and guard, audited here), so the
 * last-administrator rule and the audit trail hold whichever way a change is made.
 */
@Controller
@RequestMapping("/admin/users")
class AdminUsersController {
    static final int PAGE_SIZE = 25;

    private final AccountService accounts;
    private final UserRepository users;
    private final DbSessionRepository sessions;
    private final TokenService tokens;
    private final SignInHistory history;
    private final SignInGuard guard;
    private final AuditLog audit;
    private final Clock clock;
    private final FactorPolicy factors;
    private final Store store;

    AdminUsersController(
            AccountService accounts,
            UserRepository users,
            DbSessionRepository sessions,
            TokenService tokens,
            SignInHistory history,
            SignInGuard guard,
            AuditLog audit,
            Clock clock,
            FactorPolicy factors,
            Store store) {
        this.factors = factors;
        this.store = store;
        this.accounts = accounts;
        this.users = users;
        this.sessions = sessions;
        this.tokens = tokens;
        this.history = history;
        this.guard = guard;
        this.audit = audit;
        this.clock = clock;
    }

    // ---- the list ------------------------------------------------------------------------------

    @GetMapping
    String list(
            @RequestParam(name = "q", required = false) String q,
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "offset", required = false) Integer offset,
            @RequestParam(name = "limit", required = false) Integer limit,
            Model model) {
        return listPage(q, status, ConsoleModel.Paging.of(offset, limit, PAGE_SIZE), model);
    }

    @PostMapping
    String create(
            @AuthenticationPrincipal SignetPrincipal me,
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "email", required = false) String email,
            @RequestParam(name = "displayName", required = false) String displayName,
            @RequestParam(name = "role", required = false) String role,
            @RequestParam(name = "kind", required = false) String kind,
            @RequestParam(name = "password", required = false) String password,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User created = accounts.create(
                    new AccountService.NewAccount(
                            username,
                            email,
                            displayName,
                            role(role),
                            kind(kind),
                            password == null || password.isEmpty() ? null : password,
                            null),
                    me.username());
            redirect.addFlashAttribute(
                    "notice",
                    "User " + created.username() + " is created"
                            + (created.kind() == User.Kind.SERVICE
                                    ? "; as a service account it signs in with API tokens only."
                                    : password == null || password.isEmpty()
                                            ? " without a password; set one below before they can sign in."
                                            : "."));
            return "redirect:/admin/users/" + created.id();
        } catch (SignetException e) {
            ConsoleModel.refusal(e, model, response);
            model.addAttribute(
                    "form",
                    Map.of(
                            "username", nonNull(username),
                            "email", nonNull(email),
                            "displayName", nonNull(displayName),
                            "role", nonNull(role),
                            "kind", nonNull(kind)));
            return listPage(null, null, ConsoleModel.Paging.of(0, PAGE_SIZE, PAGE_SIZE), model);
        }
    }

    private String listPage(String q, String status, ConsoleModel.Paging paging, Model model) {
        User.Status filter = status(status);
        UserRepository.Page page = users.search(q, filter, paging.offset(), paging.limit());
        model.addAttribute("q", q == null ? "" : q);
        model.addAttribute("status", filter == null ? "" : filter.name().toLowerCase(Locale.ROOT));
        model.addAttribute("page", page);
        model.addAttribute("paging", paging);
        model.addAttribute("hasPrevious", paging.offset() > 0);
        model.addAttribute("hasNext", paging.next() < page.total());
        model.addAttribute("previousHref", listHref(q, filter, paging.previous(), paging.limit()));
        model.addAttribute("nextHref", listHref(q, filter, paging.next(), paging.limit()));
        if (!model.containsAttribute("form")) {
            model.addAttribute(
                    "form", Map.of("username", "", "email", "", "displayName", "", "role", "user", "kind", "person"));
        }
        return "admin-users";
    }

    private static String listHref(String q, User.Status status, int offset, int limit) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath("/admin/users");
        if (q != null && !q.isBlank()) {
            b.queryParam("q", q);
        }
        if (status != null) {
            b.queryParam("status", status.name().toLowerCase(Locale.ROOT));
        }
        return b.queryParam("offset", offset)
                .queryParam("limit", limit)
                .encode()
                .build()
                .toUriString();
    }

    // ---- one user ------------------------------------------------------------------------------

    @GetMapping("/{id}")
    String user(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response) {
        try {
            return userPage(me, accounts.get(id), model);
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/profile")
    String update(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "email", required = false) String email,
            @RequestParam(name = "displayName", required = false) String displayName,
            @RequestParam(name = "role", required = false) String role,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.update(
                    id,
                    new AccountService.Changes(
                            email == null ? "" : email, displayName == null ? "" : displayName, role(role)),
                    me.username());
            redirect.addFlashAttribute("notice", "The changes to " + user.username() + " are saved.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            model.addAttribute("email", email);
            model.addAttribute("displayName", displayName);
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/disable")
    String disable(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.disable(id, me.username());
            redirect.addFlashAttribute(
                    "notice", user.username() + " is disabled: their sessions are ended and their API tokens revoked.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/enable")
    String enable(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.enable(id, me.username());
            redirect.addFlashAttribute("notice", user.username() + " is enabled and may sign in again.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @GetMapping("/{id}/delete")
    String confirmDelete(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response) {
        try {
            return deletePage(me, accounts.get(id), model);
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/delete")
    String delete(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "confirm", required = false) String confirm,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        User user;
        try {
            user = accounts.get(id);
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
        try {
            if (!"yes".equals(confirm)) {
                throw new AccountException(
                        "delete.unconfirmed", "tick the box to confirm that the account is to be deleted");
            }
            accounts.delete(id, me.username());
            redirect.addFlashAttribute(
                    "notice", "User " + user.username() + " is deleted. Their sign-in history and audit trail stay.");
            return "redirect:/admin/users";
        } catch (AccountException e) {
            ConsoleModel.refusal(e, model, response);
            return deletePage(me, user, model);
        }
    }

    private String deletePage(SignetPrincipal me, User user, Model model) {
        model.addAttribute("user", user);
        model.addAttribute("self", user.id().equals(me.userId()));
        model.addAttribute("sessionCount", sessions.forUser(user.id()).size());
        Instant now = clock.instant();
        model.addAttribute(
                "tokenCount",
                tokens.forUser(user.id()).stream().filter(t -> t.activeAt(now)).count());
        return "admin-user-delete";
    }

    @PostMapping("/{id}/sessions/end-all")
    String endAllSessions(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            HttpServletRequest request,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.get(id);
            int ended = sessions.endAll(id, null);
            audit.append(SecurityConfig.client(AuditEvent.of("user.sessions_ended", AuditEvent.SUCCESS), request)
                    .actor(me.username())
                    .subject(user.username())
                    .detail("sessions_ended", Integer.toString(ended))
                    .build());
            redirect.addFlashAttribute(
                    "notice",
                    ended == 0
                            ? user.username() + " had no sessions."
                            : ended == 1
                                    ? "1 session of " + user.username() + " was ended."
                                    : ended + " sessions of " + user.username() + " were ended.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/sessions/{sessionId}/end")
    String endSession(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @PathVariable("sessionId") String sessionId,
            HttpServletRequest request,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.get(id);
            if (!sessions.end(id, sessionId)) {
                throw new AccountException("session.not_found", "that session has already ended");
            }
            audit.append(SecurityConfig.client(AuditEvent.of("session.ended", AuditEvent.SUCCESS), request)
                    .actor(me.username())
                    .subject(user.username())
                    .detail("session", sessionId)
                    .build());
            redirect.addFlashAttribute("notice", "The session is ended; that device is signed out.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/sign-in-delay/clear")
    String clearDelay(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.get(id);
            guard.clear(Usernames.key(user.username()), me.username());
            redirect.addFlashAttribute(
                    "notice", "The sign-in delay of " + user.username() + " is cleared; they may try again now.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/mfa")
    String setMfa(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "required", required = false) String required,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.get(id);
            Optional<MfaRequirement> requirement = parseRequirement(required);
            store.inTransaction(() -> {
                factors.setOwn(user.id(), requirement);
                audit.append(AuditEvent.of("user.mfa_policy_changed", AuditEvent.SUCCESS)
                        .actor(me.username())
                        .subject(user.username())
                        .detail(
                                "required",
                                requirement
                                        .map(r -> r.name().toLowerCase(Locale.ROOT))
                                        .orElse("server"))
                        .build());
            });
            redirect.addFlashAttribute(
                    "notice",
                    "Two-step sign-in for " + user.username() + ": " + describe(factors.requirement(user.id()))
                            + ". It applies at their next sign-in.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    @PostMapping("/{id}/factors/reset")
    String resetFactors(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            User user = accounts.get(id);
            int[] counts = new int[2];
            store.inTransaction(() -> {
                counts[0] = factors.resetAll(user.id());
                counts[1] = sessions.endAll(user.id(), null);
                audit.append(AuditEvent.of("user.factors_reset", AuditEvent.SUCCESS)
                        .actor(me.username())
                        .subject(user.username())
                        .detail("factors_removed", Integer.toString(counts[0]))
                        .detail("sessions_ended", Integer.toString(counts[1]))
                        .build());
            });
            redirect.addFlashAttribute(
                    "notice",
                    "Every second factor of " + user.username() + " is removed and their sessions are ended. "
                            + "If their account requires one, they set up a new one at their next sign-in.");
            return "redirect:/admin/users/" + id;
        } catch (AccountException e) {
            return refused(me, id, e, model, response);
        }
    }

    static Optional<MfaRequirement> parseRequirement(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("server")) {
            return Optional.empty();
        }
        try {
            MfaRequirement r = MfaRequirement.valueOf(value.strip().toUpperCase(Locale.ROOT));
            return r == MfaRequirement.OFF ? Optional.empty() : Optional.of(r);
        } catch (IllegalArgumentException e) {
            throw new AccountException("user.mfa_required_invalid", "choose server, any or phishing_resistant");
        }
    }

    static String describe(MfaRequirement r) {
        return switch (r) {
            case OFF -> "optional";
            case ANY -> "a second factor is required";
            case PHISHING_RESISTANT -> "a passkey is required";
        };
    }

    @PostMapping("/{id}/password")
    String setPassword(
            @AuthenticationPrincipal SignetPrincipal me,
            @PathVariable("id") String id,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "confirm", required = false) String confirm,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            if (password == null || password.isEmpty()) {
                throw new AccountException("password.missing", "type the new password");
            }
            if (!password.equals(confirm)) {
                throw new AccountException("password.mismatch", "the new password and its repetition differ");
            }
            accounts.setPasswordByAdmin(id, password, me.username());
            redirect.addFlashAttribute(
                    "notice",
                    "The new password is set; every session of this user was ended. Tell them over a safe way.");
            return "redirect:/admin/users/" + id;
        } catch (SignetException e) {
            model.addAttribute("errorFor", "password");
            return refused(me, id, e, model, response);
        }
    }

    private String userPage(SignetPrincipal me, User user, Model model) {
        model.addAttribute("user", user);
        model.addAttribute("self", user.id().equals(me.userId()));
        if (!model.containsAttribute("email")) {
            model.addAttribute("email", user.email());
            model.addAttribute("displayName", user.displayName());
        }
        model.addAttribute(
                "delay", guard.account(Usernames.key(user.username())).orElse(null));
        model.addAttribute("sessions", ConsoleModel.sessions(sessions.forUser(user.id()), currentRowId()));
        Instant now = clock.instant();
        model.addAttribute(
                "tokenCount",
                tokens.forUser(user.id()).stream().filter(t -> t.activeAt(now)).count());
        model.addAttribute(
                "signIns", ConsoleModel.attempts(history.forUser(user.id(), AccountController.HISTORY_SIZE)));
        model.addAttribute("enrolled", factors.enrolled(user.id()));
        model.addAttribute(
                "mfaOwn",
                factors.own(user.id())
                        .map(r -> r.name().toLowerCase(Locale.ROOT))
                        .orElse("server"));
        model.addAttribute("mfaGlobal", describe(factors.global()));
        model.addAttribute("mfaEffective", describe(factors.requirement(user.id())));
        return "admin-user";
    }

    /** A refusal as a notice on the user's page, or on the list when the user does not exist (404). */
    private String refused(
            SignetPrincipal me, String id, SignetException e, Model model, HttpServletResponse response) {
        ConsoleModel.refusal(e, model, response);
        return users.byId(id)
                .map(user -> userPage(me, user, model))
                .orElseGet(() -> listPage(null, null, ConsoleModel.Paging.of(0, PAGE_SIZE, PAGE_SIZE), model));
    }

    /** The administrator's own session on their own page gets the "this device" mark. */
    private String currentRowId() {
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet)) {
            return null;
        }
        HttpSession session = servlet.getRequest().getSession(false);
        return session == null ? null : sessions.rowIdOf(session.getId()).orElse(null);
    }

    // ---- form values -----------------------------------------------------------------------------

    private static User.Role role(String role) {
        if (role == null || role.isBlank()) {
            return null;
        }
        return switch (role.strip().toLowerCase(Locale.ROOT)) {
            case "admin", "administrator" -> User.Role.ADMIN;
            case "user" -> User.Role.USER;
            default -> throw new AccountException("role.invalid", "a role is user or admin");
        };
    }

    private static User.Kind kind(String kind) {
        if (kind == null || kind.isBlank()) {
            return null;
        }
        return switch (kind.strip().toLowerCase(Locale.ROOT)) {
            case "person" -> User.Kind.PERSON;
            case "service" -> User.Kind.SERVICE;
            default -> throw new AccountException("kind.invalid", "an account is a person or a service");
        };
    }

    private static User.Status status(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.strip().toLowerCase(Locale.ROOT)) {
            case "active" -> User.Status.ACTIVE;
            case "disabled" -> User.Status.DISABLED;
            default -> null;
        };
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
