package dev.signet.core.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Issues certificates for one CA: the fixed pipeline of the DESIGN, in numbered steps. Each
 * refusal is a {@link PkiException}; when one is thrown nothing was signed.
 *
 * <p><b>Request checks</b> (<a href="https://www.rfc-editor.org/rfc/rfc2986">RFC 2986</a>):
 *
 * <ol>
 *   <li>The CSR parses as one DER (or PEM) CertificationRequest, nothing after it: {@code
 *       csr.malformed}.
 *   <li>Its signature algorithm is ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512, Ed25519 or
 *       ML-DSA-65; SHA-1, MD5 and anything else: {@code csr.forbidden_algorithm}.
 *   <li>Its key is one of {@link KeyAlgorithm}: {@code csr.key_too_small} for RSA below 2048 bits,
 *       {@code csr.forbidden_algorithm} otherwise.
 *   <li>Proof of possession: the self-signature verifies under the subject key (RFC 2986 §3): {@code
 *       csr.bad_signature}.
 *   <li>The profile allows the key algorithm: {@code profile.key_not_allowed}.
 *   <li>The subject is not empty ({@code csr.empty_subject}) and sets only single-valued attributes
 *       the profile allows ({@code profile.subject_not_allowed}).
 *   <li>Requested subject alternative names (the extensionRequest attribute, PKCS#9) are of types
 *       the profile allows ({@code profile.san_not_allowed}) and well formed ({@code csr.bad_san}).
 *       Every other requested extension is ignored: the profile decides.
 *   <li>The requested validity is positive ({@code profile.bad_validity}) and at most the
 *       profile's maximum ({@code profile.validity_too_long}): refused, not shortened.
 * </ol>
 *
 * <p><b>The profile fills in</b> (<a href="https://www.rfc-editor.org/rfc/rfc5280#section-4.2">RFC
 * 5280 §4.2</a>):
 *
 * <ol start="9">
 *   <li>A 128-bit random positive serial; notBefore one minute back (clock skew of relying parties),
 *       but not before the CA's notBefore; notAfter = now + validity, capped at the CA's notAfter.
 *   <li>Basic constraints and key usage (critical), extended key usage, SKI (RFC 7093 method 1),
 *       AKI = the CA's SKI, the SANs, CRL distribution point, AIA (OCSP, caIssuers) and, for OCSP
 *       signing, id-pkix-ocsp-nocheck.
 * </ol>
 *
 * <p><b>Certificate checks</b>:
 *
 * <ol start="11">
 *   <li>The CA certificate is a CA that may sign certificates ({@code ca.not_a_ca}) and is valid now
 *       ({@code ca.not_valid_now}).
 *   <li>Path length (RFC 5280 §4.2.1.9): a CA is issued only under a CA whose pathLenConstraint
 *       leaves room, and with a smaller one: {@code ca.path_length_exceeded}.
 *   <li>Key usage fits the key: keyEncipherment and dataEncipherment only for RSA, keyAgreement only
 *       for EC ({@code profile.key_usage_mismatch}).
 *   <li>Name chaining (RFC 5280 §6.1.4 (a)): the issuer name is the CA's subject name, byte for byte
 *       ({@code ca.name_chaining}).
 *   <li>Sign through the CA's {@link Signer}; the certificate is the result. Storing it, and
 *       recording the serial, is the caller's job.
 * </ol>
 */
public final class Issuer {
    /** The CSR signature algorithms accepted (step 2), with the JCA name that verifies each (step 4). */
    private static final Map<ASN1ObjectIdentifier, String> CSR_SIGNATURES = Map.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA",
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            NISTObjectIdentifiers.id_ml_dsa_65, "ML-DSA-65");

    private static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]+)-----END (NEW )?CERTIFICATE REQUEST-----\\s*");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern EMAIL = Pattern.compile("[!-?A-~&&[^@]]+@[A-Za-z0-9.-]+");

    private final CertificateAuthority ca;
    private final PublicationUrls urls;
    private final Clock clock;
    private final X500Name issuerName;
    private final byte[] issuerKeyId;

    public Issuer(CertificateAuthority ca, PublicationUrls urls, Clock clock) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.urls = Objects.requireNonNull(urls, "urls");
        this.clock = Objects.requireNonNull(clock, "clock");
        X509CertificateHolder holder = Certs.holder(ca.certificate());
        this.issuerName = holder.getSubject();
        Extension ski = holder.getExtension(Extension.subjectKeyIdentifier);
        this.issuerKeyId = ski != null
                ? SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()
                : Certs.keyIdentifier(holder.getSubjectPublicKeyInfo());
    }

    /** The CA this issuer signs for. */
    public CertificateAuthority ca() {
        return ca;
    }

    /** Issues for {@code csr} (DER or PEM) with the profile's default validity. */
    public X509Certificate issue(byte[] csr, Profile profile) {
        return issue(csr, profile, profile.defaultValidity());
    }

    /**
     * Issues for {@code csr} (DER or PEM) under {@code profile}, valid for {@code validity} (or
     * less, where the CA's own validity ends sooner). See the class comment for the steps.
     *
     * @throws PkiException with the code of the first step that refuses
     */
    public X509Certificate issue(byte[] csr, Profile profile, Duration validity) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(validity, "validity");
        // Request checks
        PKCS10CertificationRequest request = step1Parse(csr);
        step2SignatureAlgorithm(request);
        KeyAlgorithm algorithm = step3KeyAlgorithm(request.getSubjectPublicKeyInfo());
        step4ProofOfPossession(request, algorithm);
        step5KeyAllowed(profile, algorithm);
        step6Subject(profile, request.getSubject());
        Optional<GeneralNames> sans = step7SubjectAltNames(profile, request);
        step8Validity(profile, validity);
        // The profile fills in
        Instant now = Certs.seconds(clock.instant());
        X509v3CertificateBuilder builder = step9Frame(request, now, validity);
        step10Extensions(builder, profile, request.getSubjectPublicKeyInfo(), sans);
        // Certificate checks
        step11IssuerIsValidCa(now);
        step12PathLength(profile);
        step13KeyUsageFitsKey(profile, algorithm);
        step14NameChaining();
        return step15Sign(builder);
    }

    /**
     * "Generate for me": a new key pair of the request's (or the profile's preferred) algorithm and a
     * certificate for it, issued through {@link #issue(byte[], Profile, Duration)} from a CSR made
     * here, so it passes the same checks.
     */
    public Credential generate(Profile profile, KeyRequest request) {
        KeyAlgorithm algorithm = request.algorithm().orElse(profile.preferredKey());
        step5KeyAllowed(profile, algorithm);
        Duration validity = request.validity().orElse(profile.defaultValidity());
        step8Validity(profile, validity);
        KeyPair keyPair = algorithm.generateKeyPair();
        byte[] csr = csr(request.subject(), request.sans(), new KeySigner(algorithm, keyPair));
        X509Certificate certificate = issue(csr, profile, validity);
        return new Credential(keyPair.getPrivate(), certificate, ca.chain());
    }

    /** A DER PKCS#10 request for {@code subject} and {@code sans}, signed by {@code signer}. */
    static byte[] csr(X500Name subject, List<San> sans, Signer signer) {
        try {
            var builder = new JcaPKCS10CertificationRequestBuilder(subject, signer.publicKey());
            if (!sans.isEmpty()) {
                GeneralName[] names = new GeneralName[sans.size()];
                for (int i = 0; i < names.length; i++) {
                    names[i] = generalName(sans.get(i));
                }
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            return builder.build(new SignerContentSigner(signer)).getEncoded();
        } catch (IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "the request cannot be encoded", e);
        }
    }

    private static GeneralName generalName(San san) {
        try {
            return new GeneralName(san.type().tag(), san.value());
        } catch (IllegalArgumentException e) {
            throw new PkiException(PkiException.CSR_BAD_SAN, "not a valid " + san.type() + " name", e);
        }
    }

    private static PKCS10CertificationRequest step1Parse(byte[] csr) {
        if (csr == null || csr.length == 0) {
            throw new PkiException(PkiException.CSR_MALFORMED, "no certificate request");
        }
        byte[] der = csr;
        if (csr[0] == '-') {
            Matcher pem = PEM.matcher(new String(csr, StandardCharsets.US_ASCII));
            if (!pem.matches()) {
                throw new PkiException(PkiException.CSR_MALFORMED, "not a PEM certificate request");
            }
            try {
                der = Base64.getMimeDecoder().decode(pem.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw new PkiException(PkiException.CSR_MALFORMED, "the PEM body is not base64", e);
            }
        }
        try {
            PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
            // Parse what later steps read, so a bad encoding is "malformed", not a crash later.
            request.getSubject();
            request.getSubjectPublicKeyInfo().getAlgorithm();
            request.getAttributes();
            return request;
        } catch (IOException | RuntimeException e) {
            throw new PkiException(PkiException.CSR_MALFORMED, "not a PKCS#10 certificate request", e);
        }
    }

    private static void step2SignatureAlgorithm(PKCS10CertificationRequest request) {
        ASN1ObjectIdentifier algorithm = request.getSignatureAlgorithm().getAlgorithm();
        if (!CSR_SIGNATURES.containsKey(algorithm)) {
            throw new PkiException(
                    PkiException.CSR_FORBIDDEN_ALGORITHM,
                    "the request is signed with a refused algorithm " + algorithm);
        }
    }

    private static KeyAlgorithm step3KeyAlgorithm(SubjectPublicKeyInfo key) {
        return KeyAlgorithm.of(key)
                .orElseThrow(() -> new PkiException(
                        PkiException.CSR_FORBIDDEN_ALGORITHM,
                        "the request's key algorithm is not supported: "
                                + key.getAlgorithm().getAlgorithm()));
    }

    private static void step4ProofOfPossession(PKCS10CertificationRequest request, KeyAlgorithm algorithm) {
        // One verification with java.security.Signature over the DER CertificationRequestInfo, as
        // PKCS10CertificationRequest.isSignatureValid reads it. Not through Bouncy Castle's
        // JcaContentVerifierProviderBuilder: for ECDSA and RSA its verifier also runs a second,
        // "raw" Signature over nothing after the real one (to release PKCS#11 sessions), a whole
        // second P-256 verification per request (docs/benchmarks.md, "Certificate issuance").
        CertificationRequest structure = request.toASN1Structure();
        String signatureName =
                CSR_SIGNATURES.get(request.getSignatureAlgorithm().getAlgorithm());
        PublicKey key;
        try {
            key = algorithm.decodePublicKey(request.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new PkiException(PkiException.CSR_MALFORMED, "the request's public key cannot be read", e);
        }
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(signatureName, algorithm.verifyProvider());
            verifier.initVerify(key);
            verifier.update(structure.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            valid = verifier.verify(structure.getSignature().getOctets());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // A key of another family than the signature algorithm (an RSA key under ecdsa-with-*),
            // a signature that is not a valid encoding: the proof of possession fails.
            valid = false;
        }
        if (!valid) {
            throw new PkiException(PkiException.CSR_BAD_SIGNATURE, "the request's signature does not verify");
        }
    }

    private static void step5KeyAllowed(Profile profile, KeyAlgorithm algorithm) {
        if (!profile.allowedKeys().contains(algorithm)) {
            throw new PkiException(
                    PkiException.PROFILE_KEY_NOT_ALLOWED,
                    "profile " + profile.name() + " does not allow " + algorithm.id());
        }
    }

    private static void step6Subject(Profile profile, X500Name subject) {
        if (subject.getRDNs().length == 0) {
            throw new PkiException(PkiException.CSR_EMPTY_SUBJECT, "the request's subject is empty");
        }
        for (RDN rdn : subject.getRDNs()) {
            if (rdn.isMultiValued()) {
                throw new PkiException(
                        PkiException.PROFILE_SUBJECT_NOT_ALLOWED, "multi-valued subject attributes are not allowed");
            }
            AttributeTypeAndValue attribute = rdn.getFirst();
            boolean allowed = SubjectAttribute.ofType(attribute.getType())
                    .filter(profile.subjectAttributes()::contains)
                    .isPresent();
            if (!allowed) {
                throw new PkiException(
                        PkiException.PROFILE_SUBJECT_NOT_ALLOWED,
                        "profile " + profile.name() + " does not allow subject attribute " + attribute.getType());
            }
        }
    }

    private static Optional<GeneralNames> step7SubjectAltNames(Profile profile, PKCS10CertificationRequest request) {
        Attribute[] requests = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (requests.length == 0) {
            return Optional.empty();
        }
        GeneralNames names;
        try {
            if (requests.length != 1 || requests[0].getAttrValues().size() != 1) {
                throw new IllegalArgumentException("extensionRequest must appear once with one value");
            }
            Extensions extensions =
                    Extensions.getInstance(requests[0].getAttrValues().getObjectAt(0));
            names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        } catch (RuntimeException e) {
            throw new PkiException(PkiException.CSR_MALFORMED, "the requested extensions cannot be read", e);
        }
        if (names == null) {
            return Optional.empty();
        }
        for (GeneralName name : names.getNames()) {
            SanType type = SanType.ofTag(name.getTagNo())
                    .filter(profile.sanTypes()::contains)
                    .orElseThrow(() -> new PkiException(
                            PkiException.PROFILE_SAN_NOT_ALLOWED,
                            "profile " + profile.name() + " does not allow subject alternative names of tag "
                                    + name.getTagNo()));
            if (!wellFormed(type, name.getName())) {
                throw new PkiException(PkiException.CSR_BAD_SAN, "malformed " + type + " subject alternative name");
            }
        }
        return names.getNames().length == 0 ? Optional.empty() : Optional.of(names);
    }

    private static boolean wellFormed(SanType type, ASN1Encodable value) {
        if (type == SanType.IP) {
            int length = ASN1OctetString.getInstance(value).getOctets().length;
            return length == 4 || length == 16;
        }
        if (!(value instanceof ASN1IA5String ia5)) {
            return false;
        }
        String text = ia5.getString();
        return switch (type) {
            case DNS -> text.length() <= 253 && DNS_NAME.matcher(text).matches();
            case EMAIL -> text.length() <= 254 && EMAIL.matcher(text).matches();
            case URI -> isAbsoluteUri(text);
            case IP -> false;
        };
    }

    private static boolean isAbsoluteUri(String text) {
        try {
            return new URI(text).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void step8Validity(Profile profile, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new PkiException(PkiException.PROFILE_BAD_VALIDITY, "validity must be positive");
        }
        if (validity.compareTo(profile.maxValidity()) > 0) {
            throw new PkiException(
                    PkiException.PROFILE_VALIDITY_TOO_LONG,
                    "profile " + profile.name() + " allows at most "
                            + profile.maxValidity().toDays() + " days");
        }
    }

    private X509v3CertificateBuilder step9Frame(PKCS10CertificationRequest request, Instant now, Duration validity) {
        Instant caNotBefore = ca.certificate().getNotBefore().toInstant();
        Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
        Instant notBefore = max(now.minus(BACKDATE), caNotBefore);
        Instant notAfter = min(now.plus(validity), caNotAfter);
        BigInteger serial = Certs.serial();
        return new X509v3CertificateBuilder(
                issuerName,
                serial,
                Date.from(notBefore),
                Date.from(notAfter),
                request.getSubject(),
                request.getSubjectPublicKeyInfo());
    }

    private void step10Extensions(
            X509v3CertificateBuilder builder, Profile profile, SubjectPublicKeyInfo key, Optional<GeneralNames> sans) {
        try {
            BasicConstraints basic = !profile.ca()
                    ? new BasicConstraints(false)
                    : profile.pathLength().isPresent()
                            ? new BasicConstraints(profile.pathLength().getAsInt())
                            : new BasicConstraints(true);
            builder.addExtension(Extension.basicConstraints, true, basic);
            int bits = 0;
            for (KeyUse use : profile.keyUsage()) {
                bits |= use.bit();
            }
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(bits));
            if (!profile.extendedKeyUsage().isEmpty()) {
                KeyPurposeId[] purposes = EnumSet.copyOf(profile.extendedKeyUsage()).stream()
                        .map(ExtendedUse::purpose)
                        .toArray(KeyPurposeId[]::new);
                builder.addExtension(
                        Extension.extendedKeyUsage, profile.extendedKeyUsageCritical(), new ExtendedKeyUsage(purposes));
            }
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(Certs.keyIdentifier(key)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
            if (sans.isPresent()) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans.get());
            }
            GeneralName crl = new GeneralName(
                    GeneralName.uniformResourceIdentifier, urls.crl().toString());
            builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                new DistributionPoint(new DistributionPointName(new GeneralNames(crl)), null, null)
            }));
            builder.addExtension(
                    Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[] {
                        new AccessDescription(
                                AccessDescription.id_ad_ocsp,
                                new GeneralName(
                                        GeneralName.uniformResourceIdentifier,
                                        urls.ocsp().toString())),
                        new AccessDescription(
                                AccessDescription.id_ad_caIssuers,
                                new GeneralName(
                                        GeneralName.uniformResourceIdentifier,
                                        urls.caIssuers().toString()))
                    }));
            if (profile.ocspNoCheck()) {
                builder.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            }
        } catch (CertIOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "an extension cannot be encoded", e);
        }
    }

    private void step11IssuerIsValidCa(Instant now) {
        X509Certificate certificate = ca.certificate();
        boolean[] keyUsage = certificate.getKeyUsage();
        if (certificate.getBasicConstraints() < 0 || keyUsage != null && !keyUsage[5]) {
            throw new PkiException(PkiException.CA_NOT_A_CA, "the issuing certificate may not sign certificates");
        }
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isBefore(notBefore) || !now.isBefore(notAfter)) {
            throw new PkiException(PkiException.CA_NOT_VALID_NOW, "the issuing CA is not valid now");
        }
    }

    private void step12PathLength(Profile profile) {
        if (!profile.ca()) {
            return;
        }
        int issuerPathLength = ca.certificate().getBasicConstraints();
        if (issuerPathLength == 0) {
            throw new PkiException(
                    PkiException.CA_PATH_LENGTH_EXCEEDED,
                    "the issuing CA's path length constraint is 0: no CA under it");
        }
        int limit = issuerPathLength == Integer.MAX_VALUE ? Integer.MAX_VALUE : issuerPathLength - 1;
        if (profile.pathLength().orElse(Integer.MAX_VALUE) > limit) {
            throw new PkiException(
                    PkiException.CA_PATH_LENGTH_EXCEEDED,
                    "a CA under this issuer needs a path length constraint of at most " + limit);
        }
    }

    private static void step13KeyUsageFitsKey(Profile profile, KeyAlgorithm algorithm) {
        boolean rsa = algorithm.rsaBits().isPresent();
        boolean ec = algorithm == KeyAlgorithm.EC_P256 || algorithm == KeyAlgorithm.EC_P384;
        Set<KeyUse> uses = profile.keyUsage();
        if (!rsa && (uses.contains(KeyUse.KEY_ENCIPHERMENT) || uses.contains(KeyUse.DATA_ENCIPHERMENT))) {
            throw new PkiException(
                    PkiException.PROFILE_KEY_USAGE_MISMATCH, algorithm.id() + " keys cannot encipher (RFC 5480, 8410)");
        }
        if (!ec && uses.contains(KeyUse.KEY_AGREEMENT)) {
            throw new PkiException(
                    PkiException.PROFILE_KEY_USAGE_MISMATCH, algorithm.id() + " keys cannot do key agreement");
        }
    }

    private void step14NameChaining() {
        // issuerName was taken from the CA certificate's own encoding; this guards the invariant.
        if (!Arrays.equals(der(issuerName), caSubject())) {
            throw new PkiException(PkiException.CA_NAME_CHAINING, "issuer name differs from the CA's subject");
        }
    }

    private X509Certificate step15Sign(X509v3CertificateBuilder builder) {
        X509CertificateHolder holder = builder.build(ca.contentSigner());
        if (!Arrays.equals(der(holder.getIssuer()), caSubject())) {
            throw new PkiException(PkiException.CA_NAME_CHAINING, "issuer name differs from the CA's subject");
        }
        return Certs.toX509(holder);
    }

    private static byte[] der(X500Name name) {
        try {
            return name.getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException(PkiException.ENCODING_FAILED, "a name cannot be encoded", e);
        }
    }

    private byte[] caSubject() {
        return ca.certificate().getSubjectX500Principal().getEncoded();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
