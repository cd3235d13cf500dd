package dev.signet.server.api;

import dev.signet.server.account.AccountService;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.api.Views.SignInList;
import dev.signet.server.api.Views.SignInView;
import dev.signet.server.api.Views.UserList;
import dev.signet.server.api.Views.UserView;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.SignInHistory;
import dev.signet.server.signin.SignetPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/users}: administrators manage accounts. Reading needs the {@code users:read} scope,
 * everything else {@code users:write} (see {@code web.SecurityConfig}); the rules themselves
 * (username uniqueness, password policy, imported hash formats, the last administrator) are {@link
 * AccountService}'s. The token's owner is the actor in the audit trail.
 */
@RestController
@RequestMapping(path = "/api/v1/users", produces = MediaType.APPLICATION_JSON_VALUE)
class UsersApi {
    /** A new account. Exactly one of password / passwordHash, or neither (a service, or a person invited later). */
    record CreateUser(
            String username,
            String email,
            String displayName,
            User.Role role,
            User.Kind kind,
            String password,
            String passwordHash) {
        @Override
        public String toString() {
            return "CreateUser[" + username + "]";
        }
    }

    /** Fields to change; an absent or null field stays as it is, an empty email or display name clears it. */
    record UpdateUser(String email, String displayName, User.Role role) {}

    /** A new password set by an administrator. */
    record SetPassword(String password) {
        @Override
        public String toString() {
            return "SetPassword[redacted]";
        }
    }

    private final AccountService accounts;
    private final UserRepository users;
    private final DbSessionRepository sessions;
    private final SignInHistory history;
    private final AuditLog audit;

    UsersApi(
            AccountService accounts,
            UserRepository users,
            DbSessionRepository sessions,
            SignInHistory history,
            AuditLog audit) {
        this.accounts = accounts;
        this.users = users;
        this.sessions = sessions;
        this.history = history;
        this.audit = audit;
    }

    /**
     * Lists users whose username, email or display name contains {@code q}, or the one user named
     * exactly {@code username} (compared as usernames are: NFKC, case-insensitive).
     */
    @GetMapping
    UserList list(
            @RequestParam(name = "q", required = false) String q,
            @RequestParam(name = "username", required = false) String username,
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "offset", defaultValue = "0") int offset,
            @RequestParam(name = "limit", defaultValue = "" + Params.DEFAULT_LIMIT) int limit) {
        Params.Paging page = Params.paging(offset, limit);
        Optional<String> query = Params.text("q", q);
        Optional<String> exact = Params.text("username", username);
        User.Status s = Params.oneOf("status", status, User.Status.class).orElse(null);
        if (exact.isPresent()) {
            if (query.isPresent()) {
                throw RequestRefused.invalid("give either 'q' or 'username', not both");
            }
            List<UserView> found =
                    users.byUsername(exact.get()).filter(u -> s == null || u.status() == s).map(UserView::of).stream()
                            .toList();
            return new UserList(found.stream().skip(page.offset()).toList(), found.size(), page.offset(), page.limit());
        }
        UserRepository.Page result = users.search(query.orElse(null), s, page.offset(), page.limit());
        return new UserList(
                result.users().stream().map(UserView::of).toList(), result.total(), page.offset(), page.limit());
    }

    @PostMapping
    ResponseEntity<UserView> create(
            @JsonBody CreateUser body, @AuthenticationPrincipal SignetPrincipal me, HttpServletRequest request) {
        User user = accounts.create(
                new AccountService.NewAccount(
                        body.username(),
                        body.email(),
                        body.displayName(),
                        body.role(),
                        body.kind(),
                        body.password(),
                        body.passwordHash()),
                me.username());
        return ResponseEntity.created(URI.create(request.getContextPath() + "/api/v1/users/" + user.id()))
                .body(UserView.of(user));
    }

    @GetMapping("/{id}")
    UserView show(@PathVariable("id") String id) {
        return UserView.of(accounts.get(id));
    }

    @PatchMapping("/{id}")
    UserView update(
            @PathVariable("id") String id, @JsonBody UpdateUser body, @AuthenticationPrincipal SignetPrincipal me) {
        return UserView.of(accounts.update(
                id, new AccountService.Changes(body.email(), body.displayName(), body.role()), me.username()));
    }

    /** Disables the account; its sessions end and its tokens are revoked in the same transaction. */
    @PostMapping("/{id}/disable")
    UserView disable(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        return UserView.of(accounts.disable(id, me.username()));
    }

    @PostMapping("/{id}/enable")
    UserView enable(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        return UserView.of(accounts.enable(id, me.username()));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        accounts.delete(id, me.username());
        return ResponseEntity.noContent().build();
    }

    /** Sets a person's password (policy-checked); all of the user's sessions end. */
    @PostMapping("/{id}/password")
    ResponseEntity<Void> setPassword(
            @PathVariable("id") String id, @JsonBody SetPassword body, @AuthenticationPrincipal SignetPrincipal me) {
        accounts.setPasswordByAdmin(id, body.password(), me.username());
        return ResponseEntity.noContent().build();
    }

    /** Ends all of the user's browser sessions. */
    @DeleteMapping("/{id}/sessions")
    Map<String, Integer> endSessions(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        User user = accounts.get(id);
        int ended = sessions.endAll(user.id(), null);
        audit.append(AuditEvent.of("user.sessions_ended", AuditEvent.SUCCESS)
                .actor(me.username())
                .subject(user.username())
                .detail("sessions_ended", Integer.toString(ended))
                .build());
        return Map.of("ended", ended);
    }

    /** The user's most recent sign-in attempts, newest first. */
    @GetMapping("/{id}/sign-ins")
    SignInList signIns(
            @PathVariable("id") String id,
            @RequestParam(name = "limit", defaultValue = "" + Params.DEFAULT_LIMIT) int limit) {
        Params.Paging page = Params.paging(0, limit);
        User user = accounts.get(id);
        return new SignInList(
                history.forUser(user.id(), page.limit()).stream()
                        .map(SignInView::of)
                        .toList(),
                0,
                page.limit());
    }
}
