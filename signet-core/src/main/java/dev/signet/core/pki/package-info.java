/**
 * The certificate authority's core: key algorithms, profiles, CAs and the issuance pipeline, as
 * plain Java over Bouncy Castle's {@code bcpkix}.
 *
 * <p>Issuance follows <a href="https://www.rfc-editor.org/rfc/rfc5280">RFC 5280</a> and runs in a
 * fixed order ({@link dev.signet.core.pki.Issuer}): request checks → the profile fills in extensions
 * → certificate checks → the certificate. CA keys sign through a {@link dev.signet.core.pki.Signer}
 * port, so a key in memory and a hardware token fit the same slot.
 *
 * <p>Revocation: {@link dev.signet.core.pki.Crls} signs CRLs (RFC 5280 §5) from a list of {@link
 * dev.signet.core.pki.RevokedCertificate}s, and {@link dev.signet.core.pki.OcspResponder} turns a
 * DER OCSP request into a signed DER response (RFC 6960) from a status port. An existing CA is
 * imported from PKCS#12 or PEM with {@link dev.signet.core.pki.CertificateAuthority#importFrom}.
 *
 * <p>This package does not store certificates, keys or revocations, number CRLs, schedule or serve
 * them, speak HTTP, or decide who may issue or revoke: those are the caller's job. Every refusal is a {@link
 * dev.signet.core.pki.PkiException} with a stable code.
 */
package dev.signet.core.pki;
