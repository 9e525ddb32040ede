package io.inferpulse.ingest.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scraper against real HTTP servers on 127.0.0.1. */
class ScraperTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final ScrapeProfile EVERY_100_MS = ScrapeProfile.defaults().withInterval(Duration.ofMillis(100));

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void shouldSendTheBearerTokenAndSwitchToTheNewOneOnceTheFileIsRotated() throws Exception {
        // given a token mounted as Kubernetes projects one: token -> ..data/token, ..data -> a timestamped directory
        Path token = dir.resolve("token");
        writeTokenVersion("..2025_01_01", "first-token\n");
        Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("..2025_01_01").getFileName());
        Files.createSymbolicLink(token, Path.of("..data", "token"));
        FakeTarget server = server();
        ScrapeTarget target = target(server.url("/metrics"), "pool", "pod-0", withToken(token));
        scraper(8).setTargets(List.of(target));
        await().atMost(DEADLINE).until(() -> server.requests().size() >= 2);

        // when the kubelet rotates it: a new directory, and ..data swapped to it atomically
        writeTokenVersion("..2025_01_02", "second-token\n");
        Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.resolve("..2025_01_02").getFileName());
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        // then the requests carry the first token, then the new one and never the old one again (trimmed of its newline)
        await().atMost(DEADLINE).until(() -> server.requests().stream()
                .filter(r -> "Bearer second-token".equals(r.authorization())).count() >= 3);
        List<String> sent = server.requests().stream().map(FakeTarget.Request::authorization).toList();
        int switched = sent.indexOf("Bearer second-token");
        assertThat(sent.subList(0, switched)).isNotEmpty().containsOnly("Bearer first-token");
        assertThat(sent.subList(switched, sent.size())).containsOnly("Bearer second-token");
        assertThat(recorder.scrapes(target)).isNotEmpty();
    }

    @Test
    void shouldCountA401AsAnAuthErrorAndHandNothingOn() throws Exception {
        // given a target that refuses the token
        FakeTarget server = server().answering(FakeTarget.status(401));
        Files.writeString(dir.resolve("token"), "revoked");

        // when it is scraped
        scraper(8).setTargets(List.of(target(server.url("/metrics"), "pool", "pod-0", withToken(dir.resolve("token")))));

        // then each scrape is an auth error, not a generic HTTP status one, and no sample is made
        await().atMost(DEADLINE).until(() -> errors("auth") >= 2);
        assertThat(errors("http_status")).isZero();
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldCountAMissingTokenFileAsAnAuthErrorWithoutSendingTheRequest() throws Exception {
        // given a target whose token file does not exist
        FakeTarget server = server();

        // when it is scraped
        scraper(8).setTargets(List.of(target(server.url("/metrics"), "pool", "pod-0", withToken(dir.resolve("absent")))));

        // then the scrapes fail as auth errors before anything goes out without the token
        await().atMost(DEADLINE).until(() -> errors("auth") >= 2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void shouldCountAServerThatDoesNotAnswerWithinTheTimeoutAsATimeout() throws Exception {
        // given a target that never answers
        FakeTarget server = server();
        server.answering(exchange -> server.hold());

        // when it is scraped with a 100 ms timeout
        scraper(8).setTargets(List.of(target(server.url("/metrics"), "pool", "pod-0",
                EVERY_100_MS.withTimeout(Duration.ofMillis(80)))));

        // then each scrape times out
        await().atMost(DEADLINE).until(() -> errors("timeout") >= 2);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldCountABodyThatStallsHalfWayAsATimeout() throws Exception {
        // given a target that sends its headers and part of the body, then stalls
        FakeTarget server = server();
        server.answering(server.stallingMidBody());

        // when it is scraped: the request timeout alone would be met, as the headers arrived in time
        scraper(8).setTargets(List.of(target(server.url("/metrics"), "pool", "pod-0",
                EVERY_100_MS.withTimeout(Duration.ofMillis(80)))));

        // then the scrape still ends at its timeout
        await().atMost(DEADLINE).until(() -> errors("timeout") >= 2);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldReportARemovedTargetGoneOnceAfterItsLastScrape() throws Exception {
        // given two pods being scraped
        FakeTarget server = server();
        ScrapeTarget staying = target(server.url("/a"), "pool", "pod-a", EVERY_100_MS);
        ScrapeTarget leaving = target(server.url("/b"), "pool", "pod-b", EVERY_100_MS);
        Scraper scraper = scraper(8);
        scraper.setTargets(List.of(staying, leaving));
        await().atMost(DEADLINE).until(() -> recorder.scrapes(leaving).size() >= 2 && recorder.scrapes(staying).size() >= 2);

        // when one pod disappears
        scraper.setTargets(List.of(staying));

        // then it is reported gone before setTargets returns, after its last scrape
        assertThat(recorder.gone()).containsExactly(leaving);
        List<Recorder.Call> calls = recorder.calls();
        int goneAt = calls.indexOf(new Recorder.Call(leaving, null, true));
        assertThat(calls.subList(goneAt + 1, calls.size())).noneMatch(c -> c.target().equals(leaving));
        // and it is not scraped again while the other pod still is, nor reported gone twice
        int scrapedBefore = recorder.scrapes(leaving).size();
        int stayingBefore = recorder.scrapes(staying).size();
        await().atMost(DEADLINE).until(() -> recorder.scrapes(staying).size() >= stayingBefore + 3);
        scraper.setTargets(List.of(staying));
        assertThat(recorder.scrapes(leaving)).hasSize(scrapedBefore);
        assertThat(recorder.gone()).containsExactly(leaving);
        assertThat(meters.get("inferpulse_scrape_targets").gauge().value()).isEqualTo(1);
    }

    @Test
    void shouldNotReportAPodGoneWhenOnlyItsLabelsChange() throws Exception {
        // given a pod being scraped
        FakeTarget server = server();
        ScrapeTarget before = target(server.url("/metrics"), "pool", "pod-0", EVERY_100_MS);
        Scraper scraper = scraper(8);
        scraper.setTargets(List.of(before));
        await().atMost(DEADLINE).until(() -> !recorder.scrapes(before).isEmpty());

        // when discovery reports it again with a new label
        PodIdentity pod = before.pod();
        ScrapeTarget relabelled = new ScrapeTarget(new PodIdentity(pod.cluster(), pod.namespace(), pod.pool(), pod.pod(),
                pod.address(), Map.of("version", "2")), before.url(), before.profile(), before.engine());
        scraper.setTargets(List.of(relabelled));

        // then it is scraped as the new target and never reported gone
        await().atMost(DEADLINE).until(() -> !recorder.scrapes(relabelled).isEmpty());
        assertThat(recorder.gone()).isEmpty();
    }

    @Test
    void shouldKeepATargetWhoseScrapesFailWithoutReportingItGone() throws Exception {
        // given a pod that answers every scrape with an error
        FakeTarget server = server().answering(FakeTarget.status(500));

        // when it is scraped repeatedly
        scraper(8).setTargets(List.of(target(server.url("/metrics"), "pool", "pod-0", EVERY_100_MS)));

        // then the failures are counted, and the pod is left to go stale downstream rather than reported gone
        await().atMost(DEADLINE).until(() -> errors("http_status") >= 3);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldFetchAUrlSharedByTwoPoolsOncePerIntervalForBoth() throws Exception {
        // given one pod in two pools: two targets with one URL
        FakeTarget server = server();
        ScrapeTarget inA = target(server.url("/metrics"), "pool-a", "pod-0", EVERY_100_MS);
        ScrapeTarget inB = target(server.url("/metrics"), "pool-b", "pod-0", EVERY_100_MS);
        Scraper scraper = scraper(8);

        // when both are scraped for a while
        scraper.setTargets(List.of(inA, inB));
        await().atMost(DEADLINE).until(() -> recorder.scrapes(inA).size() >= 5 && recorder.scrapes(inB).size() >= 5);
        scraper.close();

        // then each request's exposition went to both targets
        Map<Object, List<ScrapeTarget>> byExposition = new IdentityHashMap<>();
        recorder.calls().forEach(c -> byExposition.computeIfAbsent(c.exposition(), e -> new ArrayList<>()).add(c.target()));
        assertThat(byExposition.values()).allSatisfy(targets -> assertThat(targets).containsExactly(inA, inB));
        // and there was one request per exposition (one more if a request was in flight at close)
        assertThat(server.requests().size()).isBetween(byExposition.size(), byExposition.size() + 1);
    }

    @Test
    void shouldScrapeEachTargetAtItsOwnInterval() throws Exception {
        // given one target every 50 ms and one every second
        FakeTarget server = server();
        Scraper scraper = scraper(8);

        // when both are scraped
        scraper.setTargets(List.of(
                target(server.url("/fast"), "pool", "pod-fast", ScrapeProfile.defaults().withInterval(Duration.ofMillis(50))),
                target(server.url("/slow"), "pool", "pod-slow", ScrapeProfile.defaults())));
        await().atMost(DEADLINE).until(() -> server.requests("/fast").size() >= 21);

        // then 20 intervals of the fast one take about a second, during which the slow one is scraped about once
        List<FakeTarget.Request> fast = server.requests("/fast");
        long from = fast.get(0).atNanos();
        long to = fast.get(20).atNanos();
        assertThat(Duration.ofNanos(to - from)).isBetween(Duration.ofMillis(500), Duration.ofMillis(2500));
        assertThat(server.requests("/slow").stream().filter(r -> r.atNanos() >= from && r.atNanos() <= to).count())
                .isLessThanOrEqualTo(3);
    }

    @Test
    void shouldNeverRunMoreScrapesAtOnceThanTheBound() throws Exception {
        // given six slow targets and room for two scrapes at a time
        FakeTarget server = server();
        server.answering(exchange -> {
            Thread.sleep(150);
            FakeTarget.ok(FakeTarget.BODY).answer(exchange);
        });
        List<ScrapeTarget> targets = IntStream.range(0, 6).mapToObj(i -> target(server.url("/m" + i), "pool", "pod-" + i,
                ScrapeProfile.defaults().withInterval(Duration.ofMillis(200)))).toList();

        // when they are all scraped
        scraper(2).setTargets(targets);

        // then the scrapes that find no room are dropped and counted, and the server never sees more than two at once
        await().atMost(DEADLINE).until(() -> server.requests().size() >= 10 && errors("overloaded") >= 1);
        assertThat(server.maxConcurrent()).isBetween(1, 2);
    }

    @Test
    void shouldDeadLetterABodyOverTheLimit() throws Exception {
        // given a target whose body is larger than the limit
        String large = "# HELP padding " + "x".repeat(5000) + "\n" + FakeTarget.BODY;
        FakeTarget server = server().answering(FakeTarget.ok(large));
        ScrapeTarget target = target(server.url("/metrics"), "pool", "pod-0", EVERY_100_MS);

        // when it is scraped with a 1 KiB limit
        Scraper scraper = new Scraper(new ScrapeSettings(ScrapeProfile.defaults(), 8, 1024, Duration.ZERO), recorder,
                recorder.deadLetters(meters), metrics, Clock.systemUTC());
        resources.add(scraper);
        scraper.setTargets(List.of(target));

        // then it is counted and dead-lettered under the target's URL, with no more of the body than the limit and a byte
        await().atMost(DEADLINE).until(() -> errors("too_large") >= 1);
        await().atMost(DEADLINE).until(() -> !recorder.deadLetterProducer.history().isEmpty());
        var letter = recorder.deadLetterProducer.history().getFirst();
        assertThat(letter.key()).isEqualTo("scrape:" + target.url());
        assertThat(letter.value().getReason()).contains("limit of 1024 bytes");
        assertThat(letter.value().getRaw().remaining()).isEqualTo(1025);
        assertThat(recorder.calls()).isEmpty();
    }

    @Test
    void shouldScrapeATargetWithoutAProfileOfItsOwnWithTheScrapersDefault() throws Exception {
        // given a scraper whose default profile scrapes every 100 ms
        FakeTarget server = server();
        Scraper scraper = new Scraper(new ScrapeSettings(EVERY_100_MS, 8, 1 << 20, Duration.ZERO), recorder,
                recorder.deadLetters(meters), metrics, Clock.systemUTC());
        resources.add(scraper);

        // when a target made of just a pod and a URL is scraped
        URI url = server.url("/metrics");
        scraper.setTargets(List.of(new ScrapeTarget(new PodIdentity("test", "default", "pool", "pod-0", url.getAuthority(),
                Map.of()), url)));

        // then it is scraped every 100 ms: ten intervals of the built-in second would take ten seconds
        await().atMost(DEADLINE).until(() -> server.requests().size() >= 11);
        List<FakeTarget.Request> requests = server.requests();
        assertThat(Duration.ofNanos(requests.get(10).atNanos() - requests.get(0).atNanos())).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void shouldSpreadPodUrlsEvenlyOverTheInterval() {
        // given a thousand pods on consecutive IPs, serving on one port
        long interval = Duration.ofSeconds(1).toNanos();
        int[] tenths = new int[10];

        // when each is given its offset
        for (int i = 0; i < 1000; i++) {
            URI url = URI.create("http://10.0." + i / 250 + "." + i % 250 + ":8000/metrics");
            tenths[(int) (Scraper.offsetNanos(url, interval) * 10 / interval)]++;
        }

        // then every tenth of the interval gets about a hundred (String.hashCode gives 40 to 190)
        assertThat(IntStream.of(tenths).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(70, 130));
    }

    private Scraper scraper(int maxConcurrency) {
        ScrapeSettings settings = new ScrapeSettings(ScrapeProfile.defaults(), maxConcurrency, 1 << 20, Duration.ZERO);
        Scraper scraper = new Scraper(settings, recorder, recorder.deadLetters(meters), metrics, Clock.systemUTC(),
                Duration.ofMillis(100));
        resources.add(scraper);
        return scraper;
    }

    private FakeTarget server() throws IOException {
        FakeTarget server = new FakeTarget();
        resources.add(server);
        return server;
    }

    private void writeTokenVersion(String version, String token) throws IOException {
        Files.createDirectories(dir.resolve(version));
        Files.writeString(dir.resolve(version).resolve("token"), token, StandardCharsets.UTF_8);
    }

    private static ScrapeProfile withToken(Path token) {
        return new ScrapeProfile(Duration.ofMillis(100), Duration.ofMillis(100), Optional.of(token), Optional.empty(), false);
    }

    static ScrapeTarget target(URI url, String pool, String pod, ScrapeProfile profile) {
        return new ScrapeTarget(new PodIdentity("test", "default", pool, pod, url.getAuthority(), Map.of()), url, profile,
                ScrapeTarget.DEFAULT_ENGINE);
    }

    private double errors(String reason) {
        return meters.get("inferpulse_scrape_errors").tag("reason", reason).counter().count();
    }
}
