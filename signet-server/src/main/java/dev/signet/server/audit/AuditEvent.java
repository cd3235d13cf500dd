package dev.signet.server.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A security event to record. Types are stable, dotted and lower-case ({@code auth.sign_in},
 * {@code setup.admin_created}); reason codes likewise. Details never carry a secret.
 */
public record AuditEvent(
        String type,
        String outcome,
        String actor,
        String subject,
        String ip,
        String userAgent,
        String reason,
        Map<String, String> details) {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";

    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Builder of(String type, String outcome) {
        return new Builder(type, outcome);
    }

    /** Builds an event; everything but type and outcome is optional. */
    public static final class Builder {
        private final String type;
        private final String outcome;
        private String actor;
        private String subject;
        private String ip;
        private String userAgent;
        private String reason;
        private final Map<String, String> details = new LinkedHashMap<>();

        private Builder(String type, String outcome) {
            this.type = type;
            this.outcome = outcome;
        }

        public Builder actor(String actor) {
            this.actor = actor;
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Builder client(String ip, String userAgent) {
            this.ip = ip;
            this.userAgent = userAgent;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder detail(String key, String value) {
            if (value != null) {
                details.put(key, value);
            }
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(type, outcome, actor, subject, ip, userAgent, reason, details);
        }
    }
}
