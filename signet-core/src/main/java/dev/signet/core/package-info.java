/**
 * Signet's plain-Java security core: values in, results out. No Spring, no database, no HTTP.
 *
 * <p>Storage and transport are the caller's job; this module holds the protocol and crypto logic
 * so it can be tested without a server.
 */
package dev.signet.core;
