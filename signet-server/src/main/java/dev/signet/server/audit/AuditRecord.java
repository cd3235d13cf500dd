package dev.signet.server.audit;

import java.time.Instant;

/** A stored audit event, as shown to operators. */
public record AuditRecord(
        long seq,
        Instant occurredAt,
        String type,
        String actor,
        String subject,
        String ip,
        String userAgent,
        String outcome,
        String reason,
        String details) {}
