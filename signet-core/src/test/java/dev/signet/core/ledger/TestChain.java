package dev.signet.core.ledger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * An audit chain kept in memory the way a store keeps it: rows appended with the previous hash,
 * their own hash and MAC, plus a separate head (count and last hash). Tests tamper with {@link
 * #rows} directly, as someone with write access to the table would, and then {@link #verify}.
 */
final class TestChain {
    static final byte[] MAC_KEY = "audit-mac-key-for-tests-32-bytes".getBytes(StandardCharsets.US_ASCII);

    final List<StoredEntry> rows = new ArrayList<>();
    long headSeq;
    String headHash = HashChain.GENESIS;

    static TestChain of(int entries) {
        TestChain chain = new TestChain();
        for (int i = 1; i <= entries; i++) {
            chain.append(entry(i));
        }
        return chain;
    }

    static ChainEntry entry(int i) {
        return new ChainEntry(
                1_700_000_000_000L + i * 1000L,
                "auth.sign_in",
                "user-" + i,
                null,
                "192.0.2." + i,
                "curl/8",
                i % 3 == 0 ? "failure" : "success",
                i % 3 == 0 ? "bad_credentials" : null,
                "{\"n\":" + i + "}");
    }

    void append(ChainEntry entry) {
        String previous = headHash;
        String hash = HashChain.hash(previous, entry);
        rows.add(new StoredEntry(headSeq + 1, entry, previous, hash, HashChain.mac(MAC_KEY, hash)));
        headSeq++;
        headHash = hash;
    }

    /** The row stored at position {@code seq} (1-based), assuming no rows were removed before it. */
    StoredEntry row(long seq) {
        return rows.get((int) seq - 1);
    }

    void set(long seq, StoredEntry row) {
        rows.set((int) seq - 1, row);
    }

    void edit(long seq, UnaryOperator<StoredEntry> change) {
        set(seq, change.apply(row(seq)));
    }

    ChainVerdict verify() {
        return verify(MAC_KEY);
    }

    ChainVerdict verify(byte[] macKey) {
        Map<String, Long> bySeq = new HashMap<>();
        for (StoredEntry row : rows) {
            if (row.hash() != null) {
                bySeq.putIfAbsent(row.hash(), row.seq());
            }
        }
        ChainVerifier verifier = new ChainVerifier(
                macKey, hash -> bySeq.containsKey(hash) ? OptionalLong.of(bySeq.get(hash)) : OptionalLong.empty());
        return verifier.verify(List.copyOf(rows).iterator(), headSeq, headHash);
    }

    static StoredEntry withEntry(StoredEntry row, ChainEntry entry) {
        return new StoredEntry(row.seq(), entry, row.previousHash(), row.hash(), row.mac());
    }

    static StoredEntry withSeq(StoredEntry row, long seq) {
        return new StoredEntry(seq, row.entry(), row.previousHash(), row.hash(), row.mac());
    }

    static ChainEntry withActor(ChainEntry e, String actor) {
        return new ChainEntry(
                e.occurredAtMillis(),
                e.type(),
                actor,
                e.subject(),
                e.ip(),
                e.userAgent(),
                e.outcome(),
                e.reason(),
                e.details());
    }
}
