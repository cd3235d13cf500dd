package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.sign.DigestAlgorithm;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who makes the signatures for {@code signet sign}: the server's key ({@link RemoteBackend}, only
 * digests travel) or a local PKCS#12 ({@link LocalBackend}, offline). Both take a batch of digests
 * and answer one signature per digest, in order; the files never reach a backend.
 */
interface SignBackend {
    /** A detached CMS SignedData (DER) over a file's digest (RFC 5652), the form of .p7s files and JAR blocks. */
    String CMS = "cms";
    /** A plain signature over the digest bytes, for bundles. */
    String RAW = "raw";

    /** One digest to sign; {@code name} goes to the server's audit log. */
    record Request(String name, byte[] digest) {}

    /**
     * One answer.
     *
     * @param signature DER CMS for {@link #CMS}, the raw signature value for {@link #RAW}
     * @param timestamp for {@link #RAW}: an RFC 3161 token over the signature value, or null
     */
    record Signed(byte[] signature, byte[] timestamp) {}

    /** For messages: "key 'release' on https://signet.example.com". */
    String describe();

    /** The one digest the key's signatures use ({@link DigestAlgorithm#forKey}). */
    DigestAlgorithm digestAlgorithm();

    /** The JCA name of the key's signature algorithm, e.g. SHA256withECDSA. */
    String signatureAlgorithm();

    /** The signing certificate first, then its CAs. */
    List<X509Certificate> chain();

    /** A default name for the .SF/.EC files of a signed JAR. */
    String signerName();

    /**
     * Signs a batch of at most {@link SignRun#MAX_BATCH} digests of one {@code kind}.
     *
     * @throws SignetException when nothing was signed: {@link ApiClient.ApiException} for a refusal,
     *     {@code cli.unreachable} when the server cannot be reached
     */
    List<Signed> sign(String kind, List<Request> batch);
}
