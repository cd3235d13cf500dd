package dev.signet.server.api;

import dev.signet.server.account.AccountException;
import dev.signet.server.api.Views.SessionList;
import dev.signet.server.api.Views.SessionView;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.session.DbSessionRepository;
import dev.signet.server.signin.SignetPrincipal;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/sessions}: the caller's own browser sessions (scope {@code sessions:write}), listed
 * by their row ids (never the cookie value) and ended one by one.
 */
@RestController
@RequestMapping(path = "/api/v1/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
class SessionsApi {
    private final DbSessionRepository sessions;
    private final AuditLog audit;

    SessionsApi(DbSessionRepository sessions, AuditLog audit) {
        this.sessions = sessions;
        this.audit = audit;
    }

    @GetMapping
    SessionList list(@AuthenticationPrincipal SignetPrincipal me) {
        return new SessionList(
                sessions.forUser(me.userId()).stream().map(SessionView::of).toList());
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> end(@PathVariable("id") String id, @AuthenticationPrincipal SignetPrincipal me) {
        if (!sessions.end(me.userId(), id)) {
            throw new AccountException("session.not_found", "no such session");
        }
        audit.append(AuditEvent.of("session.ended", AuditEvent.SUCCESS)
                .actor(me.username())
                .subject(me.username())
                .detail("session", id)
                .detail("via", "api")
                .build());
        return ResponseEntity.noContent().build();
    }
}
