package io.inferpulse.autoscaler.metrics;

import io.inferpulse.runtime.ops.HealthChecks;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The routes of the API server: discovery, the metric lists, health, and a Status for everything
 * else. Health paths answer without authentication, as Kubernetes' own servers do, so kubelet
 * probes need no certificate.
 */
final class MetricsApi {
    private static final List<String> HEALTH_PATHS = List.of("healthz", "livez", "readyz");
    private static final List<String> VERSION_PATH = List.of("apis", ApiDocuments.GROUP, ApiDocuments.VERSION);

    private final MetricsQuery query;
    private final HealthChecks health;
    private final AccessControl access;
    private final byte[] groupList = ApiDocuments.groupList();
    private final byte[] group = ApiDocuments.group();
    private final byte[] resourceList = ApiDocuments.resourceList();

    MetricsApi(MetricsQuery query, HealthChecks health, AccessControl access) {
        this.query = query;
        this.health = health;
        this.access = access;
    }

    /** What a request is, for request metrics: a small fixed set of values. */
    enum Route { HEALTH, DISCOVERY, METRIC, OPENAPI, OTHER }

    static Route route(ApiRequest request) {
        List<String> p = request.path();
        if (p.size() == 1 && HEALTH_PATHS.contains(p.getFirst())) {
            return Route.HEALTH;
        }
        if (!p.isEmpty() && p.getFirst().equals("openapi")) {
            return Route.OPENAPI;
        }
        if (p.size() == 6 && p.get(0).equals(VERSION_PATH.get(0)) && p.get(1).equals(VERSION_PATH.get(1))
                && p.get(2).equals(VERSION_PATH.get(2)) && p.get(3).equals("namespaces")) {
            return Route.METRIC;
        }
        if (p.equals(List.of("apis")) || p.equals(VERSION_PATH.subList(0, 2)) || p.equals(VERSION_PATH)) {
            return Route.DISCOVERY;
        }
        return Route.OTHER;
    }

    ApiResponse handle(ApiRequest request) {
        Route route = route(request);
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return ApiResponse.status(ApiStatus.methodNotAllowed("the server does not allow " + request.method()
                    + " on this path: " + ApiDocuments.GROUP + " is read-only (get)"));
        }
        if (route == Route.HEALTH) {
            return health(request);
        }
        try {
            AccessControl.Caller caller = access.authenticate(request);
            return switch (route) {
                case DISCOVERY -> discovery(request.path().size());
                case METRIC -> metric(caller, request);
                case OPENAPI -> ApiResponse.status(ApiStatus.notFound("this server publishes no OpenAPI document: "
                        + "external metrics are ExternalMetricValueList, described by the discovery documents"));
                default -> ApiResponse.status(ApiStatus.notFound("the server could not find the requested resource "
                        + "/" + String.join("/", request.path())));
            };
        } catch (AccessControl.Refused refused) {
            return ApiResponse.status(refused.status());
        }
    }

    private ApiResponse discovery(int depth) {
        return ApiResponse.json(switch (depth) {
            case 1 -> groupList;
            case 2 -> group;
            default -> resourceList;
        });
    }

    private ApiResponse metric(AccessControl.Caller caller, ApiRequest request) {
        String namespace = request.path().get(4);
        String metric = request.path().get(5);
        access.authorize(caller, namespace, metric);
        return switch (query.list(namespace, metric, request.query().get("labelSelector"))) {
            case MetricsQuery.Items items -> ApiResponse.json(ApiDocuments.valueList(items.items()));
            case MetricsQuery.Failure failure -> ApiResponse.status(failure.status());
        };
    }

    private ApiResponse health(ApiRequest request) {
        List<HealthChecks.Outcome> outcomes = request.path().getFirst().equals("readyz") ? health.ready() : health.live();
        boolean ok = outcomes.stream().allMatch(HealthChecks.Outcome::ok);
        boolean verbose = !ok || request.query().containsKey("verbose");
        String body = verbose
                ? outcomes.stream().map(o -> o + "\n").collect(Collectors.joining()) + (ok ? "check passed\n" : "check failed\n")
                : "ok";
        return ApiResponse.text(ok ? 200 : 503, body);
    }
}
