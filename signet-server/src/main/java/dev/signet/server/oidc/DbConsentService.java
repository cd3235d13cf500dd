package dev.signet.server.oidc;

import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.signin.SignetAuthentication;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;

/**
 * What users allowed which clients (table {@code oauth_consent}), for Spring's authorization server:
 * a client configured to ask for consent asks once per scope, and the account page lists and revokes
 * consents.
 */
public final class DbConsentService implements OAuth2AuthorizationConsentService {
    /** A consent as the account page lists it. */
    public record Consent(String clientId, Set<String> scopes, Instant createdAt, Instant updatedAt) {}

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    DbConsentService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void save(OAuth2AuthorizationConsent consent) {
        long now = clock.millis();
        String scopes = String.join(" ", new TreeSet<>(consent.getScopes()));
        String userId = currentUserId(consent.getPrincipalName());
        store.inTransaction(() -> {
            int updated = store.jdbc()
                    .sql("UPDATE oauth_consent SET scopes = ?, updated_at = ?, user_id = COALESCE(?, user_id)"
                            + " WHERE client_id = ? AND principal_name = ?")
                    .params(scopes, now, userId, consent.getRegisteredClientId(), consent.getPrincipalName())
                    .update();
            if (updated == 0) {
                store.jdbc()
                        .sql(
                                "INSERT INTO oauth_consent (client_id, principal_name, user_id, scopes, created_at, updated_at)"
                                        + " VALUES (?, ?, ?, ?, ?, ?)")
                        .params(consent.getRegisteredClientId(), consent.getPrincipalName(), userId, scopes, now, now)
                        .update();
            }
        });
        audit.append(AuditEvent.of("oidc.consent_granted", AuditEvent.SUCCESS)
                .actor(consent.getPrincipalName())
                .subject(consent.getPrincipalName())
                .detail("client", consent.getRegisteredClientId())
                .detail("scopes", scopes)
                .build());
    }

    @Override
    public void remove(OAuth2AuthorizationConsent consent) {
        store.jdbc()
                .sql("DELETE FROM oauth_consent WHERE client_id = ? AND principal_name = ?")
                .params(consent.getRegisteredClientId(), consent.getPrincipalName())
                .update();
    }

    @Override
    public OAuth2AuthorizationConsent findById(String registeredClientId, String principalName) {
        return store.jdbc()
                .sql("SELECT scopes FROM oauth_consent WHERE client_id = ? AND principal_name = ?")
                .params(registeredClientId, principalName)
                .query(String.class)
                .optional()
                .map(scopes -> {
                    OAuth2AuthorizationConsent.Builder builder =
                            OAuth2AuthorizationConsent.withId(registeredClientId, principalName);
                    for (String scope : scopes.split(" ")) {
                        if (!scope.isEmpty()) {
                            builder.scope(scope);
                        }
                    }
                    return builder.build();
                })
                .filter(c -> !c.getAuthorities().isEmpty())
                .orElse(null);
    }

    /** A user's consents. */
    public List<Consent> forUser(String userId) {
        return store.jdbc()
                .sql("SELECT client_id, scopes, created_at, updated_at FROM oauth_consent WHERE user_id = ?"
                        + " ORDER BY updated_at DESC")
                .param(userId)
                .query((rs, n) -> new Consent(
                        rs.getString("client_id"),
                        new LinkedHashSet<>(List.of(rs.getString("scopes").split(" "))),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        Instant.ofEpochMilli(rs.getLong("updated_at"))))
                .list();
    }

    /** Withdraws a user's consent to a client; true when there was one. */
    public boolean withdraw(String userId, String clientId) {
        return store.jdbc()
                        .sql("DELETE FROM oauth_consent WHERE user_id = ? AND client_id = ?")
                        .params(userId, clientId)
                        .update()
                > 0;
    }

    /** Deletes every consent to a deleted client. */
    void clientDeleted(String clientId) {
        store.jdbc()
                .sql("DELETE FROM oauth_consent WHERE client_id = ?")
                .param(clientId)
                .update();
    }

    /** The id of the user giving consent now (the consent is saved in their request). */
    private static String currentUserId(String principalName) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth instanceof SignetAuthentication s && s.getName().equals(principalName)) {
            return s.getPrincipal().userId();
        }
        return null;
    }
}
