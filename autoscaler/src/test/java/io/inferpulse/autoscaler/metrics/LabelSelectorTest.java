package io.inferpulse.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kubernetes label-selector syntax, operator by operator, against one pool's labels. */
class LabelSelectorTest {
    private static final Map<String, String> POOL = Map.of("name", "pool-0", "namespace", "default", "cluster", "c1");

    private static boolean selects(String selector) {
        return LabelSelector.parse(selector).matches(POOL);
    }

    @Test
    void shouldSelectEverythingWhenEmpty() {
        assertThat(selects(null)).isTrue();
        assertThat(selects("")).isTrue();
        assertThat(selects("  ")).isTrue();
    }

    @Test
    void shouldMatchEquality() {
        assertThat(selects("name=pool-0")).isTrue();
        assertThat(selects("name==pool-0")).isTrue();
        assertThat(selects("name=pool-1")).isFalse();
        assertThat(selects("zone=a")).as("a missing label equals nothing").isFalse();
    }

    @Test
    void shouldMatchInequalityIncludingAMissingLabel() {
        assertThat(selects("name!=pool-1")).isTrue();
        assertThat(selects("name!=pool-0")).isFalse();
        assertThat(selects("zone!=a")).isTrue();
    }

    @Test
    void shouldMatchSetMembership() {
        assertThat(selects("name in (pool-1, pool-0)")).isTrue();
        assertThat(selects("name in (pool-1,pool-2)")).isFalse();
        assertThat(selects("name notin (pool-1,pool-2)")).isTrue();
        assertThat(selects("name notin (pool-0)")).isFalse();
        assertThat(selects("zone notin (a)")).as("notin holds for a missing label").isTrue();
        assertThat(selects("zone in (a)")).isFalse();
    }

    @Test
    void shouldMatchExistence() {
        assertThat(selects("cluster")).isTrue();
        assertThat(selects("zone")).isFalse();
        assertThat(selects("!zone")).isTrue();
        assertThat(selects("!cluster")).isFalse();
    }

    @Test
    void shouldRequireEveryRequirement() {
        assertThat(selects("name=pool-0,cluster=c1,namespace in (default)")).isTrue();
        assertThat(selects("name=pool-0, cluster=c2")).isFalse();
        assertThat(LabelSelector.parse("name=pool-0,!zone,cluster in (c1,c2)").requirements()).hasSize(3);
    }

    @Test
    void shouldAcceptPrefixedKeysAndTheStackdriverLabelNames() {
        assertThat(LabelSelector.parse("metric.labels.name=p,resource.labels.cluster=c")
                .matches(Map.of("metric.labels.name", "p", "resource.labels.cluster", "c"))).isTrue();
        assertThat(LabelSelector.parse("app.kubernetes.io/name=x").matches(Map.of("app.kubernetes.io/name", "x"))).isTrue();
    }

    @Test
    void shouldMatchAnEmptyValueOnlyWhereTheLabelIsEmpty() {
        assertThat(LabelSelector.parse("target_model_name=").matches(Map.of("target_model_name", ""))).isTrue();
        assertThat(LabelSelector.parse("target_model_name=").matches(Map.of())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"name in ()", "name in (a", "name in a", "name ~ a", "name=a b", "=a", ",", "name=a,",
            "!", "na me=a", "-name=a", "name=-a", "Bad_Prefix/name=a", "name=(a)", "name notin", "name == a == b"})
    void shouldRejectBadSelectorsSayingWhy(String bad) {
        assertThatThrownBy(() -> LabelSelector.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unable to parse label selector");
    }

    @Test
    void shouldRejectAKeyLongerThanKubernetesAllows() {
        assertThatThrownBy(() -> LabelSelector.parse("a".repeat(64) + "=x")).hasMessageContaining("at most 63");
    }
}
