/**
 * Tamper evidence for Signet's records. Today: the audit trail's hash chain, in which every entry
 * commits to the hash of the one before it, plus a keyed MAC per entry so that someone who can
 * write the database but lacks the server's keys cannot rebuild a consistent chain.
 *
 * <p>Storage, ordering under concurrency and the choice of MAC key are the caller's job.
 */
package dev.signet.core.ledger;
