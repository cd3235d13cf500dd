-- Certificate authority (dev.signet.server.ca.CaService): CAs, the certificates they issued, their
-- delegated OCSP responders and their current CRLs. Private keys are stored only sealed (envelope
-- encryption, bound to table, column and row); times are epoch milliseconds; serials are lower-case
-- hex without leading zeros.

-- One row per CA. name_key is the lower-cased name (names are unique case-insensitively).
-- kind: ROOT, INTERMEDIATE or IMPORTED. chain_pem: the CA's certificate, then its issuers'.
-- private_key: the sealed PKCS#8 key; NULL while the CA is offline (exported and removed).
CREATE TABLE ca (
    id                 VARCHAR(40)   PRIMARY KEY,
    name               VARCHAR(64)   NOT NULL,
    name_key           VARCHAR(64)   NOT NULL UNIQUE,
    kind               VARCHAR(16)   NOT NULL,
    parent_id          VARCHAR(40),
    key_algorithm      VARCHAR(16)   NOT NULL,
    subject            VARCHAR(1000) NOT NULL,
    serial             VARCHAR(64)   NOT NULL,
    not_before         BIGINT        NOT NULL,
    not_after          BIGINT        NOT NULL,
    chain_pem          TEXT          NOT NULL,
    private_key        TEXT,
    crl_period_seconds BIGINT        NOT NULL,
    created_at         BIGINT        NOT NULL,
    created_by         VARCHAR(200),
    updated_at         BIGINT        NOT NULL
);
CREATE INDEX ca_parent ON ca (parent_id);

-- Every certificate a CA issued: end entities, intermediates (in their parent's list) and the CA's
-- own OCSP responder certificates. (ca_id, serial) is unique: the database is the last word on
-- serial uniqueness. status: VALID or REVOKED ("expired" is VALID past not_after).
-- subject_key and sans_key are lower-cased copies for search; sans holds "dns:..", "ip:..", one per line.
CREATE TABLE ca_certificate (
    id                VARCHAR(40)   PRIMARY KEY,
    ca_id             VARCHAR(40)   NOT NULL,
    serial            VARCHAR(64)   NOT NULL,
    subject           VARCHAR(1000) NOT NULL,
    subject_key       VARCHAR(1000) NOT NULL,
    sans              TEXT,
    sans_key          TEXT,
    profile           VARCHAR(32)   NOT NULL,
    key_algorithm     VARCHAR(16)   NOT NULL,
    not_before        BIGINT        NOT NULL,
    not_after         BIGINT        NOT NULL,
    status            VARCHAR(16)   NOT NULL,
    revoked_at        BIGINT,
    revocation_reason VARCHAR(32),
    der               TEXT          NOT NULL,
    requested_by      VARCHAR(200),
    issued_at         BIGINT        NOT NULL,
    CONSTRAINT ca_certificate_serial UNIQUE (ca_id, serial)
);
CREATE INDEX ca_certificate_serial_any ON ca_certificate (serial);
CREATE INDEX ca_certificate_not_after ON ca_certificate (not_after);
CREATE INDEX ca_certificate_issued ON ca_certificate (issued_at);
CREATE INDEX ca_certificate_revoked ON ca_certificate (ca_id, status, not_after);

-- Each CA's current delegated OCSP signer (RFC 6960 4.2.2.2): its certificate (also listed in
-- ca_certificate) and its sealed key. Replaced when renewed.
CREATE TABLE ca_responder (
    ca_id       VARCHAR(40) PRIMARY KEY,
    serial      VARCHAR(64) NOT NULL,
    der         TEXT        NOT NULL,
    private_key TEXT        NOT NULL,
    not_before  BIGINT      NOT NULL,
    not_after   BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL
);

-- Each CA's current CRL, served by every node. crl_number only grows: a new CRL replaces the row
-- by compare-and-swap on it.
CREATE TABLE ca_crl (
    ca_id       VARCHAR(40) PRIMARY KEY,
    crl_number  BIGINT      NOT NULL,
    this_update BIGINT      NOT NULL,
    next_update BIGINT      NOT NULL,
    der         TEXT        NOT NULL
);
