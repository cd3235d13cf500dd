-- OpenID Connect clients (dev.signet.server.oidc.ClientService): the applications that sign people
-- in through Signet, and the services and devices that get tokens from it. Times are epoch
-- milliseconds; lifetimes are seconds.

-- One row per client. client_id: "sgc_" and 22 base64url characters (or a built-in id).
-- name_key: the lower-cased name (names are unique case-insensitively).
-- client_type: CONFIDENTIAL or PUBLIC. auth_method: CLIENT_SECRET_BASIC, CLIENT_SECRET_POST,
-- PRIVATE_KEY_JWT or NONE (public clients only).
-- secret_hash: base64url SHA-256 of the secret (a 256-bit random value, so a fast hash is enough);
-- NULL when the client has no secret. The secret itself is never stored.
-- jwks: the client's public keys (a JSON JWK Set) for PRIVATE_KEY_JWT; NULL otherwise.
-- redirect_uris, post_logout_redirect_uris: one exact URI per line ('' when none).
-- grant_types, scopes: space-separated. consent, require_mfa, enabled: 0 or 1.
CREATE TABLE oauth_client (
    client_id                 VARCHAR(40)   PRIMARY KEY,
    name                      VARCHAR(100)  NOT NULL,
    name_key                  VARCHAR(100)  NOT NULL UNIQUE,
    client_type               VARCHAR(16)   NOT NULL,
    auth_method               VARCHAR(32)   NOT NULL,
    secret_hash               VARCHAR(64),
    jwks                      TEXT,
    redirect_uris             TEXT          NOT NULL,
    post_logout_redirect_uris TEXT          NOT NULL,
    grant_types               VARCHAR(400)  NOT NULL,
    scopes                    TEXT          NOT NULL,
    access_token_ttl          BIGINT        NOT NULL,
    refresh_token_ttl         BIGINT        NOT NULL,
    id_token_alg              VARCHAR(16)   NOT NULL,
    consent                   INTEGER       NOT NULL,
    require_mfa               INTEGER       NOT NULL,
    backchannel_logout_uri    VARCHAR(2000),
    enabled                   INTEGER       NOT NULL,
    created_at                BIGINT        NOT NULL,
    created_by                VARCHAR(200),
    updated_at                BIGINT        NOT NULL
);
