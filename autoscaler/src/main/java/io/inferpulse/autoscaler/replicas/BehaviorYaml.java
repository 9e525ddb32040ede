package io.inferpulse.autoscaler.replicas;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reads an HPA's {@code spec.behavior} from YAML: the behavior object itself, the same under a
 * {@code behavior:} key, or a whole {@code HorizontalPodAutoscaler} manifest. Fields left out get the
 * values the API server and the controller give them: scale-up without a window, doubling or adding
 * 4 pods per 15 s; scale-down of up to 100 % per 15 s after the controller's stabilization window.
 */
public final class BehaviorYaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private BehaviorYaml() {
    }

    /**
     * @param source named in error messages, usually the file name
     * @param downscaleStabilization the controller's window, for a scale-down without one
     * @throws IllegalArgumentException naming source, line, field and problem
     */
    public static Behavior read(String source, Reader yaml, Duration downscaleStabilization) throws IOException {
        Root root;
        try {
            root = MAPPER.readValue(yaml, Root.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(source, e), e);
        }
        RulesYaml up = null;
        RulesYaml down = null;
        if (root != null) {
            BehaviorDoc doc = root.spec() != null ? root.spec().behavior() : root.behavior();
            up = doc != null ? doc.scaleUp() : root.scaleUp();
            down = doc != null ? doc.scaleDown() : root.scaleDown();
        }
        return new Behavior(resolve(up, ScalingRules.defaultScaleUp()),
                resolve(down, ScalingRules.defaultScaleDown(downscaleStabilization)));
    }

    private static ScalingRules resolve(RulesYaml rules, ScalingRules defaults) {
        if (rules == null) {
            return defaults;
        }
        return new ScalingRules(
                rules.stabilizationWindowSeconds() == null ? defaults.stabilizationWindow()
                        : Duration.ofSeconds(rules.stabilizationWindowSeconds()),
                rules.selectPolicy() == null ? defaults.select() : select(rules.selectPolicy()),
                rules.policies() == null ? defaults.policies()
                        : rules.policies().stream().map(p -> policy(p.type(), p.value(), p.periodSeconds())).toList());
    }

    private static String describe(String source, JsonProcessingException e) {
        // Where the parser noticed: the offending line, or just after it for a value checked once its object ended;
        // the field path says exactly which entry.
        JsonLocation where = e.getLocation();
        String line = where == null || where.getLineNr() < 1 ? "" : ":" + where.getLineNr();
        String path = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else {
                    b.append('[').append(ref.getIndex()).append(']');
                }
            }
            path = " " + b + ":";
        }
        // A problem found by a constructor below carries its own plain message; Jackson's wrapper only adds class names.
        String problem = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage();
        return source + line + ":" + path + " " + problem;
    }

    private static ScalingPolicy policy(String type, Integer value, Integer periodSeconds) {
        if (type == null || value == null || periodSeconds == null) {
            throw new IllegalArgumentException("a policy needs type, value and periodSeconds");
        }
        ScalingPolicy.Type parsed = switch (type) {
            case "Pods" -> ScalingPolicy.Type.PODS;
            case "Percent" -> ScalingPolicy.Type.PERCENT;
            default -> throw new IllegalArgumentException("policy type must be Pods or Percent, got \"" + type + "\"");
        };
        return new ScalingPolicy(parsed, value, Duration.ofSeconds(periodSeconds));
    }

    private static ScalingRules.Select select(String selectPolicy) {
        return switch (selectPolicy) {
            case "Max", "Min", "Disabled" -> ScalingRules.Select.valueOf(selectPolicy.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("selectPolicy must be Max, Min or Disabled, got \"" + selectPolicy + "\"");
        };
    }

    private record Root(String apiVersion, String kind, JsonNode metadata, Spec spec, BehaviorDoc behavior,
            RulesYaml scaleUp, RulesYaml scaleDown) {
    }

    /** Of a manifest's spec only the behavior matters here. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Spec(BehaviorDoc behavior) {
    }

    private record BehaviorDoc(RulesYaml scaleUp, RulesYaml scaleDown) {
    }

    private record RulesYaml(Integer stabilizationWindowSeconds, String selectPolicy, List<PolicyYaml> policies) {
        RulesYaml {
            // Checked here, while the parser still knows the line.
            if (stabilizationWindowSeconds != null && (stabilizationWindowSeconds < 0
                    || stabilizationWindowSeconds > ScalingRules.MAX_WINDOW.toSeconds())) {
                throw new IllegalArgumentException("stabilizationWindowSeconds must be between 0 and 3600, got "
                        + stabilizationWindowSeconds);
            }
            if (selectPolicy != null) {
                select(selectPolicy);
            }
            if (policies != null && policies.isEmpty()) {
                throw new IllegalArgumentException("must specify at least one policy");
            }
        }
    }

    private record PolicyYaml(String type, Integer value, Integer periodSeconds) {
        PolicyYaml {
            policy(type, value, periodSeconds);
        }
    }
}
