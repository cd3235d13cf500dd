-- Second factors: one-time password devices, recovery codes, passkeys and WebAuthn challenges.
-- Secrets are sealed (OTP seeds) or stored as keyed hashes (recovery codes); a passkey's public
-- key is not secret. Times are epoch milliseconds.

-- A user's own MFA policy: NULL follows SIGNET_MFA_REQUIRED; ANY or PHISHING_RESISTANT can only
-- make it stricter. webauthn_handle: the random WebAuthn user handle (base64url of 32 bytes), made
-- at the first passkey registration; it never contains the username or the id.
ALTER TABLE app_user ADD COLUMN mfa_required VARCHAR(24);
ALTER TABLE app_user ADD COLUMN webauthn_handle VARCHAR(64);
CREATE UNIQUE INDEX app_user_webauthn_handle ON app_user (webauthn_handle);

-- TOTP (RFC 6238) and HOTP (RFC 4226) devices. secret: the seed, sealed with the key ring (bound to
-- this row). used_through: TOTP, the last accepted time step; HOTP, the last accepted counter
-- (-1 when none). A code is accepted once because acceptance is the conditional update
-- "SET used_through = :matched WHERE id = :id AND used_through < :matched": of concurrent requests
-- with the same code, exactly one updates the row. confirmed_at is NULL until the first correct
-- code completes enrolment; unconfirmed devices never sign anyone in.
CREATE TABLE otp_device (
    id           VARCHAR(40)  PRIMARY KEY,
    user_id      VARCHAR(40)  NOT NULL,
    name         VARCHAR(100) NOT NULL,
    type         VARCHAR(8)   NOT NULL,
    algorithm    VARCHAR(8)   NOT NULL,
    digits       INTEGER      NOT NULL,
    period       INTEGER      NOT NULL,
    secret       TEXT         NOT NULL,
    used_through BIGINT       NOT NULL,
    created_at   BIGINT       NOT NULL,
    confirmed_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX otp_device_user ON otp_device (user_id);

-- Recovery codes: the HMAC-SHA-256 of each code under a key derived from the master key, so a
-- copy of the database alone cannot be used to test guesses. Used by the conditional update
-- "SET used_at = :now WHERE ... AND used_at IS NULL". Regenerating deletes the old set.
CREATE TABLE recovery_code (
    user_id    VARCHAR(40) NOT NULL,
    code_hash  VARCHAR(64) NOT NULL,
    created_at BIGINT      NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Passkeys (WebAuthn credentials). credential_id: base64url of the credential id.
-- attested_data: webauthn4j's serialised attested credential data (AAGUID, id, COSE public key).
-- sign_count: the last signature counter seen; a lower one is a cloned authenticator.
CREATE TABLE passkey (
    id                 VARCHAR(40)   PRIMARY KEY,
    user_id            VARCHAR(40)   NOT NULL,
    credential_id      VARCHAR(1400) NOT NULL UNIQUE,
    name               VARCHAR(100)  NOT NULL,
    attested_data      TEXT          NOT NULL,
    attestation_format VARCHAR(32)   NOT NULL,
    aaguid             VARCHAR(36),
    transports         VARCHAR(200),
    sign_count         BIGINT        NOT NULL,
    backup_eligible    INTEGER       NOT NULL,
    backed_up          INTEGER       NOT NULL,
    created_at         BIGINT        NOT NULL,
    last_used_at       BIGINT
);
CREATE INDEX passkey_user ON passkey (user_id);

-- WebAuthn challenges: only the SHA-256 of the challenge is kept. Single use: the ceremony deletes
-- the row, and only the request whose DELETE removed it may go on. Expired rows are swept.
CREATE TABLE webauthn_challenge (
    challenge_hash VARCHAR(64) PRIMARY KEY,
    purpose        VARCHAR(16) NOT NULL,
    user_id        VARCHAR(40),
    created_at     BIGINT      NOT NULL,
    expires_at     BIGINT      NOT NULL
);
CREATE INDEX webauthn_challenge_expires ON webauthn_challenge (expires_at);
