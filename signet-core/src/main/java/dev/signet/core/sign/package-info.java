/**
 * Code and file signing over Bouncy Castle: detached CMS signatures made from a digest ({@link
 * dev.signet.core.sign.CmsSigner}, <a href="https://www.rfc-editor.org/rfc/rfc5652">RFC 5652</a>), an
 * RFC 3161 time-stamp authority ({@link dev.signet.core.sign.TimeStampAuthority}), signed JARs ({@link
 * dev.signet.core.sign.JarSignature}), plain signature bundles, and a verifier for all three ({@link
 * dev.signet.core.sign.SignatureVerifier}) that checks digest, signature, chain, code-signing EKU,
 * revocation and time-stamp.
 *
 * <p>Keys sign through the {@link dev.signet.core.pki.Signer} port. Nothing here stores keys, speaks
 * HTTP (revocation fetches are injected functions) or decides who may sign: those are the caller's.
 * Formats and how to check them by hand: {@code docs/signing-formats.md}.
 */
package dev.signet.core.sign;
