package dev.signet.server.ca;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.Credential;
import dev.signet.core.pki.Crls;
import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.OcspResponder;
import dev.signet.core.pki.PkiException;
import dev.signet.core.pki.Profile;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.PublicationUrls;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.pki.RevocationStatus;
import dev.signet.core.pki.RevokedCertificate;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * The certificate authorities Signet runs: it adapts {@code core.pki} to storage, keys at rest,
 * the audit trail and time. The HTTP API, the console and the CLI all go through this class.
 *
 * <p><b>CAs.</b> A CA is a root ({@link #create} without a parent), an intermediate under another
 * Signet CA, or an import of an existing CA with its key ({@link #importPkcs12}, {@link
 * #importPem}). Its private key is stored only sealed by the {@link KeyRing} (AES-256-GCM envelope,
 * bound to its row). A root can be taken offline ({@link #takeOffline}): its key is handed out as an
 * encrypted PKCS#12 and removed from the database, and it signs nothing until {@link #bringOnline}.
 *
 * <p><b>Issuance.</b> {@link #issue} (from a PKCS#10 request) and {@link #generate} ("generate for
 * me": the key is made here, returned once and never stored) run the core's {@link Issuer} pipeline
 * with a built-in profile, then record the certificate in the inventory, whose unique (CA, serial)
 * constraint is the last word on serial uniqueness, and write a {@code certificate.issued} audit
 * event in the same transaction. A refusal is a {@link PkiException} or {@link CaException} with a
 * stable code, and then nothing is stored.
 *
 * <p><b>Revocation and publication.</b> {@link #revoke} records the revocation (once: a second one is
 * {@code certificate.already_revoked}) and signs a new CRL. Each CA's current CRL is stored, so every
 * node serves the same bytes; its number only grows (a new CRL replaces the stored one by
 * compare-and-swap on the number). CRLs are signed again on revocation, by {@link #maintain} (run on
 * a schedule), and lazily by {@link #crl} once the stored one is past half its period. Each CA
 * answers OCSP ({@link #ocsp}, RFC 6960) through a delegated responder certificate that Signet
 * issues it and renews when two thirds of its life have passed. An offline root serves the last CRL
 * it signed (roots get a long CRL period) and answers OCSP while its last responder certificate
 * lasts.
 *
 * <p>Every change is an audit event with the caller as actor: {@code ca.created}, {@code
 * ca.imported}, {@code ca.offline}, {@code ca.online}, {@code certificate.issued}, {@code
 * certificate.revoked}.
 */
public final class CaService {
    /** The actor of what Signet does by itself (responder certificates, scheduled CRLs). */
    public static final String SYSTEM_ACTOR = "signet";

    /** The least a password protecting an exported CA key may have (NIST SP 800-63B-4 §3.1.1.2). */
    public static final int MIN_OFFLINE_PASSWORD = 15;
    /** The least a password protecting a generated key may have. */
    public static final int MIN_KEY_PASSWORD = 8;

    private static final Logger log = LoggerFactory.getLogger(CaService.class);
    private static final Duration MAX_ROOT_VALIDITY = Duration.ofDays(30 * 365);
    private static final int CRL_ATTEMPTS = 8;
    private static final String VALID = "VALID";
    private static final String REVOKED = "REVOKED";
    private static final String CA_SELECT = "SELECT c.*, p.name AS parent_name, pc.status AS own_status FROM ca c"
            + " LEFT JOIN ca p ON p.id = c.parent_id"
            + " LEFT JOIN ca_certificate pc ON pc.ca_id = c.parent_id AND pc.serial = c.serial";
    private static final String CERT_SELECT =
            "SELECT cc.*, c.name AS ca_name FROM ca_certificate cc JOIN ca c ON c.id = cc.ca_id";

    /**
     * Periods and lifetimes.
     *
     * @param rootValidity a new root's validity when none is asked for
     * @param rootCrlPeriod a root's CRL period (long: an offline root is brought online to sign)
     * @param crlPeriod every other CA's CRL period
     * @param responderValidity an OCSP responder certificate's validity
     * @param offlineResponderValidity the responder validity given as a root goes offline
     * @param ocspValidity how long an OCSP response is good for (nextUpdate - thisUpdate)
     */
    public record Settings(
            Duration rootValidity,
            Duration rootCrlPeriod,
            Duration crlPeriod,
            Duration responderValidity,
            Duration offlineResponderValidity,
            Duration ocspValidity) {
        public static Settings defaults() {
            return new Settings(
                    Duration.ofDays(10 * 365),
                    Duration.ofDays(30),
                    Duration.ofDays(1),
                    Profiles.OCSP_SIGNING.defaultValidity(),
                    Profiles.OCSP_SIGNING.maxValidity(),
                    Duration.ofHours(1));
        }
    }

    /**
     * A new CA.
     *
     * @param name 1 to 64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit; unique
     *     case-insensitively; it is the CA's id in its publication URLs
     * @param key the CA key's algorithm
     * @param parent the issuing CA's name; empty for a root
     * @param subject the CA's name; {@code CN=<name>} when empty
     * @param validity how long the CA certificate is valid; 10 years for a root, 5 for an
     *     intermediate when empty (an intermediate never outlives its parent)
     * @param pathLength an intermediate's pathLenConstraint (0, the default: it issues end entities
     *     only); a root has none
     */
    public record NewCa(
            String name,
            KeyAlgorithm key,
            Optional<String> parent,
            Optional<X500Name> subject,
            Optional<Duration> validity,
            OptionalInt pathLength) {
        public NewCa {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(parent, "parent");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(validity, "validity");
            Objects.requireNonNull(pathLength, "pathLength");
        }

        public static NewCa root(String name, KeyAlgorithm key) {
            return new NewCa(name, key, Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty());
        }

        public static NewCa intermediate(String name, KeyAlgorithm key, String parent) {
            return new NewCa(name, key, Optional.of(parent), Optional.empty(), Optional.empty(), OptionalInt.empty());
        }
    }

    /**
     * An inventory search; every filter is optional.
     *
     * @param text matched, case-insensitively, anywhere in the subject, the SANs or the serial
     * @param ca the issuing CA's name
     * @param status valid, revoked or expired
     * @param profile the profile name
     * @param expiringWithinDays valid now and expiring within this many days (sorted by expiry)
     * @param offset how many to skip
     * @param limit how many to return, at most
     */
    public record CertificateQuery(
            Optional<String> text,
            Optional<String> ca,
            Optional<IssuedCertificate.Status> status,
            Optional<String> profile,
            OptionalInt expiringWithinDays,
            int offset,
            int limit) {
        public static CertificateQuery all(int offset, int limit) {
            return new CertificateQuery(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    OptionalInt.empty(),
                    offset,
                    limit);
        }
    }

    /** One page of an inventory search and how many match in all. */
    public record CertificatePage(List<IssuedCertificate> certificates, long total) {
        public CertificatePage {
            certificates = List.copyOf(certificates);
        }
    }

    /** A generated key pair and its certificate: hand the credential out once; nothing here stores the key. */
    public record Generated(IssuedCertificate certificate, Credential credential) {}

    /**
     * A CA's current CRL, as stored and served.
     *
     * @param number the CRL number (RFC 5280 §5.2.3)
     * @param thisUpdate when it was signed
     * @param nextUpdate when the next one is due at the latest
     * @param der the DER encoding
     */
    public record PublishedCrl(long number, Instant thisUpdate, Instant nextUpdate, byte[] der) {
        public PublishedCrl {
            der = der.clone();
        }

        @Override
        public byte[] der() {
            return der.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublishedCrl p
                    && p.number == number
                    && p.thisUpdate.equals(thisUpdate)
                    && Arrays.equals(p.der, der);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(number);
        }

        @Override
        public String toString() {
            return "PublishedCrl[" + number + ", " + thisUpdate + " .. " + nextUpdate + "]";
        }
    }

    private record CaRow(
            String id,
            String name,
            CaInfo.Kind kind,
            String parentName,
            KeyAlgorithm algorithm,
            String subject,
            String serial,
            long notBefore,
            long notAfter,
            String chainPem,
            String sealedKey,
            Duration crlPeriod,
            long createdAt,
            String createdBy,
            boolean revoked) {
        boolean online() {
            return sealedKey != null;
        }
    }

    private record CrlRow(long number, Instant thisUpdate, Instant nextUpdate, String der) {}

    private record ResponderRow(
            String serial, String der, String sealedKey, Instant notBefore, Instant notAfter, boolean revoked) {}

    /** A CA with its key open, and its issuer; valid while the row's sealed key is the same. */
    private record Opened(String sealedKey, CertificateAuthority ca, Issuer issuer) {}

    private record LoadedResponder(String serial, OcspResponder responder) {}

    /** Thrown inside a transaction to roll it back when another node changed the row first. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }

    private static final byte[] OCSP_UNAUTHORIZED = ocspError(OCSPRespBuilder.UNAUTHORIZED);
    private static final byte[] OCSP_INTERNAL_ERROR = ocspError(OCSPRespBuilder.INTERNAL_ERROR);
    private static final byte[] OCSP_MALFORMED = ocspError(OCSPRespBuilder.MALFORMED_REQUEST);

    private final Store store;
    private final KeyRing keyRing;
    private final AuditLog audit;
    private final Clock clock;
    private final Supplier<URI> publicBase;
    private final Settings settings;
    private final Map<String, Opened> opened = new ConcurrentHashMap<>();
    private final Map<String, List<X509Certificate>> chains = new ConcurrentHashMap<>();
    private final Map<String, LoadedResponder> responders = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * @param publicBase the server's public URL (BASE in {@code BASE/ca/NAME/crl}); asked each time,
     *     since a server on an ephemeral port learns it only once listening
     */
    public CaService(
            Store store, KeyRing keyRing, AuditLog audit, Clock clock, Supplier<URI> publicBase, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.publicBase = Objects.requireNonNull(publicBase, "publicBase");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    // ---------------------------------------------------------------- CAs

    /** Every CA, as a tree: each CA followed by the CAs it issued, oldest first at each level. */
    public List<CaInfo> list() {
        List<CaRow> rows = store.jdbc()
                .sql(CA_SELECT + " ORDER BY c.created_at, c.name_key")
                .query(CaService::caRow)
                .list();
        List<CaInfo> tree = new ArrayList<>(rows.size());
        for (CaRow row : rows) {
            if (row.parentName() == null) {
                addWithChildren(row, rows, tree);
            }
        }
        return List.copyOf(tree);
    }

    private void addWithChildren(CaRow row, List<CaRow> rows, List<CaInfo> tree) {
        tree.add(info(row));
        for (CaRow child : rows) {
            if (row.name().equals(child.parentName())) {
                addWithChildren(child, rows, tree);
            }
        }
    }

    /**
     * The CA named {@code ca} (case-insensitively), or with that id.
     *
     * @throws CaException {@code ca.not_found}
     */
    public CaInfo get(String ca) {
        return info(row(ca));
    }

    /** The CA named {@code ca}, if there is one. */
    public Optional<CaInfo> find(String ca) {
        return findRow(ca).map(this::info);
    }

    /**
     * The CA's certificate chain: its own certificate first, then its issuers'.
     *
     * @throws CaException {@code ca.not_found}
     */
    public List<X509Certificate> chain(String ca) {
        return chain(row(ca));
    }

    /**
     * Creates a root CA (no parent) or an intermediate under an online Signet CA, with its OCSP
     * responder and first CRL. Audited as {@code ca.created}.
     *
     * @throws CaException {@code ca.name_invalid}, {@code ca.taken}, {@code ca.not_found} (parent),
     *     {@code ca.offline} (parent), {@code ca.root_path_length}
     * @throws PkiException {@code profile.validity_too_long}, {@code profile.subject_not_allowed},
     *     {@code ca.path_length_exceeded}, ... from the parent's issuer
     */
    public CaInfo create(NewCa request, String actor) {
        String name = CaInputs.name(request.name());
        requireNameFree(name);
        X500Name subject = request.subject()
                .orElseGet(() -> new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.CN, name)
                        .build());
        String id = UUID.randomUUID().toString();
        if (request.parent().isEmpty()) {
            if (request.pathLength().isPresent()) {
                throw new CaException(
                        CaException.CA_ROOT_PATH_LENGTH,
                        "a root has no path length constraint; set pathLength on its intermediates");
            }
            Duration validity = request.validity().orElse(settings.rootValidity());
            if (validity.compareTo(MAX_ROOT_VALIDITY) > 0) {
                throw new PkiException(
                        PkiException.PROFILE_VALIDITY_TOO_LONG,
                        "a root is valid for at most " + MAX_ROOT_VALIDITY.toDays() + " days");
            }
            CertificateAuthority root = CertificateAuthority.createRoot(subject, request.key(), validity, clock);
            return register(id, name, CaInfo.Kind.ROOT, Optional.empty(), root, settings.rootCrlPeriod(), actor);
        }
        CaRow parent = row(request.parent().get());
        Opened issuer = openToIssue(parent);
        Profile profile = Profiles.subCa(request.pathLength().orElse(0));
        CertificateAuthority intermediate = CertificateAuthority.createIntermediate(
                issuer.ca(),
                urls(parent.name()),
                subject,
                request.key(),
                profile,
                request.validity().orElse(profile.defaultValidity()),
                clock);
        return register(
                id, name, CaInfo.Kind.INTERMEDIATE, Optional.of(parent), intermediate, settings.crlPeriod(), actor);
    }

    /**
     * Imports an existing CA from a PKCS#12 file holding its key and chain (CA certificate first).
     * Audited as {@code ca.imported}.
     *
     * @throws PkiException {@code import.malformed}, {@code import.bad_password}, {@code
     *     import.not_a_ca}, {@code import.unsupported_key}, {@code import.key_mismatch}, {@code
     *     ca.not_valid_now}, {@code ca.crl_sign_not_allowed}
     * @throws CaException {@code ca.name_invalid}, {@code ca.taken} (the name, or the same CA
     *     imported before)
     */
    public CaInfo importPkcs12(String name, byte[] pkcs12, char[] password, String actor) {
        CaInputs.name(name);
        requireNameFree(name);
        return imported(name, CertificateAuthority.importFrom(pkcs12, password), actor);
    }

    /**
     * Imports an existing CA from PEM: certificates (the CA's first, then its issuers') and its
     * private key (PKCS#8, traditional, or encrypted PKCS#8 opened with {@code password}). As {@link
     * #importPkcs12}.
     */
    public CaInfo importPem(
            String name, String certificatesPem, String privateKeyPem, Optional<char[]> password, String actor) {
        CaInputs.name(name);
        requireNameFree(name);
        CertificateAuthority ca = password.isPresent()
                ? CertificateAuthority.importFromPem(certificatesPem, privateKeyPem, password.get())
                : CertificateAuthority.importFromPem(certificatesPem, privateKeyPem);
        return imported(name, ca, actor);
    }

    /**
     * Takes a root offline: signs a CRL for the full root period and a responder certificate for the
     * longest the profile allows, so it keeps publishing while offline, then returns its key and
     * certificate as a PKCS#12 (AES-256-CBC, PBKDF2) under {@code password} and deletes the key from
     * the database. Audited as {@code ca.offline}. Keep the file: it is the only copy of the key.
     *
     * @throws CaException {@code ca.not_found}, {@code ca.not_root}, {@code ca.offline} (already),
     *     {@code password.too_short}
     */
    public byte[] takeOffline(String ca, char[] password, String actor) {
        requirePassword(password, MIN_OFFLINE_PASSWORD);
        CaRow row = row(ca);
        if (row.kind() != CaInfo.Kind.ROOT) {
            throw new CaException(
                    CaException.CA_NOT_ROOT, "only a root is taken offline; its intermediates keep issuing");
        }
        Opened key = open(row);
        withLock(row.id(), () -> {
            refreshCrl(row, true);
            renewResponder(
                    row, currentResponderRow(row.id()).map(ResponderRow::serial), settings.offlineResponderValidity());
            return null;
        });
        KeySigner signer = keySigner(key.ca());
        byte[] pkcs12 =
                new Credential(signer.privateKey(), key.ca().certificate(), List.of()).pkcs12(password, row.name());
        store.inTransaction(() -> {
            int updated = store.jdbc()
                    .sql("UPDATE ca SET private_key = NULL, updated_at = ? WHERE id = ? AND private_key = ?")
                    .params(clock.millis(), row.id(), row.sealedKey())
                    .update();
            if (updated != 1) {
                throw new CaException(
                        CaException.CA_OFFLINE, "CA " + row.name() + " was changed meanwhile; look again");
            }
            audit.append(AuditEvent.of("ca.offline", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(row.name())
                    .build());
        });
        opened.remove(row.id());
        return pkcs12;
    }

    /**
     * Brings an offline root back: {@code pkcs12} must hold this CA's certificate and key (as {@link
     * #takeOffline} wrote it). Its key is sealed into the database again, and a CRL and a responder
     * certificate are signed if due. Audited as {@code ca.online}.
     *
     * @throws CaException {@code ca.not_found}, {@code ca.online} (already), {@code ca.key_mismatch}
     * @throws PkiException {@code import.malformed}, {@code import.bad_password}, ...
     */
    public CaInfo bringOnline(String ca, byte[] pkcs12, char[] password, String actor) {
        CaRow row = row(ca);
        if (row.online()) {
            throw new CaException(CaException.CA_ONLINE, "CA " + row.name() + " is online already");
        }
        CertificateAuthority imported = CertificateAuthority.importFrom(pkcs12, password);
        if (!Arrays.equals(
                CertificateFormats.der(imported.certificate()),
                CertificateFormats.der(chain(row).getFirst()))) {
            throw new CaException(
                    CaException.CA_KEY_MISMATCH,
                    "the PKCS#12 holds another CA's certificate and key, not " + row.name() + "'s");
        }
        byte[] pkcs8 = keySigner(imported).privateKey().getEncoded();
        String sealed;
        try {
            sealed = keyRing.seal(keyRef(row.id()), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        store.inTransaction(() -> {
            int updated = store.jdbc()
                    .sql("UPDATE ca SET private_key = ?, updated_at = ? WHERE id = ? AND private_key IS NULL")
                    .params(sealed, clock.millis(), row.id())
                    .update();
            if (updated != 1) {
                throw new CaException(CaException.CA_ONLINE, "CA " + row.name() + " is online already");
            }
            audit.append(AuditEvent.of("ca.online", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(row.name())
                    .build());
        });
        CaRow online = row(row.id());
        try {
            refreshCrl(online, false);
            currentResponder(online);
        } catch (RuntimeException e) {
            log.warn(
                    "CA {} is online but its CRL or OCSP responder could not be renewed now: {}",
                    row.name(),
                    e.toString());
        }
        return info(online);
    }

    // ---------------------------------------------------------------- issuance

    /**
     * Issues a certificate from a PKCS#10 request (DER or PEM) under a built-in profile ({@code
     * tls-server}, {@code tls-client}, {@code code-signing}, {@code timestamping}), valid for {@code
     * validity} or the profile's default. Audited as {@code certificate.issued}.
     *
     * @throws CaException {@code ca.not_found}, {@code ca.offline}, {@code ca.revoked}, {@code
     *     profile.reserved}
     * @throws PkiException the first refusing step of {@link Issuer#issue}: {@code csr.malformed},
     *     {@code csr.bad_signature}, {@code csr.forbidden_algorithm}, {@code csr.key_too_small},
     *     {@code profile.unknown}, {@code profile.san_not_allowed}, {@code profile.validity_too_long}, ...
     */
    public IssuedCertificate issue(String ca, String profile, byte[] csr, Optional<Duration> validity, String actor) {
        CaRow row = row(ca);
        Opened key = openToIssue(row);
        Profile chosen = issuable(profile);
        return recordIssued(
                row,
                chosen,
                "csr",
                actor,
                () -> key.issuer().issue(csr, chosen, validity.orElse(chosen.defaultValidity())));
    }

    /**
     * "Generate for me": a new key pair of {@code request}'s algorithm (or the profile's preferred
     * one) and its certificate. The key is in the returned credential only; nothing stores it.
     * Audited as {@code certificate.issued}.
     *
     * @throws CaException as {@link #issue}
     * @throws PkiException as {@link #issue}, and {@code profile.key_not_allowed}, {@code csr.bad_san}
     */
    public Generated generate(String ca, String profile, KeyRequest request, String actor) {
        CaRow row = row(ca);
        Opened key = openToIssue(row);
        Profile chosen = issuable(profile);
        Credential[] made = new Credential[1];
        IssuedCertificate issued = recordIssued(row, chosen, "generated", actor, () -> {
            made[0] = key.issuer().generate(chosen, request);
            return made[0].certificate();
        });
        return new Generated(issued, made[0]);
    }

    /**
     * Revokes the certificate with serial {@code serial} (hex) issued by {@code ca}, then signs a
     * new CRL. Revocation is final. Audited as {@code certificate.revoked}.
     *
     * @throws CaException {@code ca.not_found}, {@code ca.offline}, {@code serial.invalid}, {@code
     *     certificate.not_found}, {@code certificate.already_revoked}
     */
    public IssuedCertificate revoke(String ca, String serial, RevocationReason reason, String actor) {
        Objects.requireNonNull(reason, "reason");
        CaRow row = row(ca);
        String hex = CaInputs.hex(CaInputs.serial(serial));
        if (!row.online()) {
            throw offline(row);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        store.inTransaction(() -> {
            int updated = store.jdbc()
                    .sql("UPDATE ca_certificate SET status = ?, revoked_at = ?, revocation_reason = ?"
                            + " WHERE ca_id = ? AND serial = ? AND status = ?")
                    .params(REVOKED, now.toEpochMilli(), reason.id(), row.id(), hex, VALID)
                    .update();
            if (updated != 1) {
                boolean exists = store.jdbc()
                                .sql("SELECT COUNT(*) FROM ca_certificate WHERE ca_id = ? AND serial = ?")
                                .params(row.id(), hex)
                                .query(Long.class)
                                .single()
                        > 0;
                throw exists
                        ? new CaException(
                                CaException.CERTIFICATE_ALREADY_REVOKED, "certificate " + hex + " is revoked already")
                        : new CaException(
                                CaException.CERTIFICATE_NOT_FOUND,
                                "CA " + row.name() + " issued no certificate with serial " + hex);
            }
            audit.append(AuditEvent.of("certificate.revoked", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(hex)
                    .reason(reason.id())
                    .detail("ca", row.name())
                    .build());
        });
        try {
            withLock(row.id(), () -> refreshCrl(row, true));
        } catch (RuntimeException e) {
            // The revocation stands and OCSP says so; the scheduled pass signs the CRL.
            log.warn(
                    "certificate {} of CA {} is revoked, but its CRL could not be signed now: {}",
                    hex,
                    row.name(),
                    e.toString());
        }
        return certificate(hex, Optional.of(row.id()));
    }

    // ---------------------------------------------------------------- inventory

    /** Certificates matching {@code query}: newest first, or soonest to expire for an expiring search. */
    public CertificatePage certificates(CertificateQuery query) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        long now = clock.millis();
        if (query.text().isPresent() && !query.text().get().isBlank()) {
            String folded = query.text().get().strip().toLowerCase(Locale.ROOT);
            String like = "%" + escapeLike(folded) + "%";
            where.append(" AND (cc.subject_key LIKE ? ESCAPE '\\' OR cc.sans_key LIKE ? ESCAPE '\\'"
                    + " OR cc.serial LIKE ? ESCAPE '\\')");
            params.add(like);
            params.add(like);
            params.add("%" + escapeLike(folded.replace(":", "")) + "%");
        }
        if (query.ca().isPresent()) {
            CaRow ca = row(query.ca().get());
            where.append(" AND cc.ca_id = ?");
            params.add(ca.id());
        }
        if (query.status().isPresent()) {
            switch (query.status().get()) {
                case VALID -> {
                    where.append(" AND cc.status = ? AND cc.not_after >= ?");
                    params.add(VALID);
                    params.add(now);
                }
                case EXPIRED -> {
                    where.append(" AND cc.status = ? AND cc.not_after < ?");
                    params.add(VALID);
                    params.add(now);
                }
                case REVOKED -> {
                    where.append(" AND cc.status = ?");
                    params.add(REVOKED);
                }
            }
        }
        if (query.profile().isPresent()) {
            where.append(" AND cc.profile = ?");
            params.add(query.profile().get());
        }
        if (query.expiringWithinDays().isPresent()) {
            where.append(" AND cc.status = ? AND cc.not_after >= ? AND cc.not_after <= ?");
            params.add(VALID);
            params.add(now);
            params.add(
                    now + Duration.ofDays(query.expiringWithinDays().getAsInt()).toMillis());
        }
        long total = store.jdbc()
                .sql("SELECT COUNT(*) FROM ca_certificate cc" + where)
                .params(params)
                .query(Long.class)
                .single();
        String order = query.expiringWithinDays().isPresent()
                ? " ORDER BY cc.not_after, cc.id"
                : " ORDER BY cc.issued_at DESC, cc.id";
        List<Object> paged = new ArrayList<>(params);
        paged.add(query.limit());
        paged.add(query.offset());
        List<IssuedCertificate> found = store.jdbc()
                .sql(CERT_SELECT + where + order + " LIMIT ? OFFSET ?")
                .params(paged)
                .query(this::issued)
                .list();
        return new CertificatePage(found, total);
    }

    /**
     * The certificate with serial {@code serial} (hex), issued by {@code ca} when given. A serial is
     * unique per CA; when two CAs issued the same one, {@code ca} must say which.
     *
     * @throws CaException {@code serial.invalid}, {@code ca.not_found}, {@code certificate.not_found},
     *     {@code certificate.ambiguous}
     */
    public IssuedCertificate certificate(String serial, Optional<String> ca) {
        String hex = CaInputs.hex(CaInputs.serial(serial));
        List<IssuedCertificate> found;
        if (ca.isPresent()) {
            CaRow row = row(ca.get());
            found = store.jdbc()
                    .sql(CERT_SELECT + " WHERE cc.ca_id = ? AND cc.serial = ?")
                    .params(row.id(), hex)
                    .query(this::issued)
                    .list();
        } else {
            found = store.jdbc()
                    .sql(CERT_SELECT + " WHERE cc.serial = ? LIMIT 2")
                    .param(hex)
                    .query(this::issued)
                    .list();
        }
        if (found.isEmpty()) {
            throw new CaException(CaException.CERTIFICATE_NOT_FOUND, "no certificate has serial " + hex);
        }
        if (found.size() > 1) {
            throw new CaException(
                    CaException.CERTIFICATE_AMBIGUOUS, "more than one CA issued serial " + hex + "; name the CA");
        }
        return found.getFirst();
    }

    /** The certificate followed by its issuing CA's chain. */
    public List<X509Certificate> chainOf(IssuedCertificate certificate) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate.certificate());
        chain.addAll(chain(certificate.ca()));
        return List.copyOf(chain);
    }

    // ---------------------------------------------------------------- publication

    /**
     * The CA's current CRL, signed anew first when the stored one is past half its period (and the
     * CA is online). An offline root's is the last it signed.
     *
     * @throws CaException {@code ca.not_found}
     */
    public PublishedCrl crl(String ca) {
        CaRow row = row(ca);
        Optional<CrlRow> current = crlRow(row.id());
        if (current.isPresent() && (!row.online() || !due(current.get(), row))) {
            return published(current.get());
        }
        return withLock(row.id(), () -> refreshCrl(row, false));
    }

    /**
     * The DER OCSPResponse (RFC 6960) to the DER OCSPRequest {@code request}, signed by the CA's
     * delegated responder. Never throws for bad input: a bad request gets {@code malformedRequest},
     * an unknown CA or a CA whose responder lapsed while offline {@code unauthorized}, a failure
     * here {@code internalError}.
     */
    public byte[] ocsp(String ca, byte[] request) {
        if (request == null || request.length == 0) {
            return OCSP_MALFORMED.clone();
        }
        try {
            Optional<CaRow> row = findRow(ca);
            if (row.isEmpty()) {
                return OCSP_UNAUTHORIZED.clone();
            }
            Optional<LoadedResponder> responder = currentResponder(row.get());
            return responder.isPresent() ? responder.get().responder().respond(request) : OCSP_UNAUTHORIZED.clone();
        } catch (RuntimeException e) {
            log.error("OCSP for CA {} failed", ca, e);
            return OCSP_INTERNAL_ERROR.clone();
        }
    }

    /** A malformedRequest OCSP response, for requests refused before they reach {@link #ocsp}. */
    public static byte[] ocspMalformed() {
        return OCSP_MALFORMED.clone();
    }

    /**
     * One maintenance pass over every online CA: its OCSP responder certificate is renewed when two
     * thirds of its life have passed, its CRL signed again when past half its period. Failures are
     * logged per CA, never thrown. Run on a schedule; safe to run on several nodes at once.
     */
    public void maintain() {
        List<CaRow> rows = store.jdbc().sql(CA_SELECT).query(CaService::caRow).list();
        for (CaRow row : rows) {
            if (!row.online()) {
                continue;
            }
            try {
                currentResponder(row);
                withLock(row.id(), () -> refreshCrl(row, false));
            } catch (RuntimeException e) {
                log.warn("CA {}: scheduled CRL or OCSP responder renewal failed: {}", row.name(), e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- internals: CAs

    private CaInfo info(CaRow row) {
        return new CaInfo(
                row.id(),
                row.name(),
                row.kind(),
                row.online() ? CaInfo.Status.ACTIVE : CaInfo.Status.OFFLINE,
                row.algorithm(),
                row.subject(),
                Optional.ofNullable(row.parentName()),
                Instant.ofEpochMilli(row.notBefore()),
                Instant.ofEpochMilli(row.notAfter()),
                row.serial(),
                urls(row.name()),
                chain(row),
                row.crlPeriod(),
                Instant.ofEpochMilli(row.createdAt()),
                row.createdBy());
    }

    private CaRow row(String ca) {
        return findRow(ca).orElseThrow(() -> new CaException(CaException.CA_NOT_FOUND, "no CA named " + printable(ca)));
    }

    private Optional<CaRow> findRow(String ca) {
        if (ca == null || ca.isEmpty() || ca.length() > 64) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql(CA_SELECT + " WHERE c.name_key = ? OR c.id = ?")
                .params(ca.toLowerCase(Locale.ROOT), ca)
                .query(CaService::caRow)
                .optional();
    }

    private static CaRow caRow(ResultSet rs, int n) throws SQLException {
        return new CaRow(
                rs.getString("id"),
                rs.getString("name"),
                CaInfo.Kind.valueOf(rs.getString("kind")),
                rs.getString("parent_name"),
                KeyAlgorithm.byId(rs.getString("key_algorithm")).orElseThrow(),
                rs.getString("subject"),
                rs.getString("serial"),
                rs.getLong("not_before"),
                rs.getLong("not_after"),
                rs.getString("chain_pem"),
                rs.getString("private_key"),
                Duration.ofSeconds(rs.getLong("crl_period_seconds")),
                rs.getLong("created_at"),
                rs.getString("created_by"),
                REVOKED.equals(rs.getString("own_status")));
    }

    private List<X509Certificate> chain(CaRow row) {
        return chains.computeIfAbsent(row.id(), id -> List.copyOf(CertificateFormats.fromPem(row.chainPem())));
    }

    private PublicationUrls urls(String name) {
        return PublicationUrls.under(publicBase.get(), name);
    }

    private void requireNameFree(String name) {
        if (findRow(name).filter(r -> r.name().equalsIgnoreCase(name)).isPresent()) {
            throw new CaException(CaException.CA_TAKEN, "a CA named " + name + " exists already");
        }
    }

    private CaInfo imported(String name, CertificateAuthority ca, String actor) {
        List<X509Certificate> chain = ca.chain();
        Optional<CaRow> same = byCertificate(chain.getFirst());
        if (same.isPresent()) {
            throw new CaException(
                    CaException.CA_TAKEN,
                    "this CA was imported already, as " + same.get().name());
        }
        Optional<CaRow> parent = chain.size() > 1 ? byCertificate(chain.get(1)) : Optional.empty();
        return register(
                UUID.randomUUID().toString(), name, CaInfo.Kind.IMPORTED, parent, ca, settings.crlPeriod(), actor);
    }

    /** The Signet CA whose certificate is exactly {@code certificate}. */
    private Optional<CaRow> byCertificate(X509Certificate certificate) {
        byte[] der = CertificateFormats.der(certificate);
        return store
                .jdbc()
                .sql(CA_SELECT + " WHERE c.serial = ?")
                .param(CaInputs.hex(certificate.getSerialNumber()))
                .query(CaService::caRow)
                .list()
                .stream()
                .filter(r -> Arrays.equals(CertificateFormats.der(chain(r).getFirst()), der))
                .findFirst();
    }

    /**
     * Stores a new CA with its sealed key, its first OCSP responder and CRL, and (for an
     * intermediate) its certificate in the parent's inventory, in one transaction. Everything that
     * signs happens before it.
     */
    private CaInfo register(
            String id,
            String name,
            CaInfo.Kind kind,
            Optional<CaRow> parent,
            CertificateAuthority ca,
            Duration crlPeriod,
            String actor) {
        KeySigner signer = keySigner(ca);
        X509Certificate certificate = ca.certificate();
        KeyAlgorithm algorithm = signer.algorithm();
        byte[] pkcs8 = signer.privateKey().getEncoded();
        String sealed;
        try {
            sealed = keyRing.seal(keyRef(id), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        Issuer issuer = new Issuer(ca, urls(name), clock);
        Credential responder = issuer.generate(
                Profiles.OCSP_SIGNING,
                KeyRequest.of(responderName(name)).withAlgorithm(algorithm).withValidity(settings.responderValidity()));
        X509CRL crl = Crls.sign(ca, BigInteger.ONE, List.of(), crlPeriod, clock);
        long now = clock.millis();
        String event = kind == CaInfo.Kind.IMPORTED ? "ca.imported" : "ca.created";
        try {
            store.inTransaction(() -> {
                store.jdbc()
                        .sql("INSERT INTO ca (id, name, name_key, kind, parent_id, key_algorithm, subject, serial,"
                                + " not_before, not_after, chain_pem, private_key, crl_period_seconds, created_at,"
                                + " created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .params(
                                id,
                                name,
                                name.toLowerCase(Locale.ROOT),
                                kind.name(),
                                parent.map(CaRow::id).orElse(null),
                                algorithm.id(),
                                subjectText(certificate),
                                CaInputs.hex(certificate.getSerialNumber()),
                                certificate.getNotBefore().getTime(),
                                certificate.getNotAfter().getTime(),
                                CertificateFormats.pem(ca.chain()),
                                sealed,
                                crlPeriod.toSeconds(),
                                now,
                                actor,
                                now)
                        .update();
                if (parent.isPresent() && kind == CaInfo.Kind.INTERMEDIATE) {
                    insertCertificate(
                            parent.get().id(), parent.get().name(), certificate, Profiles.SUB_CA.name(), actor);
                }
                storeResponder(id, name, responder, Optional.empty());
                store.jdbc()
                        .sql(
                                "INSERT INTO ca_crl (ca_id, crl_number, this_update, next_update, der) VALUES (?, ?, ?, ?, ?)")
                        .params(
                                id,
                                1L,
                                crl.getThisUpdate().getTime(),
                                crl.getNextUpdate().getTime(),
                                Base64.getEncoder().encodeToString(Crls.der(crl)))
                        .update();
                audit.append(AuditEvent.of(event, AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(name)
                        .detail("kind", kind.name().toLowerCase(Locale.ROOT))
                        .detail("key", algorithm.id())
                        .detail("parent", parent.map(CaRow::name).orElse(null))
                        .detail("serial", CaInputs.hex(certificate.getSerialNumber()))
                        .detail("ca_subject", subjectText(certificate))
                        .build());
            });
        } catch (DataAccessException e) {
            if (UserRepository.isUniqueViolation(e) && findRow(name).isPresent()) {
                throw new CaException(CaException.CA_TAKEN, "a CA named " + name + " exists already");
            }
            throw e;
        }
        return get(id);
    }

    private static X500Name responderName(String caName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, caName + " OCSP responder")
                .build();
    }

    /** Opens the CA's key (once per sealed value: a key put back after going offline is opened again). */
    private Opened open(CaRow row) {
        if (!row.online()) {
            throw offline(row);
        }
        Opened cached = opened.get(row.id());
        if (cached != null && cached.sealedKey().equals(row.sealedKey())) {
            return cached;
        }
        byte[] pkcs8 = keyRing.open(keyRef(row.id()), row.sealedKey());
        try {
            List<X509Certificate> chain = chain(row);
            PrivateKey key = decodeKey(row.algorithm(), pkcs8);
            CertificateAuthority ca = new CertificateAuthority(
                    chain,
                    new KeySigner(row.algorithm(), new KeyPair(chain.getFirst().getPublicKey(), key)));
            Opened fresh = new Opened(row.sealedKey(), ca, new Issuer(ca, urls(row.name()), clock));
            opened.put(row.id(), fresh);
            return fresh;
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** Opens the key of a CA that is to issue: online, and its own certificate not revoked by its parent. */
    private Opened openToIssue(CaRow row) {
        if (row.revoked()) {
            throw new CaException(
                    CaException.CA_REVOKED,
                    "CA " + row.name() + "'s own certificate is revoked: it issues nothing more (it still publishes"
                            + " its CRL and OCSP)");
        }
        return open(row);
    }

    private static KeySigner keySigner(CertificateAuthority ca) {
        if (ca.signer() instanceof KeySigner signer) {
            return signer;
        }
        throw new CaException(CaException.CA_KEY_NOT_EXPORTABLE, "this CA's key cannot be stored by Signet");
    }

    /** A PKCS#8 key decoded by the provider that signs with it (SunEC, SunRsaSign or Bouncy Castle). */
    static PrivateKey decodeKey(KeyAlgorithm algorithm, byte[] pkcs8) {
        String family = switch (algorithm) {
            case EC_P256, EC_P384 -> "EC";
            case RSA_2048, RSA_3072, RSA_4096 -> "RSA";
            case ED25519 -> "Ed25519";
            case ML_DSA_65 -> "ML-DSA-65";
        };
        try {
            return KeyFactory.getInstance(family, algorithm.signatureProvider())
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored " + algorithm.id() + " key cannot be decoded", e);
        }
    }

    private static KeyRing.SecretRef keyRef(String caId) {
        return new KeyRing.SecretRef("ca", "private_key", caId);
    }

    private static KeyRing.SecretRef responderRef(String caId, String serial) {
        return new KeyRing.SecretRef("ca_responder", "private_key", caId + "/" + serial);
    }

    private static CaException offline(CaRow row) {
        return new CaException(
                CaException.CA_OFFLINE,
                "CA " + row.name() + " is offline: bring it online to sign, or issue through its intermediate");
    }

    private <T> T withLock(String caId, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(caId, id -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals: issuance

    private static Profile issuable(String name) {
        Profile profile = Profiles.named(name);
        if (profile.ca() || profile.ocspNoCheck()) {
            throw new CaException(
                    CaException.PROFILE_RESERVED,
                    "profile " + name + " is Signet's own: create intermediates with the CA API; OCSP responders are"
                            + " made automatically");
        }
        return profile;
    }

    /** Signs with {@code sign} and records the result; a serial already used by this CA is drawn again. */
    private IssuedCertificate recordIssued(
            CaRow row, Profile profile, String method, String actor, Supplier<X509Certificate> sign) {
        for (int attempt = 1; ; attempt++) {
            X509Certificate certificate = sign.get();
            try {
                return store.inTransaction(() -> {
                    IssuedCertificate issued =
                            insertCertificate(row.id(), row.name(), certificate, profile.name(), actor);
                    audit.append(AuditEvent.of("certificate.issued", AuditEvent.SUCCESS)
                            .actor(actor)
                            .subject(issued.serial())
                            .detail("ca", row.name())
                            .detail("profile", profile.name())
                            .detail("method", method)
                            .detail("certificate_subject", issued.subject())
                            .detail("sans", String.join(" ", issued.sans()))
                            .detail("not_after", issued.notAfter().toString())
                            .build());
                    return issued;
                });
            } catch (DataAccessException e) {
                // Two 128-bit random serials colliding: about 2^-64 after 2^32 certificates.
                if (attempt < 3 && UserRepository.isUniqueViolation(e)) {
                    log.warn("CA {} drew serial {} twice; issuing again", row.name(), certificate.getSerialNumber());
                    continue;
                }
                throw e;
            }
        }
    }

    private IssuedCertificate insertCertificate(
            String caId, String caName, X509Certificate certificate, String profile, String requestedBy) {
        String id = UUID.randomUUID().toString();
        String serial = CaInputs.hex(certificate.getSerialNumber());
        String subject = subjectText(certificate);
        List<String> sans = sanTexts(certificate);
        String algorithm = KeyAlgorithm.of(SubjectPublicKeyInfo.getInstance(
                        certificate.getPublicKey().getEncoded()))
                .map(KeyAlgorithm::id)
                .orElse("other");
        Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String sansText = sans.isEmpty() ? null : String.join("\n", sans);
        store.jdbc()
                .sql("INSERT INTO ca_certificate (id, ca_id, serial, subject, subject_key, sans, sans_key, profile,"
                        + " key_algorithm, not_before, not_after, status, der, requested_by, issued_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        id,
                        caId,
                        serial,
                        subject,
                        subject.toLowerCase(Locale.ROOT),
                        sansText,
                        sansText == null ? null : sansText.toLowerCase(Locale.ROOT),
                        profile,
                        algorithm,
                        certificate.getNotBefore().getTime(),
                        certificate.getNotAfter().getTime(),
                        VALID,
                        Base64.getEncoder().encodeToString(CertificateFormats.der(certificate)),
                        requestedBy,
                        issuedAt.toEpochMilli())
                .update();
        return new IssuedCertificate(
                id,
                caName,
                serial,
                subject,
                sans,
                profile,
                algorithm,
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                IssuedCertificate.Status.VALID,
                Optional.empty(),
                Optional.empty(),
                requestedBy,
                issuedAt,
                certificate);
    }

    private IssuedCertificate issued(ResultSet rs, int n) throws SQLException {
        Instant notAfter = Instant.ofEpochMilli(rs.getLong("not_after"));
        boolean revoked = REVOKED.equals(rs.getString("status"));
        IssuedCertificate.Status status = revoked
                ? IssuedCertificate.Status.REVOKED
                : clock.instant().isAfter(notAfter) ? IssuedCertificate.Status.EXPIRED : IssuedCertificate.Status.VALID;
        long revokedAt = rs.getLong("revoked_at");
        Optional<Instant> revokedTime = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revokedAt));
        String sans = rs.getString("sans");
        return new IssuedCertificate(
                rs.getString("id"),
                rs.getString("ca_name"),
                rs.getString("serial"),
                rs.getString("subject"),
                sans == null ? List.of() : List.of(sans.split("\n")),
                rs.getString("profile"),
                rs.getString("key_algorithm"),
                Instant.ofEpochMilli(rs.getLong("not_before")),
                notAfter,
                status,
                revokedTime,
                Optional.ofNullable(rs.getString("revocation_reason")).flatMap(RevocationReason::byId),
                rs.getString("requested_by"),
                Instant.ofEpochMilli(rs.getLong("issued_at")),
                CertificateFormats.fromBase64(rs.getString("der")));
    }

    /** The subject as {@code CN=..,O=..}, in the order it is encoded. */
    public static String subjectText(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
                .toString();
    }

    /** The SANs as {@code dns:..}, {@code ip:..}, {@code email:..}, {@code uri:..}. */
    static List<String> sanTexts(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<String> texts = new ArrayList<>();
        for (List<?> name : names) {
            String prefix = switch ((Integer) name.get(0)) {
                case 1 -> "email:";
                case 2 -> "dns:";
                case 6 -> "uri:";
                case 7 -> "ip:";
                default -> null;
            };
            if (prefix != null && name.get(1) instanceof String value) {
                texts.add(prefix + value);
            }
        }
        return texts;
    }

    // ---------------------------------------------------------------- internals: CRLs

    private Optional<CrlRow> crlRow(String caId) {
        return store.jdbc()
                .sql("SELECT crl_number, this_update, next_update, der FROM ca_crl WHERE ca_id = ?")
                .param(caId)
                .query((rs, n) -> new CrlRow(
                        rs.getLong("crl_number"),
                        Instant.ofEpochMilli(rs.getLong("this_update")),
                        Instant.ofEpochMilli(rs.getLong("next_update")),
                        rs.getString("der")))
                .optional();
    }

    private boolean due(CrlRow crl, CaRow row) {
        return !clock.instant().isBefore(crl.thisUpdate().plus(row.crlPeriod().dividedBy(2)));
    }

    private static PublishedCrl published(CrlRow row) {
        return new PublishedCrl(
                row.number(),
                row.thisUpdate(),
                row.nextUpdate(),
                Base64.getDecoder().decode(row.der()));
    }

    /**
     * Signs and stores the CA's next CRL when {@code force}d or due. The stored number is replaced by
     * compare-and-swap; losing to another node means reading again (and, when forced, signing again
     * with the revocations as they are now).
     */
    private PublishedCrl refreshCrl(CaRow row, boolean force) {
        for (int attempt = 0; attempt < CRL_ATTEMPTS; attempt++) {
            Optional<CrlRow> current = crlRow(row.id());
            if (current.isPresent() && (!row.online() || (!force && !due(current.get(), row)))) {
                return published(current.get());
            }
            Opened key = open(row);
            long number = current.map(c -> c.number() + 1).orElse(1L);
            // RFC 5280 3.3: an entry stays until it has appeared on one CRL issued after the certificate expired.
            Instant since = current.map(CrlRow::thisUpdate).orElse(Instant.EPOCH);
            X509CRL crl =
                    Crls.sign(key.ca(), BigInteger.valueOf(number), revoked(row.id(), since), row.crlPeriod(), clock);
            byte[] der = Crls.der(crl);
            String encoded = Base64.getEncoder().encodeToString(der);
            long thisUpdate = crl.getThisUpdate().getTime();
            long nextUpdate = crl.getNextUpdate().getTime();
            int stored = current.isPresent()
                    ? store.jdbc()
                            .sql("UPDATE ca_crl SET crl_number = ?, this_update = ?, next_update = ?, der = ?"
                                    + " WHERE ca_id = ? AND crl_number = ?")
                            .params(
                                    number,
                                    thisUpdate,
                                    nextUpdate,
                                    encoded,
                                    row.id(),
                                    current.get().number())
                            .update()
                    : store.jdbc()
                            .sql("INSERT INTO ca_crl (ca_id, crl_number, this_update, next_update, der)"
                                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (ca_id) DO NOTHING")
                            .params(row.id(), number, thisUpdate, nextUpdate, encoded)
                            .update();
            if (stored == 1) {
                log.debug("CA {}: CRL {} signed", row.name(), number);
                return new PublishedCrl(
                        number, Instant.ofEpochMilli(thisUpdate), Instant.ofEpochMilli(nextUpdate), der);
            }
        }
        throw new IllegalStateException("CA " + row.name() + ": the CRL kept changing under us");
    }

    private List<RevokedCertificate> revoked(String caId, Instant expiredAfter) {
        return store.jdbc()
                .sql("SELECT serial, revoked_at, revocation_reason FROM ca_certificate"
                        + " WHERE ca_id = ? AND status = ? AND not_after >= ?")
                .params(caId, REVOKED, expiredAfter.toEpochMilli())
                .query((rs, n) -> new RevokedCertificate(
                        new BigInteger(rs.getString("serial"), 16),
                        Instant.ofEpochMilli(rs.getLong("revoked_at")),
                        RevocationReason.byId(rs.getString("revocation_reason")).orElse(RevocationReason.UNSPECIFIED)))
                .list();
    }

    // ---------------------------------------------------------------- internals: OCSP

    private Optional<ResponderRow> currentResponderRow(String caId) {
        return store.jdbc()
                .sql(
                        "SELECT r.serial, r.der, r.private_key, r.not_before, r.not_after, cc.status FROM ca_responder r"
                                + " LEFT JOIN ca_certificate cc ON cc.ca_id = r.ca_id AND cc.serial = r.serial WHERE r.ca_id = ?")
                .param(caId)
                .query((rs, n) -> new ResponderRow(
                        rs.getString("serial"),
                        rs.getString("der"),
                        rs.getString("private_key"),
                        Instant.ofEpochMilli(rs.getLong("not_before")),
                        Instant.ofEpochMilli(rs.getLong("not_after")),
                        REVOKED.equals(rs.getString("status"))))
                .optional();
    }

    /** The responder to answer with: renewed first when due and the CA is online; empty when there is none that may sign. */
    private Optional<LoadedResponder> currentResponder(CaRow row) {
        Optional<ResponderRow> current = currentResponderRow(row.id());
        Instant now = clock.instant();
        if (row.online() && (current.isEmpty() || renewalDue(current.get(), now))) {
            current = withLock(row.id(), () -> {
                Optional<ResponderRow> again = currentResponderRow(row.id());
                if (again.isEmpty() || renewalDue(again.get(), now)) {
                    renewResponder(row, again.map(ResponderRow::serial), settings.responderValidity());
                    return currentResponderRow(row.id());
                }
                return again;
            });
        }
        if (current.isEmpty()
                || current.get().revoked()
                || now.isBefore(current.get().notBefore())
                || now.isAfter(current.get().notAfter())) {
            return Optional.empty();
        }
        ResponderRow responder = current.get();
        LoadedResponder cached = responders.get(row.id());
        if (cached != null && cached.serial().equals(responder.serial())) {
            return Optional.of(cached);
        }
        LoadedResponder loaded = new LoadedResponder(responder.serial(), loadResponder(row, responder));
        responders.put(row.id(), loaded);
        return Optional.of(loaded);
    }

    private static boolean renewalDue(ResponderRow responder, Instant now) {
        Duration life = Duration.between(responder.notBefore(), responder.notAfter());
        return responder.revoked()
                || !now.isBefore(responder.notBefore().plus(life.multipliedBy(2).dividedBy(3)));
    }

    private OcspResponder loadResponder(CaRow row, ResponderRow responder) {
        X509Certificate certificate = CertificateFormats.fromBase64(responder.der());
        KeyAlgorithm algorithm = KeyAlgorithm.of(SubjectPublicKeyInfo.getInstance(
                        certificate.getPublicKey().getEncoded()))
                .orElseThrow(() -> new IllegalStateException("the responder key of CA " + row.name() + " is unknown"));
        byte[] pkcs8 = keyRing.open(responderRef(row.id(), responder.serial()), responder.sealedKey());
        try {
            PrivateKey key = decodeKey(algorithm, pkcs8);
            return new OcspResponder(
                    chain(row).getFirst(),
                    certificate,
                    new KeySigner(algorithm, new KeyPair(certificate.getPublicKey(), key)),
                    serial -> status(row.id(), serial),
                    settings.ocspValidity(),
                    clock);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private Optional<RevocationStatus> status(String caId, BigInteger serial) {
        if (serial.signum() <= 0 || serial.bitLength() > 160) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql("SELECT status, revoked_at, revocation_reason FROM ca_certificate WHERE ca_id = ? AND serial = ?")
                .params(caId, CaInputs.hex(serial))
                .query((rs, n) -> REVOKED.equals(rs.getString("status"))
                        ? (RevocationStatus) new RevocationStatus.Revoked(
                                Instant.ofEpochMilli(rs.getLong("revoked_at")),
                                RevocationReason.byId(rs.getString("revocation_reason"))
                                        .orElse(RevocationReason.UNSPECIFIED))
                        : new RevocationStatus.Good())
                .optional();
    }

    /**
     * Issues the CA a new delegated responder certificate and makes it current, replacing {@code
     * previous} by compare-and-swap; when another node renewed first, its responder stays.
     */
    private void renewResponder(CaRow row, Optional<String> previous, Duration validity) {
        Opened key = open(row);
        Credential responder = key.issuer()
                .generate(
                        Profiles.OCSP_SIGNING,
                        KeyRequest.of(responderName(row.name()))
                                .withAlgorithm(row.algorithm())
                                .withValidity(validity));
        try {
            store.inTransaction(() -> storeResponder(row.id(), row.name(), responder, previous));
        } catch (LostRace e) {
            log.debug("CA {}: another node renewed the OCSP responder first", row.name());
        }
    }

    /** Records the responder certificate in the CA's inventory and makes it current; call in a transaction. */
    private void storeResponder(String caId, String caName, Credential responder, Optional<String> previous) {
        X509Certificate certificate = responder.certificate();
        IssuedCertificate issued =
                insertCertificate(caId, caName, certificate, Profiles.OCSP_SIGNING.name(), SYSTEM_ACTOR);
        byte[] pkcs8 = responder.privateKey().getEncoded();
        String sealed;
        try {
            sealed = keyRing.seal(responderRef(caId, issued.serial()), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        String der = Base64.getEncoder().encodeToString(CertificateFormats.der(certificate));
        long now = clock.millis();
        int stored = previous.isPresent()
                ? store.jdbc()
                        .sql(
                                "UPDATE ca_responder SET serial = ?, der = ?, private_key = ?, not_before = ?, not_after = ?,"
                                        + " created_at = ? WHERE ca_id = ? AND serial = ?")
                        .params(
                                issued.serial(),
                                der,
                                sealed,
                                certificate.getNotBefore().getTime(),
                                certificate.getNotAfter().getTime(),
                                now,
                                caId,
                                previous.get())
                        .update()
                : store.jdbc()
                        .sql(
                                "INSERT INTO ca_responder (ca_id, serial, der, private_key, not_before, not_after, created_at)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ca_id) DO NOTHING")
                        .params(
                                caId,
                                issued.serial(),
                                der,
                                sealed,
                                certificate.getNotBefore().getTime(),
                                certificate.getNotAfter().getTime(),
                                now)
                        .update();
        if (stored != 1) {
            throw new LostRace();
        }
        audit.append(AuditEvent.of("certificate.issued", AuditEvent.SUCCESS)
                .actor(SYSTEM_ACTOR)
                .subject(issued.serial())
                .detail("ca", caName)
                .detail("profile", Profiles.OCSP_SIGNING.name())
                .detail("certificate_subject", issued.subject())
                .detail("not_after", issued.notAfter().toString())
                .build());
    }

    private static byte[] ocspError(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---------------------------------------------------------------- small helpers

    private static void requirePassword(char[] password, int min) {
        if (password == null || password.length < min) {
            throw new CaException(
                    CaException.PASSWORD_TOO_SHORT, "the password must have at least " + min + " characters");
        }
    }

    /** Checks a password that will protect a generated key. */
    public static void requireKeyPassword(char[] password) {
        requirePassword(password, MIN_KEY_PASSWORD);
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
