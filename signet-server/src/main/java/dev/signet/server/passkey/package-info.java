/**
 * Passkeys: WebAuthn Level 3 registration and authentication ceremonies, verified with webauthn4j,
 * and the storage of credentials ({@code passkey}) and single-use challenges ({@code
 * webauthn_challenge}).
 *
 * <p>Does: issue creation and request options (in the WebAuthn JSON form the browser's {@code
 * PublicKeyCredential.parse*OptionsFromJSON} takes), parse and verify what the browser returns, keep
 * sign counters, detect cloned authenticators, and audit every outcome with a stable reason code.
 *
 * <p>Does not: touch HTTP sessions, cookies or the security context (the web layer binds a challenge
 * to a browser session and signs the user in), decide whether a passkey is required (the MFA policy),
 * or trust attestation certificates: attestation is recorded, not used to restrict authenticators.
 */
package dev.signet.server.passkey;
