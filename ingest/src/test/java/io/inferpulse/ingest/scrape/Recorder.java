package io.inferpulse.ingest.scrape;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.schemas.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A handler that records every call in order, and a dead-letter sink that keeps what it is sent. */
class Recorder implements ScrapeHandler {
    record Call(ScrapeTarget target, Exposition exposition, boolean gone) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    final MockProducer<String, DeadLetter> deadLetterProducer = new MockProducer<>(true, null, new StringSerializer(),
            (topic, letter) -> new byte[0]);

    @Override
    public void scraped(ScrapeTarget target, Exposition exposition, Instant sampleTime, double durationSeconds) {
        calls.add(new Call(target, exposition, false));
    }

    @Override
    public void gone(ScrapeTarget target, Instant at) {
        calls.add(new Call(target, null, true));
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> scrapes(ScrapeTarget target) {
        return calls.stream().filter(c -> !c.gone() && c.target().equals(target)).toList();
    }

    List<ScrapeTarget> gone() {
        return calls.stream().filter(Call::gone).map(Call::target).toList();
    }

    DeadLetters deadLetters(MeterRegistry meters) {
        Topic<String, DeadLetter> topic = new Topic<>("dead-letter", Serdes.String(), Serdes.serdeFrom(
                (Serializer<DeadLetter>) (t, letter) -> new byte[0], (Deserializer<DeadLetter>) (t, bytes) -> null));
        return new DeadLetters(deadLetterProducer, topic, meters, Clock.systemUTC(), 4096);
    }
}
