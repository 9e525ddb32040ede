package io.inferpulse.routerfeed.policy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.inferpulse.kube.ResourceApi;
import io.inferpulse.kube.ServedApiInformers;
import io.inferpulse.runtime.config.ConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's GCPBackendPolicy resources (networking.gke.io/v1) as the picker's backend policies,
 * kept current by an informer. Those whose targetRef names an InferencePool or a
 * GCPInferencePoolImport apply; policies for other kinds of backend (a Service) are not the
 * picker's and are left alone.
 *
 * <p>A policy is read exactly as {@link BackendPolicyFile} reads a file. One the file would reject
 * is not applied here either, but it cannot stop a running picker: it is logged once with every
 * problem, counted in {@code inferpulse_router_feed_backend_policies{state="rejected"}} and listed
 * by {@link #rejected()}, and its pool goes on without a policy. When two policies target one
 * pool, the older applies (Gateway API policy precedence: creation time, then namespace/name) and
 * the newer is rejected.
 *
 * <p>The picker refuses to start where GCPBackendPolicy is not served. Should its CRD go later, the
 * policies go with it, and they are read again once it is back (checked every minute; see
 * {@link ServedApiInformers}).
 *
 * <p>{@link #get()} is a volatile read, cheap enough for a picker to ask on every pick.
 */
public final class BackendPolicyResources implements PolicySource {
    private static final Logger LOG = LoggerFactory.getLogger(BackendPolicyResources.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration API_RECHECK = Duration.ofMinutes(1);
    static final ResourceApi API = ResourceApi.of(new ResourceDefinitionContext.Builder()
            .withGroup("networking.gke.io")
            .withVersion("v1")
            .withKind(BackendPolicyFile.KIND)
            .withPlural("gcpbackendpolicies")
            .withNamespaced(true)
            .build());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final ServedApiInformers<ResourceApi> informers;
    /** What was last said about each resource, so a rebuild does not log it again. Guarded by {@code this}. */
    private final Map<String, String> reported = new HashMap<>();
    private volatile BackendPolicies current = BackendPolicies.NONE;
    private volatile Map<String, String> rejected = Map.of();

    private BackendPolicyResources(KubernetesClient client, Optional<String> namespace, MeterRegistry meters) {
        BackendPolicyMetrics.register(meters, () -> current.all().size(), () -> rejected.size());
        ResourceEventHandler<GenericKubernetesResource> rebuildOnEvent = new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource resource) {
                rebuild();
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                rebuild();
            }

            @Override
            public void onDelete(GenericKubernetesResource resource, boolean finalStateUnknown) {
                rebuild();
            }
        };
        informers = new ServedApiInformers<>(client, namespace, List.of(API), API_RECHECK, api -> rebuildOnEvent,
                this::rebuild);
    }

    /**
     * Lists the policies, applies them and keeps watching.
     *
     * @param namespace the namespace to read policies from; empty: every namespace
     * @throws IllegalStateException when the API server does not serve GCPBackendPolicy or the
     *     policies cannot be listed (typically missing RBAC), naming the server and the cause
     */
    public static BackendPolicyResources start(KubernetesClient client, Optional<String> namespace, MeterRegistry meters) {
        if (!client.supports(API.apiVersion(), API.kind())) {
            throw new IllegalStateException(client.getMasterUrl() + " does not serve " + API.kind() + " ("
                    + API.apiVersion() + "): install its CRD, or give the policies in a file (picker.policy.file)");
        }
        BackendPolicyResources resources = new BackendPolicyResources(client, namespace, meters);
        try {
            // the policies are read as soon as the initial list is in
            resources.informers.start(START_TIMEOUT);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot list " + API.context().getPlural() + " at " + client.getMasterUrl()
                    + namespace.map(ns -> " in namespace " + ns).orElse("") + ": " + e.getMessage(), e);
        }
        return resources;
    }

    /** The policies that apply now. */
    @Override
    public BackendPolicies get() {
        return current;
    }

    /** The policies not applied, by {@code namespace/name}, with why. */
    public Map<String, String> rejected() {
        return rejected;
    }

    @Override
    public void close() {
        informers.close();
    }

    /** Reads every listed policy again: few resources, and one rule (precedence) spans them all. */
    private synchronized void rebuild() {
        List<GenericKubernetesResource> listed = new ArrayList<>(informers.resources().getOrDefault(API, List.of()));
        listed.sort(Comparator.comparing((GenericKubernetesResource r) -> Objects.requireNonNullElse(
                r.getMetadata().getCreationTimestamp(), "")).thenComparing(BackendPolicyResources::key));
        List<BackendPolicy> applied = new ArrayList<>();
        Map<String, String> notApplied = new LinkedHashMap<>();
        Map<String, String> said = new HashMap<>();
        for (GenericKubernetesResource resource : listed) {
            if (!targetsPool(resource)) {
                continue;
            }
            String key = key(resource);
            String problem = null;
            try {
                BackendPolicy policy = BackendPolicyFile.parse(BackendPolicyFile.KIND + " " + key, document(resource));
                Optional<BackendPolicy> older = applied.stream().filter(policy::overlaps).findFirst();
                if (older.isPresent()) {
                    problem = BackendPolicyFile.KIND + " " + key + " targets pool " + policy.targetPool()
                            + ", which the older " + older.get().label() + " already targets; a pool takes one policy";
                } else {
                    applied.add(policy);
                }
            } catch (ConfigException e) {
                problem = String.join("; ", e.problems());
            }
            String version = resource.getMetadata().getResourceVersion();
            if (problem != null) {
                notApplied.put(key, problem);
                said.put(key, version + " rejected");
                if (!(version + " rejected").equals(reported.get(key))) {
                    LOG.warn("Not applying {} {}: {}", BackendPolicyFile.KIND, key, problem);
                }
            } else {
                said.put(key, version + " applied");
                if (!(version + " applied").equals(reported.get(key))) {
                    LOG.info("Applying {} {}", BackendPolicyFile.KIND, key);
                }
            }
        }
        reported.clear();
        reported.putAll(said);
        rejected = Map.copyOf(notApplied);
        current = BackendPolicies.of(applied);
    }

    private static boolean targetsPool(GenericKubernetesResource resource) {
        Object kind = resource.get("spec", "targetRef", "kind");
        return kind == null || BackendPolicyFile.POOL_KINDS.contains(kind.toString());
    }

    private static String key(GenericKubernetesResource resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    /**
     * The resource as a user would have written it: what the API server adds (status, uid,
     * managedFields, ...) left out, so that only the policy's own fields are checked.
     */
    private static String document(GenericKubernetesResource resource) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", resource.getMetadata().getName());
        metadata.put("namespace", resource.getMetadata().getNamespace());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("apiVersion", resource.getApiVersion());
        document.put("kind", resource.getKind());
        document.put("metadata", metadata);
        document.put("spec", resource.getAdditionalProperties().get("spec"));
        return SERIALIZATION.asJson(document);
    }
}
