package io.inferpulse.notifier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The integrations a receiver can have; each builds its channel's payload. */
final class Integrations {
    /** Go's zero time: what Alertmanager's webhook shows as endsAt of a firing alert. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private Integrations() {}

    /** Prometheus's notifier: POST /api/v2/alerts, every event as it comes; Alertmanager groups. */
    static final class Alertmanager implements Integration {
        private final HttpSender http;
        private final URI url;

        Alertmanager(HttpSender http, URI base) {
            this.http = http;
            String b = base.toString();
            this.url = URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/api/v2/alerts");
        }

        @Override
        public String kind() {
            return "alertmanager";
        }

        @Override
        public boolean grouped() {
            return false;
        }

        @Override
        public Response send(Notification n) throws java.io.IOException, InterruptedException {
            ArrayNode body = HttpSender.JSON.createArrayNode();
            for (Alert a : n.alerts()) {
                ObjectNode o = body.addObject();
                o.set("labels", HttpSender.JSON.valueToTree(a.labels()));
                o.set("annotations", HttpSender.JSON.valueToTree(a.annotations()));
                o.put("startsAt", a.startsAt().toString());
                a.endsAt().ifPresent(e -> o.put("endsAt", e.toString()));
                o.put("generatorURL", a.generatorUrl());
            }
            return http.post(kind(), url, body);
        }

        @Override
        public String toString() {
            return "alertmanager integration";
        }
    }

    /** Alertmanager's webhook payload, version 4. */
    static final class Webhook implements Integration {
        private final HttpSender http;
        private final URI url;
        private final String externalUrl;
        private final boolean sendResolved;

        Webhook(HttpSender http, URI url, String externalUrl, boolean sendResolved) {
            this.http = http;
            this.url = url;
            this.externalUrl = externalUrl;
            this.sendResolved = sendResolved;
        }

        @Override
        public String kind() {
            return "webhook";
        }

        @Override
        public boolean sendResolved() {
            return sendResolved;
        }

        @Override
        public Response send(Notification n) throws java.io.IOException, InterruptedException {
            ObjectNode body = HttpSender.JSON.createObjectNode();
            body.put("version", "4");
            body.put("groupKey", n.groupKey());
            body.put("truncatedAlerts", 0);
            body.put("status", n.isFiring() ? "firing" : "resolved");
            body.put("receiver", n.target().receiver());
            body.set("groupLabels", HttpSender.JSON.valueToTree(n.groupLabels()));
            body.set("commonLabels", HttpSender.JSON.valueToTree(n.commonLabels()));
            body.set("commonAnnotations", HttpSender.JSON.valueToTree(n.commonAnnotations()));
            body.put("externalURL", externalUrl);
            ArrayNode alerts = body.putArray("alerts");
            for (Alert a : n.alerts()) {
                boolean resolved = n.resolved().contains(a.fingerprint());
                ObjectNode o = alerts.addObject();
                o.put("status", resolved ? "resolved" : "firing");
                o.set("labels", HttpSender.JSON.valueToTree(a.labels()));
                o.set("annotations", HttpSender.JSON.valueToTree(a.annotations()));
                o.put("startsAt", a.startsAt().toString());
                o.put("endsAt", resolved ? a.endsAt().map(Instant::toString).orElse(n.at().toString()) : ZERO_TIME);
                o.put("generatorURL", a.generatorUrl());
                o.put("fingerprint", a.fingerprint());
            }
            return http.post(kind(), url, body);
        }

        @Override
        public String toString() {
            return "webhook integration";
        }
    }

    /** A Slack incoming webhook: a text fallback and one mrkdwn section. */
    static final class Slack implements Integration {
        private final HttpSender http;
        private final URI url;
        private final String channel;
        private final boolean sendResolved;

        Slack(HttpSender http, URI url, String channel, boolean sendResolved) {
            this.http = http;
            this.url = url;
            this.channel = channel;
            this.sendResolved = sendResolved;
        }

        @Override
        public String kind() {
            return "slack";
        }

        @Override
        public boolean sendResolved() {
            return sendResolved;
        }

        @Override
        public Response send(Notification n) throws java.io.IOException, InterruptedException {
            ObjectNode body = HttpSender.JSON.createObjectNode();
            if (!channel.isEmpty()) {
                body.put("channel", channel);
            }
            String text = summary(n);
            body.put("text", text);
            ArrayNode blocks = body.putArray("blocks");
            ObjectNode section = blocks.addObject();
            section.put("type", "section");
            ObjectNode t = section.putObject("text");
            t.put("type", "mrkdwn");
            t.put("text", text + "\n" + n.alerts().stream().map(Integrations::describe).collect(Collectors.joining("\n")));
            return http.post(kind(), url, body);
        }

        @Override
        public String toString() {
            return "slack integration";
        }
    }

    /** PagerDuty Events API v2: one incident per group, keyed by the hash of the group key. */
    static final class PagerDuty implements Integration {
        private final HttpSender http;
        private final URI url;
        private final String routingKey;
        private final boolean sendResolved;

        PagerDuty(HttpSender http, URI url, String routingKey, boolean sendResolved) {
            this.http = http;
            this.url = url;
            this.routingKey = routingKey;
            this.sendResolved = sendResolved;
        }

        @Override
        public String kind() {
            return "pagerduty";
        }

        @Override
        public boolean sendResolved() {
            return sendResolved;
        }

        @Override
        public Response send(Notification n) throws java.io.IOException, InterruptedException {
            ObjectNode body = HttpSender.JSON.createObjectNode();
            body.put("routing_key", routingKey);
            body.put("event_action", n.isFiring() ? "trigger" : "resolve");
            body.put("dedup_key", dedupKey(n.groupKey()));
            ObjectNode payload = body.putObject("payload");
            payload.put("summary", truncate(summary(n), 1024));
            payload.put("source", n.commonLabels().getOrDefault("instance", "inferpulse"));
            payload.put("severity", severity(n.commonLabels().getOrDefault("severity", "")));
            ObjectNode details = payload.putObject("custom_details");
            details.put("firing", n.firingAlerts().stream().map(Integrations::describe).collect(Collectors.joining("\n")));
            details.put("resolved", n.resolvedAlerts().stream().map(Integrations::describe).collect(Collectors.joining("\n")));
            details.put("num_firing", n.firing().size());
            details.put("num_resolved", n.resolved().size());
            return http.post(kind(), url, body);
        }

        /** Events API severities; an unknown label value is an error rather than silently critical. */
        static String severity(String label) {
            return switch (label) {
                case "critical", "page" -> "critical";
                case "warning", "warn" -> "warning";
                case "info", "none" -> "info";
                default -> "error";
            };
        }

        static String dedupKey(String groupKey) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(groupKey.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }

        @Override
        public String toString() {
            return "pagerduty integration";
        }
    }

    /** Prints each notification to a stream: the demo's receiver. */
    static final class Console implements Integration {
        private final PrintStream out;

        Console(PrintStream out) {
            this.out = out;
        }

        @Override
        public String kind() {
            return "console";
        }

        @Override
        public Response send(Notification n) {
            StringBuilder text = new StringBuilder(summary(n)).append("  [").append(n.target().receiver()).append(' ')
                    .append(Route.labelSet(n.groupLabels())).append("]\n");
            n.alerts().forEach(a -> text.append("  ").append(describe(a)).append('\n'));
            // Groups flush on their own threads: one print keeps a notification's lines together.
            out.print(text);
            out.flush();
            return new Response(200, "", java.util.Optional.empty());
        }
    }

    /** {@code [FIRING:2] HighLatency (critical)}, as Alertmanager's default titles read. */
    static String summary(Notification n) {
        Map<String, String> common = n.commonLabels();
        String status = n.isFiring() ? "FIRING:" + n.firing().size() : "RESOLVED";
        String name = common.getOrDefault("alertname", n.alerts().stream().map(Alert::name).distinct()
                .collect(Collectors.joining(",")));
        String severity = common.containsKey("severity") ? " (" + common.get("severity") + ")" : "";
        String resolvedCount = n.isFiring() && !n.resolved().isEmpty() ? ", " + n.resolved().size() + " resolved" : "";
        return "[" + status + "] " + name + severity + resolvedCount;
    }

    static String describe(Alert a) {
        List<String> parts = new java.util.ArrayList<>();
        parts.add(a.name() + " " + Route.labelSet(a.labels()));
        String title = a.annotations().getOrDefault("title", a.annotations().getOrDefault("summary", ""));
        if (!title.isEmpty()) {
            parts.add(title);
        }
        String description = a.annotations().getOrDefault("description", "");
        if (!description.isEmpty()) {
            parts.add(description);
        }
        return String.join(" - ", parts);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
