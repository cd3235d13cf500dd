-- Signet foundation schema. One set of migrations for SQLite and PostgreSQL: portable types only
-- (TEXT/VARCHAR, BIGINT epoch milliseconds, INTEGER), ids assigned by the application.

-- The master key's check value: lets a server refuse a wrong master key before touching anything.
CREATE TABLE keyring (
    name        VARCHAR(32) PRIMARY KEY,
    check_value VARCHAR(64) NOT NULL,
    created_at  BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL
);

-- AES-256 data keys, each wrapped (AES-256-GCM) by the master key. Secrets name the key that sealed them.
CREATE TABLE data_key (
    id         VARCHAR(40) PRIMARY KEY,
    wrapped    TEXT        NOT NULL,
    created_at BIGINT      NOT NULL
);

-- Server-wide secrets (e.g. the audit chain's MAC key), sealed with envelope encryption.
CREATE TABLE app_secret (
    name       VARCHAR(64) PRIMARY KEY,
    sealed     TEXT        NOT NULL,
    created_at BIGINT      NOT NULL
);

CREATE TABLE app_user (
    id              VARCHAR(40)  PRIMARY KEY,
    username        VARCHAR(128) NOT NULL,
    username_key    VARCHAR(128) NOT NULL UNIQUE,
    email           VARCHAR(320),
    display_name    VARCHAR(200),
    password_hash   VARCHAR(255),
    role            VARCHAR(16)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    created_at      BIGINT       NOT NULL,
    last_sign_in_at BIGINT
);

-- One-time setup links, stored as SHA-256 of the token. Single use is enforced by a conditional UPDATE.
CREATE TABLE setup_token (
    id         VARCHAR(40) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    used_at    BIGINT,
    used_by    VARCHAR(40)
);

-- The audit chain's head: its row lock (PostgreSQL) or the write lock (SQLite) orders appends.
CREATE TABLE audit_head (
    id   INTEGER     PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_event (
    seq         BIGINT       PRIMARY KEY,
    occurred_at BIGINT       NOT NULL,
    type        VARCHAR(64)  NOT NULL,
    actor       VARCHAR(200),
    subject     VARCHAR(200),
    ip          VARCHAR(64),
    user_agent  VARCHAR(512),
    outcome     VARCHAR(16)  NOT NULL,
    reason      VARCHAR(64),
    details     TEXT,
    prev_hash   VARCHAR(64)  NOT NULL,
    hash        VARCHAR(64)  NOT NULL,
    mac         VARCHAR(64)  NOT NULL
);
CREATE INDEX audit_event_time ON audit_event (occurred_at);
CREATE INDEX audit_event_type_time ON audit_event (type, occurred_at);
CREATE INDEX audit_event_hash ON audit_event (hash);
