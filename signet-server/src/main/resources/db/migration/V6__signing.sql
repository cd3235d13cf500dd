-- Signing (dev.signet.server.signing): server-held code-signing keys, who may sign with each, and
-- the in-server RFC 3161 timestamp authority's current signer. Private keys are stored only sealed
-- (envelope encryption, bound to table, column and row); times are epoch milliseconds; serials are
-- lower-case hex without leading zeros, as in ca_certificate.

-- One row per signing key. name_key is the lower-cased name (names are unique case-insensitively;
-- the name is what the scope sign:NAME refers to). private_key: the sealed PKCS#8 key, bound to
-- signing_key.private_key/<id>; it is never returned, and exported (as PKCS#12) only when
-- exportable = 1. certificate: base64 DER of the key's code-signing certificate, issued by ca_id
-- (its inventory row is ca_certificate (ca_id, serial), whose status says whether it is revoked).
-- chain_pem: the certificate, then its CA's chain. step_up = 1: signing in the console needs a
-- second factor used within the step-up window.
CREATE TABLE signing_key (
    id            VARCHAR(40)   PRIMARY KEY,
    name          VARCHAR(64)   NOT NULL,
    name_key      VARCHAR(64)   NOT NULL UNIQUE,
    key_algorithm VARCHAR(16)   NOT NULL,
    private_key   TEXT          NOT NULL,
    certificate   TEXT          NOT NULL,
    chain_pem     TEXT          NOT NULL,
    ca_id         VARCHAR(40)   NOT NULL,
    serial        VARCHAR(64)   NOT NULL,
    subject       VARCHAR(1000) NOT NULL,
    not_before    BIGINT        NOT NULL,
    not_after     BIGINT        NOT NULL,
    exportable    INTEGER       NOT NULL,
    step_up       INTEGER       NOT NULL,
    created_at    BIGINT        NOT NULL,
    created_by    VARCHAR(200),
    updated_at    BIGINT        NOT NULL
);
CREATE INDEX signing_key_ca ON signing_key (ca_id, serial);

-- Who may sign with a key. principal_kind: USER (principal_id = app_user.id), TOKEN (api_token.id)
-- or CLIENT (an OAuth client id, for service clients). A token signs when it carries the scope
-- sign:NAME and either it or its owner is granted here.
CREATE TABLE signing_grant (
    key_id         VARCHAR(40)  NOT NULL,
    principal_kind VARCHAR(8)   NOT NULL,
    principal_id   VARCHAR(200) NOT NULL,
    created_at     BIGINT       NOT NULL,
    created_by     VARCHAR(200),
    PRIMARY KEY (key_id, principal_kind, principal_id)
);
CREATE INDEX signing_grant_principal ON signing_grant (principal_kind, principal_id);

-- The timestamp authority's current signer (RFC 3161 section 2.3): one row, id = 'tsa'. Its
-- certificate (also in ca_certificate, profile timestamping) and its key, sealed and bound to
-- tsa_signer.private_key/<serial>. Replaced by compare-and-swap on serial when renewed.
CREATE TABLE tsa_signer (
    id            VARCHAR(8)  PRIMARY KEY,
    ca_id         VARCHAR(40) NOT NULL,
    serial        VARCHAR(64) NOT NULL,
    key_algorithm VARCHAR(16) NOT NULL,
    chain_pem     TEXT        NOT NULL,
    private_key   TEXT        NOT NULL,
    not_before    BIGINT      NOT NULL,
    not_after     BIGINT      NOT NULL,
    created_at    BIGINT      NOT NULL
);
