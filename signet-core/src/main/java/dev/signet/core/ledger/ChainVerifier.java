package dev.signet.core.ledger;

import dev.signet.core.crypto.Secure;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Walks a chain in stored order and reports the first break (see {@link HashChain} for the rules).
 *
 * <p>Checks, per row, in this order:
 *
 * <ol>
 *   <li>its position follows the previous one (a gap means deleted rows);
 *   <li>its content hashes to its stored hash (otherwise it was changed);
 *   <li>its MAC verifies under the key (otherwise it was forged);
 *   <li>it commits to the previous row's hash; otherwise it was moved (found by {@code hashLocator},
 *       which names the row whose hash it links to) or the row it links to was deleted and the rest
 *       renumbered (both neighbours are authentic, so nothing else can explain the gap).
 * </ol>
 *
 * Finally the head (the count and last hash kept apart from the rows) must match the last row,
 * which catches rows deleted from the end.
 */
public final class ChainVerifier {
    private final byte[] macKey;
    private final Function<String, OptionalLong> hashLocator;

    /**
     * @param macKey the chain's MAC key
     * @param hashLocator finds the position of the row whose hash is the given hex, if any
     */
    public ChainVerifier(byte[] macKey, Function<String, OptionalLong> hashLocator) {
        this.macKey = macKey.clone();
        this.hashLocator = Objects.requireNonNull(hashLocator);
    }

    public ChainVerdict verify(Iterator<StoredEntry> rows, long headSeq, String headHash) {
        long expected = 1;
        String last = HashChain.GENESIS;
        while (rows.hasNext()) {
            StoredEntry row = rows.next();
            if (row.seq() > expected) {
                return new ChainVerdict.Broken(
                        expected,
                        ChainVerdict.Kind.DELETED,
                        (row.seq() - expected == 1
                                        ? "row " + expected + " is"
                                        : "rows " + expected + "–" + (row.seq() - 1) + " are")
                                + " missing");
            }
            if (row.seq() < expected) {
                return new ChainVerdict.Broken(
                        row.seq(), ChainVerdict.Kind.REORDERED, "row " + row.seq() + " appears twice or out of order");
            }
            if (!isHash(row.previousHash()) || !isHash(row.hash())) {
                return new ChainVerdict.Broken(
                        row.seq(),
                        ChainVerdict.Kind.CHANGED,
                        "row " + row.seq() + " was changed: its stored hash or link is not a SHA-256 value");
            }
            String recomputed = HashChain.hash(row.previousHash(), row.entry());
            if (!equalHex(recomputed, row.hash())) {
                return new ChainVerdict.Broken(
                        row.seq(),
                        ChainVerdict.Kind.CHANGED,
                        "row " + row.seq() + " was changed: its content does not match its hash");
            }
            if (!equalHex(HashChain.mac(macKey, row.hash()), row.mac())) {
                return new ChainVerdict.Broken(
                        row.seq(),
                        ChainVerdict.Kind.FORGED,
                        "row " + row.seq() + " was rewritten without the server's key: its MAC does not verify");
            }
            if (!equalHex(row.previousHash(), last)) {
                OptionalLong linked = hashLocator.apply(row.previousHash());
                if (linked.isPresent() && linked.getAsLong() != row.seq() - 1) {
                    return new ChainVerdict.Broken(
                            row.seq(),
                            ChainVerdict.Kind.REORDERED,
                            "row " + row.seq() + " was moved: it follows row " + linked.getAsLong() + ", not row "
                                    + (row.seq() - 1));
                }
                // Both this row and the one before passed their own hash and MAC checks, so neither was
                // rewritten: the row this one was linked to is gone, and the rows after were renumbered.
                return new ChainVerdict.Broken(
                        row.seq(),
                        ChainVerdict.Kind.DELETED,
                        "one or more rows before row " + row.seq()
                                + " were deleted (and the rows after renumbered): it is linked to a row that no longer exists");
            }
            last = row.hash();
            expected++;
        }
        long count = expected - 1;
        if (headSeq > count) {
            return new ChainVerdict.Broken(
                    count + 1,
                    ChainVerdict.Kind.TRUNCATED,
                    (headSeq - count) + " row(s) after row " + count + " are missing (the chain head records " + headSeq
                            + ")");
        }
        if (headSeq < count || !equalHex(headHash, last)) {
            return new ChainVerdict.Broken(
                    headSeq < count ? headSeq + 1 : count,
                    ChainVerdict.Kind.CHANGED,
                    "the chain head does not match the last row (head records " + headSeq + " rows, found " + count
                            + ")");
        }
        return new ChainVerdict.Intact(count, last);
    }

    private static boolean isHash(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalHex(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return Secure.constantTimeEquals(
                a.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                b.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
