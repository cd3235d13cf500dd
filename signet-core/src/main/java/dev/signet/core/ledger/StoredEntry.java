package dev.signet.core.ledger;

/**
 * One stored row of the chain, as read back from storage.
 *
 * @param seq its position, 1-based, as stored
 * @param entry its content
 * @param previousHash the predecessor hash it committed to (hex)
 * @param hash its own hash (hex)
 * @param mac HMAC of its hash (hex)
 */
public record StoredEntry(long seq, ChainEntry entry, String previousHash, String hash, String mac) {}
