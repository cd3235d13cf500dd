package dev.signet.server.signing;

import dev.signet.core.sign.DigestAlgorithm;
import dev.signet.core.sign.TimeStampAuthority;
import dev.signet.core.sign.Timestamper;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.signin.ClientInfo;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Remote signing: the client hashes its files and sends the digests; this class checks the whole
 * batch, then signs every item with the server-held key and answers what the format needs. File
 * contents never reach the server, and keys never leave it.
 *
 * <p>{@link #sign} runs in two phases, so a batch is signed entirely or not at all:
 *
 * <ol>
 *   <li>Checks, in this order, each refusal a {@link SigningException}: the format ({@code cms} or
 *       {@code raw}: {@code sign.format_unknown}); the batch size (1 to {@value #MAX_BATCH}: {@code
 *       sign.batch_empty}, {@code sign.batch_too_large}); the caller's scope {@code sign:NAME}
 *       ({@code sign.not_allowed}); the key ({@code sign.key_unknown}); the caller's grant ({@code
 *       sign.not_allowed}); the step-up for a console user on a key that asks for it ({@code
 *       sign.step_up_required}); the key's certificate ({@code sign.key_revoked}, {@code
 *       sign.key_expired}); the digest algorithm, which must be the key's ({@link
 *       DigestAlgorithm#forKey}: {@code sign.digest_algorithm}); each item's name ({@code
 *       sign.name_invalid}) and digest ({@code sign.digest_malformed}, {@code sign.digest_length});
 *       and, when a timestamp is asked for, that the server has a timestamp authority ({@code
 *       sign.timestamp_unavailable}).
 *   <li>Signs every item (in parallel): {@code cms} is a detached CMS SignedData (<a
 *       href="https://www.rfc-editor.org/rfc/rfc5652#section-5">RFC 5652 §5</a>) with content type,
 *       message digest, signing time and signing-certificate-v2 (<a
 *       href="https://www.rfc-editor.org/rfc/rfc5035">RFC 5035</a>) as signed attributes, the chain,
 *       and the timestamp token over the signature value as an unsigned attribute (<a
 *       href="https://www.rfc-editor.org/rfc/rfc3161#appendix-A">RFC 3161 Appendix A</a>); {@code raw}
 *       is the key's plain signature over the digest bytes, with a separate timestamp token over the
 *       signature value. Then one {@code sign.signature} audit event per item (key, caller, digest,
 *       file name), all in one transaction; the answer follows the commit.
 * </ol>
 *
 * Refusals of policy ({@code sign.not_allowed}, {@code sign.step_up_required}) are audited as
 * {@code sign.refused}; malformed input is not (nothing about it is worth keeping).
 */
public final class SigningService {
    /** The most items one batch may have. */
    public static final int MAX_BATCH = 1000;
    /** The longest item name, in characters. */
    public static final int MAX_NAME = 1024;
    /** The most bytes a request for one batch may have: 1,000 items with long, escaped names fit. */
    public static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    private static final HexFormat HEX = HexFormat.of();

    /** What a signature is. */
    public enum Format {
        /** A detached CMS SignedData (a {@code .p7s} file). */
        CMS,
        /** The key's plain signature, for signature bundles. */
        RAW;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @throws SigningException {@code sign.format_unknown}
         */
        public static Format of(String id) {
            if (id == null) {
                return CMS;
            }
            for (Format f : values()) {
                if (f.id().equals(id.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new SigningException(SigningException.SIGN_FORMAT_UNKNOWN, "the format must be cms or raw");
        }
    }

    /** One file: its name (for the audit trail and the answer) and its digest in hex. */
    public record Item(String name, String digest) {}

    /**
     * A batch.
     *
     * @param key the key's name
     * @param format {@code cms} (the default when null) or {@code raw}
     * @param digestAlgorithm {@code sha256}, {@code sha384} or {@code sha512}: the key's; null means the key's
     * @param timestamp whether to timestamp each signature
     * @param items 1 to {@value #MAX_BATCH} files
     */
    public record Request(String key, String format, String digestAlgorithm, boolean timestamp, List<Item> items) {}

    /**
     * One signature.
     *
     * @param name the item's name, as sent
     * @param digest the digest signed
     * @param signature DER CMS SignedData ({@code cms}), or the raw signature value ({@code raw})
     * @param timestamp for {@code raw}, the DER TimeStampToken over the signature value; empty otherwise
     */
    public record Signed(String name, byte[] digest, byte[] signature, Optional<byte[]> timestamp) {}

    /**
     * A signed batch.
     *
     * @param key the key used
     * @param format the format
     * @param digestAlgorithm the digest algorithm of the items
     * @param timestamped whether each signature carries a timestamp
     * @param items the signatures, in the request's order
     */
    public record Result(
            SigningKey key, Format format, DigestAlgorithm digestAlgorithm, boolean timestamped, List<Signed> items) {
        public String signatureAlgorithm() {
            return key.signatureAlgorithm();
        }

        public List<X509Certificate> chain() {
            return key.chain();
        }
    }

    private final SigningKeyService keys;
    private final TimestampService tsa;
    private final AuditLog audit;
    private final Clock clock;

    public SigningService(SigningKeyService keys, TimestampService tsa, AuditLog audit, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.tsa = Objects.requireNonNull(tsa, "tsa");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Checks the whole batch, then signs it. See the class comment for the checks, in order.
     *
     * @throws SigningException the first refusal; then nothing is signed
     */
    public Result sign(SigningCaller caller, Request request, ClientInfo client) {
        Objects.requireNonNull(caller, "caller");
        Format format = Format.of(request.format());
        List<Item> items = request.items();
        if (items == null || items.isEmpty()) {
            throw new SigningException(SigningException.SIGN_BATCH_EMPTY, "a batch needs at least one item");
        }
        if (items.size() > MAX_BATCH) {
            throw new SigningException(
                    SigningException.SIGN_BATCH_TOO_LARGE,
                    "a batch has at most " + MAX_BATCH + " items; this one has " + items.size()
                            + ": send it in several");
        }
        String keyName = request.key() == null ? "" : request.key();
        boolean token = !(caller instanceof SigningCaller.Session);
        if (token && !caller.scopedTo(keyName)) {
            throw refused(
                    caller,
                    keyName,
                    client,
                    "scope",
                    SigningException.SIGN_NOT_ALLOWED,
                    "this token may not sign with " + SigningKeyService.printable(keyName)
                            + ": it needs the scope sign:"
                            + SigningKeyService.printable(keyName).toLowerCase(Locale.ROOT));
        }
        SigningKeyService.Found found = keys.findForSigning(keyName)
                .orElseThrow(() -> new SigningException(
                        SigningException.SIGN_KEY_UNKNOWN,
                        "no signing key named " + SigningKeyService.printable(keyName)));
        SigningKey key = found.key();
        if (!keys.mayUse(caller, key)) {
            throw refused(
                    caller,
                    key.name(),
                    client,
                    "not_granted",
                    SigningException.SIGN_NOT_ALLOWED,
                    token
                            ? "neither this token nor its owner is granted on key " + key.name()
                            : "you are not granted on key " + key.name());
        }
        if (caller instanceof SigningCaller.Session s && key.stepUp() && !s.secondFactorFresh()) {
            throw refused(
                    caller,
                    key.name(),
                    client,
                    "step_up",
                    SigningException.SIGN_STEP_UP_REQUIRED,
                    "key " + key.name()
                            + " needs a second factor used in the last few minutes: confirm it is you first");
        }
        switch (key.status()) {
            case REVOKED ->
                throw new SigningException(
                        SigningException.SIGN_KEY_REVOKED,
                        "the certificate of key " + key.name() + " is revoked: the key signs nothing more");
            case EXPIRED ->
                throw new SigningException(
                        SigningException.SIGN_KEY_EXPIRED,
                        "the certificate of key " + key.name() + " is not valid now (it ends " + key.notAfter() + ")");
            case VALID -> {}
        }
        DigestAlgorithm algorithm = key.digestAlgorithm();
        if (request.digestAlgorithm() != null) {
            DigestAlgorithm asked = DigestAlgorithm.byId(request.digestAlgorithm())
                    .orElseThrow(() -> new SigningException(
                            SigningException.SIGN_DIGEST_ALGORITHM,
                            "the digest algorithm must be sha256, sha384 or sha512; key " + key.name() + " uses "
                                    + algorithm.id()));
            if (asked != algorithm) {
                throw new SigningException(
                        SigningException.SIGN_DIGEST_ALGORITHM,
                        "key " + key.name() + " signs " + algorithm.id() + " digests, not " + asked.id());
            }
        }
        List<byte[]> digests = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item == null) {
                throw new SigningException(SigningException.SIGN_NAME_INVALID, "item " + i + " is missing");
            }
            checkName(i, item.name());
            digests.add(digest(i, item.digest(), algorithm));
        }
        Optional<TimeStampAuthority> authority = Optional.empty();
        if (request.timestamp()) {
            authority = tsa.authority();
            if (authority.isEmpty()) {
                throw new SigningException(
                        SigningException.SIGN_TIMESTAMP_UNAVAILABLE,
                        "the server cannot timestamp (it has no online CA to certify its timestamp authority);"
                                + " sign with \"timestamp\": false, or ask an administrator to create a CA");
            }
        }

        // Phase 2: everything was checked; sign all, record all, answer.
        SigningKeyService.Opened opened = keys.open(found);
        Timestamper timestamper = authority.orElse(null);
        Instant signingTime = clock.instant();
        Signed[] signed = new Signed[items.size()];
        try {
            IntStream.range(0, items.size()).parallel().forEach(i -> {
                byte[] digest = digests.get(i);
                String name = items.get(i).name();
                if (format == Format.CMS) {
                    signed[i] = new Signed(
                            name,
                            digest,
                            opened.cms().signDetached(algorithm, digest, signingTime, timestamper),
                            Optional.empty());
                } else {
                    byte[] signature = opened.cms().signRaw(digest);
                    Optional<byte[]> stamp = timestamper == null
                            ? Optional.empty()
                            : Optional.of(timestamper.timestamp(algorithm, algorithm.digest(signature)));
                    signed[i] = new Signed(name, digest, signature, stamp);
                }
            });
        } catch (RuntimeException e) {
            // Everything the caller sent was checked: what fails now is the server's (a key, the TSA).
            throw new IllegalStateException("signing a checked batch with key " + key.name() + " failed", e);
        }
        List<AuditEvent> events = new ArrayList<>(signed.length);
        for (Signed s : signed) {
            events.add(AuditEvent.of("sign.signature", AuditEvent.SUCCESS)
                    .actor(caller.actor())
                    .subject(key.name())
                    .client(client == null ? null : client.ip(), client == null ? null : client.userAgent())
                    .detail("key", key.name())
                    .detail("caller", caller.via())
                    .detail("digest", HEX.formatHex(s.digest()))
                    .detail("digest_algorithm", algorithm.id())
                    .detail("file", s.name())
                    .detail("format", format.id())
                    .detail("timestamp", Boolean.toString(timestamper != null))
                    .detail("serial", key.serial())
                    .build());
        }
        audit.appendAll(events);
        return new Result(key, format, algorithm, timestamper != null, List.of(signed));
    }

    private static void checkName(int index, String name) {
        if (name == null
                || name.isBlank()
                || name.length() > MAX_NAME
                || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new SigningException(
                    SigningException.SIGN_NAME_INVALID,
                    "item " + index + ": a name of 1 to " + MAX_NAME + " characters without control characters is"
                            + " required");
        }
    }

    private static byte[] digest(int index, String hex, DigestAlgorithm algorithm) {
        if (hex == null || hex.isEmpty() || (hex.length() & 1) == 1 || !isHex(hex)) {
            throw new SigningException(
                    SigningException.SIGN_DIGEST_MALFORMED, "item " + index + ": the digest must be hexadecimal");
        }
        if (hex.length() != algorithm.length() * 2) {
            throw new SigningException(
                    SigningException.SIGN_DIGEST_LENGTH,
                    "item " + index + ": a " + algorithm.id() + " digest has " + algorithm.length() * 2
                            + " hex digits, not " + hex.length());
        }
        return HEX.parseHex(hex);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private SigningException refused(
            SigningCaller caller, String keyName, ClientInfo client, String reason, String code, String message) {
        audit.append(AuditEvent.of("sign.refused", AuditEvent.FAILURE)
                .actor(caller.actor())
                .subject(SigningKeyService.printable(keyName))
                .client(client == null ? null : client.ip(), client == null ? null : client.userAgent())
                .reason(reason)
                .detail("caller", caller.via())
                .build());
        return new SigningException(code, message);
    }
}
