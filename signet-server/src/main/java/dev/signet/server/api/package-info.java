/**
 * The REST API under {@code /api/v1}: users (administrators), the caller's own API tokens and
 * browser sessions, the sign-in history, and the certificate authorities with their inventory of
 * certificates, as JSON over HTTP.
 *
 * <p>What it does: authenticated by bearer API tokens ({@code web.SecurityConfig} maps each route to
 * a scope), it reads request bodies with a strict JSON reader ({@link dev.signet.server.api.JsonBody}:
 * unknown fields, wrong types and unknown enum values are refused), calls the account, token,
 * session and sign-in services, and answers every refusal as problem+json (RFC 9457) with a stable
 * {@code code} ({@link dev.signet.server.api.ApiAdvice}).
 *
 * <p>What it does not do: no business rule lives here. Password policy, username uniqueness, the
 * last-administrator rule and scope checks belong to the services; this package only translates.
 * It never returns a password hash or a token secret, except a new token's secret, once, in the
 * answer that creates it.
 */
package dev.signet.server.api;
