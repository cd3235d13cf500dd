/**
 * Password hashing: Argon2id (RFC 9106) through Bouncy Castle, stored in the PHC string format so
 * the parameters travel with each hash and can be raised later.
 *
 * <p>Password <em>policy</em> (length, dictionary checks) and throttling are not here.
 */
package dev.signet.core.password;
