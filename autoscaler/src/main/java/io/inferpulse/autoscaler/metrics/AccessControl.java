package io.inferpulse.autoscaler.metrics;

import java.util.List;

/**
 * Who may read which metric. In a cluster, the kube-aggregator is authenticated by its client
 * certificate and speaks for the user in its request headers, and each user is authorized by a
 * SubjectAccessReview ({@link DelegatedAccessControl}); out of a cluster, an explicit
 * insecure-local mode lets everyone in.
 */
interface AccessControl {
    /** The user a request speaks for. */
    record Caller(String user, List<String> groups) {
        public Caller {
            groups = List.copyOf(groups);
        }
    }

    /** A request refused, with the Status to answer. */
    final class Refused extends RuntimeException {
        private final ApiStatus status;

        Refused(ApiStatus status) {
            super(status.message(), null, false, false);
            this.status = status;
        }

        ApiStatus status() {
            return status;
        }
    }

    /** @throws Refused with 401 when the request proves no identity */
    Caller authenticate(ApiRequest request);

    /**
     * Whether the caller may {@code get} the metric (a resource of {@code external.metrics.k8s.io}) in the namespace.
     *
     * @throws Refused with 403 when not
     */
    void authorize(Caller caller, String namespace, String metric);

    /** No client authentication and everything allowed: for a laptop or the demo, never a cluster. */
    static AccessControl insecureLocal() {
        Caller anonymous = new Caller("system:anonymous", List.of("system:unauthenticated"));
        return new AccessControl() {
            @Override
            public Caller authenticate(ApiRequest request) {
                return anonymous;
            }

            @Override
            public void authorize(Caller caller, String namespace, String metric) {
                // allowed
            }
        };
    }
}
