package dev.signet.core.sign;

import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.Providers;
import dev.signet.core.pki.RevocationStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipException;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Verifies what Signet signs — detached CMS (DER or PEM), signed JARs and {@link SignatureBundle}s —
 * the way a relying party should, in this order; the first check that fails is the {@link Verdict}:
 *
 * <ol>
 *   <li><b>Form</b>: one SignerInfo with signed attributes and its certificate in the SignedData
 *       (RFC 5652 §5.3), a SHA-2 digest: else {@code malformed}.
 *   <li><b>Digest</b>: the messageDigest attribute (RFC 5652 §11.2) equals the content's digest; for a
 *       JAR, {@link JarFile} verification of every entry and each entry signed: else {@code
 *       digest_mismatch}.
 *   <li><b>Signature</b> over the signed attributes (bundle: over the digest) with the signer
 *       certificate's key: else {@code signature_invalid}.
 *   <li><b>Time-stamp</b>, when an id-aa-timeStampToken unsigned attribute (RFC 3161 Appendix A) or a
 *       bundle token is present: the token's imprint is the digest of the signature value, its
 *       signature and ESSCertID(v2) verify against a TSA certificate with extended key usage
 *       timeStamping alone, critical (RFC 3161 §2.3), valid at genTime, with a path to the same trust
 *       anchors at genTime: else {@code timestamp_invalid}. The <i>validation time</i> is then genTime;
 *       without a token it is the clock's now.
 *   <li><b>Chain</b>: a PKIX path (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-6">RFC 5280
 *       §6</a>, the JDK's CertPathBuilder, revocation off there) from the signer through the
 *       certificates carried to a trust anchor, at the validation time: else {@code expired} or {@code
 *       not_yet_valid} when a path exists at another time, {@code untrusted} when none does.
 *   <li><b>Purpose</b>: the signer's certificate has extended key usage id-kp-codeSigning (RFC 5280
 *       §4.2.1.12): else {@code not_code_signing}.
 *   <li><b>Revocation</b>, when a {@link RevocationSource} is given, of each certificate of the path
 *       below the anchor, and of the TSA's: revoked at or before the validation time → {@code revoked}
 *       (a revocation after the time-stamp leaves earlier signatures valid); no answer → {@code
 *       revocation_unknown}.
 * </ol>
 *
 * Never throws for bad input (only {@link IOException} reading files). Thread-safe.
 */
public final class SignatureVerifier {
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    private final Set<TrustAnchor> anchors;
    private final RevocationSource revocation;
    private final Clock clock;

    /**
     * @param trustAnchors the certificates trusted as roots (usually the Signet root)
     * @param revocation where revocation statuses come from; null to skip the revocation check
     * @param clock the validation time when there is no time-stamp
     */
    public SignatureVerifier(List<X509Certificate> trustAnchors, RevocationSource revocation, Clock clock) {
        if (trustAnchors == null || trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("at least one trust anchor is required");
        }
        Set<TrustAnchor> set = new HashSet<>();
        for (X509Certificate anchor : trustAnchors) {
            set.add(new TrustAnchor(anchor, null));
        }
        this.anchors = Set.copyOf(set);
        this.revocation = revocation;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A detached CMS signature (DER or PEM) over content whose {@code alg} digest is {@code contentDigest}. */
    public Verdict verifyDetached(byte[] cms, DigestAlgorithm alg, byte[] contentDigest) {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(contentDigest, "contentDigest");
        Parsed parsed;
        try {
            parsed = parse(cms);
        } catch (Failure f) {
            return f.verdict;
        }
        if (parsed.algorithm != alg) {
            return parsed.fail(
                    Verdict.DIGEST_MISMATCH,
                    "the signature is over a " + parsed.algorithm.id() + " digest, not " + alg.id());
        }
        return verifyParsed(parsed, contentDigest);
    }

    /** A detached CMS signature (DER or PEM) over the file {@code content}, digested here as the signature says. */
    public Verdict verifyDetached(byte[] cms, Path content) throws IOException {
        Parsed parsed;
        try {
            parsed = parse(cms);
        } catch (Failure f) {
            return f.verdict;
        }
        return verifyParsed(parsed, digest(parsed.algorithm, content));
    }

    /**
     * A signed JAR: {@link JarFile} verification of every entry (each read in full, each file entry
     * signed), then each signature block as a detached CMS signature over its {@code .SF} file.
     */
    public Verdict verifyJar(Path jar) throws IOException {
        Map<String, byte[]> signatureFiles = new LinkedHashMap<>();
        Map<String, byte[]> blocks = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            byte[] buffer = new byte[1 << 16];
            List<String> unsigned = new ArrayList<>();
            for (JarEntry entry : Collections.list(file.entries())) {
                try (InputStream in = file.getInputStream(entry)) {
                    while (in.read(buffer) > 0) {
                        // reading to the end is what makes JarFile check the entry's digest
                    }
                } catch (SecurityException e) {
                    String message = String.valueOf(e.getMessage());
                    return Verdict.failed(
                            message.contains("digest") ? Verdict.DIGEST_MISMATCH : Verdict.SIGNATURE_INVALID,
                            "entry " + entry.getName() + ": " + message);
                }
                String name = entry.getName();
                if (JarSignature.isSigningRelated(name)) {
                    String upper = name.toUpperCase(java.util.Locale.ENGLISH);
                    String base =
                            upper.substring(0, upper.lastIndexOf('.') < 0 ? upper.length() : upper.lastIndexOf('.'));
                    if (upper.endsWith(".SF")) {
                        signatureFiles.put(base, readAll(file, entry));
                    } else if (upper.endsWith(".RSA") || upper.endsWith(".EC") || upper.endsWith(".DSA")) {
                        blocks.put(base, readAll(file, entry));
                    }
                    continue;
                }
                if (!entry.isDirectory() && entry.getCodeSigners() == null) {
                    unsigned.add(name);
                }
            }
            if (blocks.isEmpty()) {
                return Verdict.failed(Verdict.MALFORMED, "the JAR is not signed");
            }
            if (!unsigned.isEmpty()) {
                return Verdict.failed(
                        Verdict.DIGEST_MISMATCH,
                        unsigned.size() + " entries are not signed, the first " + unsigned.get(0)
                                + ": the JAR was changed after signing");
            }
        } catch (ZipException | SecurityException e) {
            return Verdict.failed(Verdict.MALFORMED, "not a readable JAR: " + e.getMessage());
        }
        Verdict first = null;
        for (Map.Entry<String, byte[]> block : blocks.entrySet()) {
            byte[] sf = signatureFiles.get(block.getKey());
            if (sf == null) {
                return Verdict.failed(Verdict.MALFORMED, "signature block " + block.getKey() + " has no .SF file");
            }
            Verdict verdict;
            try {
                Parsed parsed = parse(block.getValue());
                verdict = verifyParsed(parsed, parsed.algorithm.digest(sf));
            } catch (Failure f) {
                verdict = f.verdict;
            }
            if (!verdict.valid()) {
                return verdict;
            }
            if (first == null) {
                first = verdict;
            }
        }
        return first;
    }

    /** A signature bundle over content whose {@code bundle.digestAlgorithm()} digest is {@code contentDigest}. */
    public Verdict verifyBundle(SignatureBundle bundle, byte[] contentDigest) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(contentDigest, "contentDigest");
        if (bundle.chain().isEmpty()) {
            return Verdict.failed(Verdict.MALFORMED, "the bundle has no certificate");
        }
        X509Certificate signer = bundle.chain().get(0);
        if (bundle.digest().length != bundle.digestAlgorithm().length()
                || !MessageDigest.isEqual(bundle.digest(), contentDigest)) {
            return Verdict.failed(Verdict.DIGEST_MISMATCH, "the content is not what was signed")
                    .withSigner(signer, null, null);
        }
        Optional<KeyAlgorithm> key = keyAlgorithm(signer);
        if (key.isEmpty() || !key.get().signatureAlgorithm().equalsIgnoreCase(bundle.signatureAlgorithm())) {
            return Verdict.failed(
                            Verdict.MALFORMED,
                            "signature algorithm " + bundle.signatureAlgorithm()
                                    + " is not the one of the certificate's key")
                    .withSigner(signer, null, null);
        }
        try {
            Signature verify = Signature.getInstance(
                    key.get().signatureAlgorithm(), key.get().verifyProvider());
            verify.initVerify(signer.getPublicKey());
            verify.update(bundle.digest());
            if (!verify.verify(bundle.signature())) {
                return Verdict.failed(Verdict.SIGNATURE_INVALID, "the signature does not verify")
                        .withSigner(signer, null, null);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            return Verdict.failed(Verdict.SIGNATURE_INVALID, "the signature does not verify: " + e.getMessage())
                    .withSigner(signer, null, null);
        }
        return trust(signer, bundle.chain(), bundle.signature(), bundle.timestamp(), null);
    }

    // ---- CMS

    /** A parsed single-signer SignedData. */
    private record Parsed(
            CMSSignedData cms,
            SignerInformation signerInfo,
            X509Certificate signer,
            List<X509Certificate> certificates,
            DigestAlgorithm algorithm,
            Instant signingTime) {
        Verdict fail(String code, String reason) {
            return Verdict.failed(code, reason).withSigner(signer, signingTime, null);
        }
    }

    /** A verdict reached while parsing, thrown to the public method that returns it. */
    private static final class Failure extends Exception {
        final Verdict verdict;

        Failure(Verdict verdict) {
            super(verdict.reason(), null, false, false);
            this.verdict = verdict;
        }

        Failure(String code, String reason) {
            this(Verdict.failed(code, reason));
        }
    }

    private static Parsed parse(byte[] input) throws Failure {
        if (input == null || input.length == 0) {
            throw new Failure(Verdict.MALFORMED, "the signature is empty");
        }
        byte[] der = pemToDer(input);
        CMSSignedData cms;
        try {
            cms = new CMSSignedData(der);
        } catch (CMSException | RuntimeException e) {
            throw new Failure(Verdict.MALFORMED, "not a CMS SignedData: " + e.getMessage());
        }
        Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new Failure(Verdict.MALFORMED, "the SignedData has " + signers.size() + " signers, not one");
        }
        SignerInformation info = signers.iterator().next();
        List<X509Certificate> certificates = new ArrayList<>();
        X509Certificate signer = null;
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try {
            for (X509CertificateHolder holder : cms.getCertificates().getMatches(null)) {
                X509Certificate certificate = converter.getCertificate(holder);
                certificates.add(certificate);
                if (signer == null && info.getSID().match(holder)) {
                    signer = certificate;
                }
            }
        } catch (CertificateException | RuntimeException e) {
            throw new Failure(Verdict.MALFORMED, "a certificate in the signature cannot be read");
        }
        if (signer == null) {
            throw new Failure(Verdict.MALFORMED, "the signature does not carry its signer's certificate");
        }
        Optional<DigestAlgorithm> algorithm =
                DigestAlgorithm.byOid(info.getDigestAlgorithmID().getAlgorithm());
        AttributeTable signed = info.getSignedAttributes();
        Instant signingTime = null;
        if (signed != null && signed.get(CMSAttributes.signingTime) != null) {
            try {
                signingTime = Time.getInstance(signed.get(CMSAttributes.signingTime)
                                .getAttrValues()
                                .getObjectAt(0))
                        .getDate()
                        .toInstant();
            } catch (RuntimeException e) {
                throw new Failure(Verdict.MALFORMED, "the signingTime attribute cannot be read");
            }
        }
        Parsed parsed = new Parsed(cms, info, signer, certificates, algorithm.orElse(null), signingTime);
        if (algorithm.isEmpty()) {
            throw failure(parsed, Verdict.MALFORMED, "digest algorithm " + info.getDigestAlgOID() + " is not SHA-2");
        }
        if (signed == null || signed.get(CMSAttributes.messageDigest) == null) {
            throw failure(parsed, Verdict.MALFORMED, "the signature has no signed attributes with a message digest");
        }
        return parsed;
    }

    private static Failure failure(Parsed parsed, String code, String reason) {
        return new Failure(parsed.fail(code, reason));
    }

    private Verdict verifyParsed(Parsed parsed, byte[] contentDigest) {
        SignerInformation info = parsed.signerInfo;
        Attribute messageDigest = info.getSignedAttributes().get(CMSAttributes.messageDigest);
        byte[] signedDigest;
        try {
            signedDigest = ASN1OctetString.getInstance(
                            messageDigest.getAttrValues().getObjectAt(0))
                    .getOctets();
        } catch (RuntimeException e) {
            return parsed.fail(Verdict.MALFORMED, "the messageDigest attribute cannot be read");
        }
        if (!MessageDigest.isEqual(signedDigest, contentDigest)) {
            return parsed.fail(Verdict.DIGEST_MISMATCH, "the content is not what was signed");
        }
        try {
            SignerInformation withDigest = new CMSSignedData(
                            Map.of(info.getDigestAlgorithmID().getAlgorithm(), contentDigest),
                            parsed.cms.toASN1Structure())
                    .getSignerInfos()
                    .getSigners()
                    .iterator()
                    .next();
            boolean verified = withDigest.verify(new JcaSimpleSignerInfoVerifierBuilder()
                    .setProvider(Providers.BC)
                    .build(parsed.signer.getPublicKey()));
            if (!verified) {
                return parsed.fail(Verdict.SIGNATURE_INVALID, "the signature does not verify");
            }
        } catch (CMSException | OperatorCreationException | RuntimeException e) {
            return parsed.fail(Verdict.SIGNATURE_INVALID, "the signature does not verify: " + e.getMessage());
        }
        byte[] token = null;
        AttributeTable unsigned = info.getUnsignedAttributes();
        if (unsigned != null && unsigned.get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken) != null) {
            try {
                token = unsigned.get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken)
                        .getAttrValues()
                        .getObjectAt(0)
                        .toASN1Primitive()
                        .getEncoded();
            } catch (IOException | RuntimeException e) {
                return parsed.fail(Verdict.TIMESTAMP_INVALID, "the time-stamp token cannot be read");
            }
        }
        return trust(parsed.signer, parsed.certificates, info.getSignature(), token, parsed.signingTime);
    }

    // ---- time-stamp, chain, purpose, revocation: shared by every format

    private Verdict trust(
            X509Certificate signer,
            List<X509Certificate> certificates,
            byte[] signatureValue,
            byte[] token,
            Instant signingTime) {
        Instant validationTime = clock.instant();
        Instant timestampTime = null;
        List<X509Certificate> tsaPath = List.of();
        if (token != null) {
            TimestampCheck check = timestamp(token, signatureValue, certificates);
            if (check.error != null) {
                return failed(Verdict.TIMESTAMP_INVALID, check.error, signer, List.of(), signingTime, null);
            }
            timestampTime = check.genTime;
            validationTime = check.genTime;
            tsaPath = check.path;
        }
        List<X509Certificate> path;
        try {
            path = path(signer, certificates, validationTime);
        } catch (CertPathBuilderException e) {
            Instant notBefore = signer.getNotBefore().toInstant();
            Instant notAfter = signer.getNotAfter().toInstant();
            Instant probe = notBefore.plus(Duration.between(notBefore, notAfter).dividedBy(2));
            boolean trustedAtAnotherTime;
            try {
                path(signer, certificates, probe);
                trustedAtAnotherTime = true;
            } catch (CertPathBuilderException again) {
                trustedAtAnotherTime = false;
            }
            if (trustedAtAnotherTime && validationTime.isAfter(notAfter)) {
                return failed(
                        Verdict.EXPIRED,
                        "the signer's certificate expired " + notAfter
                                + (timestampTime == null
                                        ? ", and the signature has no time-stamp"
                                        : ", before the time-stamp " + timestampTime),
                        signer,
                        List.of(),
                        signingTime,
                        timestampTime);
            }
            if (trustedAtAnotherTime && validationTime.isBefore(notBefore)) {
                return failed(
                        Verdict.NOT_YET_VALID,
                        "the signer's certificate is valid only from " + notBefore,
                        signer,
                        List.of(),
                        signingTime,
                        timestampTime);
            }
            return failed(
                    Verdict.UNTRUSTED,
                    "no valid certification path to a trust anchor at " + validationTime + ": " + e.getMessage(),
                    signer,
                    List.of(),
                    signingTime,
                    timestampTime);
        }
        try {
            List<String> usages = signer.getExtendedKeyUsage();
            if (usages == null || !usages.contains(CODE_SIGNING)) {
                return failed(
                        Verdict.NOT_CODE_SIGNING,
                        "the signer's certificate is not for code signing (no extended key usage codeSigning)",
                        signer,
                        path,
                        signingTime,
                        timestampTime);
            }
        } catch (CertificateException e) {
            return failed(
                    Verdict.MALFORMED,
                    "the extended key usage cannot be read",
                    signer,
                    path,
                    signingTime,
                    timestampTime);
        }
        if (revocation != null) {
            Problem problem = revoked(path, validationTime);
            if (problem == null && token != null) {
                problem = revoked(tsaPath, validationTime);
                if (problem != null && problem.code.equals(Verdict.REVOKED)) {
                    problem = new Problem(Verdict.TIMESTAMP_INVALID, "the time-stamp authority's " + problem.reason);
                }
            }
            if (problem != null) {
                return failed(problem.code, problem.reason, signer, path, signingTime, timestampTime);
            }
        }
        String how = timestampTime == null ? "" : ", time-stamped " + timestampTime;
        return new Verdict(
                true,
                Verdict.VALID,
                "signed by " + signer.getSubjectX500Principal().getName() + how,
                signer,
                path,
                signingTime,
                timestampTime);
    }

    private record Problem(String code, String reason) {}

    /** {@code revoked} or {@code revocation_unknown} for the first such certificate of the path below the anchor, or null. */
    private Problem revoked(List<X509Certificate> path, Instant validationTime) {
        for (int i = 0; i + 1 < path.size(); i++) {
            X509Certificate certificate = path.get(i);
            RevocationStatus status;
            try {
                status = revocation.check(certificate, path.get(i + 1));
            } catch (RuntimeException e) {
                status = new RevocationStatus.Unknown();
            }
            String who = certificate.getSubjectX500Principal().getName();
            if (status instanceof RevocationStatus.Revoked revoked) {
                if (!revoked.revokedAt().isAfter(validationTime)) {
                    return new Problem(
                            Verdict.REVOKED,
                            "certificate " + who + " was revoked " + revoked.revokedAt() + " ("
                                    + revoked.reason().id() + "), before the signature's time " + validationTime);
                }
            } else if (status == null || status instanceof RevocationStatus.Unknown) {
                return new Problem(Verdict.REVOCATION_UNKNOWN, "no CRL or OCSP answer for certificate " + who);
            }
        }
        return null;
    }

    private record TimestampCheck(String error, Instant genTime, List<X509Certificate> path) {}

    private TimestampCheck timestamp(byte[] token, byte[] signatureValue, List<X509Certificate> extra) {
        TimeStampToken parsed;
        try {
            parsed = new TimeStampToken(ContentInfo.getInstance(token));
        } catch (TSPException | IOException | RuntimeException e) {
            return new TimestampCheck("the time-stamp token cannot be read", null, null);
        }
        Optional<DigestAlgorithm> imprintAlgorithm =
                DigestAlgorithm.byOid(parsed.getTimeStampInfo().getMessageImprintAlgOID());
        if (imprintAlgorithm.isEmpty()
                || !MessageDigest.isEqual(
                        parsed.getTimeStampInfo().getMessageImprintDigest(),
                        imprintAlgorithm.get().digest(signatureValue))) {
            return new TimestampCheck("the time-stamp is not over this signature", null, null);
        }
        List<X509Certificate> pool = new ArrayList<>();
        X509Certificate tsa = null;
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try {
            for (X509CertificateHolder holder : parsed.getCertificates().getMatches(null)) {
                X509Certificate certificate = converter.getCertificate(holder);
                pool.add(certificate);
                if (tsa == null && parsed.getSID().match(holder)) {
                    tsa = certificate;
                }
            }
            for (X509Certificate certificate : extra) {
                pool.add(certificate);
                if (tsa == null && parsed.getSID().match(new X509CertificateHolder(certificate.getEncoded()))) {
                    tsa = certificate;
                }
            }
        } catch (CertificateException | IOException | RuntimeException e) {
            return new TimestampCheck("a certificate in the time-stamp cannot be read", null, null);
        }
        if (tsa == null) {
            return new TimestampCheck("the time-stamp does not carry its authority's certificate", null, null);
        }
        try {
            // Signature, ESSCertID(v2) = this certificate, EKU timeStamping alone and critical, valid at genTime.
            parsed.validate(new JcaSimpleSignerInfoVerifierBuilder()
                    .setProvider(Providers.BC)
                    .build(tsa));
        } catch (TSPException | OperatorCreationException | RuntimeException e) {
            return new TimestampCheck("the time-stamp does not verify: " + e.getMessage(), null, null);
        }
        Instant genTime = parsed.getTimeStampInfo().getGenTime().toInstant();
        try {
            return new TimestampCheck(null, genTime, path(tsa, pool, genTime));
        } catch (CertPathBuilderException e) {
            return new TimestampCheck(
                    "the time-stamp authority has no valid certification path to a trust anchor: " + e.getMessage(),
                    null,
                    null);
        }
    }

    /** The PKIX path from {@code target} to an anchor at {@code time}, target first, anchor last. */
    private List<X509Certificate> path(X509Certificate target, List<X509Certificate> pool, Instant time)
            throws CertPathBuilderException {
        try {
            X509CertSelector selector = new X509CertSelector();
            selector.setCertificate(target);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, selector);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(time));
            List<X509Certificate> certificates = new ArrayList<>(pool);
            certificates.add(target);
            parameters.addCertStore(
                    CertStore.getInstance("Collection", new CollectionCertStoreParameters(certificates)));
            PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult)
                    CertPathBuilder.getInstance("PKIX").build(parameters);
            List<X509Certificate> path = new ArrayList<>();
            for (var certificate : result.getCertPath().getCertificates()) {
                path.add((X509Certificate) certificate);
            }
            path.add(result.getTrustAnchor().getTrustedCert());
            return path;
        } catch (CertPathBuilderException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new CertPathBuilderException(e.getMessage(), e);
        }
    }

    private static Verdict failed(
            String code,
            String reason,
            X509Certificate signer,
            List<X509Certificate> path,
            Instant signingTime,
            Instant timestampTime) {
        return new Verdict(false, code, reason, signer, path, signingTime, timestampTime);
    }

    // ---- helpers

    private static byte[] pemToDer(byte[] input) throws Failure {
        int start = 0;
        while (start < input.length && Character.isWhitespace(input[start])) {
            start++;
        }
        if (start + 5 > input.length || input[start] != '-') {
            return input;
        }
        try (PemReader reader = new PemReader(new StringReader(new String(input, StandardCharsets.US_ASCII)))) {
            PemObject object = reader.readPemObject();
            if (object == null
                    || !(object.getType().equals("CMS")
                            || object.getType().equals("PKCS7")
                            || object.getType().equals("PKCS #7 SIGNED DATA"))) {
                throw new Failure(Verdict.MALFORMED, "not a PEM CMS or PKCS7 block");
            }
            return object.getContent();
        } catch (IOException | RuntimeException e) {
            throw new Failure(Verdict.MALFORMED, "the PEM cannot be read");
        }
    }

    private static byte[] digest(DigestAlgorithm algorithm, Path content) throws IOException {
        MessageDigest digest = algorithm.newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(content)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    private static byte[] readAll(JarFile file, JarEntry entry) throws IOException {
        try (InputStream in = file.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static Optional<KeyAlgorithm> keyAlgorithm(X509Certificate certificate) {
        try {
            return KeyAlgorithm.of(
                    SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
