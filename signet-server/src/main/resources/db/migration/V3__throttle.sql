-- Brute-force protection (dev.signet.server.guard.SignInGuard). Every row is throttle state only:
-- no password, no hash of a password that could be cracked. Times are epoch milliseconds.

-- Per typed username (normalised key), whether or not such an account exists: consecutive failures
-- and the time before which a new attempt is refused. Forgotten after a quiet window.
CREATE TABLE throttle_account (
    username_key  VARCHAR(128) PRIMARY KEY,
    failures      INTEGER      NOT NULL,
    delayed_until BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);
CREATE INDEX throttle_account_updated ON throttle_account (updated_at);

-- Credential stuffing: which usernames failed from which client IP, within the window.
CREATE TABLE throttle_ip_user (
    ip           VARCHAR(64)  NOT NULL,
    username_key VARCHAR(128) NOT NULL,
    last_at      BIGINT       NOT NULL,
    PRIMARY KEY (ip, username_key)
);
CREATE INDEX throttle_ip_user_time ON throttle_ip_user (last_at);

-- Password spraying: a 32-bit HMAC fingerprint of each failed password (too short to test a guess
-- against), with the username and client IP it failed for, within the window.
CREATE TABLE throttle_spray (
    fingerprint  VARCHAR(8)   NOT NULL,
    username_key VARCHAR(128) NOT NULL,
    ip           VARCHAR(64)  NOT NULL,
    last_at      BIGINT       NOT NULL,
    PRIMARY KEY (fingerprint, username_key, ip)
);
CREATE INDEX throttle_spray_time ON throttle_spray (last_at);

-- Client IPs refused until until_at (reason: stuffing or spraying).
CREATE TABLE throttle_block (
    ip         VARCHAR(64) PRIMARY KEY,
    reason     VARCHAR(16) NOT NULL,
    blocked_at BIGINT      NOT NULL,
    until_at   BIGINT      NOT NULL
);
CREATE INDEX throttle_block_until ON throttle_block (until_at);

-- Bucket4j token buckets per client IP: the serialised bucket state (base64), replaced by
-- compare-and-swap. A row past expires_at is a full bucket and may be deleted.
CREATE TABLE throttle_bucket (
    bucket_key VARCHAR(80) PRIMARY KEY,
    state      TEXT        NOT NULL,
    expires_at BIGINT      NOT NULL
);
CREATE INDEX throttle_bucket_expires ON throttle_bucket (expires_at);
