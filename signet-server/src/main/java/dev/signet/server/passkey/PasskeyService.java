package dev.signet.server.passkey;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.CollectedClientDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.ClientDataType;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.attestation.statement.none.NoneAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.statement.packed.PackedAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.certpath.NullCertPathTrustworthinessVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.self.DefaultSelfAttestationTrustworthinessVerifier;
import com.webauthn4j.verifier.exception.BadAaguidException;
import com.webauthn4j.verifier.exception.BadAlgorithmException;
import com.webauthn4j.verifier.exception.BadAttestationStatementException;
import com.webauthn4j.verifier.exception.BadBackupEligibleFlagException;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.BadTopOriginException;
import com.webauthn4j.verifier.exception.CertificateException;
import com.webauthn4j.verifier.exception.ConstraintViolationException;
import com.webauthn4j.verifier.exception.CredentialIdTooLongException;
import com.webauthn4j.verifier.exception.CrossOriginException;
import com.webauthn4j.verifier.exception.IllegalBackupStateException;
import com.webauthn4j.verifier.exception.InconsistentClientDataTypeException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.MissingChallengeException;
import com.webauthn4j.verifier.exception.NotAllowedAlgorithmException;
import com.webauthn4j.verifier.exception.NotAllowedCredentialIdException;
import com.webauthn4j.verifier.exception.SelfAttestationProhibitedException;
import com.webauthn4j.verifier.exception.TokenBindingException;
import com.webauthn4j.verifier.exception.TrustAnchorNotFoundException;
import com.webauthn4j.verifier.exception.UserNotPresentException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import com.webauthn4j.verifier.exception.VerificationException;
import dev.signet.core.crypto.Secure;
import dev.signet.server.account.DisplayNames;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditEvent;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import tools.jackson.databind.JsonNode;

/**
 * Passkeys (WebAuthn Level 3, <a href="https://www.w3.org/TR/webauthn-3/">W3C</a>): registration
 * (section 7.1) and authentication (section 7.2) ceremonies verified by webauthn4j, with Signet's
 * storage, challenges, policy checks and audit.
 *
 * <p>Every ceremony: user verification required; the RP ID and the allowed origins come from {@link
 * SignetSettings.Mfa}; the challenge is 32 random bytes, single use, valid for {@link
 * #CHALLENGE_LIFETIME}, and must be the one the caller's browser session was given. Registration
 * asks for a discoverable credential (resident key required) with attestation conveyance {@code
 * none}, and accepts {@code none} and {@code packed} statements (verified, recorded, not trusted to
 * any root). Authentication is discoverable (no allow list) when nobody is known yet, and otherwise
 * lists the known user's passkeys and refuses anyone else's.
 *
 * <p>Every refusal is a {@link PasskeyException} with a stable code, is audited with that code as
 * reason ({@code auth.passkey} for authentication, {@code account.passkey_registered} for
 * registration), and leaves the passkeys as they were: the only write before all checks pass is
 * using up the challenge, so a refused answer cannot be tried again.
 *
 * <p>Steps left to the caller (the web layer): keeping the issued challenge in the browser session
 * and handing it back; deciding whether the session may register or remove passkeys (step-up) and
 * whether removing one is allowed by the MFA policy; signing the user in after {@link
 * #finishAuthentication}.
 */
public final class PasskeyService {
    /** How long a challenge (and so a ceremony) stays valid. */
    public static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(5);
    /** The longest passkey name, in characters. */
    public static final int MAX_NAME = 100;

    /** The algorithms offered, in order of preference: ES256, EdDSA, RS256 (COSE -7, -8, -257). */
    static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.EdDSA),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));

    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    private static final String REGISTERED = "account.passkey_registered";
    private static final String AUTHENTICATED = "auth.passkey";

    /** A credential the browser may use or must not re-create: its id and transports. */
    public record Descriptor(String id, List<String> transports) {
        public Descriptor {
            transports = List.copyOf(transports);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "public-key");
            m.put("id", id);
            if (!transports.isEmpty()) {
                m.put("transports", transports);
            }
            return m;
        }
    }

    /** Options for {@code navigator.credentials.create()}; {@link #json()} is {@code PublicKeyCredentialCreationOptionsJSON}. */
    public record CreationOptions(
            String rpId,
            String rpName,
            String userHandle,
            String userName,
            String displayName,
            String challenge,
            List<Descriptor> excludeCredentials,
            Duration timeout) {
        public CreationOptions {
            excludeCredentials = List.copyOf(excludeCredentials);
        }

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rp", Map.of("id", rpId, "name", rpName));
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("id", userHandle);
            user.put("name", userName);
            user.put("displayName", displayName);
            m.put("user", user);
            m.put("challenge", challenge);
            m.put(
                    "pubKeyCredParams",
                    ALGORITHMS.stream()
                            .map(p -> Map.of(
                                    "type", "public-key", "alg", p.getAlg().getValue()))
                            .toList());
            m.put("timeout", timeout.toMillis());
            m.put(
                    "excludeCredentials",
                    excludeCredentials.stream().map(Descriptor::json).toList());
            Map<String, Object> selection = new LinkedHashMap<>();
            selection.put("residentKey", "required");
            selection.put("requireResidentKey", true);
            selection.put("userVerification", "required");
            m.put("authenticatorSelection", selection);
            m.put("attestation", "none");
            return m;
        }
    }

    /** Options for {@code navigator.credentials.get()}; {@link #json()} is {@code PublicKeyCredentialRequestOptionsJSON}. */
    public record RequestOptions(String rpId, String challenge, List<Descriptor> allowCredentials, Duration timeout) {
        public RequestOptions {
            allowCredentials = List.copyOf(allowCredentials);
        }

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("challenge", challenge);
            m.put("timeout", timeout.toMillis());
            m.put("rpId", rpId);
            m.put(
                    "allowCredentials",
                    allowCredentials.stream().map(Descriptor::json).toList());
            m.put("userVerification", "required");
            return m;
        }
    }

    /** A verified assertion: who, with which passkey (after its counter and last use were updated). */
    public record Authenticated(User user, Passkey passkey) {
        /** {@link Factor#HWK} for a device-bound passkey, {@link Factor#SWK} for a synced one. */
        public Factor factor() {
            return passkey.factor();
        }
    }

    private final Store store;
    private final UserRepository users;
    private final AuditLog audit;
    private final Clock clock;
    private final String rpId;
    private final String rpName;
    private final Set<Origin> origins;
    private final PasskeyRepository passkeys;
    private final Challenges challenges;
    private final WebAuthnManager webAuthn;
    private final CollectedClientDataConverter clientDataConverter;
    private final AttestationObjectConverter attestationObjectConverter;
    private final AuthenticatorDataConverter authenticatorDataConverter;
    private final AttestedCredentialDataConverter attestedDataConverter;

    public PasskeyService(Store store, UserRepository users, AuditLog audit, SignetSettings.Mfa mfa, Clock clock) {
        this.store = store;
        this.users = users;
        this.audit = audit;
        this.clock = clock;
        this.rpId = mfa.rpId();
        this.rpName = mfa.rpName();
        Set<Origin> o = new LinkedHashSet<>();
        mfa.origins().forEach(s -> o.add(new Origin(s)));
        this.origins = Set.copyOf(o);
        this.passkeys = new PasskeyRepository(store);
        this.challenges = new Challenges(store, clock, CHALLENGE_LIFETIME);
        ObjectConverter converter = new ObjectConverter();
        this.webAuthn = new WebAuthnManager(
                List.of(new NoneAttestationStatementVerifier(), new PackedAttestationStatementVerifier()),
                new NullCertPathTrustworthinessVerifier(),
                new DefaultSelfAttestationTrustworthinessVerifier(),
                converter);
        this.clientDataConverter = new CollectedClientDataConverter(converter);
        this.attestationObjectConverter = new AttestationObjectConverter(converter);
        this.authenticatorDataConverter = new AuthenticatorDataConverter(converter);
        this.attestedDataConverter = new AttestedCredentialDataConverter(converter);
    }

    // ---- registration (WebAuthn L3 section 7.1) ------------------------------------------------

    /**
     * Creation options for a new passkey of {@code userId}: a new challenge, the account's user handle
     * (made now if it has none), and the user's existing passkeys as {@code excludeCredentials}.
     *
     * @throws PasskeyException {@code passkey.not_found} when there is no such account
     */
    public CreationOptions startRegistration(String userId) {
        User user = users.byId(userId)
                .orElseThrow(() -> new PasskeyException(PasskeyException.NOT_FOUND, "no such account"));
        String handle = passkeys.ensureUserHandle(userId);
        List<Descriptor> exclude = descriptors(userId);
        byte[] challenge = challenges.issue(Challenges.REGISTER, Optional.of(userId));
        String display =
                user.displayName() == null || user.displayName().isBlank() ? user.username() : user.displayName();
        return new CreationOptions(
                rpId,
                rpName,
                handle,
                user.username(),
                display,
                B64U.encodeToString(challenge),
                exclude,
                CHALLENGE_LIFETIME);
    }

    /**
     * Verifies a registration and stores the passkey.
     *
     * @param body {@code {"name": "...", "credential": <RegistrationResponseJSON>}}
     * @param sessionChallenge the challenge (base64url) the caller's browser session was given by
     *     {@link #startRegistration}; null when it has none
     * @throws PasskeyException with the code of the first check that failed; audited
     */
    public Passkey finishRegistration(String userId, String body, String sessionChallenge, ClientInfo client) {
        Optional<User> user = users.byId(userId);
        try {
            if (user.isEmpty()) {
                throw new PasskeyException(PasskeyException.NOT_FOUND, "no such account");
            }
            JsonNode root = CredentialJson.object(body);
            JsonNode nameNode = root.get("name");
            String name = checkName(nameNode != null && nameNode.isString() ? nameNode.stringValue() : null);
            CredentialJson credential = CredentialJson.registration(root.get("credential"));

            // Step 5-6: C, the client data, parsed as JSON; step 7: C.type is webauthn.create
            CollectedClientData clientData = clientData(credential.clientDataJson(), ClientDataType.WEBAUTHN_CREATE);
            // Step 12: the attestation object, CBOR-decoded
            byte[] attestationBytes = credential.attestationObject().orElseThrow();
            AttestationObject attestation = parse(
                    () -> attestationObjectConverter.convert(attestationBytes),
                    PasskeyException.BAD_ATTESTATION,
                    "the attestation object cannot be read");
            AttestedCredentialData attested = attestation.getAuthenticatorData().getAttestedCredentialData();
            if (attested == null) {
                throw new PasskeyException(
                        PasskeyException.BAD_ATTESTATION, "the attestation object has no attested credential data");
            }
            if (!Arrays.equals(attested.getCredentialId(), credential.rawId())) {
                throw new PasskeyException(
                        PasskeyException.BAD_ATTESTATION, "the credential id differs from the attested one");
            }

            // Step 8: the challenge, single use, issued for this account and this browser session
            byte[] expected = sessionChallenge(sessionChallenge, "registration");
            Challenges.Issued issued = challenges.consume(expected, Challenges.REGISTER);
            if (!issued.userId().equals(Optional.of(userId))) {
                throw new PasskeyException(
                        PasskeyException.CHALLENGE_UNKNOWN, "this passkey request was not started by this account");
            }

            // Steps 7-26 (type, challenge, origin, top origin, RP ID hash, UP, UV, BE/BS, algorithm,
            // attestation statement): webauthn4j
            verify(
                    true,
                    () -> webAuthn.verify(
                            new RegistrationData(
                                    attestation, attestationBytes, clientData, credential.clientDataJson(), null, null),
                            new RegistrationParameters(serverProperty(expected), ALGORITHMS, true, true)));

            // Step 27: the credential id is not registered yet (to anyone)
            String credentialId = B64U.encodeToString(attested.getCredentialId());
            if (passkeys.credentialExists(credentialId)) {
                throw alreadyRegistered();
            }
            AuthenticatorData<?> data = attestation.getAuthenticatorData();
            AAGUID aaguid = attested.getAaguid();
            Passkey passkey = new Passkey(
                    UUID.randomUUID().toString(),
                    userId,
                    name,
                    credentialId,
                    attestation.getFormat(),
                    aaguid == null ? Optional.empty() : Optional.of(aaguid.toString()),
                    List.copyOf(credential.transports()),
                    clock.instant(),
                    Optional.empty(),
                    data.isFlagBE(),
                    data.isFlagBS(),
                    data.getSignCount());
            String attestedData = B64U.encodeToString(attestedDataConverter.convert(attested));
            // Step 28: store the credential record
            store.inTransaction(() -> {
                try {
                    passkeys.insert(passkey, attestedData);
                } catch (DataAccessException e) {
                    if (UserRepository.isUniqueViolation(e)) {
                        throw alreadyRegistered();
                    }
                    throw e;
                }
                audit.append(AuditEvent.of(REGISTERED, AuditEvent.SUCCESS)
                        .actor(user.get().username())
                        .subject(user.get().username())
                        .client(client.ip(), client.userAgent())
                        .detail("passkey", passkey.id())
                        .detail("format", passkey.attestationFormat())
                        .detail("aaguid", passkey.aaguid().orElse(null))
                        .detail("synced", Boolean.toString(passkey.backupEligible()))
                        .build());
            });
            return passkey;
        } catch (PasskeyException e) {
            audit.append(AuditEvent.of(REGISTERED, AuditEvent.FAILURE)
                    .actor(user.map(User::username).orElse(null))
                    .subject(user.map(User::username).orElse(null))
                    .client(client.ip(), client.userAgent())
                    .reason(e.code())
                    .build());
            throw e;
        }
    }

    // ---- authentication (WebAuthn L3 section 7.2) ------------------------------------------------

    /**
     * Request options: for a known user (second factor, step-up) their passkeys as {@code
     * allowCredentials}; for nobody (a passkey sign-in), none, so the browser offers the discoverable
     * passkeys it has for this RP.
     */
    public RequestOptions startAuthentication(Optional<String> userId) {
        List<Descriptor> allow = userId.map(this::descriptors).orElse(List.of());
        byte[] challenge = challenges.issue(Challenges.AUTHENTICATE, userId);
        return new RequestOptions(rpId, B64U.encodeToString(challenge), allow, CHALLENGE_LIFETIME);
    }

    /**
     * Verifies an assertion and records the passkey's use (counter, last use, backup state).
     *
     * @param body an {@code AuthenticationResponseJSON}
     * @param sessionChallenge the challenge (base64url) the caller's browser session was given by
     *     {@link #startAuthentication}; null when it has none
     * @param expectedUserId the user the session is signing in (second factor, step-up); empty for a
     *     passkey sign-in, where the passkey says who it is
     * @throws PasskeyException with the code of the first check that failed; audited
     */
    public Authenticated finishAuthentication(
            String body, String sessionChallenge, Optional<String> expectedUserId, ClientInfo client) {
        User owner = null;
        Map<String, String> details = new LinkedHashMap<>();
        try {
            CredentialJson credential = CredentialJson.authentication(CredentialJson.object(body));
            // Steps 9-10: C parsed, C.type is webauthn.get
            CollectedClientData clientData = clientData(credential.clientDataJson(), ClientDataType.WEBAUTHN_GET);
            byte[] authenticatorBytes = credential.authenticatorData().orElseThrow();
            AuthenticatorData<AuthenticationExtensionAuthenticatorOutput> authenticatorData = parse(
                    () -> authenticatorDataConverter.convert(authenticatorBytes),
                    PasskeyException.BAD_AUTHENTICATOR_DATA,
                    "the authenticator data cannot be read");

            // Step 11: the challenge, single use, issued to this browser session
            byte[] expected = sessionChallenge(sessionChallenge, "sign-in");
            Challenges.Issued issued = challenges.consume(expected, Challenges.AUTHENTICATE);

            // Step 6: identify the user and the credential record
            String credentialId = B64U.encodeToString(credential.rawId());
            details.put("credential", cut(credentialId));
            PasskeyRepository.Stored stored = passkeys.byCredentialId(credentialId)
                    .orElseThrow(() -> new PasskeyException(
                            PasskeyException.UNKNOWN_CREDENTIAL, "this passkey is not registered here"));
            Passkey passkey = stored.passkey();
            details.put("passkey", passkey.id());
            owner = users.byId(passkey.userId())
                    .orElseThrow(() -> new PasskeyException(
                            PasskeyException.UNKNOWN_CREDENTIAL, "this passkey is not registered here"));
            String ownerId = owner.id();
            if (issued.userId().filter(u -> !u.equals(ownerId)).isPresent()
                    || expectedUserId.filter(u -> !u.equals(ownerId)).isPresent()) {
                throw new PasskeyException(PasskeyException.WRONG_USER, "this passkey belongs to another account");
            }
            Optional<byte[]> handle = passkeys.userHandle(ownerId).map(h -> CredentialJson.base64url(h, "userHandle"));
            if (credential.userHandle().isPresent()) {
                if (handle.isEmpty()
                        || !Secure.constantTimeEquals(
                                handle.get(), credential.userHandle().get())) {
                    throw new PasskeyException(
                            PasskeyException.WRONG_USER, "the passkey's user handle is not its account's");
                }
            } else if (issued.userId().isEmpty() && expectedUserId.isEmpty()) {
                throw new PasskeyException(
                        PasskeyException.WRONG_USER, "a passkey sign-in needs the passkey's user handle");
            }
            if (!owner.active() || owner.kind() != User.Kind.PERSON) {
                throw new PasskeyException(PasskeyException.ACCOUNT_DISABLED, "this account cannot sign in");
            }

            AttestedCredentialData attested = parse(
                    () -> attestedDataConverter.convert(Base64.getUrlDecoder().decode(stored.attestedData())),
                    PasskeyException.INVALID,
                    "the stored passkey cannot be read");
            CredentialRecordImpl record = new CredentialRecordImpl(
                    null,
                    true,
                    passkey.backupEligible(),
                    passkey.backedUp(),
                    passkey.signCount(),
                    attested,
                    null,
                    null,
                    null,
                    null);
            List<byte[]> allow = issued.userId().isPresent()
                    ? passkeys.forUser(ownerId).stream()
                            .map(p -> Base64.getUrlDecoder().decode(p.credentialId()))
                            .toList()
                    : null;
            details.put("stored_count", Long.toString(passkey.signCount()));
            details.put("received_count", Long.toString(authenticatorData.getSignCount()));

            // Steps 5, 10-22 (allow list, type, challenge, origin, top origin, RP ID hash, UP, UV,
            // BE/BS, signature, signature counter): webauthn4j
            verify(
                    false,
                    () -> webAuthn.verify(
                            new AuthenticationData(
                                    credential.rawId(),
                                    credential.userHandle().orElse(null),
                                    authenticatorData,
                                    authenticatorBytes,
                                    clientData,
                                    credential.clientDataJson(),
                                    null,
                                    credential.signature().orElseThrow()),
                            new AuthenticationParameters(serverProperty(expected), record, allow, true, true)));

            // Step 22 (update the stored counter) and 24 (backup state), only if no other assertion
            // moved the counter meanwhile
            Instant now = clock.instant();
            long received = authenticatorData.getSignCount();
            boolean backedUp = authenticatorData.isFlagBS();
            User signedIn = owner;
            store.inTransaction(() -> {
                if (!passkeys.recordUse(passkey.id(), passkey.signCount(), received, backedUp, now)) {
                    throw new PasskeyException(
                            PasskeyException.COUNTER_REGRESSION,
                            "this passkey was used at the same moment elsewhere; try again");
                }
                audit.append(AuditEvent.of(AUTHENTICATED, AuditEvent.SUCCESS)
                        .actor(signedIn.username())
                        .subject(signedIn.username())
                        .client(client.ip(), client.userAgent())
                        .detail("passkey", passkey.id())
                        .detail("factor", passkey.factor().amr())
                        .detail("sign_count", Long.toString(received))
                        .build());
            });
            Passkey used = new Passkey(
                    passkey.id(),
                    passkey.userId(),
                    passkey.name(),
                    passkey.credentialId(),
                    passkey.attestationFormat(),
                    passkey.aaguid(),
                    passkey.transports(),
                    passkey.createdAt(),
                    Optional.of(now),
                    passkey.backupEligible(),
                    backedUp,
                    received);
            return new Authenticated(owner, used);
        } catch (PasskeyException e) {
            AuditEvent.Builder event = AuditEvent.of(AUTHENTICATED, AuditEvent.FAILURE)
                    .client(client.ip(), client.userAgent())
                    .reason(e.code());
            if (owner != null) {
                event.subject(owner.username());
            }
            if (e.code().equals(PasskeyException.COUNTER_REGRESSION)) {
                // a possibly cloned authenticator: the counters are the evidence
                details.forEach(event::detail);
            } else {
                event.detail("passkey", details.get("passkey"));
            }
            audit.append(event.build());
            throw e;
        }
    }

    // ---- management --------------------------------------------------------------------------------

    /** The user's passkeys, oldest first. */
    public List<Passkey> list(String userId) {
        return passkeys.forUser(userId);
    }

    public int count(String userId) {
        return passkeys.count(userId);
    }

    public Optional<Passkey> find(String userId, String passkeyId) {
        return passkeys.byId(userId, passkeyId);
    }

    /**
     * Renames one of the user's passkeys.
     *
     * @throws PasskeyException {@code passkey.name_invalid}, {@code passkey.not_found}
     */
    public Passkey rename(String userId, String passkeyId, String name, String actor) {
        String n = checkName(name);
        Passkey before = passkeys.byId(userId, passkeyId).orElseThrow(PasskeyService::notFound);
        return store.inTransaction(() -> {
            if (!passkeys.rename(userId, passkeyId, n)) {
                throw notFound();
            }
            audit.append(AuditEvent.of("account.passkey_renamed", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(username(userId))
                    .detail("passkey", passkeyId)
                    .build());
            return passkeys.byId(userId, passkeyId).orElse(before);
        });
    }

    /**
     * Removes one of the user's passkeys. The caller has checked that the policy allows it.
     *
     * @throws PasskeyException {@code passkey.not_found}
     */
    public Passkey remove(String userId, String passkeyId, String actor) {
        Passkey gone = passkeys.byId(userId, passkeyId).orElseThrow(PasskeyService::notFound);
        store.inTransaction(() -> {
            if (!passkeys.delete(userId, passkeyId)) {
                throw notFound();
            }
            audit.append(AuditEvent.of("account.passkey_removed", AuditEvent.SUCCESS)
                    .actor(actor)
                    .subject(username(userId))
                    .detail("passkey", passkeyId)
                    .detail("synced", Boolean.toString(gone.backupEligible()))
                    .build());
        });
        return gone;
    }

    /**
     * A passkey name: trimmed, 1 to {@value #MAX_NAME} characters, no control, format, private-use or
     * unassigned characters.
     */
    public static String checkName(String name) {
        return DisplayNames.clean(name, MAX_NAME)
                .orElseThrow(() -> new PasskeyException(
                        PasskeyException.NAME_INVALID,
                        "a passkey needs a name of 1 to " + MAX_NAME + " printable characters"));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private List<Descriptor> descriptors(String userId) {
        return passkeys.forUser(userId).stream()
                .map(p -> new Descriptor(p.credentialId(), p.transports()))
                .toList();
    }

    private ServerProperty serverProperty(byte[] challenge) {
        return ServerProperty.builder()
                .origins(origins)
                .rpId(rpId)
                .challenge(new DefaultChallenge(challenge))
                .build();
    }

    private static byte[] sessionChallenge(String sessionChallenge, String ceremony) {
        if (sessionChallenge == null || sessionChallenge.isEmpty()) {
            throw new PasskeyException(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    "no passkey " + ceremony + " was started in this browser session");
        }
        try {
            return Base64.getUrlDecoder().decode(sessionChallenge);
        } catch (IllegalArgumentException e) {
            throw new PasskeyException(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    "no passkey " + ceremony + " was started in this browser session");
        }
    }

    private CollectedClientData clientData(byte[] json, ClientDataType type) {
        CollectedClientData data = parse(
                () -> clientDataConverter.convert(json),
                PasskeyException.BAD_CLIENT_DATA,
                "the client data cannot be read");
        if (data == null || data.getType() == null || data.getChallenge() == null || data.getOrigin() == null) {
            throw new PasskeyException(PasskeyException.BAD_CLIENT_DATA, "the client data is incomplete");
        }
        if (!type.equals(data.getType())) {
            throw new PasskeyException(
                    PasskeyException.BAD_CLIENT_DATA,
                    "the client data is for another ceremony (" + type + " expected)");
        }
        return data;
    }

    /** Runs a webauthn4j parser; anything it throws means the input is malformed. */
    private static <T> T parse(Supplier<T> parser, String code, String message) {
        T value;
        try {
            value = parser.get();
        } catch (RuntimeException e) {
            throw new PasskeyException(code, message, e);
        }
        if (value == null) {
            throw new PasskeyException(code, message);
        }
        return value;
    }

    /** Runs a webauthn4j verification, turning each of its exceptions into Signet's code for it. */
    private static void verify(boolean registration, Runnable verification) {
        try {
            verification.run();
        } catch (VerificationException e) {
            String code = code(e);
            // at registration the only signature checked is the attestation statement's
            if (registration && code.equals(PasskeyException.BAD_SIGNATURE)) {
                code = PasskeyException.BAD_ATTESTATION;
            }
            throw new PasskeyException(code, message(code), e);
        } catch (RuntimeException e) {
            // a value webauthn4j could not even evaluate (a key it cannot decode, say): still bad input
            throw new PasskeyException(PasskeyException.INVALID, message(PasskeyException.INVALID), e);
        }
    }

    static String code(VerificationException e) {
        return switch (e) {
            case InconsistentClientDataTypeException x -> PasskeyException.BAD_CLIENT_DATA;
            case TokenBindingException x -> PasskeyException.BAD_CLIENT_DATA;
            case BadChallengeException x -> PasskeyException.CHALLENGE_MISMATCH;
            case MissingChallengeException x -> PasskeyException.CHALLENGE_MISMATCH;
            case BadOriginException x -> PasskeyException.BAD_ORIGIN;
            case BadTopOriginException x -> PasskeyException.BAD_ORIGIN;
            case CrossOriginException x -> PasskeyException.BAD_ORIGIN;
            case BadRpIdException x -> PasskeyException.BAD_RP_ID;
            case UserNotVerifiedException x -> PasskeyException.USER_NOT_VERIFIED;
            case UserNotPresentException x -> PasskeyException.USER_NOT_PRESENT;
            case BadSignatureException x -> PasskeyException.BAD_SIGNATURE;
            case MaliciousCounterValueException x -> PasskeyException.COUNTER_REGRESSION;
            case NotAllowedCredentialIdException x -> PasskeyException.WRONG_USER;
            case NotAllowedAlgorithmException x -> PasskeyException.BAD_ALGORITHM;
            case BadAlgorithmException x -> PasskeyException.BAD_ALGORITHM;
            case IllegalBackupStateException x -> PasskeyException.BAD_AUTHENTICATOR_DATA;
            case BadBackupEligibleFlagException x -> PasskeyException.BAD_AUTHENTICATOR_DATA;
            case ConstraintViolationException x -> PasskeyException.BAD_AUTHENTICATOR_DATA;
            case BadAttestationStatementException x -> PasskeyException.BAD_ATTESTATION;
            case BadAaguidException x -> PasskeyException.BAD_ATTESTATION;
            case CertificateException x -> PasskeyException.BAD_ATTESTATION;
            case SelfAttestationProhibitedException x -> PasskeyException.BAD_ATTESTATION;
            case TrustAnchorNotFoundException x -> PasskeyException.BAD_ATTESTATION;
            case CredentialIdTooLongException x -> PasskeyException.BAD_ATTESTATION;
            default -> PasskeyException.INVALID;
        };
    }

    /** What the person at the browser is told; the audit log has the code. */
    static String message(String code) {
        return switch (code) {
            case PasskeyException.BAD_CLIENT_DATA -> "the browser's client data is not valid for this request";
            case PasskeyException.CHALLENGE_MISMATCH ->
                "the passkey answered another request than the one this browser started; start again";
            case PasskeyException.BAD_ORIGIN -> "the passkey was used from a site that is not this server";
            case PasskeyException.BAD_RP_ID -> "the passkey is for another site (relying party)";
            case PasskeyException.USER_NOT_VERIFIED ->
                "the authenticator did not verify you (PIN, fingerprint or face); passkeys here need that";
            case PasskeyException.USER_NOT_PRESENT -> "the authenticator did not confirm you were present";
            case PasskeyException.BAD_SIGNATURE -> "the passkey's signature is not valid";
            case PasskeyException.COUNTER_REGRESSION ->
                "this passkey's use counter went backwards, a sign of a copied authenticator; the attempt is refused";
            case PasskeyException.WRONG_USER -> "this passkey belongs to another account";
            case PasskeyException.BAD_ALGORITHM -> "the passkey uses a key algorithm this server does not accept";
            case PasskeyException.BAD_AUTHENTICATOR_DATA -> "the authenticator's data is not valid";
            case PasskeyException.BAD_ATTESTATION ->
                "the authenticator's attestation is not valid or of a format this server does not accept";
            default -> "the passkey could not be verified";
        };
    }

    private static PasskeyException notFound() {
        return new PasskeyException(PasskeyException.NOT_FOUND, "no such passkey of yours");
    }

    private static PasskeyException alreadyRegistered() {
        return new PasskeyException(PasskeyException.ALREADY_REGISTERED, "this passkey is already registered");
    }

    private String username(String userId) {
        return users.byId(userId).map(User::username).orElse(null);
    }

    private static String cut(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64);
    }

    /** For tests: every code the service can refuse with, for documentation checks. */
    static List<String> codes() {
        List<String> out = new ArrayList<>();
        for (var f : PasskeyException.class.getFields()) {
            if (f.getType() == String.class) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
