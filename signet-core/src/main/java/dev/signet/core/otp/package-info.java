/**
 * One-time passwords and their enrolment: HOTP (<a href="https://www.rfc-editor.org/rfc/rfc4226">RFC
 * 4226</a>) and TOTP (<a href="https://www.rfc-editor.org/rfc/rfc6238">RFC 6238</a>) codes, stateless
 * verification with replay refusal, HOTP resynchronisation, {@code otpauth://} URIs (<a
 * href="https://github.com/google/google-authenticator/wiki/Key-Uri-Format">Key Uri Format</a>) and
 * their QR codes, and single-use recovery codes.
 *
 * <p>The HOTP computation (HMAC, dynamic truncation) is {@code com.eatthepath:java-otp}'s; base32 is
 * Bouncy Castle's; QR encoding is ZXing's. Nothing here is hand-rolled cryptography.
 *
 * <p>This package holds no state and does no I/O. The caller stores the seed (encrypted), the last
 * accepted TOTP step or the next HOTP counter, and the recovery-code hashes; it updates them
 * atomically with each acceptance, throttles guesses (<a
 * href="https://www.rfc-editor.org/rfc/rfc4226#section-7.3">RFC 4226 section 7.3</a>) and writes the
 * audit log. Each verifier method says which of its steps are the caller's.
 */
package dev.signet.core.otp;
