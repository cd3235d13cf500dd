-- OpenID Connect provider state (dev.signet.server.oidc): grants and their one-time tokens,
-- consents, used client assertions, revoked access tokens, and the token-signing keys. No token is
-- stored in the clear: one-time tokens by their SHA-256 (hex), everything else sealed with the key
-- ring. Times are epoch milliseconds.

-- One grant ("authorization"): what a client was given for a user (authorization code and device
-- grants) and the tokens issued from it. The row id is the token family: every access, refresh and
-- ID token issued from it belongs to it, and revoking it (revoked_at) ends them all.
-- data: the grant as Spring Security's authorization server holds it (principal, request, token
-- metadata; token values replaced by their hashes), serialised and sealed, bound to the row.
-- version: optimistic concurrency. Every change is "UPDATE ... WHERE id = ? AND version = ? AND
-- revoked_at IS NULL"; two requests racing on one code or one refresh token cannot both succeed,
-- and the loser revokes the family (RFC 6749 section 4.1.2, RFC 9700 section 4.14.2).
-- sid: the OpenID Connect session (a Signet browser session) the grant was made in, for logout.
-- expires_at: when the last token of the family expires; the row is swept some time after.
-- Client-credentials grants are never stored: their access tokens are self-contained.
CREATE TABLE oauth_authorization (
    id             VARCHAR(40)   PRIMARY KEY,
    client_id      VARCHAR(40)   NOT NULL,
    principal_name VARCHAR(200)  NOT NULL,
    user_id        VARCHAR(40),
    grant_type     VARCHAR(80)   NOT NULL,
    scopes         VARCHAR(2000) NOT NULL,
    sid            VARCHAR(64),
    offline        INTEGER       NOT NULL,
    version        INTEGER       NOT NULL,
    created_at     BIGINT        NOT NULL,
    updated_at     BIGINT        NOT NULL,
    expires_at     BIGINT        NOT NULL,
    revoked_at     BIGINT,
    revoked_reason VARCHAR(40),
    data           TEXT          NOT NULL
);
CREATE INDEX oauth_authorization_user ON oauth_authorization (user_id, client_id);
CREATE INDEX oauth_authorization_client ON oauth_authorization (client_id);
CREATE INDEX oauth_authorization_sid ON oauth_authorization (sid);
CREATE INDEX oauth_authorization_expires ON oauth_authorization (expires_at);

-- The one-time and lookup tokens of a grant, by SHA-256 of the value: authorization codes, refresh
-- tokens (the current one and every one it replaced), ID tokens (for id_token_hint), device codes,
-- user codes and consent states. used_at: consumed, rotated or revoked; set by a conditional
-- "UPDATE ... WHERE token_hash = ? AND used_at IS NULL", so a code is redeemed once. A used refresh
-- token presented again is reuse: the family is revoked.
CREATE TABLE oauth_token (
    token_hash       VARCHAR(64) PRIMARY KEY,
    authorization_id VARCHAR(40) NOT NULL REFERENCES oauth_authorization (id) ON DELETE CASCADE,
    kind             VARCHAR(16) NOT NULL,
    issued_at        BIGINT      NOT NULL,
    expires_at       BIGINT      NOT NULL,
    used_at          BIGINT
);
CREATE INDEX oauth_token_authorization ON oauth_token (authorization_id);

-- Access tokens revoked before they expire (RFC 7009), by their jti. Only revocation writes here;
-- issuing and checking a token does not. Rows go once the token would have expired anyway.
CREATE TABLE oauth_revoked_jti (
    jti        VARCHAR(128) PRIMARY KEY,
    expires_at BIGINT       NOT NULL
);
CREATE INDEX oauth_revoked_jti_expires ON oauth_revoked_jti (expires_at);

-- private_key_jwt client assertions seen (RFC 7523 section 3, item 7): the SHA-256 of each jti,
-- kept until the assertion expires. An assertion is accepted only by the request whose INSERT adds
-- its row, so a replayed assertion is refused even when the two race.
CREATE TABLE oauth_client_assertion (
    client_id  VARCHAR(40) NOT NULL,
    jti_hash   VARCHAR(64) NOT NULL,
    expires_at BIGINT      NOT NULL,
    PRIMARY KEY (client_id, jti_hash)
);
CREATE INDEX oauth_client_assertion_expires ON oauth_client_assertion (expires_at);

-- What a user allowed a client (scopes, space-separated). principal_name: the username at the time.
CREATE TABLE oauth_consent (
    client_id      VARCHAR(40)   NOT NULL,
    principal_name VARCHAR(200)  NOT NULL,
    user_id        VARCHAR(40),
    scopes         VARCHAR(2000) NOT NULL,
    created_at     BIGINT        NOT NULL,
    updated_at     BIGINT        NOT NULL,
    PRIMARY KEY (client_id, principal_name)
);
CREATE INDEX oauth_consent_user ON oauth_consent (user_id);

-- Token-signing keys (ES256, RS256, EdDSA). private_key: PKCS#8, sealed with the key ring (bound to
-- the row). public_jwk: the public JWK as published at /oauth2/jwks. retired_at: when it stopped
-- signing (NULL: the current key of its algorithm); publish_until: it stays in the JWK Set until
-- then, past the expiry of every token it signed.
CREATE TABLE oidc_signing_key (
    kid           VARCHAR(64) PRIMARY KEY,
    algorithm     VARCHAR(16) NOT NULL,
    public_jwk    TEXT        NOT NULL,
    private_key   TEXT        NOT NULL,
    created_at    BIGINT      NOT NULL,
    retired_at    BIGINT,
    publish_until BIGINT
);
CREATE INDEX oidc_signing_key_algorithm ON oidc_signing_key (algorithm, retired_at);
