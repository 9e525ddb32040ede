package io.inferpulse.devstack.fleet;

/** Gauge values a test forces a pod's {@code /metrics} to report, whatever the load model says. */
record MetricsPin(double kvCacheUsage, int waiting, int running) {

    MetricsPin {
        if (!(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
            throw new IllegalArgumentException("kvCacheUsage must be in 0..1, was " + kvCacheUsage);
        }
        if (waiting < 0 || running < 0) {
            throw new IllegalArgumentException("request counts must be >= 0");
        }
    }
}
