package dev.signet.core.sign;

import dev.signet.core.crypto.Secure;
import dev.signet.core.pki.Signer;
import dev.signet.core.pki.SignerContentSigner;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.ess.ESSCertIDv2;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuerSerial;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInfoGeneratorBuilder;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.CollectionStore;
import org.bouncycastle.util.Store;

/**
 * Makes detached CMS SignedData (<a href="https://www.rfc-editor.org/rfc/rfc5652#section-5">RFC 5652
 * §5</a>) from a content digest alone, so the content never has to reach the signer:
 *
 * <ul>
 *   <li>eContentType id-data with the eContent absent (detached, §5.2);
 *   <li>signed attributes (§5.3, §11): contentType, messageDigest = the given digest, signingTime,
 *       signingCertificateV2 with an ESSCertIDv2 (SHA-256 of the certificate and its issuer and serial,
 *       <a href="https://www.rfc-editor.org/rfc/rfc5035#section-3">RFC 5035 §3</a>) and Bouncy
 *       Castle's cmsAlgorithmProtection (<a href="https://www.rfc-editor.org/rfc/rfc6211">RFC 6211</a>);
 *   <li>the signature algorithm of the key ({@link dev.signet.core.pki.KeyAlgorithm#signatureAlgorithm()})
 *       with its one digest ({@link DigestAlgorithm#forKey}); Ed25519 as in <a
 *       href="https://www.rfc-editor.org/rfc/rfc8419">RFC 8419</a>;
 *   <li>the certificate chain in {@code certificates};
 *   <li>optionally a signature time-stamp token as the unsigned attribute id-aa-timeStampToken over the
 *       signature value (<a href="https://www.rfc-editor.org/rfc/rfc3161#appendix-A">RFC 3161 Appendix
 *       A</a>).
 * </ul>
 *
 * <p>The result verifies with {@code openssl cms -verify -binary -content FILE}, and a JAR signature
 * block is exactly this over the digest of the {@code .SF} file ({@link JarSignature}). Thread-safe.
 */
public final class CmsSigner {
    private final Signer signer;
    private final List<X509Certificate> chain;
    private final DigestAlgorithm digestAlgorithm;
    private final X509CertificateHolder signerHolder;
    private final Store<X509CertificateHolder> certificates;
    private final Attribute signingCertificate;

    /**
     * @param signer the key
     * @param chain the signer's certificate first, then its CAs (the root may be left out)
     * @throws SignException {@code sign.chain_mismatch} when the first certificate is not the key's
     */
    public CmsSigner(Signer signer, List<X509Certificate> chain) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.chain = List.copyOf(chain);
        if (this.chain.isEmpty()
                || !MessageDigest.isEqual(
                        this.chain.get(0).getPublicKey().getEncoded(),
                        signer.publicKey().getEncoded())) {
            throw new SignException(
                    SignException.CHAIN_MISMATCH, "the chain does not start with the signer's certificate");
        }
        this.digestAlgorithm = DigestAlgorithm.forKey(signer.algorithm());
        List<X509CertificateHolder> holders = new ArrayList<>(this.chain.size());
        try {
            for (X509Certificate certificate : this.chain) {
                holders.add(new X509CertificateHolder(certificate.getEncoded()));
            }
        } catch (CertificateEncodingException | IOException e) {
            throw new SignException(SignException.ENCODING_FAILED, "a certificate of the chain cannot be encoded", e);
        }
        this.signerHolder = holders.get(0);
        this.certificates = new CollectionStore<>(holders);
        this.signingCertificate = signingCertificateV2(signerHolder);
    }

    /** The signer's certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The chain, signer's certificate first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The digest this key's signatures use ({@link DigestAlgorithm#forKey}). */
    public DigestAlgorithm digestAlgorithm() {
        return digestAlgorithm;
    }

    /** The JCA name of the signature algorithm, for example {@code SHA256withECDSA}. */
    public String signatureAlgorithm() {
        return signer.algorithm().signatureAlgorithm();
    }

    /**
     * A detached CMS SignedData, DER, over content whose {@code alg} digest is {@code contentDigest}.
     *
     * @param alg must be {@link #digestAlgorithm()}
     * @param contentDigest the content's digest
     * @param signingTime the signingTime attribute (truncated to seconds)
     * @param timestamper when not null, the signature value is time-stamped and the token added as
     *     an unsigned attribute
     * @throws SignException {@code sign.digest_algorithm}, {@code sign.digest_length}, {@code
     *     sign.timestamp_failed}
     */
    public byte[] signDetached(
            DigestAlgorithm alg, byte[] contentDigest, Instant signingTime, Timestamper timestamper) {
        checkDigest(alg, contentDigest);
        Objects.requireNonNull(signingTime, "signingTime");
        ASN1EncodableVector attributes = new ASN1EncodableVector(2);
        attributes.add(new Attribute(
                CMSAttributes.signingTime,
                new DERSet(new Time(Date.from(signingTime.truncatedTo(ChronoUnit.SECONDS))))));
        attributes.add(signingCertificate);
        byte[] digest = contentDigest.clone();
        try {
            SignerInfoGenerator signerInfo = new SignerInfoGeneratorBuilder(id -> {
                        if (!id.getAlgorithm().equals(alg.oid())) {
                            throw new OperatorCreationException("the key signs with " + alg.id() + " only");
                        }
                        return new PrecomputedDigest(alg.algorithmIdentifier(), digest);
                    })
                    .setSignedAttributeGenerator(
                            new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(new SignerContentSigner(signer), signerHolder);
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(signerInfo);
            generator.addCertificates(certificates);
            CMSSignedData signed = generator.generate(new CMSAbsentContent(), false);
            if (timestamper != null) {
                signed = withTimestamp(signed, timestamper);
            }
            return signed.getEncoded(ASN1Encoding.DER);
        } catch (CMSException | OperatorCreationException | IOException e) {
            throw new SignException(SignException.ENCODING_FAILED, "the CMS signature cannot be built", e);
        }
    }

    /**
     * A plain signature over the digest bytes as the message, with the key's signature algorithm
     * ({@link #signatureAlgorithm()}): for signature bundles.
     *
     * @throws SignException {@code sign.digest_length} when {@code digest} is not a {@link
     *     #digestAlgorithm()} digest
     */
    public byte[] signRaw(byte[] digest) {
        checkDigest(digestAlgorithm, digest);
        return signer.sign(digest.clone());
    }

    /** {@code der} as a PEM {@code CMS} block (<a href="https://www.rfc-editor.org/rfc/rfc7468#section-9">RFC 7468 §9</a>), which openssl reads with {@code -inform PEM}. */
    public static String pem(byte[] der) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (org.bouncycastle.util.io.pem.PemWriter writer = new org.bouncycastle.util.io.pem.PemWriter(out)) {
            writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("CMS", der));
        } catch (IOException e) {
            throw new SignException(SignException.ENCODING_FAILED, "PEM cannot be written", e);
        }
        return out.toString();
    }

    /** Adds a token over the signature value (RFC 3161 Appendix A) as the id-aa-timeStampToken attribute. */
    private CMSSignedData withTimestamp(CMSSignedData signed, Timestamper timestamper) {
        SignerInformation signerInformation =
                signed.getSignerInfos().getSigners().iterator().next();
        byte[] imprint = digestAlgorithm.digest(signerInformation.getSignature());
        byte[] token = timestamper.timestamp(digestAlgorithm, imprint);
        ContentInfo tokenInfo;
        try {
            tokenInfo = ContentInfo.getInstance(token);
            TimeStampToken parsed = new TimeStampToken(tokenInfo);
            if (!Secure.constantTimeEquals(parsed.getTimeStampInfo().getMessageImprintDigest(), imprint)) {
                throw new SignException(SignException.TIMESTAMP_FAILED, "the time-stamp token is over another imprint");
            }
        } catch (TSPException | IOException | IllegalArgumentException | NullPointerException e) {
            throw new SignException(SignException.TIMESTAMP_FAILED, "the time-stamp authority answered no token", e);
        }
        Attribute attribute = new Attribute(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken, new DERSet(tokenInfo));
        SignerInformation stamped =
                SignerInformation.replaceUnsignedAttributes(signerInformation, new AttributeTable(attribute));
        return CMSSignedData.replaceSigners(signed, new SignerInformationStore(stamped));
    }

    private void checkDigest(DigestAlgorithm alg, byte[] digest) {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(digest, "digest");
        if (alg != digestAlgorithm) {
            throw new SignException(
                    SignException.DIGEST_ALGORITHM,
                    "this " + signer.algorithm().id() + " key signs " + digestAlgorithm.id() + " digests, not "
                            + alg.id());
        }
        if (digest.length != alg.length()) {
            throw new SignException(
                    SignException.DIGEST_LENGTH,
                    "a " + alg.id() + " digest is " + alg.length() + " bytes, not " + digest.length);
        }
    }

    /** signingCertificateV2 (RFC 5035 §3) with one ESSCertIDv2: SHA-256 (the default, so left out) and issuerSerial. */
    static Attribute signingCertificateV2(X509CertificateHolder certificate) {
        try {
            byte[] hash = DigestAlgorithm.SHA256.digest(certificate.getEncoded());
            IssuerSerial issuerSerial = new IssuerSerial(
                    new GeneralNames(new GeneralName(X500Name.getInstance(certificate.getIssuer()))),
                    certificate.getSerialNumber());
            return new Attribute(
                    PKCSObjectIdentifiers.id_aa_signingCertificateV2,
                    new DERSet(new SigningCertificateV2(new ESSCertIDv2(hash, issuerSerial))));
        } catch (IOException e) {
            throw new SignException(SignException.ENCODING_FAILED, "the certificate cannot be encoded", e);
        }
    }

    /** The content digest, computed elsewhere: the CMS generator is handed no content. */
    private record PrecomputedDigest(AlgorithmIdentifier algorithm, byte[] digest) implements DigestCalculator {
        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public byte[] getDigest() {
            return digest.clone();
        }
    }
}
