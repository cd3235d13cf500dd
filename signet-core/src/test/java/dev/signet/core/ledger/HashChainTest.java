package dev.signet.core.ledger;

import static dev.signet.core.testing.Cases.forAll;
import static dev.signet.core.testing.Cases.oneOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.core.crypto.Secure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hashing rules, checked against an independent implementation: the expected values were
 * computed with Python's {@code hashlib}/{@code hmac} and {@code struct.pack(">q")} / {@code
 * struct.pack(">i")} for the length-prefixed encoding described in {@link HashChain}'s Javadoc.
 */
class HashChainTest {
    static final ChainEntry SIGN_IN = new ChainEntry(
            1_700_000_000_000L,
            "auth.sign_in",
            "alice",
            null,
            "192.0.2.1",
            "curl/8",
            "success",
            null,
            "{\"factor\":\"totp\"}");
    static final String SIGN_IN_HASH = "7ee714ae0d4bf90170c582b5a28b62834a9bd00fe44d4b5f7e07e6cb079a40f5";
    static final String SIGN_IN_MAC = "c29ecad276ee4cf7058455a579c04ac56b81432fb6458889d7c38ba2423871de";

    static final ChainEntry SIGN_OUT = new ChainEntry(
            1_700_000_001_000L, "auth.sign_out", "alice", "", null, null, "failure", "bad_credentials", null);
    static final String SIGN_OUT_HASH = "2406da4e4bd03984544f08c3fbf8d58806f718beb4e742e72b2d55e6eb4e929b";

    @Test
    void genesisWhenReadThenThirtyTwoZeroBytesInHex() {
        assertThat(HashChain.GENESIS).hasSize(64).matches("0+");
    }

    @Test
    void encodeWhenKnownEntryThenLengthPrefixedFieldsWithMinusOneForNull() {
        assertThat(Secure.hex(HashChain.encode(SIGN_OUT)))
                .isEqualTo(
                        "0000018bcfe56be8" // occurredAtMillis, big-endian long
                                + "0000000d" + "617574682e7369676e5f6f7574" // type
                                + "00000005" + "616c696365" // actor
                                + "00000000" // subject: empty
                                + "ffffffff" // ip: null
                                + "ffffffff" // user agent: null
                                + "00000007" + "6661696c757265" // outcome
                                + "0000000f" + "6261645f63726564656e7469616c73" // reason
                                + "ffffffff"); // details: null
    }

    @Test
    void hashWhenKnownEntriesThenMatchesIndependentImplementation() {
        assertThat(HashChain.hash(HashChain.GENESIS, SIGN_IN)).isEqualTo(SIGN_IN_HASH);
        assertThat(HashChain.hash(SIGN_IN_HASH, SIGN_OUT)).isEqualTo(SIGN_OUT_HASH);
    }

    @Test
    void macWhenKnownKeyThenMatchesIndependentImplementation() {
        assertThat(HashChain.mac(TestChain.MAC_KEY, SIGN_IN_HASH)).isEqualTo(SIGN_IN_MAC);
    }

    @Test
    void macWhenOtherKeyThenDiffers() {
        byte[] other = TestChain.MAC_KEY.clone();
        other[0] ^= 1;

        assertThat(HashChain.mac(other, SIGN_IN_HASH)).isNotEqualTo(SIGN_IN_MAC);
    }

    @Test
    void hashWhenPreviousHashDiffersThenDiffers() {
        assertThat(HashChain.hash(SIGN_OUT_HASH, SIGN_IN)).isNotEqualTo(SIGN_IN_HASH);
    }

    @Test
    void encodeWhenFieldBoundaryMovesBetweenActorAndSubjectThenDiffers() {
        ChainEntry ab = entry("ab", "c");
        ChainEntry bc = entry("a", "bc");

        assertThat(HashChain.encode(ab)).isNotEqualTo(HashChain.encode(bc));
        assertThat(HashChain.hash(HashChain.GENESIS, ab)).isNotEqualTo(HashChain.hash(HashChain.GENESIS, bc));
    }

    @Test
    void encodeWhenNullVersusEmptyStringThenDiffers() {
        ChainEntry withNull = entry(null, "x");
        ChainEntry withEmpty = entry("", "x");

        assertThat(HashChain.encode(withNull)).isNotEqualTo(HashChain.encode(withEmpty));
        assertThat(HashChain.hash(HashChain.GENESIS, withNull))
                .isNotEqualTo(HashChain.hash(HashChain.GENESIS, withEmpty));
    }

    @Test
    void encodeWhenAnyNullableFieldIsNullOrEmptyThenDiffers() {
        for (int field = 0; field < 9; field++) {
            if (field == 0 || field == 1 || field == 6) {
                continue; // time, type and outcome cannot be null
            }
            String[] nulls = fields(field, null);
            String[] empties = fields(field, "");
            assertThat(HashChain.encode(fromFields(nulls)))
                    .as("field %d", field)
                    .isNotEqualTo(HashChain.encode(fromFields(empties)));
        }
    }

    @Test
    void encodeWhenTextMovesFromOneFieldToTheNextThenDiffers() {
        // "x" in one nullable field, then in the next one: the same bytes once the prefixes are stripped
        int[][] neighbours = {{2, 3}, {3, 4}, {4, 5}, {7, 8}};
        for (int[] pair : neighbours) {
            ChainEntry here = fromFields(fields(pair[0], "x"));
            ChainEntry next = fromFields(fields(pair[1], "x"));
            assertThat(HashChain.encode(here))
                    .as("fields %d, %d", pair[0], pair[1])
                    .isNotEqualTo(HashChain.encode(next));
        }
    }

    record Two(ChainEntry a, ChainEntry b) {}

    @Test
    void encodeWhenEntriesDifferThenEncodingsDiffer() {
        forAll(
                5000,
                r -> {
                    ChainEntry a = smallEntry(r);
                    ChainEntry b = switch (r.nextInt(3)) {
                        case 0 -> smallEntry(r);
                        case 1 -> redrawOneField(r, a);
                        default -> shiftBoundary(r, a);
                    };
                    return new Two(a, b);
                },
                two -> assertThat(Arrays.equals(HashChain.encode(two.a()), HashChain.encode(two.b())))
                        .isEqualTo(two.a().equals(two.b())));
    }

    /** Entries over a tiny alphabet, so that near-collisions (shifted boundaries, null/empty) are common. */
    private static ChainEntry smallEntry(Random r) {
        String[] text = new String[8];
        for (int i = 0; i < text.length; i++) {
            text[i] = smallText(r);
        }
        return entry(oneOf(r, 0L, 1L, 256L), text);
    }

    /** {@code e} with one field drawn again, sometimes to the same value. */
    private static ChainEntry redrawOneField(Random r, ChainEntry e) {
        int field = r.nextInt(9);
        if (field == 8) {
            return entry(oneOf(r, 0L, 1L, 256L), texts(e));
        }
        String[] text = texts(e);
        text[field] = smallText(r);
        return entry(e.occurredAtMillis(), text);
    }

    /** {@code e} with the text of two neighbouring fields split again at another point. */
    private static ChainEntry shiftBoundary(Random r, ChainEntry e) {
        String[] text = texts(e);
        int field = r.nextInt(text.length - 1);
        String joined = Objects.toString(text[field], "") + Objects.toString(text[field + 1], "");
        int cut = r.nextInt(joined.length() + 1);
        text[field] = joined.substring(0, cut);
        text[field + 1] = joined.substring(cut);
        return entry(e.occurredAtMillis(), text);
    }

    private static String smallText(Random r) {
        return oneOf(r, null, null, "", "a", "b", "ab", "ba", "\u0000", "a\u0000");
    }

    private static String[] texts(ChainEntry e) {
        return new String[] {
            e.type(), e.actor(), e.subject(), e.ip(), e.userAgent(), e.outcome(), e.reason(), e.details()
        };
    }

    /** Type and outcome cannot be null, so a null drawn for them stands for the empty string. */
    private static ChainEntry entry(long time, String[] t) {
        return new ChainEntry(
                time, t[0] == null ? "" : t[0], t[1], t[2], t[3], t[4], t[5] == null ? "" : t[5], t[6], t[7]);
    }

    @Test
    void entryWhenUnpairedSurrogateThenRejectedSoNoTwoEntriesEncodeAlike() {
        assertThatThrownBy(() -> entry("a\uD800", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ChainEntry.sanitize("a\uD800")).isEqualTo("a\uFFFD");
        assertThat(HashChain.encode(entry(ChainEntry.sanitize("a\uD800"), "x")))
                .isNotEqualTo(HashChain.encode(entry("a?", "x")));
        assertThat(ChainEntry.sanitize("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00");
    }

    private static ChainEntry entry(String actor, String subject) {
        return new ChainEntry(1L, "t", actor, subject, "ip", "ua", "success", "r", "{}");
    }

    /** Nine values in record order, with {@code value} at {@code field} and fixed text elsewhere. */
    private static String[] fields(int field, String value) {
        List<String> list = new ArrayList<>(
                Arrays.asList("1", "type", "actor", "subject", "ip", "ua", "outcome", "reason", "details"));
        for (int i = 2; i < 9; i++) {
            if (i != 6) {
                list.set(i, null);
            }
        }
        list.set(field, value);
        return list.toArray(String[]::new);
    }

    private static ChainEntry fromFields(String[] f) {
        return new ChainEntry(Long.parseLong(f[0]), f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
    }
}
