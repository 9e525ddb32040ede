package io.inferpulse.routerfeed.policy;

import java.util.function.Supplier;

/**
 * Where a picker's backend policies come from: fixed ones (a file, or none), or the cluster's,
 * which change while the picker runs. {@link #get()} is asked on every pick and must be a plain read.
 */
public interface PolicySource extends Supplier<BackendPolicies>, AutoCloseable {

    /** Stops following the source; policies already handed out stay as they are. */
    @Override
    void close();

    static PolicySource fixed(BackendPolicies policies) {
        return new PolicySource() {
            @Override
            public BackendPolicies get() {
                return policies;
            }

            @Override
            public void close() {
                // nothing is followed
            }
        };
    }
}
