-- Accounts: kinds of account, API tokens, database-backed web sessions, sign-in history and
-- password reset links. Secrets (tokens, session ids, reset links) are stored as SHA-256 only;
-- session attributes are sealed with envelope encryption.

-- PERSON signs in with a password; SERVICE only ever uses API tokens.
ALTER TABLE app_user ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'PERSON';
-- Lower-cased email for the password reset lookup.
ALTER TABLE app_user ADD COLUMN email_key VARCHAR(320);
ALTER TABLE app_user ADD COLUMN updated_at BIGINT;
ALTER TABLE app_user ADD COLUMN password_changed_at BIGINT;
CREATE INDEX app_user_email ON app_user (email_key);
CREATE INDEX app_user_created ON app_user (created_at);

CREATE TABLE api_token (
    id           VARCHAR(40)   PRIMARY KEY,
    user_id      VARCHAR(40)   NOT NULL,
    name         VARCHAR(100)  NOT NULL,
    token_hash   VARCHAR(64)   NOT NULL UNIQUE,
    hint         VARCHAR(16)   NOT NULL,
    scopes       VARCHAR(1000) NOT NULL,
    created_at   BIGINT        NOT NULL,
    created_by   VARCHAR(200),
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_token_user ON api_token (user_id);

-- One row per browser session. The cookie's value never reaches the database: id_hash is its
-- SHA-256. id is a stable, non-secret handle for "your sessions" (it survives the id change at
-- sign-in).
CREATE TABLE web_session (
    id             VARCHAR(40)  PRIMARY KEY,
    id_hash        VARCHAR(64)  NOT NULL UNIQUE,
    user_id        VARCHAR(40),
    principal      VARCHAR(200),
    created_at     BIGINT       NOT NULL,
    last_access_at BIGINT       NOT NULL,
    idle_seconds   INTEGER      NOT NULL,
    expires_at     BIGINT       NOT NULL,
    ip             VARCHAR(64),
    user_agent     VARCHAR(512),
    attributes     TEXT
);
CREATE INDEX web_session_user ON web_session (user_id);
CREATE INDEX web_session_expires ON web_session (expires_at);

-- Every sign-in attempt, kept per user (user_id is null when the username is unknown).
CREATE TABLE sign_in_attempt (
    id          VARCHAR(40)  PRIMARY KEY,
    occurred_at BIGINT       NOT NULL,
    user_id     VARCHAR(40),
    username    VARCHAR(128),
    ip          VARCHAR(64),
    user_agent  VARCHAR(512),
    outcome     VARCHAR(16)  NOT NULL,
    reason      VARCHAR(64),
    factors     VARCHAR(64)
);
CREATE INDEX sign_in_attempt_user ON sign_in_attempt (user_id, occurred_at);
CREATE INDEX sign_in_attempt_time ON sign_in_attempt (occurred_at);
CREATE INDEX sign_in_attempt_ip ON sign_in_attempt (ip, occurred_at);

-- Emailed password reset links: SHA-256 of the token, 30 minutes, single use (conditional UPDATE),
-- deleted for the user at any password change.
CREATE TABLE password_reset (
    id         VARCHAR(40) PRIMARY KEY,
    user_id    VARCHAR(40) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    used_at    BIGINT,
    ip         VARCHAR(64)
);
CREATE INDEX password_reset_user ON password_reset (user_id);

UPDATE app_user SET email_key = LOWER(email) WHERE email IS NOT NULL;
