package dev.signet.core.ledger;

import static dev.signet.core.ledger.TestChain.withActor;
import static dev.signet.core.ledger.TestChain.withEntry;
import static dev.signet.core.ledger.TestChain.withSeq;
import static dev.signet.core.testing.Cases.between;
import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.core.ledger.ChainVerdict.Broken;
import dev.signet.core.ledger.ChainVerdict.Intact;
import dev.signet.core.ledger.ChainVerdict.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChainVerifierTest {
    private static final int N = 6;
    private static final byte[] ATTACKER_KEY = "not-the-server-key-but-32-bytes!".getBytes(StandardCharsets.US_ASCII);

    @Test
    void verifyWhenChainIntactThenIntactWithCountAndLastHash() {
        TestChain chain = TestChain.of(N);

        assertThat(chain.verify()).isEqualTo(new Intact(N, chain.row(N).hash()));
        assertThat(chain.headHash).isEqualTo(chain.row(N).hash());
    }

    @Test
    void verifyWhenChainEmptyAndHeadAtGenesisThenIntactWithNoEntries() {
        assertThat(TestChain.of(0).verify()).isEqualTo(new Intact(0, HashChain.GENESIS));
    }

    @Test
    void verifyWhenRowsWrittenByIndependentImplementationThenIntact() {
        // hashes and MACs computed with Python (see HashChainTest)
        String signOutMac = "39b89ec8307810ff44098a629cdc13b4c5681cab0d9cf8a19e62486e2eb07067";
        List<StoredEntry> rows = List.of(
                new StoredEntry(
                        1,
                        HashChainTest.SIGN_IN,
                        HashChain.GENESIS,
                        HashChainTest.SIGN_IN_HASH,
                        HashChainTest.SIGN_IN_MAC),
                new StoredEntry(
                        2,
                        HashChainTest.SIGN_OUT,
                        HashChainTest.SIGN_IN_HASH,
                        HashChainTest.SIGN_OUT_HASH,
                        signOutMac));
        ChainVerifier verifier = new ChainVerifier(TestChain.MAC_KEY, hash -> OptionalLong.empty());

        assertThat(verifier.verify(rows.iterator(), 2, HashChainTest.SIGN_OUT_HASH))
                .isEqualTo(new Intact(2, HashChainTest.SIGN_OUT_HASH));
    }

    @Test
    void verifyWhenHexStoredInUpperCaseThenIntact() {
        TestChain chain = TestChain.of(N);
        for (int seq = 1; seq <= N; seq++) {
            chain.edit(
                    seq,
                    r -> new StoredEntry(
                            r.seq(),
                            r.entry(),
                            r.previousHash().toUpperCase(Locale.ROOT),
                            r.hash().toUpperCase(Locale.ROOT),
                            r.mac().toUpperCase(Locale.ROOT)));
        }

        assertThat(chain.verify()).isInstanceOf(Intact.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void verifyWhenRowContentEditedThenChangedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(k, r -> withEntry(r, withActor(r.entry(), "mallory")));

        assertBroken(chain.verify(), k, Kind.CHANGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6})
    void verifyWhenRowContentNulledThenChangedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(k, r -> withEntry(r, withActor(r.entry(), null)));

        assertBroken(chain.verify(), k, Kind.CHANGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void verifyWhenRowEditedAndHashRecomputedWithoutKeyThenForgedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(k, r -> {
            ChainEntry edited = withActor(r.entry(), "mallory");
            return new StoredEntry(
                    r.seq(), edited, r.previousHash(), HashChain.hash(r.previousHash(), edited), r.mac());
        });

        assertBroken(chain.verify(), k, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void verifyWhenRowEditedAndWholeTailRelinkedWithOwnMacKeyThenForgedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(k, r -> withEntry(r, withActor(r.entry(), "mallory")));
        String previous = chain.row(k).previousHash();
        for (int seq = k; seq <= N; seq++) {
            StoredEntry r = chain.row(seq);
            String hash = HashChain.hash(previous, r.entry());
            chain.set(seq, new StoredEntry(seq, r.entry(), previous, hash, HashChain.mac(ATTACKER_KEY, hash)));
            previous = hash;
        }
        chain.headHash = previous;

        assertBroken(chain.verify(), k, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void verifyWhenRowEditedAndWholeTailRelinkedKeepingOldMacsThenForgedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(k, r -> withEntry(r, withActor(r.entry(), "mallory")));
        String previous = chain.row(k).previousHash();
        for (int seq = k; seq <= N; seq++) {
            StoredEntry r = chain.row(seq);
            String hash = HashChain.hash(previous, r.entry());
            chain.set(seq, new StoredEntry(seq, r.entry(), previous, hash, r.mac()));
            previous = hash;
        }
        chain.headHash = previous;

        assertBroken(chain.verify(), k, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6})
    void verifyWhenStoredHashRewrittenThenChangedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        String other = TestChain.of(N + 1).row(N + 1).hash();
        chain.edit(k, r -> new StoredEntry(r.seq(), r.entry(), r.previousHash(), other, r.mac()));

        assertBroken(chain.verify(), k, Kind.CHANGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6})
    void verifyWhenStoredMacRewrittenThenForgedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.edit(
                k,
                r -> new StoredEntry(
                        r.seq(), r.entry(), r.previousHash(), r.hash(), HashChain.mac(ATTACKER_KEY, r.hash())));

        assertBroken(chain.verify(), k, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6})
    void verifyWhenStoredFieldNulledThenBrokenAtThatRow(int k) {
        TestChain hashNulled = TestChain.of(N);
        hashNulled.edit(k, r -> new StoredEntry(r.seq(), r.entry(), r.previousHash(), null, r.mac()));
        TestChain macNulled = TestChain.of(N);
        macNulled.edit(k, r -> new StoredEntry(r.seq(), r.entry(), r.previousHash(), r.hash(), null));

        assertBroken(hashNulled.verify(), k, Kind.CHANGED);
        assertBroken(macNulled.verify(), k, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 6})
    void verifyWhenPreviousHashPointedElsewhereThenChangedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        String elsewhere = k == 1 ? chain.row(3).hash() : HashChain.GENESIS;
        chain.edit(k, r -> new StoredEntry(r.seq(), r.entry(), elsewhere, r.hash(), r.mac()));

        assertBroken(chain.verify(), k, Kind.CHANGED);
    }

    @Test
    void verifyWhenCheckedWithAnotherMacKeyThenForgedAtFirstRow() {
        assertBroken(TestChain.of(N).verify(ATTACKER_KEY), 1, Kind.FORGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void verifyWhenRowDeletedThenDeletedAtThatRow(int k) {
        TestChain chain = TestChain.of(N);
        chain.rows.remove(k - 1);

        Broken broken = assertBroken(chain.verify(), k, Kind.DELETED);
        assertThat(broken.detail()).contains("row " + k + " is missing");
    }

    @Test
    void verifyWhenSeveralRowsDeletedThenDeletedAtFirstOfThem() {
        TestChain chain = TestChain.of(N);
        chain.rows.subList(1, 4).clear(); // rows 2, 3 and 4

        Broken broken = assertBroken(chain.verify(), 2, Kind.DELETED);
        assertThat(broken.detail()).contains("rows 2").contains("4 are missing");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, N})
    void verifyWhenLastRowsDeletedAndHeadUnchangedThenTruncatedAfterLastRemainingRow(int deleted) {
        TestChain chain = TestChain.of(N);
        chain.rows.subList(N - deleted, N).clear();

        Broken broken = assertBroken(chain.verify(), N - deleted + 1, Kind.TRUNCATED);
        assertThat(broken.detail()).startsWith(deleted + " row(s)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void verifyWhenAdjacentRowsSwappedKeepingSeqOrderThenReorderedAtFirst(int k) {
        TestChain chain = TestChain.of(N);
        StoredEntry first = chain.row(k);
        StoredEntry second = chain.row(k + 1);
        chain.set(k, withSeq(second, k));
        chain.set(k + 1, withSeq(first, k + 1));

        assertBroken(chain.verify(), k, Kind.REORDERED);
    }

    @Test
    void verifyWhenRowMovedToTheEndThenReorderedWhereItWas() {
        TestChain chain = TestChain.of(N);
        List<StoredEntry> contents = new ArrayList<>(chain.rows);
        Collections.rotate(contents.subList(1, N), -1); // 1, 3, 4, 5, 6, 2
        for (int seq = 1; seq <= N; seq++) {
            chain.set(seq, withSeq(contents.get(seq - 1), seq));
        }

        assertBroken(chain.verify(), 2, Kind.REORDERED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6})
    void verifyWhenRowStoredTwiceThenReorderedAtTheRepeat(int k) {
        TestChain chain = TestChain.of(N);
        chain.rows.add(k, chain.row(k));

        assertBroken(chain.verify(), k, Kind.REORDERED);
    }

    @Test
    void verifyWhenHeadHashDiffersThenChangedAtLastRow() {
        TestChain chain = TestChain.of(N);
        chain.headHash = chain.row(N - 1).hash();

        assertBroken(chain.verify(), N, Kind.CHANGED);
    }

    @Test
    void verifyWhenHeadHashMissingThenChangedAtLastRow() {
        TestChain chain = TestChain.of(N);
        chain.headHash = null;

        assertBroken(chain.verify(), N, Kind.CHANGED);
    }

    @Test
    void verifyWhenHeadCountsFewerRowsThanStoredThenChangedAfterHeadCount() {
        TestChain chain = TestChain.of(N);
        chain.headSeq = N - 2;

        assertBroken(chain.verify(), N - 1, Kind.CHANGED);
    }

    @Test
    void verifyWhenLastRowDeletedAndHeadRolledBackWithoutItsHashThenChanged() {
        TestChain chain = TestChain.of(N);
        chain.rows.remove(N - 1);
        chain.headSeq = N - 1;

        assertBroken(chain.verify(), N - 1, Kind.CHANGED);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5})
    void verifyWhenRowDeletedAndLaterRowsRenumberedThenBroken(int k) {
        // Position is not hashed, so someone who can write the table can close the gap.
        TestChain chain = TestChain.of(N);
        chain.rows.remove(k - 1);
        for (int seq = k; seq < N; seq++) {
            chain.set(seq, withSeq(chain.row(seq), seq));
        }
        chain.headSeq = N - 1;

        assertThat(chain.verify()).isInstanceOf(Broken.class);
    }

    /** One change to one stored field of one row. */
    record Tamper(int length, int row, int field, String text, long time, int nibble, int delta) {}

    /**
     * Any single change to any stored field of any row, in a chain of any length, is found at that
     * row — except one made by the MAC key holder, which is out of scope.
     */
    @Test
    void verifyWhenAnySingleStoredFieldChangedThenBrokenAtThatRow() {
        forAll(1000, ChainVerifierTest::tamper, t -> {
            TestChain chain = TestChain.of(t.length());
            StoredEntry row = chain.row(t.row());
            StoredEntry tampered = apply(t, row);
            if (tampered.equals(row)) {
                return; // drew the value already there
            }
            chain.set(t.row(), tampered);

            ChainVerdict verdict = chain.verify();

            assertThat(verdict).isInstanceOf(Broken.class);
            assertThat(((Broken) verdict).seq()).isEqualTo(t.row());
            assertThat(((Broken) verdict).kind()).isEqualTo(t.field() == 11 ? Kind.FORGED : Kind.CHANGED);
        });
    }

    private static Tamper tamper(Random r) {
        int length = between(r, 1, 12);
        String text = r.nextInt(4) == 0 ? null : text(r, 20);
        return new Tamper(
                length, between(r, 1, length), r.nextInt(12), text, r.nextLong(), r.nextInt(64), between(r, 1, 15));
    }

    /** Fields 0–8 are the entry's, in record order; 9, 10 and 11 the previous hash, hash and MAC. */
    private static StoredEntry apply(Tamper t, StoredEntry row) {
        ChainEntry e = row.entry();
        String text = t.text();
        String required = text == null ? "" : text;
        return switch (t.field()) {
            case 0 ->
                withEntry(
                        row,
                        new ChainEntry(
                                t.time(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 1 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                required,
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 2 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                text,
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 3 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                text,
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 4 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                text,
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 5 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                text,
                                e.outcome(),
                                e.reason(),
                                e.details()));
            case 6 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                required,
                                e.reason(),
                                e.details()));
            case 7 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                text,
                                e.details()));
            case 8 ->
                withEntry(
                        row,
                        new ChainEntry(
                                e.occurredAtMillis(),
                                e.type(),
                                e.actor(),
                                e.subject(),
                                e.ip(),
                                e.userAgent(),
                                e.outcome(),
                                e.reason(),
                                text));
            case 9 ->
                new StoredEntry(
                        row.seq(), e, flipNibble(row.previousHash(), t.nibble(), t.delta()), row.hash(), row.mac());
            case 10 ->
                new StoredEntry(
                        row.seq(), e, row.previousHash(), flipNibble(row.hash(), t.nibble(), t.delta()), row.mac());
            default ->
                new StoredEntry(
                        row.seq(), e, row.previousHash(), row.hash(), flipNibble(row.mac(), t.nibble(), t.delta()));
        };
    }

    // --- Known defects: enable these when ChainVerifier is fixed (see the test report). ---

    @Test
    void verifyWhenPreviousHashIsNotHexThenChangedAtThatRow() {
        TestChain chain = TestChain.of(N);
        chain.edit(3, r -> new StoredEntry(r.seq(), r.entry(), "not hex", r.hash(), r.mac()));

        assertBroken(chain.verify(), 3, Kind.CHANGED);
    }

    @Test
    void verifyWhenPreviousHashIsNullThenChangedAtThatRow() {
        TestChain chain = TestChain.of(N);
        chain.edit(3, r -> new StoredEntry(r.seq(), r.entry(), null, r.hash(), r.mac()));

        assertBroken(chain.verify(), 3, Kind.CHANGED);
    }

    @Test
    void verifyWhenFirstRowDeletedAndRestRenumberedThenDeletedAtFirstRow() {
        TestChain chain = TestChain.of(N);
        chain.rows.remove(0);
        for (int seq = 1; seq < N; seq++) {
            chain.set(seq, withSeq(chain.row(seq), seq));
        }
        chain.headSeq = N - 1;

        assertBroken(chain.verify(), 1, Kind.DELETED);
    }

    private static Broken assertBroken(ChainVerdict verdict, long seq, Kind kind) {
        assertThat(verdict).isInstanceOf(Broken.class);
        Broken broken = (Broken) verdict;
        assertThat(broken.seq()).as("seq of %s", broken).isEqualTo(seq);
        assertThat(broken.kind()).as("kind of %s", broken).isEqualTo(kind);
        assertThat(broken.detail()).isNotBlank();
        return broken;
    }

    private static String flipNibble(String hex, int position, int delta) {
        int at = position % hex.length();
        int digit = Character.digit(hex.charAt(at), 16);
        char replaced = Character.forDigit((digit + delta) % 16, 16);
        return hex.substring(0, at) + replaced + hex.substring(at + 1);
    }
}
