package dev.signet.server.passkey;

import static dev.signet.server.passkey.SoftwarePasskeys.B64D;
import static dev.signet.server.passkey.SoftwarePasskeys.B64U;
import static dev.signet.server.passkey.SoftwarePasskeys.json;
import static dev.signet.server.passkey.SoftwarePasskeys.withResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.webauthn4j.data.UserVerificationRequirement;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.client.ClientDataType;
import dev.signet.core.crypto.Secure;
import dev.signet.server.account.User;
import dev.signet.server.account.UserRepository;
import dev.signet.server.audit.AuditLog;
import dev.signet.server.audit.AuditRecord;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.signin.ClientInfo;
import dev.signet.server.signin.Factor;
import dev.signet.server.store.Store;
import dev.signet.server.store.Vault;
import dev.signet.server.testing.MutableClock;
import dev.signet.server.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passkey ceremonies against the real {@link PasskeyService} and a real database (see the
 * subclasses), driven by webauthn4j-test's emulated authenticators. Every refusal is checked three
 * ways: its stable code, an audit row with that code as reason, and the stored passkeys unchanged
 * (rows and counters). Time moves only through the {@link MutableClock}.
 */
abstract class PasskeyServiceContractTest {
    static final String ORIGIN = "https://signet.example.test";
    static final String RP_ID = "signet.example.test";
    static final ClientInfo CLIENT = new ClientInfo("192.0.2.7", "passkey-tests");

    @TempDir
    Path dataDir;

    MutableClock clock = new MutableClock(Instant.parse("2031-03-01T09:00:00Z"));
    SignetSettings settings;
    Vault.Opened vault;
    AuditLog audit;
    UserRepository users;
    PasskeyService service;
    User alice;
    User bob;

    abstract TestDatabases.Kind kind();

    @BeforeEach
    void open() {
        // durability is not under test here: SQLite need not wait for the disk at every commit
        settings = TestDatabases.settings(
                kind(), dataDir, Map.of("SIGNET_PUBLIC_URL", ORIGIN, "SIGNET_SQLITE_SYNCHRONOUS", "NORMAL"));
        vault = Vault.open(settings, clock, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        audit = new AuditLog(store(), vault.keyRing(), clock);
        users = new UserRepository(store());
        alice = users.create(
                new UserRepository.NewUser(
                        "alice", "alice@example.test", "Alice Example", User.Role.USER, User.Kind.PERSON, "x"),
                clock.instant());
        bob = users.create("bob", "bob@example.test", User.Role.USER, "x", clock.instant());
        service = new PasskeyService(store(), users, audit, settings.mfa(), clock);
    }

    @AfterEach
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    Store store() {
        return vault.store();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A registration as a browser session would run it: options, the device, the answer. */
    final class Ceremony {
        final String challenge;
        final Map<String, Object> options;

        Ceremony(String challenge, Map<String, Object> options) {
            this.challenge = challenge;
            this.options = options;
        }
    }

    Ceremony registration(User user) {
        PasskeyService.CreationOptions o = service.startRegistration(user.id());
        return new Ceremony(o.challenge(), o.json());
    }

    Ceremony signIn(Optional<String> userId) {
        PasskeyService.RequestOptions o = service.startAuthentication(userId);
        return new Ceremony(o.challenge(), o.json());
    }

    static String body(String name, Map<String, Object> credential) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("credential", credential);
        return json(m);
    }

    Passkey register(User user, SoftwarePasskeys device, String name) {
        Ceremony c = registration(user);
        return service.finishRegistration(user.id(), body(name, device.create(c.options)), c.challenge, CLIENT);
    }

    PasskeyService.Authenticated authenticate(SoftwarePasskeys device, Optional<String> userId) {
        Ceremony c = signIn(userId);
        return service.finishAuthentication(json(device.get(c.options)), c.challenge, userId, CLIENT);
    }

    /** What must not change on a refusal: every passkey row with its counter and last use. */
    List<Map<String, Object>> snapshot() {
        return store().jdbc()
                .sql("SELECT id, user_id, name, sign_count, last_used_at, backed_up FROM passkey ORDER BY id")
                .query()
                .listOfRows();
    }

    /** Runs {@code call}, expects {@code code}, an audit row of {@code type} with it as reason, nothing stored. */
    void refused(String code, String type, ThrowingCallable call) {
        List<Map<String, Object>> before = snapshot();
        long size = audit.size();
        assertThatThrownBy(call)
                .isInstanceOf(PasskeyException.class)
                .satisfies(e -> assertThat(((PasskeyException) e).code()).isEqualTo(code));
        assertThat(snapshot()).as("stored passkeys unchanged").isEqualTo(before);
        assertThat(audit.size()).as("one audit event").isEqualTo(size + 1);
        AuditRecord last = audit.recent(1, null).getFirst();
        assertThat(last.type()).isEqualTo(type);
        assertThat(last.outcome()).isEqualTo("failure");
        assertThat(last.reason()).isEqualTo(code);
        assertThat(last.ip()).isEqualTo(CLIENT.ip());
    }

    void refusedSignIn(String code, ThrowingCallable call) {
        refused(code, "auth.passkey", call);
    }

    void refusedRegistration(String code, ThrowingCallable call) {
        refused(code, "account.passkey_registered", call);
    }

    // ---- registration ----------------------------------------------------------------------------

    @Test
    void startRegistrationWhenFirstThenRandomUserHandleAndTheDocumentedOptions() {
        PasskeyService.CreationOptions o = service.startRegistration(alice.id());
        Map<String, Object> json = o.json();

        assertThat(B64D.decode(o.userHandle())).hasSize(32);
        assertThat(o.userHandle())
                .doesNotContain(alice.id())
                .isNotEqualTo(B64U.encodeToString(alice.id().getBytes()));
        assertThat(json.get("user"))
                .isEqualTo(Map.of("id", o.userHandle(), "name", "alice", "displayName", "Alice Example"));
        assertThat(json.get("rp")).isEqualTo(Map.of("id", RP_ID, "name", "Signet"));
        assertThat(B64D.decode((String) json.get("challenge"))).hasSize(32);
        assertThat(json.get("pubKeyCredParams"))
                .isEqualTo(List.of(
                        Map.of("type", "public-key", "alg", -7L),
                        Map.of("type", "public-key", "alg", -8L),
                        Map.of("type", "public-key", "alg", -257L)));
        assertThat(json.get("authenticatorSelection"))
                .isEqualTo(
                        Map.of("residentKey", "required", "requireResidentKey", true, "userVerification", "required"));
        assertThat(json.get("attestation")).isEqualTo("none");
        assertThat(json.get("excludeCredentials")).isEqualTo(List.of());
        assertThat(json.get("timeout")).isEqualTo(300_000L);

        assertThat(service.startRegistration(alice.id()).userHandle())
                .as("the handle is made once")
                .isEqualTo(o.userHandle());
        assertThat(service.startRegistration(bob.id()).userHandle()).isNotEqualTo(o.userHandle());
        String stored = store().jdbc()
                .sql("SELECT challenge_hash FROM webauthn_challenge WHERE user_id = ? AND purpose = 'register' LIMIT 1")
                .param(alice.id())
                .query(String.class)
                .single();
        assertThat(stored).as("only the challenge's hash is kept").hasSize(64).doesNotContain(o.challenge());
    }

    @Test
    void registerWhenNoneAttestationThenStoredAsDeviceBoundWithFormatNone() {
        SoftwarePasskeys device = SoftwarePasskeys.none(ORIGIN);
        long size = audit.size();

        Passkey p = register(alice, device, "  Laptop  ");

        assertThat(p.name()).isEqualTo("Laptop");
        assertThat(p.attestationFormat()).isEqualTo("none");
        assertThat(p.factor()).isEqualTo(Factor.HWK);
        assertThat(p.transports()).containsExactly("internal", "hybrid");
        assertThat(p.lastUsedAt()).isEmpty();
        assertThat(p.createdAt()).isEqualTo(clock.instant());
        assertThat(service.list(alice.id())).containsExactly(p);
        assertThat(service.count(alice.id())).isEqualTo(1);
        assertThat(service.count(bob.id())).isZero();
        AuditRecord event = audit.recent(1, null).getFirst();
        assertThat(audit.size()).isEqualTo(size + 1);
        assertThat(event.type()).isEqualTo("account.passkey_registered");
        assertThat(event.outcome()).isEqualTo("success");
        assertThat(event.subject()).isEqualTo("alice");
        assertThat(event.details()).contains(p.id(), "\"format\":\"none\"");

        Map<String, Object> again = registration(alice).options;
        assertThat(again.get("excludeCredentials"))
                .isEqualTo(List.of(Map.of(
                        "type", "public-key", "id", p.credentialId(), "transports", List.of("internal", "hybrid"))));
    }

    @Test
    void registerWhenPackedAttestationThenVerifiedAndRecordedAsPacked() {
        Passkey p = register(alice, SoftwarePasskeys.packed(ORIGIN), "Security key");

        assertThat(p.attestationFormat()).isEqualTo("packed");
        assertThat(p.aaguid()).contains("00000000-0000-0000-0000-000000000000");
        assertThat(authenticateWith(SoftwarePasskeys.packed(ORIGIN))).isEmpty();
    }

    /** A second, unrelated device never signs in as someone else. */
    private Optional<PasskeyService.Authenticated> authenticateWith(SoftwarePasskeys other) {
        try {
            return Optional.of(authenticate(other, Optional.empty()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Test
    void registerWhenBackupEligibleThenRecordedAsSynced() {
        Ceremony c = registration(alice);
        Map<String, Object> credential = SoftwarePasskeys.none(ORIGIN).create(c.options);
        Map<String, Object> synced = withResponse(
                credential,
                "attestationObject",
                SoftwarePasskeys.reattest(credential, AuthenticatorData.BIT_BE | AuthenticatorData.BIT_BS, 0, null));

        Passkey p = service.finishRegistration(alice.id(), body("Phone", synced), c.challenge, CLIENT);

        assertThat(p.synced()).isTrue();
        assertThat(p.backedUp()).isTrue();
        assertThat(p.factor()).isEqualTo(Factor.SWK);
    }

    @Test
    void registerWhenSeveralThenEachListedWithItsName() {
        SoftwarePasskeys laptop = SoftwarePasskeys.none(ORIGIN);
        SoftwarePasskeys phone = SoftwarePasskeys.packed(ORIGIN);
        register(alice, laptop, "Laptop");
        clock.advance(Duration.ofMinutes(1));
        register(alice, phone, "Phone");

        assertThat(service.list(alice.id())).extracting(Passkey::name).containsExactly("Laptop", "Phone");
    }

    @Nested
    class RegistrationRefusals {
        SoftwarePasskeys device = SoftwarePasskeys.none(ORIGIN);

        @Test
        void whenBodyIsNotJsonThenMalformed() {
            Ceremony c = registration(alice);
            refusedRegistration(
                    PasskeyException.MALFORMED,
                    () -> service.finishRegistration(alice.id(), "{\"name\": \"x\", ", c.challenge, CLIENT));
            refusedRegistration(
                    PasskeyException.MALFORMED,
                    () -> service.finishRegistration(alice.id(), null, c.challenge, CLIENT));
            refusedRegistration(
                    PasskeyException.MALFORMED,
                    () -> service.finishRegistration(alice.id(), "{\"name\": \"x\"}", c.challenge, CLIENT));
        }

        @Test
        void whenBinaryIsNotBase64UrlThenBadEncoding() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options);
            refusedRegistration(
                    PasskeyException.BAD_ENCODING,
                    () -> service.finishRegistration(
                            alice.id(),
                            body("Laptop", withResponse(credential, "clientDataJSON", "not*base64url")),
                            c.challenge,
                            CLIENT));
        }

        @Test
        void whenClientDataIsNotJsonThenBadClientData() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options);
            refusedRegistration(
                    PasskeyException.BAD_CLIENT_DATA,
                    () -> service.finishRegistration(
                            alice.id(),
                            body(
                                    "Laptop",
                                    withResponse(
                                            credential,
                                            "clientDataJSON",
                                            B64U.encodeToString("{\"type\": ".getBytes(StandardCharsets.UTF_8)))),
                            c.challenge,
                            CLIENT));
        }

        @Test
        void whenClientDataIsForSigningInThenBadClientData() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options);
            String get = SoftwarePasskeys.clientData(ClientDataType.WEBAUTHN_GET, c.challenge, ORIGIN);
            refusedRegistration(
                    PasskeyException.BAD_CLIENT_DATA,
                    () -> service.finishRegistration(
                            alice.id(),
                            body("Laptop", withResponse(credential, "clientDataJSON", get)),
                            c.challenge,
                            CLIENT));
        }

        @Test
        void whenAttestationObjectIsNotCborThenBadAttestation() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options);
            refusedRegistration(
                    PasskeyException.BAD_ATTESTATION,
                    () -> service.finishRegistration(
                            alice.id(),
                            body("Laptop", withResponse(credential, "attestationObject", "oWNmbXRkbm9uZf8")),
                            c.challenge,
                            CLIENT));
        }

        @Test
        void whenPackedSignatureDoesNotCoverTheClientDataThenBadAttestation() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = SoftwarePasskeys.packed(ORIGIN).create(c.options);
            // valid client data for this ceremony, but not the bytes the attestation signed
            String other = B64U.encodeToString(("{\"type\":\"webauthn.create\",\"challenge\":\"" + c.challenge
                            + "\",\"origin\":\"" + ORIGIN + "\",\"crossOrigin\":false}")
                    .getBytes(StandardCharsets.UTF_8));
            refusedRegistration(
                    PasskeyException.BAD_ATTESTATION,
                    () -> service.finishRegistration(
                            alice.id(),
                            body("Key", withResponse(credential, "clientDataJSON", other)),
                            c.challenge,
                            CLIENT));
        }

        @Test
        void whenOriginIsNotConfiguredThenBadOrigin() {
            Ceremony c = registration(alice);
            Map<String, Object> credential =
                    device.from("https://signet.example.test.evil.example").create(c.options);
            refusedRegistration(
                    PasskeyException.BAD_ORIGIN,
                    () -> service.finishRegistration(alice.id(), body("Laptop", credential), c.challenge, CLIENT));
        }

        @Test
        void whenRpIdIsAnotherThenBadRpId() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options, "evil.example");
            refusedRegistration(
                    PasskeyException.BAD_RP_ID,
                    () -> service.finishRegistration(alice.id(), body("Laptop", credential), c.challenge, CLIENT));
        }

        @Test
        void whenUserNotVerifiedThenRefused() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = device.create(c.options);
            Map<String, Object> noUv = withResponse(
                    credential,
                    "attestationObject",
                    SoftwarePasskeys.reattest(credential, 0, AuthenticatorData.BIT_UV, null));
            refusedRegistration(
                    PasskeyException.USER_NOT_VERIFIED,
                    () -> service.finishRegistration(alice.id(), body("Laptop", noUv), c.challenge, CLIENT));
        }

        @Test
        void whenChallengeReusedThenChallengeUnknown() {
            Ceremony c = registration(alice);
            String answer = body("Laptop", device.create(c.options));
            service.finishRegistration(alice.id(), answer, c.challenge, CLIENT);
            refusedRegistration(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishRegistration(alice.id(), answer, c.challenge, CLIENT));
        }

        @Test
        void whenChallengeExpiredThenRefusedAndUsedUp() {
            Ceremony c = registration(alice);
            String answer = body("Laptop", device.create(c.options));
            clock.advance(Duration.ofMinutes(5));
            refusedRegistration(
                    PasskeyException.CHALLENGE_EXPIRED,
                    () -> service.finishRegistration(alice.id(), answer, c.challenge, CLIENT));
            refusedRegistration(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishRegistration(alice.id(), answer, c.challenge, CLIENT));
        }

        @Test
        void whenChallengeIssuedToAnotherSessionThenChallengeMismatch() {
            Ceremony theirs = registration(alice);
            Ceremony mine = registration(alice);
            String answer = body("Laptop", device.create(theirs.options));
            refusedRegistration(
                    PasskeyException.CHALLENGE_MISMATCH,
                    () -> service.finishRegistration(alice.id(), answer, mine.challenge, CLIENT));
            refusedRegistration(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishRegistration(alice.id(), answer, null, CLIENT));
        }

        @Test
        void whenChallengeWasIssuedToAnotherAccountThenChallengeUnknown() {
            Ceremony bobs = registration(bob);
            String answer = body("Laptop", device.create(bobs.options));
            refusedRegistration(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishRegistration(alice.id(), answer, bobs.challenge, CLIENT));
        }

        @Test
        void whenChallengeWasForSigningInThenChallengeUnknown() {
            Ceremony signIn = signIn(Optional.of(alice.id()));
            Ceremony c = registration(alice);
            String answer = body("Laptop", device.create(c.options));
            refusedRegistration(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishRegistration(alice.id(), answer, signIn.challenge, CLIENT));
        }

        @Test
        void whenNameIsEmptyTooLongOrUnprintableThenNameInvalid() {
            for (String name : List.of("", "   ", "x".repeat(101), "Lap\u0000top", "evil\u202Eeman", "tab\there")) {
                Ceremony c = registration(alice);
                Map<String, Object> credential = device.create(c.options);
                refusedRegistration(
                        PasskeyException.NAME_INVALID,
                        () -> service.finishRegistration(alice.id(), body(name, credential), c.challenge, CLIENT));
            }
            assertThat(PasskeyService.checkName("é".repeat(100))).hasSize(100);
            assertThat(PasskeyService.checkName("Laptop 🔑")).isEqualTo("Laptop 🔑");
        }

        @Test
        void whenCredentialAlreadyRegisteredThenAlreadyRegistered() {
            Ceremony first = registration(alice);
            Map<String, Object> credential = device.create(first.options);
            service.finishRegistration(alice.id(), body("Laptop", credential), first.challenge, CLIENT);

            // the same attested credential again (format none binds nothing to the challenge), for bob
            Ceremony second = registration(bob);
            Map<String, Object> replay = withResponse(
                    credential,
                    "clientDataJSON",
                    SoftwarePasskeys.clientData(ClientDataType.WEBAUTHN_CREATE, second.challenge, ORIGIN));
            refusedRegistration(
                    PasskeyException.ALREADY_REGISTERED,
                    () -> service.finishRegistration(bob.id(), body("Mine now", replay), second.challenge, CLIENT));
            assertThat(service.count(bob.id())).isZero();
        }

        @Test
        void whenIdDiffersFromAttestedCredentialThenRefused() {
            Ceremony c = registration(alice);
            Map<String, Object> credential = new LinkedHashMap<>(device.create(c.options));
            String other = B64U.encodeToString(Secure.randomBytes(32));
            credential.put("id", other);
            credential.put("rawId", other);
            refusedRegistration(
                    PasskeyException.BAD_ATTESTATION,
                    () -> service.finishRegistration(alice.id(), body("Laptop", credential), c.challenge, CLIENT));
            credential.put("id", B64U.encodeToString(Secure.randomBytes(32)));
            refusedRegistration(
                    PasskeyException.MALFORMED,
                    () -> service.finishRegistration(alice.id(), body("Laptop", credential), c.challenge, CLIENT));
        }
    }

    // ---- authentication --------------------------------------------------------------------------

    @Test
    void authenticateWhenDiscoverableThenThePasskeyAloneNamesItsOwner() {
        SoftwarePasskeys device = SoftwarePasskeys.none(ORIGIN);
        Passkey p = register(alice, device, "Laptop");
        register(bob, SoftwarePasskeys.none(ORIGIN), "Bob's laptop");
        clock.advance(Duration.ofMinutes(3));

        Ceremony c = signIn(Optional.empty());
        assertThat(c.options.get("allowCredentials")).isEqualTo(List.of());
        assertThat(c.options.get("userVerification")).isEqualTo("required");
        assertThat(c.options.get("rpId")).isEqualTo(RP_ID);
        Map<String, Object> answer = device.get(c.options);
        assertThat(answer.get("response"))
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsKey("userHandle");
        PasskeyService.Authenticated done =
                service.finishAuthentication(json(answer), c.challenge, Optional.empty(), CLIENT);

        assertThat(done.user().id()).isEqualTo(alice.id());
        assertThat(done.factor()).isEqualTo(Factor.HWK);
        assertThat(done.passkey().id()).isEqualTo(p.id());
        Passkey stored = service.find(alice.id(), p.id()).orElseThrow();
        assertThat(stored.lastUsedAt()).contains(clock.instant());
        assertThat(stored.signCount()).isGreaterThan(p.signCount());
        AuditRecord event = audit.recent(1, null).getFirst();
        assertThat(event.type()).isEqualTo("auth.passkey");
        assertThat(event.outcome()).isEqualTo("success");
        assertThat(event.subject()).isEqualTo("alice");
        assertThat(event.details()).contains("\"factor\":\"hwk\"");

        long count = stored.signCount();
        assertThat(authenticate(device, Optional.empty()).passkey().signCount()).isEqualTo(count + 1);
    }

    @Test
    void authenticateWhenUserKnownThenOnlyTheirPasskeysAreAllowed() {
        SoftwarePasskeys alices = SoftwarePasskeys.packed(ORIGIN);
        Passkey p = register(alice, alices, "Key");
        SoftwarePasskeys bobs = SoftwarePasskeys.none(ORIGIN);
        register(bob, bobs, "Bob's");

        Ceremony c = signIn(Optional.of(alice.id()));
        assertThat(c.options.get("allowCredentials"))
                .isEqualTo(List.of(Map.of(
                        "type", "public-key", "id", p.credentialId(), "transports", List.of("internal", "hybrid"))));
        assertThat(service.finishAuthentication(
                                json(alices.get(c.options)), c.challenge, Optional.of(alice.id()), CLIENT)
                        .user()
                        .id())
                .isEqualTo(alice.id());

        // a client that ignores the allow list and answers with bob's passkey
        Ceremony d = signIn(Optional.of(alice.id()));
        Map<String, Object> discoverable = new LinkedHashMap<>(d.options);
        discoverable.put("allowCredentials", List.of());
        String bobsAnswer = json(bobs.get(discoverable));
        refusedSignIn(
                PasskeyException.WRONG_USER,
                () -> service.finishAuthentication(bobsAnswer, d.challenge, Optional.of(alice.id()), CLIENT));

        // the session's user changed between options and answer
        Ceremony e = signIn(Optional.empty());
        String answer = json(bobs.get(e.options));
        refusedSignIn(
                PasskeyException.WRONG_USER,
                () -> service.finishAuthentication(answer, e.challenge, Optional.of(alice.id()), CLIENT));
    }

    @Nested
    class AuthenticationRefusals {
        SoftwarePasskeys device = SoftwarePasskeys.none(ORIGIN);
        Passkey passkey;

        @BeforeEach
        void registerOne() {
            passkey = register(alice, device, "Laptop");
        }

        Map<String, Object> answer(Ceremony c) {
            return device.get(c.options);
        }

        void refusedAnswer(String code, Ceremony c, Map<String, Object> credential) {
            refusedSignIn(
                    code, () -> service.finishAuthentication(json(credential), c.challenge, Optional.empty(), CLIENT));
        }

        @Test
        void whenBodyIsMalformedThenMalformed() {
            Ceremony c = signIn(Optional.empty());
            refusedSignIn(
                    PasskeyException.MALFORMED,
                    () -> service.finishAuthentication("[1, 2]", c.challenge, Optional.empty(), CLIENT));
            Map<String, Object> noSignature = withResponse(answer(c), "signature", null);
            refusedAnswer(PasskeyException.MALFORMED, c, noSignature);
            Map<String, Object> wrongType = new LinkedHashMap<>(answer(c));
            wrongType.put("type", "password");
            refusedAnswer(PasskeyException.MALFORMED, c, wrongType);
            refusedSignIn(
                    PasskeyException.MALFORMED,
                    () -> service.finishAuthentication("{\"a\":1,\"a\":2}", c.challenge, Optional.empty(), CLIENT));
        }

        @Test
        void whenBinaryIsNotBase64UrlThenBadEncoding() {
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(PasskeyException.BAD_ENCODING, c, withResponse(answer(c), "signature", "a+b/c="));
            Map<String, Object> badId = new LinkedHashMap<>(answer(c));
            badId.put("id", "%%%");
            refusedAnswer(PasskeyException.BAD_ENCODING, c, badId);
        }

        @Test
        void whenClientDataIsMalformedOrForRegistrationThenBadClientData() {
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(
                    PasskeyException.BAD_CLIENT_DATA,
                    c,
                    withResponse(answer(c), "clientDataJSON", B64U.encodeToString(new byte[] {(byte) 0xff, 0x00})));
            refusedAnswer(
                    PasskeyException.BAD_CLIENT_DATA,
                    c,
                    withResponse(
                            answer(c),
                            "clientDataJSON",
                            SoftwarePasskeys.clientData(ClientDataType.WEBAUTHN_CREATE, c.challenge, ORIGIN)));
        }

        @Test
        void whenAuthenticatorDataIsTruncatedThenBadAuthenticatorData() {
            Ceremony c = signIn(Optional.empty());
            Map<String, Object> a = answer(c);
            byte[] data = SoftwarePasskeys.responseBytes(a, "authenticatorData");
            refusedAnswer(
                    PasskeyException.BAD_AUTHENTICATOR_DATA,
                    c,
                    withResponse(a, "authenticatorData", B64U.encodeToString(Arrays.copyOf(data, 20))));
        }

        @Test
        void whenOriginIsNotConfiguredThenBadOrigin() {
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(
                    PasskeyException.BAD_ORIGIN,
                    c,
                    device.from("https://evil.example").get(c.options));
        }

        @Test
        void whenRpIdHashIsAnotherThenBadRpId() {
            Ceremony c = signIn(Optional.empty());
            Map<String, Object> a = answer(c);
            byte[] data = SoftwarePasskeys.responseBytes(a, "authenticatorData");
            System.arraycopy(Secure.sha256("evil.example".getBytes(StandardCharsets.UTF_8)), 0, data, 0, 32);
            refusedAnswer(
                    PasskeyException.BAD_RP_ID, c, withResponse(a, "authenticatorData", B64U.encodeToString(data)));
        }

        @Test
        void whenUserNotVerifiedThenRefused() {
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(
                    PasskeyException.USER_NOT_VERIFIED,
                    c,
                    device.get(c.options, UserVerificationRequirement.DISCOURAGED));
        }

        @Test
        void whenSignatureIsWrongThenBadSignature() {
            Ceremony c = signIn(Optional.empty());
            Map<String, Object> a = answer(c);
            byte[] signature = SoftwarePasskeys.responseBytes(a, "signature");
            signature[signature.length - 1] ^= 0x01;
            refusedAnswer(
                    PasskeyException.BAD_SIGNATURE, c, withResponse(a, "signature", B64U.encodeToString(signature)));
            // a signature over other authenticator data: the counter raised by hand
            Ceremony d = signIn(Optional.empty());
            Map<String, Object> b = answer(d);
            byte[] data = SoftwarePasskeys.responseBytes(b, "authenticatorData");
            data[33] = 0x7f;
            refusedAnswer(
                    PasskeyException.BAD_SIGNATURE, d, withResponse(b, "authenticatorData", B64U.encodeToString(data)));
        }

        @Test
        void whenChallengeReusedThenChallengeUnknown() {
            Ceremony c = signIn(Optional.empty());
            String a = json(answer(c));
            service.finishAuthentication(a, c.challenge, Optional.empty(), CLIENT);
            refusedSignIn(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishAuthentication(a, c.challenge, Optional.empty(), CLIENT));
        }

        @Test
        void whenChallengeNeverIssuedThenChallengeUnknown() {
            Ceremony c = signIn(Optional.empty());
            Map<String, Object> forged = new LinkedHashMap<>(c.options);
            String invented = B64U.encodeToString(Secure.randomBytes(32));
            forged.put("challenge", invented);
            String a = json(device.get(forged));
            refusedSignIn(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishAuthentication(a, invented, Optional.empty(), CLIENT));
            refusedSignIn(
                    PasskeyException.CHALLENGE_UNKNOWN,
                    () -> service.finishAuthentication(a, "not base64url!", Optional.empty(), CLIENT));
        }

        @Test
        void whenChallengeExpiredThenChallengeExpired() {
            Ceremony c = signIn(Optional.empty());
            String a = json(answer(c));
            clock.advance(PasskeyService.CHALLENGE_LIFETIME.plusMillis(1));
            refusedSignIn(
                    PasskeyException.CHALLENGE_EXPIRED,
                    () -> service.finishAuthentication(a, c.challenge, Optional.empty(), CLIENT));
        }

        @Test
        void whenLongExpiredChallengesAreSweptThenTheyAreGone() {
            signIn(Optional.empty());
            clock.advance(Duration.ofHours(1));
            signIn(Optional.empty());
            assertThat(store().jdbc()
                            .sql("SELECT COUNT(*) FROM webauthn_challenge")
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
        }

        @Test
        void whenChallengeIssuedToAnotherSessionThenChallengeMismatch() {
            Ceremony theirs = signIn(Optional.empty());
            Ceremony mine = signIn(Optional.empty());
            String a = json(device.get(theirs.options));
            refusedSignIn(
                    PasskeyException.CHALLENGE_MISMATCH,
                    () -> service.finishAuthentication(a, mine.challenge, Optional.empty(), CLIENT));
        }

        @Test
        void whenCredentialUnknownOrRemovedThenUnknownCredential() {
            Ceremony c = signIn(Optional.empty());
            Map<String, Object> a = new LinkedHashMap<>(answer(c));
            String invented = B64U.encodeToString(Secure.randomBytes(32));
            a.put("id", invented);
            a.put("rawId", invented);
            refusedAnswer(PasskeyException.UNKNOWN_CREDENTIAL, c, a);

            service.remove(alice.id(), passkey.id(), "alice");
            Ceremony d = signIn(Optional.empty());
            refusedAnswer(PasskeyException.UNKNOWN_CREDENTIAL, d, answer(d));
        }

        @Test
        void whenCounterDoesNotIncreaseThenRefusedAsCloneAndAudited() {
            authenticate(device, Optional.empty());
            long stored = service.find(alice.id(), passkey.id()).orElseThrow().signCount();
            device.device.setCountUpEnabled(false);

            Ceremony c = signIn(Optional.empty());
            refusedAnswer(PasskeyException.COUNTER_REGRESSION, c, answer(c));

            AuditRecord event = audit.recent(1, null).getFirst();
            assertThat(event.subject()).isEqualTo("alice");
            assertThat(event.details())
                    .contains("\"stored_count\":\"" + stored + "\"", "\"received_count\":\"" + stored + "\"")
                    .contains(passkey.id());
            assertThat(service.find(alice.id(), passkey.id()).orElseThrow().signCount())
                    .isEqualTo(stored);
        }

        @Test
        void whenUserHandleIsAnotherAccountsThenWrongUser() {
            String bobsHandle = service.startRegistration(bob.id()).userHandle();
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(PasskeyException.WRONG_USER, c, withResponse(answer(c), "userHandle", bobsHandle));
            Ceremony d = signIn(Optional.empty());
            refusedAnswer(PasskeyException.WRONG_USER, d, withResponse(answer(d), "userHandle", null));
        }

        @Test
        void whenAccountDisabledThenAccountDisabled() {
            users.setStatus(alice.id(), User.Status.DISABLED, clock.instant());
            Ceremony c = signIn(Optional.empty());
            refusedAnswer(PasskeyException.ACCOUNT_DISABLED, c, answer(c));
        }

        @Test
        void whenTwoFinishesRaceWithOneChallengeThenExactlyOneSucceeds() throws Exception {
            int racers = 6;
            Ceremony c = signIn(Optional.empty());
            String a = json(answer(c));
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    Callable<String> finish = () -> {
                        start.await();
                        try {
                            service.finishAuthentication(a, c.challenge, Optional.empty(), CLIENT);
                            return "ok";
                        } catch (PasskeyException e) {
                            return e.code();
                        }
                    };
                    results.add(pool.submit(finish));
                }
                start.countDown();
                List<String> outcomes = new ArrayList<>();
                for (Future<String> f : results) {
                    outcomes.add(f.get(30, TimeUnit.SECONDS));
                }
                assertThat(outcomes).containsOnlyOnce("ok");
                assertThat(outcomes).filteredOn(o -> !o.equals("ok")).containsOnly(PasskeyException.CHALLENGE_UNKNOWN);
            } finally {
                pool.shutdownNow();
            }
            assertThat(audit.countSince(Instant.EPOCH, "auth.passkey", "success"))
                    .isEqualTo(1);
        }
    }

    // ---- management ------------------------------------------------------------------------------

    @Test
    void renameWhenValidThenRenamedAndAuditedElseRefused() {
        Passkey p = register(alice, SoftwarePasskeys.none(ORIGIN), "Laptop");

        assertThat(service.rename(alice.id(), p.id(), " Work laptop ", "alice").name())
                .isEqualTo("Work laptop");
        assertThat(audit.recent(1, null).getFirst().type()).isEqualTo("account.passkey_renamed");
        assertThatThrownBy(() -> service.rename(alice.id(), p.id(), "\u0007", "alice"))
                .satisfies(e -> assertThat(((PasskeyException) e).code()).isEqualTo(PasskeyException.NAME_INVALID));
        assertThatThrownBy(() -> service.rename(bob.id(), p.id(), "Mine", "bob"))
                .satisfies(e -> assertThat(((PasskeyException) e).code()).isEqualTo(PasskeyException.NOT_FOUND));
        assertThat(service.find(alice.id(), p.id()).orElseThrow().name()).isEqualTo("Work laptop");
    }

    @Test
    void removeWhenOwnThenGoneAndAuditedElseNotFound() {
        Passkey p = register(alice, SoftwarePasskeys.none(ORIGIN), "Laptop");

        assertThatThrownBy(() -> service.remove(bob.id(), p.id(), "bob"))
                .satisfies(e -> assertThat(((PasskeyException) e).code()).isEqualTo(PasskeyException.NOT_FOUND));
        assertThat(service.count(alice.id())).isEqualTo(1);
        assertThat(service.remove(alice.id(), p.id(), "alice").id()).isEqualTo(p.id());
        assertThat(service.count(alice.id())).isZero();
        assertThat(audit.recent(1, null).getFirst().type()).isEqualTo("account.passkey_removed");
        assertThat(audit.verify()).isInstanceOf(dev.signet.core.ledger.ChainVerdict.Intact.class);
    }
}
