package dev.signet.server.signing;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.RevocationReason;
import dev.signet.core.sign.CmsSigner;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.ca.CaInputs;
import dev.signet.server.ca.CaService;
import dev.signet.server.ca.CertificateFormats;
import dev.signet.server.ca.IssuedCertificate;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import dev.signet.server.token.TokenService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Signing keys: made on the server, bound to a code-signing certificate from a Signet CA, kept
 * sealed, and used by {@link SigningService}. The API, the console and the CLI all go through this
 * class.
 *
 * <p><b>Keys.</b> {@link #create} has the CA generate the key pair and issue its certificate under
 * the {@code code-signing} profile ({@link CaService#generate}), then stores the private key sealed
 * by the {@link KeyRing} (AES-256-GCM envelope bound to its row). The private key is never returned;
 * only a key created with the {@code exportable} flag can be exported, by an administrator, as a
 * PKCS#12 file ({@link #export}). Both the flag (at creation) and each export are audited.
 *
 * <p><b>Policy.</b> Who may sign with a key is a list of grants ({@link #grant}): users, API tokens
 * and OAuth service clients. An API token signs when it carries the scope {@code sign:NAME} and it
 * or its owner is granted; a console user when granted (and, for a key with {@code stepUp}, after a
 * fresh second factor); a service client when it carries the scope and is granted. {@link
 * #mayUse} is that rule. Managing keys needs {@code keys:admin} (API) or the administrator role
 * (console); that is checked by the web layer, except where it depends on the key ({@link
 * #visibleTo}).
 *
 * <p><b>Speed.</b> A key's private key is unsealed once and kept in memory with its CMS signer, for
 * at most {@value #CACHE_SIZE} keys (least recently used first out); an entry is used only while the
 * row's sealed value is the one it was opened from.
 *
 * <p>Audit events: {@code keys.created} (with {@code exportable} and {@code step_up}), {@code
 * keys.granted}, {@code keys.grant_removed}, {@code keys.exported}.
 */
public final class SigningKeyService {
    /** The algorithms a signing key may have. */
    public static final Set<KeyAlgorithm> ALGORITHMS = Collections.unmodifiableSet(EnumSet.of(
            KeyAlgorithm.EC_P256,
            KeyAlgorithm.EC_P384,
            KeyAlgorithm.ED25519,
            KeyAlgorithm.RSA_3072,
            KeyAlgorithm.RSA_4096));

    /** The least a password protecting an exported signing key may have (NIST SP 800-63B-4 §3.1.1.2). */
    public static final int MIN_EXPORT_PASSWORD = CaService.MIN_OFFLINE_PASSWORD;

    /** How many unsealed keys are kept in memory. */
    public static final int CACHE_SIZE = 256;

    private static final Logger log = LoggerFactory.getLogger(SigningKeyService.class);
    /** Key names follow the CA names' rule (and the scope {@code sign:NAME} accepts exactly these). */
    private static final Pattern NAME = CaInputs.NAME;

    private static final Pattern CLIENT_ID = Pattern.compile("[\\x21-\\x7E]{1,200}");
    private static final String KEY_SELECT =
            "SELECT k.*, c.name AS ca_name, cc.status AS cert_status FROM signing_key k"
                    + " JOIN ca c ON c.id = k.ca_id"
                    + " LEFT JOIN ca_certificate cc ON cc.ca_id = k.ca_id AND cc.serial = k.serial";

    /**
     * A new key.
     *
     * @param name 1 to 64 of {@code [A-Za-z0-9._-]}, starting with a letter or digit; unique
     *     case-insensitively
     * @param algorithm one of {@link #ALGORITHMS}
     * @param ca the issuing CA's name
     * @param subject the certificate's subject; {@code CN=<name>} when empty
     * @param validity the certificate's validity; the code-signing profile's default (1 year) when empty
     * @param exportable whether an administrator may ever export the private key
     * @param stepUp whether signing in the console needs a fresh second factor
     */
    public record NewKey(
            String name,
            KeyAlgorithm algorithm,
            String ca,
            Optional<X500Name> subject,
            Optional<Duration> validity,
            boolean exportable,
            boolean stepUp) {
        public NewKey {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(validity, "validity");
        }
    }

    /** A key opened for signing: its signer, the CMS signer over it, and the row's sealed value it came from. */
    record Opened(String sealed, KeySigner signer, CmsSigner cms) {}

    private record Row(SigningKey key, String sealed) {}

    private final Store store;
    private final KeyRing keyRing;
    private final CaService cas;
    private final UserRepository users;
    private final TokenService tokens;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, List<X509Certificate>> chains = new ConcurrentHashMap<>();
    private final Map<String, Opened> opened = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Opened> eldest) {
            return size() > CACHE_SIZE;
        }
    });

    public SigningKeyService(
            Store store,
            KeyRing keyRing,
            CaService cas,
            UserRepository users,
            TokenService tokens,
            AuditLog audit,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
        this.cas = Objects.requireNonNull(cas, "cas");
        this.users = Objects.requireNonNull(users, "users");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---------------------------------------------------------------- inputs

    /**
     * A key name as given, checked.
     *
     * @throws SigningException {@code keys.name_invalid}
     */
    public static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new SigningException(
                    SigningException.KEY_NAME_INVALID,
                    "a key name is 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
        }
        return name;
    }

    /**
     * A signing key algorithm by its id.
     *
     * @throws SigningException {@code keys.algorithm_invalid}
     */
    public static KeyAlgorithm algorithm(String id) {
        return KeyAlgorithm.byId(id)
                .filter(ALGORITHMS::contains)
                .orElseThrow(() -> new SigningException(
                        SigningException.KEY_ALGORITHM_INVALID,
                        "the algorithm must be one of "
                                + ALGORITHMS.stream().map(KeyAlgorithm::id).collect(Collectors.joining(", "))));
    }

    // ---------------------------------------------------------------- keys

    /**
     * Creates a key: the CA generates the key pair and issues its code-signing certificate (audited by
     * the CA as {@code certificate.issued}); the key is stored sealed. Audited as {@code keys.created}.
     *
     * @throws SigningException {@code keys.name_invalid}, {@code keys.algorithm_invalid}, {@code keys.taken}
     * @throws dev.signet.server.ca.CaException {@code ca.not_found}, {@code ca.offline}, {@code ca.revoked}
     * @throws dev.signet.core.pki.PkiException {@code profile.validity_too_long}, {@code
     *     profile.subject_not_allowed}, ... from the CA's issuance pipeline
     */
    public SigningKey create(NewKey request, String actor) {
        String name = name(request.name());
        if (request.algorithm() == null || !ALGORITHMS.contains(request.algorithm())) {
            algorithm(request.algorithm() == null ? null : request.algorithm().id());
        }
        requireNameFree(name);
        X500Name subject = request.subject()
                .orElseGet(() -> new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.CN, name)
                        .build());
        KeyRequest keyRequest =
                new KeyRequest(subject, List.of(), Optional.of(request.algorithm()), request.validity());
        CaService.Generated generated = cas.generate(request.ca(), Profiles.CODE_SIGNING.name(), keyRequest, actor);
        IssuedCertificate issued = generated.certificate();
        String caId = cas.get(issued.ca()).id();
        String id = UUID.randomUUID().toString();
        byte[] pkcs8 = generated.credential().privateKey().getEncoded();
        String sealed;
        try {
            sealed = keyRing.seal(keyRef(id), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        List<X509Certificate> chain = generated.credential().chain();
        long now = clock.millis();
        try {
            store.inTransaction(() -> {
                store.jdbc()
                        .sql("INSERT INTO signing_key (id, name, name_key, key_algorithm, private_key, certificate,"
                                + " chain_pem, ca_id, serial, subject, not_before, not_after, exportable, step_up,"
                                + " created_at, created_by, updated_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .params(
                                id,
                                name,
                                name.toLowerCase(Locale.ROOT),
                                request.algorithm().id(),
                                sealed,
                                java.util.Base64.getEncoder()
                                        .encodeToString(CertificateFormats.der(issued.certificate())),
                                CertificateFormats.pem(chain),
                                caId,
                                issued.serial(),
                                issued.subject(),
                                issued.notBefore().toEpochMilli(),
                                issued.notAfter().toEpochMilli(),
                                request.exportable() ? 1 : 0,
                                request.stepUp() ? 1 : 0,
                                now,
                                actor,
                                now)
                        .update();
                audit.append(AuditEvent.of("keys.created", AuditEvent.SUCCESS)
                        .actor(actor)
                        .subject(name)
                        .detail("algorithm", request.algorithm().id())
                        .detail("ca", issued.ca())
                        .detail("serial", issued.serial())
                        .detail("certificate_subject", issued.subject())
                        .detail("not_after", issued.notAfter().toString())
                        .detail("exportable", Boolean.toString(request.exportable()))
                        .detail("step_up", Boolean.toString(request.stepUp()))
                        .build());
            });
        } catch (DataAccessException e) {
            if (UserRepository.isUniqueViolation(e) && find(name).isPresent()) {
                retire(issued, actor);
                throw taken(name);
            }
            throw e;
        }
        return get(id);
    }

    /** A certificate issued for a key that lost the race for its name is revoked: no key holds it. */
    private void retire(IssuedCertificate issued, String actor) {
        try {
            cas.revoke(issued.ca(), issued.serial(), RevocationReason.CESSATION_OF_OPERATION, actor);
        } catch (RuntimeException e) {
            log.warn(
                    "could not revoke the unused certificate {} of CA {}: {}",
                    issued.serial(),
                    issued.ca(),
                    e.toString());
        }
    }

    /** Every key, by name. */
    public List<SigningKey> list() {
        return store.jdbc().sql(KEY_SELECT + " ORDER BY k.name_key").query(this::row).list().stream()
                .map(Row::key)
                .toList();
    }

    /** The key named {@code name} (case-insensitively), or with that id. */
    public Optional<SigningKey> find(String name) {
        return findRow(name).map(Row::key);
    }

    /**
     * The key named {@code name}.
     *
     * @throws SigningException {@code keys.not_found}
     */
    public SigningKey get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    /**
     * The keys {@code caller} may see: every key with {@code keys:admin}, else those its scopes name
     * ({@code sign:NAME}); for a console user, those it is granted on.
     */
    public List<SigningKey> visibleTo(SigningCaller caller) {
        if (caller instanceof SigningCaller.Session session) {
            return usableBy(session);
        }
        if (caller.keysAdmin()) {
            return list();
        }
        return list().stream().filter(k -> caller.scopedTo(k.name())).toList();
    }

    /**
     * The key named {@code name} if {@code caller} may see it.
     *
     * @throws SigningException {@code keys.forbidden} (the caller's token has neither {@code
     *     keys:admin} nor {@code sign:NAME}), {@code keys.not_found}
     */
    public SigningKey getFor(SigningCaller caller, String name) {
        if (!caller.keysAdmin() && !(name != null && NAME.matcher(name).matches() && caller.scopedTo(name))) {
            throw new SigningException(
                    SigningException.KEY_FORBIDDEN,
                    "reading this key needs a token with the scope keys:admin or sign:"
                            + (name != null && NAME.matcher(name).matches() ? name.toLowerCase(Locale.ROOT) : "NAME"));
        }
        return get(name);
    }

    /** The keys a console user is granted on (as a user), by name. */
    public List<SigningKey> usableBy(SigningCaller.Session session) {
        return store
                .jdbc()
                .sql(KEY_SELECT + " WHERE k.id IN (SELECT key_id FROM signing_grant"
                        + " WHERE principal_kind = 'USER' AND principal_id = ?) ORDER BY k.name_key")
                .param(session.userId())
                .query(this::row)
                .list()
                .stream()
                .map(Row::key)
                .toList();
    }

    /**
     * Whether {@code caller} may sign with {@code key} (step-up aside, which is {@link
     * SigningService}'s): a token needs {@code sign:NAME} and a grant to itself or its owner; a
     * console user a grant; a service client {@code sign:NAME} and a grant.
     */
    public boolean mayUse(SigningCaller caller, SigningKey key) {
        return switch (caller) {
            case SigningCaller.Token t ->
                t.scopedTo(key.name())
                        && store.jdbc()
                                        .sql("SELECT COUNT(*) FROM signing_grant WHERE key_id = ? AND"
                                                + " ((principal_kind = 'USER' AND principal_id = ?)"
                                                + " OR (principal_kind = 'TOKEN' AND principal_id = ?))")
                                        .params(key.id(), t.userId(), t.tokenId())
                                        .query(Long.class)
                                        .single()
                                > 0;
            case SigningCaller.Session s -> granted(key, Grant.Kind.USER, s.userId());
            case SigningCaller.Client c -> c.scopedTo(key.name()) && granted(key, Grant.Kind.CLIENT, c.clientId());
        };
    }

    private boolean granted(SigningKey key, Grant.Kind kind, String principalId) {
        return store.jdbc()
                        .sql("SELECT COUNT(*) FROM signing_grant WHERE key_id = ? AND principal_kind = ?"
                                + " AND principal_id = ?")
                        .params(key.id(), kind.name(), principalId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    // ---------------------------------------------------------------- grants

    /**
     * The grants on a key, users first, then tokens, then clients.
     *
     * @throws SigningException {@code keys.not_found}
     */
    public List<Grant> grants(String name) {
        SigningKey key = get(name);
        List<Grant> found = new ArrayList<>(store.jdbc()
                .sql("SELECT principal_kind, principal_id, created_at, created_by FROM signing_grant"
                        + " WHERE key_id = ?")
                .param(key.id())
                .query((rs, n) -> describe(
                        Grant.Kind.valueOf(rs.getString("principal_kind")),
                        rs.getString("principal_id"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        rs.getString("created_by")))
                .list());
        found.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : a.to().compareToIgnoreCase(b.to()));
        return List.copyOf(found);
    }

    /**
     * Allows {@code to} ({@code user:USERNAME}, {@code token:TOKEN_ID} or {@code client:CLIENT_ID})
     * to sign with the key. Audited as {@code keys.granted}.
     *
     * @throws SigningException {@code keys.not_found}, {@code keys.grant_invalid}, {@code
     *     keys.grantee_not_found}, {@code keys.grant_conflict}
     */
    public Grant grant(String name, String to, String actor) {
        SigningKey key = get(name);
        Grant grantee = resolve(to, false);
        Instant now = clock.instant();
        store.inTransaction(() -> {
            int added = store.jdbc()
                    .sql("INSERT INTO signing_grant (key_id, principal_kind, principal_id, created_at, created_by)"
                            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, principal_kind, principal_id) DO NOTHING")
                    .params(key.id(), grantee.kind().name(), grantee.principalId(), now.toEpochMilli(), actor)
                    .update();
            if (added != 1) {
                throw new SigningException(
                        SigningException.GRANT_CONFLICT, grantee.to() + " may sign with " + key.name() + " already");
            }
            audit.append(AuditEvent.of("keys.granted", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(key.name())
                    .detail("to", grantee.to())
                    .build());
        });
        return describe(grantee.kind(), grantee.principalId(), now, actor);
    }

    /**
     * Withdraws a grant. Audited as {@code keys.grant_removed}.
     *
     * @throws SigningException {@code keys.not_found}, {@code keys.grant_invalid}, {@code keys.grant_not_found}
     */
    public void removeGrant(String name, String to, String actor) {
        SigningKey key = get(name);
        Grant grantee = resolve(to, true);
        store.inTransaction(() -> {
            int removed = store.jdbc()
                    .sql("DELETE FROM signing_grant WHERE key_id = ? AND principal_kind = ? AND principal_id = ?")
                    .params(key.id(), grantee.kind().name(), grantee.principalId())
                    .update();
            if (removed != 1) {
                throw new SigningException(
                        SigningException.GRANT_NOT_FOUND, grantee.to() + " has no grant on " + key.name());
            }
            audit.append(AuditEvent.of("keys.grant_removed", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(key.name())
                    .detail("to", grantee.to())
                    .build());
        });
    }

    /**
     * {@code to} as a grant's principal. For a removal, a user who no longer exists may be named by
     * {@code user:#ID}, as {@link #grants} lists it.
     */
    private Grant resolve(String to, boolean removing) {
        int colon = to == null ? -1 : to.indexOf(':');
        if (colon <= 0 || colon == to.length() - 1 || to.length() > 300) {
            throw grantInvalid();
        }
        String kind = to.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = to.substring(colon + 1);
        switch (kind) {
            case "user" -> {
                if (removing && value.startsWith("#")) {
                    return new Grant(Grant.Kind.USER, value.substring(1), to, value, null, null);
                }
                User user = users.byUsername(value)
                        .orElseThrow(() -> new SigningException(
                                SigningException.GRANTEE_NOT_FOUND, "no user named " + printable(value)));
                return new Grant(Grant.Kind.USER, user.id(), "user:" + user.username(), user.username(), null, null);
            }
            case "token" -> {
                if (!removing && tokens.byId(value).isEmpty()) {
                    throw new SigningException(
                            SigningException.GRANTEE_NOT_FOUND, "no API token has the id " + printable(value));
                }
                return new Grant(Grant.Kind.TOKEN, value, "token:" + value, value, null, null);
            }
            case "client" -> {
                if (!CLIENT_ID.matcher(value).matches()) {
                    throw grantInvalid();
                }
                return new Grant(Grant.Kind.CLIENT, value, "client:" + value, value, null, null);
            }
            default -> throw grantInvalid();
        }
    }

    private Grant describe(Grant.Kind kind, String principalId, Instant at, String by) {
        return switch (kind) {
            case USER -> {
                Optional<User> user = users.byId(principalId);
                yield user.map(u -> new Grant(kind, principalId, "user:" + u.username(), u.username(), at, by))
                        .orElseGet(
                                () -> new Grant(kind, principalId, "user:#" + principalId, "(deleted user)", at, by));
            }
            case TOKEN -> {
                String label = tokens.byId(principalId)
                        .map(t -> "“" + t.name() + "” of "
                                + users.byId(t.userId()).map(User::username).orElse("a deleted user")
                                + (t.revoked().isPresent() ? " (revoked)" : ""))
                        .orElse("(deleted token)");
                yield new Grant(kind, principalId, "token:" + principalId, label, at, by);
            }
            case CLIENT -> new Grant(kind, principalId, "client:" + principalId, principalId, at, by);
        };
    }

    private static SigningException grantInvalid() {
        return new SigningException(
                SigningException.GRANT_INVALID, "a grant is to user:USERNAME, token:TOKEN_ID or client:CLIENT_ID");
    }

    // ---------------------------------------------------------------- export

    /**
     * The key and its chain as a PKCS#12 file (PBES2, AES-256-CBC; see {@link Credential#pkcs12})
     * under {@code password}, alias the key's name. Only for a key created exportable. Audited as
     * {@code keys.exported}.
     *
     * @throws SigningException {@code keys.not_found}, {@code keys.not_exportable}, {@code password.too_short}
     */
    public byte[] export(String name, char[] password, String actor) {
        SigningKey key = get(name);
        if (!key.exportable()) {
            throw new SigningException(
                    SigningException.KEY_NOT_EXPORTABLE,
                    "key " + key.name() + " was created without the exportable flag: its private key never leaves"
                            + " the server");
        }
        if (password == null || password.length < MIN_EXPORT_PASSWORD) {
            throw new SigningException(
                    "password.too_short",
                    "the password protecting an exported key must have at least " + MIN_EXPORT_PASSWORD
                            + " characters");
        }
        Opened open = open(key);
        List<X509Certificate> chain = key.chain();
        byte[] pkcs12 = new Credential(open.signer().privateKey(), chain.getFirst(), chain.subList(1, chain.size()))
                .pkcs12(password, key.name());
        audit.append(AuditEvent.of("keys.exported", AuditEvent.SUCCESS)
                .actor(actor)
                .subject(key.name())
                .detail("serial", key.serial())
                .build());
        return pkcs12;
    }

    // ---------------------------------------------------------------- opening keys

    /** The key's signer, unsealed once and cached while the row's sealed value is unchanged. */
    Opened open(SigningKey key) {
        String sealed = store.jdbc()
                .sql("SELECT private_key FROM signing_key WHERE id = ?")
                .param(key.id())
                .query(String.class)
                .optional()
                .orElseThrow(() -> notFound(key.name()));
        return open(key, sealed);
    }

    private Opened open(SigningKey key, String sealed) {
        Opened cached = opened.get(key.id());
        if (cached != null && cached.sealed().equals(sealed)) {
            return cached;
        }
        byte[] pkcs8 = keyRing.open(keyRef(key.id()), sealed);
        try {
            PrivateKey privateKey = decodeKey(key.algorithm(), pkcs8);
            KeySigner signer =
                    new KeySigner(key.algorithm(), new KeyPair(key.certificate().getPublicKey(), privateKey));
            Opened fresh = new Opened(sealed, signer, new CmsSigner(signer, key.chain()));
            opened.put(key.id(), fresh);
            return fresh;
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** A key as read for signing: its row's sealed private key comes along, still sealed. */
    record Found(SigningKey key, String sealed) {
        @Override
        public String toString() {
            return "Found[" + key.name() + ", key sealed]";
        }
    }

    /** The key named {@code name} with its sealed private key, in one read; nothing is unsealed. */
    Optional<Found> findForSigning(String name) {
        return findRow(name).map(r -> new Found(r.key(), r.sealed()));
    }

    /** The found key's signer: unsealed now, or from memory. */
    Opened open(Found found) {
        return open(found.key(), found.sealed());
    }

    /** Drops every unsealed key from memory. */
    public void forgetOpenedKeys() {
        opened.clear();
    }

    /** A PKCS#8 key decoded by the provider that signs with it. */
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

    static KeyRing.SecretRef keyRef(String id) {
        return new KeyRing.SecretRef("signing_key", "private_key", id);
    }

    // ---------------------------------------------------------------- rows

    private Optional<Row> findRow(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            return Optional.empty();
        }
        return store.jdbc()
                .sql(KEY_SELECT + " WHERE k.name_key = ? OR k.id = ?")
                .params(name.toLowerCase(Locale.ROOT), name)
                .query(this::row)
                .optional();
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        String id = rs.getString("id");
        Instant notBefore = Instant.ofEpochMilli(rs.getLong("not_before"));
        Instant notAfter = Instant.ofEpochMilli(rs.getLong("not_after"));
        Instant now = clock.instant();
        SigningKey.Status status = "REVOKED".equals(rs.getString("cert_status"))
                ? SigningKey.Status.REVOKED
                : now.isBefore(notBefore) || now.isAfter(notAfter)
                        ? SigningKey.Status.EXPIRED
                        : SigningKey.Status.VALID;
        String chainPem = rs.getString("chain_pem");
        SigningKey key = new SigningKey(
                id,
                rs.getString("name"),
                KeyAlgorithm.byId(rs.getString("key_algorithm")).orElseThrow(),
                rs.getString("ca_name"),
                rs.getString("serial"),
                rs.getString("subject"),
                notBefore,
                notAfter,
                status,
                rs.getInt("exportable") == 1,
                rs.getInt("step_up") == 1,
                Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getString("created_by"),
                chains.computeIfAbsent(id, i -> parseChain(chainPem)));
        return new Row(key, rs.getString("private_key"));
    }

    static List<X509Certificate> parseChain(String pem) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                chain.add((X509Certificate) c);
            }
            return List.copyOf(chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored certificate chain cannot be read", e);
        }
    }

    private void requireNameFree(String name) {
        if (find(name).filter(k -> k.name().equalsIgnoreCase(name)).isPresent()) {
            throw taken(name);
        }
    }

    private static SigningException taken(String name) {
        return new SigningException(SigningException.KEY_TAKEN, "a signing key named " + name + " exists already");
    }

    private static SigningException notFound(String name) {
        return new SigningException(SigningException.KEY_NOT_FOUND, "no signing key named " + printable(name));
    }

    static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
