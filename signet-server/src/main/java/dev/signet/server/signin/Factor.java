package dev.signet.server.signin;

/**
 * A way a user proved who they are in a session, with its Authentication Method Reference value
 * (<a href="https://www.rfc-editor.org/rfc/rfc8176#section-2">RFC 8176 section 2</a>) for the OIDC
 * {@code amr} claim.
 */
public enum Factor {
    /** The account password. */
    PWD("pwd", false),
    /** A TOTP or HOTP code. */
    OTP("otp", false),
    /** A single-use recovery code: a one-time password in RFC 8176's terms. */
    RECOVERY_CODE("otp", false),
    /** A device-bound passkey (not backup-eligible): hardware-secured key. */
    HWK("hwk", true),
    /** A synced passkey (backup-eligible): software-secured key. */
    SWK("swk", true);

    private final String amr;
    private final boolean phishingResistant;

    Factor(String amr, boolean phishingResistant) {
        this.amr = amr;
        this.phishingResistant = phishingResistant;
    }

    /** The RFC 8176 value. */
    public String amr() {
        return amr;
    }

    /** True for passkeys: bound to the origin by the browser, so a look-alike site gets nothing usable. */
    public boolean phishingResistant() {
        return phishingResistant;
    }

    /** A passkey is a second factor by itself: possession of the key plus user verification. */
    public boolean passkey() {
        return this == HWK || this == SWK;
    }
}
