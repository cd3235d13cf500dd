/**
 * Cryptographic building blocks used everywhere else: secure randomness, constant-time comparison,
 * AES-256-GCM authenticated encryption and the envelope format for secrets at rest.
 *
 * <p>This package does not store keys, choose where a secret lives, or invent any primitive: it
 * composes the JCA's AES-GCM (NIST SP 800-38D) and HMAC-SHA256 (RFC 2104).
 */
package dev.signet.core.crypto;
