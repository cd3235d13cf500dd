package dev.signet.core.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.pki.Credential;
import dev.signet.core.pki.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Detached CMS signatures from a digest alone, checked by {@code openssl cms -verify} and Bouncy Castle. */
class CmsSignerTest {
    private static final Instant SIGNED_AT = SignPki.ISSUED.plus(Duration.ofHours(1));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "EC_P384", "ED25519", "RSA_3072"})
    void opensslVerifiesDetachedSignaturesOfEveryKeyTypeInDerAndPem(KeyAlgorithm algorithm) throws Exception {
        Credential credential = SignPki.codeSigning(algorithm);
        CmsSigner signer = SignPki.cmsSigner(credential);
        Path content = dir.resolve("release notes.txt");
        Files.writeString(content, "Signet " + algorithm.id() + " \u00e9\n".repeat(100), StandardCharsets.UTF_8);
        DigestAlgorithm alg = DigestAlgorithm.forKey(algorithm);
        byte[] digest = alg.digest(Files.readAllBytes(content));

        byte[] cms = signer.signDetached(alg, digest, SIGNED_AT, SignPki.tsa(Clock.fixed(SIGNED_AT, ZoneOffset.UTC)));

        Path der = Files.write(dir.resolve("sig.p7s"), cms);
        Path pem = Files.writeString(dir.resolve("sig.pem"), CmsSigner.pem(cms));
        Path root = SignPki.rootPem(dir);
        // Bouncy Castle checks the signature for every key type, with the content digested here.
        SignerInformation checked = new CMSSignedData(java.util.Map.of(alg.oid(), digest), cms)
                .getSignerInfos()
                .getSigners()
                .iterator()
                .next();
        assertThat(checked.verify(new org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder()
                        .build(credential.certificate())))
                .isTrue();
        if (algorithm == KeyAlgorithm.ED25519) {
            // OpenSSL (3.0 to 3.6) cannot verify Ed25519 CMS with signed attributes: it hands the
            // EdDSA provider a digest name (openssl/openssl#32248, #11915). Java's and BC's verify.
            return;
        }
        for (String[] form : new String[][] {{"DER", der.toString()}, {"PEM", pem.toString()}}) {
            String out = Tools.ok(
                    dir,
                    Tools.openssl(),
                    "cms",
                    "-verify",
                    "-binary",
                    "-inform",
                    form[0],
                    "-in",
                    form[1],
                    "-content",
                    content.toString(),
                    "-CAfile",
                    root.toString(),
                    "-purpose",
                    "any",
                    "-out",
                    "/dev/null");
            assertThat(out).contains("Verification successful");
        }
        Files.writeString(content, "tampered", StandardCharsets.UTF_8);
        assertThat(Tools.run(
                                dir,
                                Tools.openssl(),
                                "cms",
                                "-verify",
                                "-binary",
                                "-inform",
                                "DER",
                                "-in",
                                der.toString(),
                                "-content",
                                content.toString(),
                                "-CAfile",
                                root.toString(),
                                "-purpose",
                                "any",
                                "-out",
                                "/dev/null")
                        .exit())
                .isNotZero();

        // What is inside: the four signed attributes, the chain, and a token over the signature value.
        CMSSignedData parsed = new CMSSignedData(cms);
        assertThat(parsed.isDetachedSignature()).isTrue();
        assertThat(parsed.getCertificates().getMatches(null)).hasSize(3);
        SignerInformation info = parsed.getSignerInfos().getSigners().iterator().next();
        assertThat(info.getDigestAlgOID()).isEqualTo(alg.oid().getId());
        AttributeTable signedAttributes = info.getSignedAttributes();
        assertThat(signedAttributes.get(CMSAttributes.contentType)).isNotNull();
        assertThat(signedAttributes.get(CMSAttributes.messageDigest)).isNotNull();
        assertThat(signedAttributes
                        .get(CMSAttributes.signingTime)
                        .getAttrValues()
                        .getObjectAt(0)
                        .toString())
                .isNotEmpty();
        SigningCertificateV2 signingCertificate = SigningCertificateV2.getInstance(signedAttributes
                .get(PKCSObjectIdentifiers.id_aa_signingCertificateV2)
                .getAttrValues()
                .getObjectAt(0));
        assertThat(signingCertificate.getCerts()[0].getCertHash())
                .isEqualTo(MessageDigest.getInstance("SHA-256")
                        .digest(credential.certificate().getEncoded()));
        TimeStampToken token =
                new TimeStampToken(org.bouncycastle.asn1.cms.ContentInfo.getInstance(info.getUnsignedAttributes()
                        .get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken)
                        .getAttrValues()
                        .getObjectAt(0)));
        assertThat(token.getTimeStampInfo().getMessageImprintDigest()).isEqualTo(alg.digest(info.getSignature()));
        assertThat(token.getTimeStampInfo().getGenTime().toInstant()).isEqualTo(SIGNED_AT);
    }

    @Test
    void withoutTimestamperThereIsNoUnsignedAttribute() throws Exception {
        CmsSigner signer = SignPki.cmsSigner(SignPki.codeSigning(KeyAlgorithm.EC_P256));
        byte[] cms = signer.signDetached(DigestAlgorithm.SHA256, new byte[32], SIGNED_AT, null);
        SignerInformation info =
                new CMSSignedData(cms).getSignerInfos().getSigners().iterator().next();
        assertThat(info.getUnsignedAttributes()).isNull();
    }

    @Test
    void refusesAnotherDigestAlgorithmOrLength() {
        CmsSigner signer = SignPki.cmsSigner(SignPki.codeSigning(KeyAlgorithm.EC_P256));
        assertThatThrownBy(() -> signer.signDetached(DigestAlgorithm.SHA384, new byte[48], SIGNED_AT, null))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.DIGEST_ALGORITHM));
        assertThatThrownBy(() -> signer.signDetached(DigestAlgorithm.SHA256, new byte[31], SIGNED_AT, null))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.DIGEST_LENGTH));
        assertThatThrownBy(() -> signer.signRaw(new byte[33]))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.DIGEST_LENGTH));
    }

    @Test
    void refusesAChainThatIsNotTheKeys() {
        Credential one = SignPki.codeSigning(KeyAlgorithm.EC_P256);
        Credential other = SignPki.codeSigning(KeyAlgorithm.EC_P384);
        assertThatThrownBy(() -> new CmsSigner(SignPki.signer(one), other.chain()))
                .isInstanceOfSatisfying(
                        SignException.class, e -> assertThat(e.code()).isEqualTo(SignException.CHAIN_MISMATCH));
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyAlgorithm.class,
            names = {"EC_P256", "ED25519", "RSA_3072"})
    void rawSignaturesVerifyWithTheKeysAlgorithmOverTheDigestBytes(KeyAlgorithm algorithm) throws Exception {
        Credential credential = SignPki.codeSigning(algorithm);
        CmsSigner signer = SignPki.cmsSigner(credential);
        byte[] digest = signer.digestAlgorithm().digest("blob".getBytes(StandardCharsets.UTF_8));
        byte[] raw = signer.signRaw(digest);
        Signature verify = Signature.getInstance(signer.signatureAlgorithm());
        verify.initVerify(credential.certificate().getPublicKey());
        verify.update(digest);
        assertThat(verify.verify(raw)).isTrue();
        assertThat(new X509CertificateHolder(signer.certificate().getEncoded())
                        .getSubject()
                        .toString())
                .contains("code-" + algorithm.id());
    }
}
