package io.inferpulse.ingest.scrape;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body into one array, but stops reading one byte past {@code limit}: the
 * caller then sees a body longer than the limit and rejects it, and a runaway target cannot make
 * ingest buffer more than that. (The JDK's own limiting handler arrived only in Java 25.)
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private byte[] buffer;
    private int size;

    /** @param expected the likely size, such as this URL's previous body, so the buffer is rarely regrown */
    BoundedBody(int limit, int expected) {
        this.limit = limit;
        this.buffer = new byte[(int) Math.min(Math.max(expected, 1024), limit + 1L)];
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            int take = (int) Math.min(item.remaining(), limit + 1L - size);
            if (size + take > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(buffer.length * 2L, size + take), limit + 1L));
            }
            item.get(buffer, size, take);
            size += take;
            if (size > limit) {
                subscription.cancel();
                result.complete(Arrays.copyOf(buffer, size));
                return;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}
