package dev.signet.core.sign;

import dev.signet.core.crypto.Secure;
import dev.signet.core.pki.Signer;
import dev.signet.core.pki.SignerContentSigner;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.tsp.TimeStampReq;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInfoGeneratorBuilder;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.bouncycastle.util.CollectionStore;
import org.bouncycastle.util.Store;

/**
 * A time-stamp authority (<a href="https://www.rfc-editor.org/rfc/rfc3161">RFC 3161</a>) over Bouncy
 * Castle's TSP classes; HTTP (§3.4) is the caller's job. {@link #respond(byte[])} answers every input
 * with a DER TimeStampResp, in these steps:
 *
 * <ol>
 *   <li>The input parses as exactly one DER TimeStampReq (§2.4.1): else status rejection, failInfo
 *       badDataFormat.
 *   <li>The message imprint's hash is SHA-256, SHA-384 or SHA-512: else rejection, badAlg; a hashed
 *       message of the wrong length for it: rejection, badDataFormat. A reqPolicy other than this
 *       TSA's policy: rejection, unacceptedPolicy; any request extension: rejection, unacceptedExtension
 *       (§2.4.2).
 *   <li>Granted: a TSTInfo with this TSA's policy, the imprint, a random positive 128-bit serial
 *       number, genTime = the clock (second precision) with an accuracy of one second, the request's
 *       nonce copied, and tsa = the TSA certificate's subject.
 *   <li>The token is a CMS SignedData signed by the TSA key with the signingCertificateV2 attribute
 *       (ESSCertIDv2 over SHA-256, <a href="https://www.rfc-editor.org/rfc/rfc5816">RFC 5816</a>); the
 *       TSA's chain is in {@code certificates} only when the request's certReq is true (§2.4.1).
 * </ol>
 *
 * <p>The TSA certificate must carry extended key usage id-kp-timeStamping alone, critical (§2.3): the
 * {@code timestamping} profile issues exactly that. Thread-safe.
 */
public final class TimeStampAuthority implements Timestamper {
    /** Signet's default TSA policy: an arc under Signet's example enterprise number. */
    public static final String DEFAULT_POLICY = "1.3.6.1.4.1.55555.7.1";

    private static final Set<ASN1ObjectIdentifier> ACCEPTED_ALGORITHMS =
            Set.of(DigestAlgorithm.SHA256.oid(), DigestAlgorithm.SHA384.oid(), DigestAlgorithm.SHA512.oid());

    private final Signer signer;
    private final List<X509Certificate> chain;
    private final X509CertificateHolder certificate;
    private final Store<X509CertificateHolder> certificates;
    private final ASN1ObjectIdentifier policy;
    private final Clock clock;
    private final DigestCalculatorProvider digests;

    /**
     * @param signer the TSA key
     * @param chain the TSA certificate (timestamping profile) first, then its CAs
     * @param policyOid the TSA policy (§2.4.2), for example {@link #DEFAULT_POLICY}
     * @param clock the time source of genTime
     * @throws SignException {@code sign.chain_mismatch} when the first certificate is not the key's
     * @throws IllegalArgumentException when the certificate is not a time-stamping certificate
     */
    public TimeStampAuthority(Signer signer, List<X509Certificate> chain, String policyOid, Clock clock) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.chain = List.copyOf(chain);
        this.policy = new ASN1ObjectIdentifier(Objects.requireNonNull(policyOid, "policyOid"));
        this.clock = Objects.requireNonNull(clock, "clock");
        if (this.chain.isEmpty()
                || !MessageDigest.isEqual(
                        this.chain.get(0).getPublicKey().getEncoded(),
                        signer.publicKey().getEncoded())) {
            throw new SignException(
                    SignException.CHAIN_MISMATCH, "the chain does not start with the TSA's certificate");
        }
        List<X509CertificateHolder> holders = new ArrayList<>();
        try {
            for (X509Certificate c : this.chain) {
                holders.add(new X509CertificateHolder(c.getEncoded()));
            }
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (CertificateEncodingException | IOException | OperatorCreationException e) {
            throw new SignException(SignException.ENCODING_FAILED, "the TSA chain cannot be encoded", e);
        }
        this.certificate = holders.get(0);
        this.certificates = new CollectionStore<>(holders);
        generator(); // fails now, not on the first request, for a certificate that is not a TSA's
    }

    /** The TSA's certificate chain, its own certificate first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The TSA policy OID. */
    public String policy() {
        return policy.getId();
    }

    /**
     * The DER TimeStampResp to the DER TimeStampReq {@code timeStampRequestDer}: granted, or a
     * rejection with a failInfo. Never throws for bad input. See the class comment for the steps.
     */
    public byte[] respond(byte[] timeStampRequestDer) {
        TimeStampRequest request;
        try {
            request = new TimeStampRequest(TimeStampReq.getInstance(ASN1Primitive.fromByteArray(timeStampRequestDer)));
        } catch (IOException | RuntimeException e) {
            return failure(PKIFailureInfo.badDataFormat, "the request is not a DER TimeStampReq");
        }
        try {
            TimeStampResponseGenerator responses =
                    new TimeStampResponseGenerator(generator(), ACCEPTED_ALGORITHMS, Set.of(policy), Set.of());
            TimeStampResponse response = responses.generate(request, serial(), Date.from(clock.instant()));
            return response.getEncoded(ASN1Encoding.DER);
        } catch (TSPException | IOException | RuntimeException e) {
            return failure(PKIFailureInfo.systemFailure, "the time-stamp cannot be made");
        }
    }

    /**
     * A token over {@code imprint}, without the DER round trip of {@link #respond}: certReq true, no
     * nonce (the token does not leave the process before it is embedded).
     *
     * @throws SignException {@code sign.digest_length} when the imprint is not an {@code algorithm}
     *     digest; {@code sign.timestamp_failed} when the token cannot be made
     */
    @Override
    public byte[] timestamp(DigestAlgorithm algorithm, byte[] imprint) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (imprint == null || imprint.length != algorithm.length()) {
            throw new SignException(
                    SignException.DIGEST_LENGTH,
                    "a " + algorithm.id() + " imprint is " + algorithm.length() + " bytes");
        }
        TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
        requests.setCertReq(true);
        TimeStampRequest request = requests.generate(algorithm.oid(), imprint);
        try {
            TimeStampToken token = generator().generate(request, serial(), Date.from(clock.instant()));
            return token.getEncoded();
        } catch (TSPException | IOException e) {
            throw new SignException(SignException.TIMESTAMP_FAILED, "the time-stamp cannot be made", e);
        }
    }

    /**
     * A token generator for one token: {@link SignerContentSigner} is single use. The signed attributes
     * get signingTime from the clock, not the system time Bouncy Castle would take.
     */
    private TimeStampTokenGenerator generator() {
        try {
            CMSAttributeTableGenerator signedAttributes =
                    parameters -> new DefaultSignedAttributeTableGenerator(new AttributeTable(new Attribute(
                                    CMSAttributes.signingTime, new DERSet(new Time(Date.from(clock.instant()))))))
                            .getAttributes(parameters);
            SignerInfoGenerator signerInfo = new SignerInfoGeneratorBuilder(digests)
                    .setSignedAttributeGenerator(signedAttributes)
                    .build(new SignerContentSigner(signer), certificate);
            DigestCalculator certIdDigest = digests.get(DigestAlgorithm.SHA256.algorithmIdentifier());
            TimeStampTokenGenerator generator = new TimeStampTokenGenerator(signerInfo, certIdDigest, policy, true);
            generator.addCertificates(certificates);
            generator.setAccuracySeconds(1);
            generator.setTSA(new GeneralName(certificate.getSubject()));
            return generator;
        } catch (OperatorCreationException | TSPException e) {
            throw new IllegalArgumentException("the TSA certificate or key cannot time-stamp: " + e.getMessage(), e);
        }
    }

    private static byte[] failure(int failInfo, String text) {
        try {
            return new TimeStampResponseGenerator(null, ACCEPTED_ALGORITHMS)
                    .generateFailResponse(PKIStatus.REJECTION, failInfo, text)
                    .getEncoded(ASN1Encoding.DER);
        } catch (TSPException | IOException e) {
            throw new IllegalStateException("a rejection cannot be encoded", e);
        }
    }

    /** A positive serial of 128 random bits (RFC 3161 §2.4.2: unique for each token of this TSA). */
    private static BigInteger serial() {
        while (true) {
            BigInteger serial = new BigInteger(1, Secure.randomBytes(16));
            if (serial.signum() > 0) {
                return serial;
            }
        }
    }
}
