package dev.signet.core.ledger;

/** What {@link ChainVerifier} found: the chain is intact, or where and how it first breaks. */
public sealed interface ChainVerdict {
    /** Every row links, hashes and authenticates, and the head matches the last row. */
    record Intact(long entries, String headHash) implements ChainVerdict {}

    /** How a chain is broken. */
    enum Kind {
        /** A row's content no longer matches its hash, or its hash was rewritten. */
        CHANGED,
        /** One or more rows before this position are gone. */
        DELETED,
        /** An intact row stands at the wrong place. */
        REORDERED,
        /** Rows at the end are gone (the head promises more). */
        TRUNCATED,
        /** The row's hash verifies but its MAC does not: rewritten by someone without the key. */
        FORGED
    }

    /**
     * The first break, located.
     *
     * @param seq the position where the break was found (the first affected row)
     * @param kind what kind of break
     * @param detail one sentence for an operator
     */
    record Broken(long seq, Kind kind, String detail) implements ChainVerdict {}
}
