package dev.signet.server.guard;

import dev.signet.server.store.Store;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Bucket4j buckets kept in the {@code throttle_bucket} table, on SQLite and PostgreSQL alike, by
 * optimistic compare-and-swap: read the serialised state, let Bucket4j apply the command, then write
 * the new state only if the row still holds the state that was read ({@code UPDATE ... WHERE state =
 * ?}); a lost race makes Bucket4j read and retry. A missing bucket is created by {@code INSERT ... ON
 * CONFLICT DO UPDATE ... WHERE expires_at <= now}, so of two nodes creating one bucket only one wins.
 *
 * <p>Time comes from the injected {@link Clock}. A row past {@code expires_at} (time to refill the
 * bucket completely, plus a margin) holds a full bucket, so it is treated as absent and may be deleted
 * at any time.
 */
final class StoreBucketProxyManager extends AbstractCompareAndSwapBasedProxyManager<String> {
    private static final Duration KEEP_AFTER_REFILL = Duration.ofMinutes(1);

    private final Store store;
    private final Clock clock;
    private final TimeMeter timeMeter;
    private final ExpirationAfterWriteStrategy expiration;

    StoreBucketProxyManager(Store store, Clock clock) {
        this(
                store,
                new ClockTimeMeter(clock),
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_REFILL));
    }

    private StoreBucketProxyManager(Store store, ClockTimeMeter timeMeter, ExpirationAfterWriteStrategy expiration) {
        super(ClientSideConfig.getDefault()
                .withClientClock(timeMeter)
                .withExpirationAfterWriteStrategy(expiration)
                .withMaxRetries(100));
        this.store = store;
        this.clock = timeMeter.clock();
        this.timeMeter = timeMeter;
        this.expiration = expiration;
    }

    /** Bucket4j time from the injected clock, at millisecond precision. */
    record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            return Math.multiplyExact(clock.millis(), 1_000_000L);
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }

    @Override
    protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
        return new CompareAndSwapOperation() {
            @Override
            public Optional<byte[]> getStateData(Optional<Long> timeoutNanos) {
                return store.jdbc()
                        .sql("SELECT state FROM throttle_bucket WHERE bucket_key = ? AND expires_at > ?")
                        .params(key, clock.millis())
                        .query(String.class)
                        .optional()
                        .map(Base64.getDecoder()::decode);
            }

            @Override
            public boolean compareAndSwap(
                    byte[] originalData, byte[] newData, RemoteBucketState newState, Optional<Long> timeoutNanos) {
                long now = clock.millis();
                long ttl = Math.max(0, expiration.calculateTimeToLiveMillis(newState, timeMeter.currentTimeNanos()));
                long expiresAt = now + ttl;
                String fresh = Base64.getEncoder().encodeToString(newData);
                if (originalData == null) {
                    // No live bucket was read: create it, or replace an expired row; a live row
                    // written meanwhile by another node wins and this attempt is retried.
                    return store.jdbc()
                                    .sql("INSERT INTO throttle_bucket (bucket_key, state, expires_at) VALUES (?, ?, ?)"
                                            + " ON CONFLICT (bucket_key) DO UPDATE SET state = excluded.state,"
                                            + " expires_at = excluded.expires_at WHERE throttle_bucket.expires_at <= ?")
                                    .params(key, fresh, expiresAt, now)
                                    .update()
                            == 1;
                }
                return store.jdbc()
                                .sql(
                                        "UPDATE throttle_bucket SET state = ?, expires_at = ? WHERE bucket_key = ? AND state = ?")
                                .params(
                                        fresh,
                                        expiresAt,
                                        key,
                                        Base64.getEncoder().encodeToString(originalData))
                                .update()
                        == 1;
            }
        };
    }

    @Override
    protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
        throw new UnsupportedOperationException("the database proxy manager is synchronous");
    }

    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }

    @Override
    public boolean isAsyncModeSupported() {
        return false;
    }

    @Override
    public void removeProxy(String key) {
        store.jdbc()
                .sql("DELETE FROM throttle_bucket WHERE bucket_key = ?")
                .param(key)
                .update();
    }

    @Override
    protected CompletableFuture<Void> removeAsync(String key) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("the database proxy manager is synchronous"));
    }

    /** Deletes up to {@code limit} expired buckets; returns how many. */
    int removeExpired(int limit) {
        return store.jdbc()
                .sql("DELETE FROM throttle_bucket WHERE bucket_key IN"
                        + " (SELECT bucket_key FROM throttle_bucket WHERE expires_at <= ? LIMIT ?)")
                .params(clock.millis(), limit)
                .update();
    }
}
