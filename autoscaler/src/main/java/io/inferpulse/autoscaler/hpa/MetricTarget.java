package io.inferpulse.autoscaler.hpa;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * An HPA metric target: {@code Value} (desired = ceil(ready pods x value / target)) or
 * {@code AverageValue} (desired = ceil(value / target), whatever the current count).
 *
 * @param quantity a Kubernetes quantity such as {@code 0.8}, {@code 800m} or {@code 5}
 */
public record MetricTarget(Type type, String quantity) {

    public enum Type {
        VALUE("Value"), AVERAGE_VALUE("AverageValue");

        /** The spelling of {@code target.type} in a manifest. */
        final String manifestName;

        Type(String manifestName) {
            this.manifestName = manifestName;
        }
    }

    /** @throws IllegalArgumentException when the quantity is not a positive Kubernetes quantity */
    public MetricTarget {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(quantity, "quantity");
        BigDecimal amount;
        try {
            amount = Quantity.parse(quantity).getNumericalAmount();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("target \"" + quantity + "\" is not a Kubernetes quantity", e);
        }
        if (amount.signum() <= 0) {
            // HPA divides by the target: zero or less can never be met
            throw new IllegalArgumentException("target \"" + quantity + "\" must be greater than zero");
        }
    }

    public static MetricTarget value(String quantity) {
        return new MetricTarget(Type.VALUE, quantity);
    }

    public static MetricTarget averageValue(String quantity) {
        return new MetricTarget(Type.AVERAGE_VALUE, quantity);
    }
}
