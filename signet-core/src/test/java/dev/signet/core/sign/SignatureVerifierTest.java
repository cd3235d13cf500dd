package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.pki.CertificateAuthority;
import dev.signet.core.pki.Credential;
import dev.signet.core.pki.Issuer;
import dev.signet.core.pki.KeyAlgorithm;
import dev.signet.core.pki.KeyRequest;
import dev.signet.core.pki.Profiles;
import dev.signet.core.pki.PublicationUrls;
import dev.signet.core.pki.RevocationReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The verifier's verdicts, each failure with its own code, on detached CMS, JARs and bundles; the
 * revocation status comes from the core's OCSP responder and CRLs through {@link NetworkRevocation}.
 */
class SignatureVerifierTest {
    private static final Instant SIGNED = SignPki.ISSUED.plus(Duration.ofHours(1));

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(SignPki.ISSUED.plus(Duration.ofHours(2)));
    private final TestRevocation revocation = new TestRevocation(clock);
    private final SignatureVerifier verifier = new SignatureVerifier(SignPki.anchors(), revocation.source(), clock);

    private static TimeStampAuthority tsaAt(Instant instant) {
        return SignPki.tsa(Clock.fixed(instant, ZoneOffset.UTC));
    }

    private Path content(String text) throws IOException {
        return Files.writeString(dir.resolve("artifact.txt"), text, StandardCharsets.UTF_8);
    }

    private static byte[] sign(Credential credential, Path content, Timestamper timestamper) throws IOException {
        CmsSigner signer = SignPki.cmsSigner(credential);
        byte[] digest = signer.digestAlgorithm().digest(Files.readAllBytes(content));
        return signer.signDetached(signer.digestAlgorithm(), digest, SIGNED, timestamper);
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384", "ED25519", "RSA_3072"})
    void timestampedDetachedSignaturesOfEveryKeyTypeAreValid(KeyAlgorithm algorithm) throws Exception {
        Credential credential = SignPki.codeSigning(algorithm);
        Path content = content("release " + algorithm);
        byte[] cms = sign(credential, content, tsaAt(SIGNED));

        Verdict verdict = verifier.verifyDetached(cms, content);

        assertThat(verdict.code()).as(verdict.reason()).isEqualTo(Verdict.VALID);
        assertThat(verdict.valid()).isTrue();
        assertThat(verdict.signer()).isEqualTo(credential.certificate());
        assertThat(verdict.chain())
                .containsExactly(credential.certificate(), SignPki.CA.certificate(), SignPki.ROOT.certificate());
        assertThat(verdict.signingTime()).isEqualTo(SIGNED);
        assertThat(verdict.timestampTime()).isEqualTo(SIGNED);

        byte[] pem = CmsSigner.pem(cms).getBytes(StandardCharsets.US_ASCII);
        DigestAlgorithm alg = DigestAlgorithm.forKey(algorithm);
        assertThat(verifier.verifyDetached(pem, alg, alg.digest(Files.readAllBytes(content)))
                        .code())
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void aModifiedFileIsADigestMismatch() throws Exception {
        Path content = content("original");
        byte[] cms = sign(SignPki.codeSigning(KeyAlgorithm.EC_P256), content, null);
        Files.writeString(content, "originaL");

        Verdict verdict = verifier.verifyDetached(cms, content);

        assertThat(verdict.code()).isEqualTo(Verdict.DIGEST_MISMATCH);
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.signer()).isNotNull();
        assertThat(verifier.verifyDetached(cms, DigestAlgorithm.SHA384, new byte[48])
                        .code())
                .isEqualTo(Verdict.DIGEST_MISMATCH);
    }

    @Test
    void aTamperedSignatureValueIsInvalid() throws Exception {
        Path content = content("data");
        byte[] cms = sign(SignPki.codeSigning(KeyAlgorithm.RSA_3072), content, null);
        byte[] signature = new CMSSignedData(cms)
                .getSignerInfos()
                .getSigners()
                .iterator()
                .next()
                .getSignature();
        int at = indexOf(cms, signature);
        cms[at + signature.length / 2] ^= 1;

        assertThat(verifier.verifyDetached(cms, content).code()).isEqualTo(Verdict.SIGNATURE_INVALID);
    }

    @Test
    void aKeyCertifiedByAnotherRootIsUntrusted() throws Exception {
        CertificateAuthority otherRoot = CertificateAuthority.createRoot(
                new X500Name("CN=Someone Else's Root"),
                KeyAlgorithm.EC_P256,
                Duration.ofDays(365),
                SignPki.ISSUE_CLOCK);
        Credential stranger = new Issuer(
                        otherRoot,
                        PublicationUrls.under(URI.create("http://other.example.test/"), "other"),
                        SignPki.ISSUE_CLOCK)
                .generate(
                        Profiles.CODE_SIGNING,
                        KeyRequest.of(new X500Name("CN=stranger")).withAlgorithm(KeyAlgorithm.EC_P256));
        Path content = content("data");
        byte[] cms = sign(stranger, content, null);

        Verdict verdict = verifier.verifyDetached(cms, content);

        assertThat(verdict.code()).isEqualTo(Verdict.UNTRUSTED);
        assertThat(verdict.signer()).isEqualTo(stranger.certificate());
        assertThat(verdict.chain()).isEmpty();
    }

    @Test
    void aCertificateRevokedBeforeTheSignatureIsRevokedAndOneRevokedAfterTheTimestampIsNot() throws Exception {
        Credential credential =
                SignPki.credential("code-revoked", Profiles.CODE_SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(30));
        revocation.revoke(
                credential.certificate(), SIGNED.minus(Duration.ofMinutes(30)), RevocationReason.KEY_COMPROMISE);
        Path content = content("data");

        Verdict afterRevocation = verifier.verifyDetached(sign(credential, content, tsaAt(SIGNED)), content);
        assertThat(afterRevocation.code()).isEqualTo(Verdict.REVOKED);
        assertThat(afterRevocation.reason()).contains("key-compromise");

        Verdict untimestamped = verifier.verifyDetached(sign(credential, content, null), content);
        assertThat(untimestamped.code()).isEqualTo(Verdict.REVOKED);

        Verdict timestampedBefore = verifier.verifyDetached(
                sign(credential, content, tsaAt(SIGNED.minus(Duration.ofMinutes(45)))), content);
        assertThat(timestampedBefore.code()).as(timestampedBefore.reason()).isEqualTo(Verdict.VALID);
        assertThat(revocation.ocspRequests.get()).isPositive();
    }

    @Test
    void aCertificateWithoutCodeSigningIsRefused() throws Exception {
        Credential tlsClient =
                SignPki.credential("tls-client", Profiles.TLS_CLIENT, KeyAlgorithm.EC_P256, Duration.ofDays(30));
        Path content = content("data");

        Verdict verdict = verifier.verifyDetached(sign(tlsClient, content, null), content);

        assertThat(verdict.code()).isEqualTo(Verdict.NOT_CODE_SIGNING);
    }

    @Test
    void anExpiredCertificateIsRefusedWithoutATimestampAndAcceptedWithOneFromWhileItWasValid() throws Exception {
        Credential shortLived =
                SignPki.credential("code-short", Profiles.CODE_SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(1));
        Path content = content("data");
        byte[] plain = sign(shortLived, content, null);
        byte[] timestamped = sign(shortLived, content, tsaAt(SIGNED));
        clock.set(SignPki.ISSUED.plus(Duration.ofDays(3)));

        Verdict expired = verifier.verifyDetached(plain, content);
        assertThat(expired.code()).isEqualTo(Verdict.EXPIRED);
        assertThat(expired.reason()).contains("no time-stamp");

        Verdict valid = verifier.verifyDetached(timestamped, content);
        assertThat(valid.code()).as(valid.reason()).isEqualTo(Verdict.VALID);
        assertThat(valid.timestampTime()).isEqualTo(SIGNED);
    }

    @Test
    void aCertificateNotYetValidAtTheValidationTimeIsRefused() throws Exception {
        Path content = content("data");
        byte[] cms = sign(SignPki.codeSigning(KeyAlgorithm.EC_P256), content, null);
        clock.set(SignPki.ISSUED.minus(Duration.ofDays(2)));

        assertThat(verifier.verifyDetached(cms, content).code()).isEqualTo(Verdict.NOT_YET_VALID);
    }

    @Test
    void aTimestampOverAnotherSignatureOrFromAnUntrustedAuthorityIsInvalid() throws Exception {
        Credential credential = SignPki.codeSigning(KeyAlgorithm.EC_P256);
        Path content = content("data");
        byte[] cms = sign(credential, content, null);
        byte[] otherToken = tsaAt(SIGNED).timestamp(DigestAlgorithm.SHA256, new byte[32]);

        assertThat(verifier.verifyDetached(withToken(cms, otherToken), content).code())
                .isEqualTo(Verdict.TIMESTAMP_INVALID);

        CertificateAuthority otherRoot = CertificateAuthority.createRoot(
                new X500Name("CN=Rogue TSA Root"), KeyAlgorithm.EC_P256, Duration.ofDays(365), SignPki.ISSUE_CLOCK);
        Credential rogue = new Issuer(
                        otherRoot,
                        PublicationUrls.under(URI.create("http://rogue.example.test/"), "rogue"),
                        SignPki.ISSUE_CLOCK)
                .generate(
                        Profiles.TIMESTAMPING,
                        KeyRequest.of(new X500Name("CN=rogue tsa")).withAlgorithm(KeyAlgorithm.EC_P256));
        TimeStampAuthority rogueTsa = new TimeStampAuthority(
                SignPki.signer(rogue),
                rogue.chain(),
                TimeStampAuthority.DEFAULT_POLICY,
                Clock.fixed(SIGNED, ZoneOffset.UTC));
        Verdict verdict = verifier.verifyDetached(sign(credential, content, rogueTsa), content);
        assertThat(verdict.code()).isEqualTo(Verdict.TIMESTAMP_INVALID);
        assertThat(verdict.reason()).contains("time-stamp authority");
    }

    @Test
    void withNoRevocationAnswerTheStatusIsUnknown() throws Exception {
        revocation.ocspDown = true;
        revocation.crlDown = true;
        Path content = content("data");

        Verdict verdict =
                verifier.verifyDetached(sign(SignPki.codeSigning(KeyAlgorithm.EC_P256), content, null), content);

        assertThat(verdict.code()).isEqualTo(Verdict.REVOCATION_UNKNOWN);
        assertThat(new SignatureVerifier(SignPki.anchors(), null, clock)
                        .verifyDetached(sign(SignPki.codeSigning(KeyAlgorithm.EC_P256), content, null), content)
                        .code())
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void garbageIsMalformed() throws Exception {
        Path content = content("data");
        for (byte[] bad : new byte[][] {
            new byte[0],
            "not a signature".getBytes(StandardCharsets.US_ASCII),
            "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n".getBytes(StandardCharsets.US_ASCII),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII),
            {0x30, (byte) 0x82, 0x7f}
        }) {
            Verdict verdict = verifier.verifyDetached(bad, content);
            assertThat(verdict.code()).isEqualTo(Verdict.MALFORMED);
            assertThat(verdict.valid()).isFalse();
        }
    }

    @Test
    void signedJarsAreVerifiedEntryByEntryAndBlockByBlock() throws Exception {
        Credential credential = SignPki.codeSigning(KeyAlgorithm.EC_P256);
        Path jar = JarSignatureTest.sampleJar(dir);
        Path signed = dir.resolve("signed.jar");
        JarSignature.sign(jar, signed, SignPki.cmsSigner(credential), "SIGNET", tsaAt(SIGNED));

        Verdict valid = verifier.verifyJar(signed);
        assertThat(valid.code()).as(valid.reason()).isEqualTo(Verdict.VALID);
        assertThat(valid.signer()).isEqualTo(credential.certificate());
        assertThat(valid.timestampTime()).isEqualTo(SIGNED);

        Path modified = rewrite(signed, "com/example/Main.class", "evil".getBytes(StandardCharsets.UTF_8), null);
        assertThat(verifier.verifyJar(modified).code()).isEqualTo(Verdict.DIGEST_MISMATCH);

        Path added = rewrite(signed, null, null, "com/example/Added.class");
        Verdict addedVerdict = verifier.verifyJar(added);
        assertThat(addedVerdict.code()).isEqualTo(Verdict.DIGEST_MISMATCH);
        assertThat(addedVerdict.reason()).contains("com/example/Added.class");

        assertThat(verifier.verifyJar(jar).code()).isEqualTo(Verdict.MALFORMED);
        assertThat(verifier.verifyJar(Files.writeString(dir.resolve("text.jar"), "text"))
                        .code())
                .isEqualTo(Verdict.MALFORMED);

        clock.set(SignPki.ISSUED.plus(Duration.ofDays(400)));
        Path untimestamped = dir.resolve("plain.jar");
        JarSignature.sign(jar, untimestamped, SignPki.cmsSigner(credential), "SIGNET", null);
        assertThat(verifier.verifyJar(untimestamped).code()).isEqualTo(Verdict.EXPIRED);
        assertThat(verifier.verifyJar(signed).code()).isEqualTo(Verdict.VALID);
    }

    @Test
    void jarsSignedByTheJdksJarSignerWithTheSameKeyAreValid() throws Exception {
        Credential credential = SignPki.codeSigning(KeyAlgorithm.EC_P384);
        Path jar = JarSignatureTest.sampleJar(dir);
        Path signed = dir.resolve("jdk-signed.jar");
        jdk.security.jarsigner.JarSigner jdk = new jdk.security.jarsigner.JarSigner.Builder(
                        credential.privateKey(),
                        java.security.cert.CertificateFactory.getInstance("X.509")
                                .generateCertPath(credential.chain()))
                .signerName("JDK")
                .build();
        try (ZipFile in = new ZipFile(jar.toFile());
                var out = Files.newOutputStream(signed)) {
            jdk.sign(in, out);
        }

        Verdict verdict = verifier.verifyJar(signed);

        assertThat(verdict.code()).as(verdict.reason()).isEqualTo(Verdict.VALID);
        assertThat(verdict.signer()).isEqualTo(credential.certificate());
    }

    @Test
    void bundlesAreVerifiedLikeTheOtherFormats() throws Exception {
        Credential credential = SignPki.codeSigning(KeyAlgorithm.ED25519);
        CmsSigner signer = SignPki.cmsSigner(credential);
        byte[] digest = signer.digestAlgorithm().digest("blob".getBytes(StandardCharsets.UTF_8));
        SignatureBundle bundle = SignatureBundle.sign(signer, digest, tsaAt(SIGNED));
        assertThat(bundle.signatureAlgorithm()).isEqualTo("Ed25519");
        assertThat(bundle.digestAlgorithm()).isEqualTo(DigestAlgorithm.SHA512);

        Verdict valid = verifier.verifyBundle(bundle, digest);
        assertThat(valid.code()).as(valid.reason()).isEqualTo(Verdict.VALID);
        assertThat(valid.timestampTime()).isEqualTo(SIGNED);

        byte[] otherDigest = digest.clone();
        otherDigest[0] ^= 1;
        assertThat(verifier.verifyBundle(bundle, otherDigest).code()).isEqualTo(Verdict.DIGEST_MISMATCH);

        byte[] badSignature = bundle.signature().clone();
        badSignature[5] ^= 1;
        SignatureBundle tampered = new SignatureBundle(
                bundle.signatureAlgorithm(), bundle.digestAlgorithm(), digest, badSignature, bundle.chain(), null);
        assertThat(verifier.verifyBundle(tampered, digest).code()).isEqualTo(Verdict.SIGNATURE_INVALID);

        SignatureBundle wrongAlgorithm = new SignatureBundle(
                "SHA256withECDSA", bundle.digestAlgorithm(), digest, bundle.signature(), bundle.chain(), null);
        assertThat(verifier.verifyBundle(wrongAlgorithm, digest).code()).isEqualTo(Verdict.MALFORMED);

        SignatureBundle foreignToken = new SignatureBundle(
                bundle.signatureAlgorithm(),
                bundle.digestAlgorithm(),
                digest,
                bundle.signature(),
                bundle.chain(),
                tsaAt(SIGNED).timestamp(DigestAlgorithm.SHA512, new byte[64]));
        assertThat(verifier.verifyBundle(foreignToken, digest).code()).isEqualTo(Verdict.TIMESTAMP_INVALID);
    }

    /** {@code cms} with its unsigned attributes replaced by one id-aa-timeStampToken of {@code token}. */
    private static byte[] withToken(byte[] cms, byte[] token) throws Exception {
        CMSSignedData signed = new CMSSignedData(cms);
        SignerInformation info = signed.getSignerInfos().getSigners().iterator().next();
        Attribute attribute = new Attribute(
                PKCSObjectIdentifiers.id_aa_signatureTimeStampToken, new DERSet(ContentInfo.getInstance(token)));
        SignerInformation replaced = SignerInformation.replaceUnsignedAttributes(info, new AttributeTable(attribute));
        return CMSSignedData.replaceSigners(signed, new SignerInformationStore(replaced))
                .getEncoded();
    }

    /** A copy of {@code jar} with {@code replace}'s data swapped for {@code data}, or with entry {@code add} added. */
    private Path rewrite(Path jar, String replace, byte[] data, String add) throws IOException {
        Path out = Files.createTempFile(dir, "rewritten", ".jar");
        try (ZipFile in = new ZipFile(jar.toFile());
                ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                zos.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(replace)) {
                    zos.write(data);
                } else {
                    try (InputStream stream = in.getInputStream(entry)) {
                        stream.transferTo(zos);
                    }
                }
                zos.closeEntry();
            }
            if (add != null) {
                zos.putNextEntry(new ZipEntry(add));
                zos.write(new byte[] {1, 2, 3});
                zos.closeEntry();
            }
        }
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
