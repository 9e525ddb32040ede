package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import java.util.Set;

/** How one access-log line counts: failed or not, and which error detail it carries. */
public final class RequestOutcomes {
    /**
     * statusDetails values of the GCP load balancer that describe a normal answer rather than an
     * error; every other value (failed_to_pick_backend, backend_timeout, client_disconnected_..., ...)
     * names what went wrong.
     */
    static final Set<String> SUCCESS_STATUS_DETAILS = Set.of("response_sent_by_backend", "response_from_cache",
            "response_from_cache_validated", "redirected_by_load_balancer");

    /** Where an error detail was read from, as written to {@code ErrorDetail.detail_source}. */
    public enum Source {
        PROXY_STATUS("proxy_status"), STATUS_DETAILS("status_details"), RESPONSE_FLAGS("response_flags");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The error detail of one request, verbatim from the log. */
    public record Detail(String value, Source source) {}

    private RequestOutcomes() {}

    /**
     * Whether a request counts as failed, as the EPP's request_error_total does: no response at all
     * (status 0), shed for saturation (429), or a server error (5xx). Other 4xx are the client's fault.
     */
    public static boolean isError(int status) {
        return status == 0 || status == 429 || status >= 500;
    }

    /**
     * The error detail of a log line, or null when it has none: proxyStatus when present, else a
     * statusDetails that is not a success value, else Envoy response flags other than "-".
     */
    public static Detail errorDetail(AccessLog log) {
        String proxyStatus = log.getProxyStatus();
        if (proxyStatus != null && !proxyStatus.isBlank()) {
            return new Detail(proxyStatus, Source.PROXY_STATUS);
        }
        String statusDetails = log.getStatusDetails();
        if (statusDetails != null && !statusDetails.isBlank() && !SUCCESS_STATUS_DETAILS.contains(statusDetails)) {
            return new Detail(statusDetails, Source.STATUS_DETAILS);
        }
        String flags = log.getResponseFlags();
        if (flags != null && !flags.isBlank() && !flags.equals("-")) {
            return new Detail(flags, Source.RESPONSE_FLAGS);
        }
        return null;
    }
}
