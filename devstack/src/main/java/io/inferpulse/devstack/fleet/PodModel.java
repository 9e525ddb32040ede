package io.inferpulse.devstack.fleet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The scheduler of one simulated vLLM server: a FIFO of waiting requests, a batch of up to {@code maxNumSeqs} running
 * ones that prefill and then decode, and a KV cache measured in tokens.
 *
 * <p>Mutated only on the simulation thread (under the fleet's lock); other threads read {@link #published()}.
 */
final class PodModel {

    /** A request that finished generating, at simulated time {@code finishNanos}. */
    record Completion(InferenceRequest request, long finishNanos) {
    }

    private final String namespace;
    private final String pool;
    private final String name;
    private final String model;
    private final FleetConfig.Pod config;

    private final Deque<Sequence> waiting = new ArrayDeque<>();
    /** In admission order, so preemption can evict the newest like vLLM does. */
    private final List<Sequence> running = new ArrayList<>();
    private final Histogram e2eLatency = new Histogram(Histogram.E2E_LATENCY_BUCKETS);
    private final Histogram timeToFirstToken = new Histogram(Histogram.TTFT_BUCKETS);
    private long promptTokens;
    private long generationTokens;
    private long finishedStop;
    private long finishedLength;
    private long preemptions;

    private volatile PodSnapshot published;
    /** Share of the configured prefill and decode rates the pod achieves. */
    private double speed = 1.0;

    PodModel(String namespace, String pool, String name, String model, FleetConfig.Pod config,
             double unixTimeSeconds) {
        this.namespace = namespace;
        this.pool = pool;
        this.name = name;
        this.model = model;
        this.config = config;
        publish(unixTimeSeconds);
    }

    String name() {
        return name;
    }

    /** False once the queue is full; the gateway then sends the request elsewhere or rejects it. */
    boolean canQueue() {
        return waiting.size() < config.maxQueueLength();
    }

    /**
     * The pod as it is right now, mid-step, for routing decisions. Preemption already keeps the cache within capacity;
     * the cap at 1 only hides floating-point residue from summing fractional token counts.
     */
    PodState state() {
        return new PodState(namespace, pool, name, model, running.size(), waiting.size(),
                Math.min(1.0, kvTokensInUse() / config.kvCapacityTokens()), finishedStop + finishedLength);
    }

    void speed(double share) {
        speed = share;
    }

    void enqueue(InferenceRequest request) {
        waiting.addLast(new Sequence(Objects.requireNonNull(request)));
    }

    /**
     * Moves the batch forward by {@code seconds} ending at {@code nowNanos}, then fills free batch slots from the
     * queue. Requests admitted here start prefilling on the next step.
     */
    void step(long nowNanos, double seconds, Consumer<Completion> completions) {
        double decodeRate = speed * config.decodeTokensPerSecond()
                / (1 + config.decodeContention() * Math.max(0, running.size() - 1));
        Iterator<Sequence> batch = running.iterator();
        while (batch.hasNext()) {
            Sequence sequence = batch.next();
            if (sequence.prefillSecondsLeft > 0) {
                sequence.prefillSecondsLeft -= seconds;
                if (sequence.prefillSecondsLeft <= 0 && !sequence.prefilled) {
                    emitFirstToken(sequence, nowNanos);
                }
            } else {
                sequence.generated = Math.min(sequence.request.outputTokens(),
                        sequence.generated + decodeRate * seconds);
            }
            countGeneratedTokens(sequence);
            if (sequence.generated >= sequence.request.outputTokens()) {
                batch.remove();
                finish(sequence, nowNanos, completions);
            }
        }
        preemptWhileOverCapacity();
        admit();
    }

    void publish(double unixTimeSeconds) {
        published = new PodSnapshot(state(), unixTimeSeconds, promptTokens, generationTokens, finishedStop,
                finishedLength, preemptions, e2eLatency.snapshot(), timeToFirstToken.snapshot(), adapters(running),
                adapters(waiting));
    }

    PodSnapshot published() {
        return published;
    }

    private void emitFirstToken(Sequence sequence, long nowNanos) {
        // vLLM's prefill pass produces the first output token; a preempted request recomputes its prefill but has
        // produced that token already.
        sequence.prefilled = true;
        sequence.generated = 1;
        promptTokens += sequence.request.promptTokens();
        timeToFirstToken.observe(secondsSinceArrival(sequence, nowNanos));
    }

    private void countGeneratedTokens(Sequence sequence) {
        long whole = (long) sequence.generated;
        generationTokens += whole - sequence.countedTokens;
        sequence.countedTokens = whole;
    }

    private void finish(Sequence sequence, long nowNanos, Consumer<Completion> completions) {
        if (sequence.request.cutAtMaxLen()) {
            finishedLength++;
        } else {
            finishedStop++;
        }
        e2eLatency.observe(secondsSinceArrival(sequence, nowNanos));
        completions.accept(new Completion(sequence.request, nowNanos));
    }

    /**
     * Growing sequences can outgrow the cache; like vLLM's recompute preemption, the newest request goes back to the
     * head of the queue and gives up its cache. One request alone always fits, since max_model_len fits the cache.
     */
    private void preemptWhileOverCapacity() {
        double used = kvTokensInUse();
        while (used > config.kvCapacityTokens() && running.size() > 1) {
            Sequence evicted = running.removeLast();
            used -= evicted.kvTokens();
            waiting.addFirst(evicted);
            preemptions++;
        }
    }

    /** Strict FIFO: a head that does not fit the cache blocks the queue, as in vLLM's default scheduler. */
    private void admit() {
        double used = kvTokensInUse();
        while (!waiting.isEmpty() && running.size() < config.maxNumSeqs()) {
            Sequence head = waiting.peekFirst();
            if (used + head.kvTokens() > config.kvCapacityTokens()) {
                return;
            }
            waiting.removeFirst();
            head.prefillSecondsLeft = head.kvTokens() / (speed * config.prefillTokensPerSecond());
            running.add(head);
            used += head.kvTokens();
        }
    }

    private double kvTokensInUse() {
        double tokens = 0;
        for (Sequence sequence : running) {
            tokens += sequence.kvTokens();
        }
        return tokens;
    }

    private static double secondsSinceArrival(Sequence sequence, long nowNanos) {
        return (nowNanos - sequence.request.arrivalNanos()) / 1e9;
    }

    private static List<String> adapters(Collection<Sequence> sequences) {
        return sequences.stream()
                .map(sequence -> sequence.request.loraAdapter())
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
    }

    /** A request's progress inside the server. */
    private static final class Sequence {
        final InferenceRequest request;
        /** Fractional, because at batch-dependent rates a step rarely yields whole tokens. */
        double generated;
        long countedTokens;
        double prefillSecondsLeft;
        boolean prefilled;

        Sequence(InferenceRequest request) {
            this.request = request;
        }

        double kvTokens() {
            return request.promptTokens() + generated;
        }
    }
}
