package dev.signet.core.sign;

/**
 * Gets an RFC 3161 time-stamp token: the in-process {@link TimeStampAuthority}, or a client of a
 * remote one (<a href="https://www.rfc-editor.org/rfc/rfc3161#section-3.4">RFC 3161 §3.4</a>, over
 * HTTP).
 */
@FunctionalInterface
public interface Timestamper {
    /**
     * An RFC 3161 TimeStampToken (the DER of its ContentInfo, <a
     * href="https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2">RFC 3161 §2.4.2</a>) whose message
     * imprint is {@code imprint}, the {@code algorithm} digest of the data to time-stamp.
     *
     * @throws SignException {@code sign.timestamp_failed} when no token can be had
     */
    byte[] timestamp(DigestAlgorithm algorithm, byte[] imprint);
}
