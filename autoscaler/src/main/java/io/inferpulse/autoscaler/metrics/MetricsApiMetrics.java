package io.inferpulse.autoscaler.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The metrics API's own metrics: {@code inferpulse_metrics_api_request_duration_seconds{route,code}}
 * (route: health, discovery, metric, openapi, other), from the request's arrival to the last byte
 * of its answer.
 */
final class MetricsApiMetrics {
    private final MeterRegistry meters;

    MetricsApiMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void request(MetricsApi.Route route, int code, long nanos) {
        Timer.builder("inferpulse_metrics_api_request_duration").description("Time to answer a request to the external metrics API")
                .tag("route", route.name().toLowerCase(Locale.ROOT)).tag("code", String.valueOf(code))
                .publishPercentileHistogram().register(meters).record(nanos, TimeUnit.NANOSECONDS);
    }
}
