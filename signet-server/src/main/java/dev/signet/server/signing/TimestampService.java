package dev.signet.server.signing;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.KeySigner;
import dev.signet.core.pki.PkiException;
import dev.signet.core.pki.Profiles;
import dev.signet.core.sign.TimeStampAuthority;
import dev.signet.server.ca.CaException;
import dev.signet.server.ca.CaInfo;
import dev.signet.server.ca.CaService;
import dev.signet.server.ca.CertificateFormats;
import dev.signet.server.ca.IssuedCertificate;
import dev.signet.server.config.SignetSettings;
import dev.signet.server.store.KeyRing;
import dev.signet.server.store.Store;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIFreeText;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.tsp.TimeStampResp;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's RFC 3161 timestamp authority: the core's {@link TimeStampAuthority} with a key and
 * certificate that Signet keeps and renews by itself.
 *
 * <p><b>Its certificate.</b> Issued under the {@code timestamping} profile (extended key usage
 * timeStamping alone, critical: <a href="https://www.rfc-editor.org/rfc/rfc3161#section-2.3">RFC
 * 3161 §2.3</a>) by the CA named in {@code SIGNET_TSA_CA}, or else by the first online CA, on first
 * need, for the longest the profile allows (or until the CA's own certificate ends). The key signs
 * during the first third of that life only, then a new key and certificate replace it, so every
 * token stays verifiable with the current time for at least two thirds of its certificate's life. A
 * revoked TSA certificate, or one from another CA than {@code SIGNET_TSA_CA} or with another key
 * algorithm than {@code SIGNET_TSA_KEY}, is also replaced at once. The key is stored sealed by the {@link KeyRing}; the current signer is one row,
 * replaced by compare-and-swap, so several nodes agree on it.
 *
 * <p><b>Without a CA</b> nothing can be timestamped: {@link #respond} answers a rejection
 * (PKIStatus rejection, failInfo systemFailure) and {@link #authority} is empty, so signing asks
 * for {@code "timestamp": false} ({@code sign.timestamp_unavailable}).
 */
public final class TimestampService {
    /** The TSA's subject. */
    public static final X500Name SUBJECT = new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, "Signet timestamp authority")
            .build();

    private static final Logger log = LoggerFactory.getLogger(TimestampService.class);
    private static final String ROW_ID = "tsa";
    /**
     * A renewal that finds no CA able to issue is tried again at the next request (a CA may have
     * appeared), but warned about at most this often.
     */
    private static final Duration WARN_EVERY = Duration.ofMinutes(10);

    private static final String ROW_SELECT =
            "SELECT t.ca_id, t.serial, t.key_algorithm, t.chain_pem, t.private_key, t.not_before, t.not_after,"
                    + " cc.status FROM tsa_signer t"
                    + " LEFT JOIN ca_certificate cc ON cc.ca_id = t.ca_id AND cc.serial = t.serial WHERE t.id = ?";

    private record SignerRow(
            String caId,
            String serial,
            KeyAlgorithm algorithm,
            String chainPem,
            String sealedKey,
            Instant notBefore,
            Instant notAfter,
            boolean revoked) {}

    private record Loaded(String serial, TimeStampAuthority authority) {}

    private final Store store;
    private final KeyRing keyRing;
    private final CaService cas;
    private final Clock clock;
    private final SignetSettings.Signing settings;
    private final KeyAlgorithm keyAlgorithm;
    private final ReentrantLock renewing = new ReentrantLock();
    private volatile Loaded loaded;
    private volatile boolean configuredCaChecked;
    private volatile Instant lastWarning = Instant.MIN;

    public TimestampService(Store store, KeyRing keyRing, CaService cas, Clock clock, SignetSettings.Signing settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
        this.cas = Objects.requireNonNull(cas, "cas");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keyAlgorithm = KeyAlgorithm.byId(settings.tsaKey()).orElseThrow();
    }

    /**
     * The DER TimeStampResp (RFC 3161 §2.4.2) to the DER TimeStampReq {@code request}. Never throws
     * for bad input: a malformed request is answered by the core with a rejection ({@code
     * badDataFormat}, {@code badAlg}, {@code badRequest}); without a usable CA the answer is a
     * rejection with {@code systemFailure}.
     */
    public byte[] respond(byte[] request) {
        return reply(request).der();
    }

    /**
     * As {@link #respond}, saying also whether there was a timestamp authority to answer.
     *
     * @param available false when the answer is the systemFailure rejection for want of a CA
     * @param der the DER TimeStampResp
     */
    public record Reply(boolean available, byte[] der) {}

    /** As {@link #respond}, with whether the server has a timestamp authority. */
    public Reply reply(byte[] request) {
        Optional<TimeStampAuthority> authority;
        try {
            authority = authority();
        } catch (RuntimeException e) {
            log.error("the timestamp authority is unavailable", e);
            authority = Optional.empty();
        }
        return authority.isPresent()
                ? new Reply(true, authority.get().respond(request))
                : new Reply(false, rejection("no timestamp authority: the server has no online CA to certify one"));
    }

    /** Whether the server can timestamp now (creating its authority first if needed). */
    public boolean available() {
        try {
            return authority().isPresent();
        } catch (RuntimeException e) {
            log.error("the timestamp authority is unavailable", e);
            return false;
        }
    }

    /**
     * The current timestamp authority: created, or renewed, first when needed. Empty when there is
     * none and none can be made now (no online CA, or the configured one cannot issue).
     */
    public Optional<TimeStampAuthority> authority() {
        Optional<SignerRow> row = currentRow();
        Instant now = clock.instant();
        if (row.isEmpty() || renewalDue(row.get(), now)) {
            renewing.lock();
            try {
                Optional<SignerRow> again = currentRow();
                if (again.isEmpty() || renewalDue(again.get(), now)) {
                    renew(again, now);
                    row = currentRow();
                } else {
                    row = again;
                }
            } finally {
                renewing.unlock();
            }
        }
        if (row.isEmpty()
                || row.get().revoked()
                || now.isBefore(row.get().notBefore())
                || !now.isBefore(row.get().notAfter())) {
            return Optional.empty();
        }
        SignerRow current = row.get();
        Loaded cached = loaded;
        if (cached != null && cached.serial().equals(current.serial())) {
            return Optional.of(cached.authority());
        }
        Loaded fresh = new Loaded(current.serial(), load(current));
        loaded = fresh;
        return Optional.of(fresh.authority());
    }

    /** The current TSA certificate and its chain (certificate first), if there is a usable one. */
    public Optional<List<X509Certificate>> chain() {
        return currentRow()
                .filter(r -> !r.revoked() && clock.instant().isBefore(r.notAfter()))
                .map(r -> SigningKeyService.parseChain(r.chainPem()));
    }

    private boolean renewalDue(SignerRow row, Instant now) {
        Duration life = Duration.between(row.notBefore(), row.notAfter());
        if (row.revoked()
                || row.algorithm() != keyAlgorithm
                || !now.isBefore(row.notBefore().plus(life.dividedBy(3)))) {
            return true;
        }
        // SIGNET_TSA_CA changes only with a restart: compare it with the stored signer's CA once.
        if (settings.tsaCa().isPresent() && !configuredCaChecked) {
            boolean other = cas.find(settings.tsaCa().get())
                    .filter(ca -> ca.status() == CaInfo.Status.ACTIVE)
                    .map(ca -> !ca.id().equals(row.caId()))
                    .orElse(false);
            if (!other) {
                configuredCaChecked = true;
            }
            return other;
        }
        return false;
    }

    /**
     * Issues a new TSA certificate and makes it current, replacing {@code previous} by compare-and-swap.
     *
     * @return false when no CA could issue one
     */
    private boolean renew(Optional<SignerRow> previous, Instant now) {
        for (CaInfo ca : candidates()) {
            CaService.Generated generated;
            try {
                generated = cas.generate(
                        ca.name(),
                        Profiles.TIMESTAMPING.name(),
                        KeyRequest.of(SUBJECT)
                                .withAlgorithm(keyAlgorithm)
                                .withValidity(Profiles.TIMESTAMPING.maxValidity()),
                        CaService.SYSTEM_ACTOR);
            } catch (CaException | PkiException e) {
                warn("CA " + ca.name() + " cannot certify the timestamp authority: " + e.getMessage(), now);
                continue;
            }
            store(ca, generated, previous);
            return true;
        }
        warn(
                (previous.isEmpty() ? "no timestamp authority: " : "the timestamp authority cannot be renewed: ")
                        + (settings.tsaCa().isPresent()
                                ? "the CA " + settings.tsaCa().get() + " (SIGNET_TSA_CA) is missing or offline"
                                : "there is no online CA"),
                now);
        return false;
    }

    private void warn(String message, Instant now) {
        if (!now.isBefore(lastWarning.plus(WARN_EVERY))) {
            lastWarning = now;
            log.warn(message);
        }
    }

    private List<CaInfo> candidates() {
        Instant now = clock.instant();
        if (settings.tsaCa().isPresent()) {
            return cas.find(settings.tsaCa().get())
                    .filter(ca -> ca.status() == CaInfo.Status.ACTIVE)
                    .map(List::of)
                    .orElse(List.of());
        }
        List<CaInfo> online = new ArrayList<>();
        for (CaInfo ca : cas.list()) {
            if (ca.status() == CaInfo.Status.ACTIVE && now.isBefore(ca.notAfter())) {
                online.add(ca);
            }
        }
        return online;
    }

    private void store(CaInfo ca, CaService.Generated generated, Optional<SignerRow> previous) {
        IssuedCertificate issued = generated.certificate();
        byte[] pkcs8 = generated.credential().privateKey().getEncoded();
        String sealed;
        try {
            sealed = keyRing.seal(keyRef(issued.serial()), pkcs8);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        String chainPem = CertificateFormats.pem(generated.credential().chain());
        long now = clock.millis();
        int stored = previous.isPresent()
                ? store.jdbc()
                        .sql("UPDATE tsa_signer SET ca_id = ?, serial = ?, key_algorithm = ?, chain_pem = ?,"
                                + " private_key = ?, not_before = ?, not_after = ?, created_at = ?"
                                + " WHERE id = ? AND serial = ?")
                        .params(
                                ca.id(),
                                issued.serial(),
                                keyAlgorithm.id(),
                                chainPem,
                                sealed,
                                issued.notBefore().toEpochMilli(),
                                issued.notAfter().toEpochMilli(),
                                now,
                                ROW_ID,
                                previous.get().serial())
                        .update()
                : store.jdbc()
                        .sql("INSERT INTO tsa_signer (id, ca_id, serial, key_algorithm, chain_pem, private_key,"
                                + " not_before, not_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " ON CONFLICT (id) DO NOTHING")
                        .params(
                                ROW_ID,
                                ca.id(),
                                issued.serial(),
                                keyAlgorithm.id(),
                                chainPem,
                                sealed,
                                issued.notBefore().toEpochMilli(),
                                issued.notAfter().toEpochMilli(),
                                now)
                        .update();
        if (stored == 1) {
            log.info("timestamp authority certificate {} issued by CA {}", issued.serial(), ca.name());
        } else {
            // Another node renewed first; its signer stays, and this certificate signs nothing.
            log.debug("another node renewed the timestamp authority first");
        }
    }

    private Optional<SignerRow> currentRow() {
        return store.jdbc()
                .sql(ROW_SELECT)
                .param(ROW_ID)
                .query((rs, n) -> new SignerRow(
                        rs.getString("ca_id"),
                        rs.getString("serial"),
                        KeyAlgorithm.byId(rs.getString("key_algorithm")).orElseThrow(),
                        rs.getString("chain_pem"),
                        rs.getString("private_key"),
                        Instant.ofEpochMilli(rs.getLong("not_before")),
                        Instant.ofEpochMilli(rs.getLong("not_after")),
                        "REVOKED".equals(rs.getString("status"))))
                .optional();
    }

    private TimeStampAuthority load(SignerRow row) {
        List<X509Certificate> chain = SigningKeyService.parseChain(row.chainPem());
        byte[] pkcs8 = keyRing.open(keyRef(row.serial()), row.sealedKey());
        try {
            PrivateKey key = SigningKeyService.decodeKey(row.algorithm(), pkcs8);
            KeySigner signer =
                    new KeySigner(row.algorithm(), new KeyPair(chain.getFirst().getPublicKey(), key));
            return new TimeStampAuthority(signer, chain, settings.tsaPolicy(), clock);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static KeyRing.SecretRef keyRef(String serial) {
        return new KeyRing.SecretRef("tsa_signer", "private_key", serial);
    }

    /** A TimeStampResp with PKIStatus rejection and failInfo systemFailure (RFC 3161 §2.4.2). */
    static byte[] rejection(String text) {
        try {
            return new TimeStampResp(
                            new PKIStatusInfo(
                                    PKIStatus.rejection,
                                    new PKIFreeText(text),
                                    new PKIFailureInfo(PKIFailureInfo.systemFailure)),
                            null)
                    .getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
