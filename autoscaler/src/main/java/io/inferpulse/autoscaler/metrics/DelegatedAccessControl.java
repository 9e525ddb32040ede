package io.inferpulse.autoscaler.metrics;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization as Kubernetes' aggregated API servers do them
 * (k8s.io/apiserver's requestheader authenticator and delegated authorizer):
 * <ol>
 * <li>a client certificate chaining to the requestheader CA, with a common name among the allowed
 *     names when any are listed, is the kube-aggregator: the user is in {@code X-Remote-User} and
 *     the groups in {@code X-Remote-Group};
 * <li>otherwise a certificate chaining to the cluster's client CA is a user calling directly: the
 *     user is its common name and the groups its organizations, as the API server reads them;
 * <li>each user is then authorized by a SubjectAccessReview ({@code get} on the metric, a resource
 *     of {@code external.metrics.k8s.io}, in the namespace), its answer cached briefly so HPA's
 *     every-15-seconds reads cost the API server nothing.
 * </ol>
 * Discovery needs an authenticated caller only, as the {@code system:discovery} role grants it to everyone.
 */
final class DelegatedAccessControl implements AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(DelegatedAccessControl.class);

    private final RequestHeaderAuthentication trust;
    private final KubernetesClient kubernetes;
    private final Duration cacheTtl;
    private final Clock clock;
    private final Map<Review, Decision> decisions = new ConcurrentHashMap<>();

    private record Review(Caller caller, String namespace, String metric) {}

    private record Decision(boolean allowed, String reason, Instant expires) {}

    DelegatedAccessControl(RequestHeaderAuthentication trust, KubernetesClient kubernetes, Duration cacheTtl, Clock clock) {
        this.trust = trust;
        this.kubernetes = kubernetes;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
    }

    @Override
    public Caller authenticate(ApiRequest request) {
        List<X509Certificate> chain = request.clientCertificates();
        if (chain.isEmpty()) {
            throw new Refused(ApiStatus.unauthorized("Unauthorized: a client certificate is required"));
        }
        X509Certificate leaf = chain.getFirst();
        if (chains(chain, trust.requestHeaderCas())) {
            String cn = commonName(leaf).orElse("");
            if (!trust.allowedNames().isEmpty() && !trust.allowedNames().contains(cn)) {
                throw new Refused(ApiStatus.unauthorized("Unauthorized: the requestheader client certificate's common name "
                        + cn + " is not among the allowed names " + trust.allowedNames().stream().sorted().toList()));
            }
            String user = trust.usernameHeaders().stream().flatMap(h -> request.header(h).stream())
                    .filter(u -> !u.isBlank()).findFirst()
                    .orElseThrow(() -> new Refused(ApiStatus.unauthorized("Unauthorized: no user in "
                            + trust.usernameHeaders() + " from the front proxy " + cn)));
            List<String> groups = trust.groupHeaders().stream().flatMap(h -> request.header(h).stream())
                    .flatMap(g -> java.util.Arrays.stream(g.split(","))).map(String::strip).filter(g -> !g.isEmpty()).toList();
            return new Caller(user, groups);
        }
        if (chains(chain, trust.clientCas())) {
            return new Caller(commonName(leaf).orElse(""), attributes(leaf, "O"));
        }
        throw new Refused(ApiStatus.unauthorized("Unauthorized: the client certificate " + leaf.getSubjectX500Principal()
                + " chains to neither the requestheader CA nor the client CA"));
    }

    @Override
    public void authorize(Caller caller, String namespace, String metric) {
        Review review = new Review(caller, namespace, metric);
        Instant now = clock.instant();
        Decision decision = decisions.get(review);
        if (decision == null || !now.isBefore(decision.expires())) {
            decision = ask(review, now);
            decisions.put(review, decision);
            if (decisions.size() > 10_000) {
                decisions.values().removeIf(d -> !now.isBefore(d.expires()));
            }
        }
        if (!decision.allowed()) {
            throw new Refused(ApiStatus.forbidden(ApiDocuments.GROUP + " \"" + metric + "\" is forbidden: User \"" + caller.user()
                    + "\" cannot get resource \"" + metric + "\" in API group \"" + ApiDocuments.GROUP
                    + "\" in the namespace \"" + namespace + "\"" + (decision.reason().isEmpty() ? "" : ": " + decision.reason())));
        }
    }

    private Decision ask(Review review, Instant now) {
        SubjectAccessReview sar = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(review.caller().user()).withGroups(review.caller().groups())
                .withNewResourceAttributes().withVerb("get").withGroup(ApiDocuments.GROUP).withVersion(ApiDocuments.VERSION)
                .withResource(review.metric()).withNamespace(review.namespace()).endResourceAttributes()
                .endSpec().build();
        try {
            SubjectAccessReviewStatus status = kubernetes.authorization().v1().subjectAccessReview().create(sar).getStatus();
            boolean allowed = status != null && Boolean.TRUE.equals(status.getAllowed());
            String reason = status == null || status.getReason() == null ? "" : status.getReason();
            return new Decision(allowed, reason, now.plus(cacheTtl));
        } catch (KubernetesClientException e) {
            // Not cached: the next request asks again.
            LOG.warn("SubjectAccessReview for {} failed: {}", review, e.getMessage());
            throw new Refused(ApiStatus.internalError("authorization failed: the SubjectAccessReview could not be made: "
                    + e.getMessage()));
        }
    }

    /** True when the chain leads to one of the CAs (PKIX, without revocation, as Go's x509.Verify). */
    private static boolean chains(List<X509Certificate> chain, List<X509Certificate> cas) {
        if (cas.isEmpty()) {
            return false;
        }
        try {
            Set<TrustAnchor> anchors = cas.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            List<X509Certificate> path = new ArrayList<>(chain);
            path.removeIf(c -> cas.contains(c));
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Optional<String> commonName(X509Certificate certificate) {
        List<String> cns = attributes(certificate, "CN");
        return cns.isEmpty() ? Optional.empty() : Optional.of(cns.getFirst());
    }

    private static List<String> attributes(X509Certificate certificate, String type) {
        try {
            List<String> out = new ArrayList<>();
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) {
                    out.add(String.valueOf(rdn.getValue()));
                }
            }
            return out;
        } catch (javax.naming.InvalidNameException e) {
            return List.of();
        }
    }
}
