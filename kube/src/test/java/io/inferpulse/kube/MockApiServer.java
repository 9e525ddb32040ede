package io.inferpulse.kube;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * fabric8's mock Kubernetes API server and a client for it, for tests. Register it with
 * {@code @RegisterExtension}: in a static field one server serves the whole class, in an instance
 * field every test gets a fresh one.
 *
 * <h2>Shutdown order</h2>
 * The server stops first, then what the test handed to {@link #closeAfterServer}, then the client.
 * When a client closes a watch, fabric8's mock server (7.8.0) can block its event loop on the
 * watch's executor while that executor waits for the event loop, and then fails to shut down; with
 * the server gone first, closing informers cannot meet it. A test's own {@code @AfterEach} runs
 * before this extension's, so components that watch belong in {@link #closeAfterServer}, not there.
 */
public final class MockApiServer implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    /** Held so the level sticks: java.util.logging keeps loggers only weakly. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        // it logs every request at INFO, which buries the log lines of the code under test
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
    }

    private final boolean crud;
    private final Deque<AutoCloseable> closeAfterServer = new ArrayDeque<>();
    private boolean perClass;
    private KubernetesMockServer server;
    private KubernetesClient client;

    private MockApiServer(boolean crud) {
        this.crud = crud;
    }

    /**
     * A server that stores what the client creates, changes and deletes and serves watches on it, as
     * {@code @EnableKubernetesMockClient(crud = true)} does; {@code server().expect()} still answers
     * the requests it names.
     */
    public static MockApiServer crud() {
        return new MockApiServer(true);
    }

    /** A server that answers only what {@code server().expect()} names. */
    public static MockApiServer expectations() {
        return new MockApiServer(false);
    }

    public KubernetesClient client() {
        return client;
    }

    /** The server itself, for {@code expect()}. */
    public KubernetesMockServer server() {
        return server;
    }

    /** Closes {@code component} when the test is over, after the server has stopped (see the class description). */
    public <T extends AutoCloseable> T closeAfterServer(T component) {
        closeAfterServer.push(component);
        return component;
    }

    /** Stops the server now, for a test that closes its informers itself; stopping again is harmless. */
    public void stopServer() {
        server.destroy();
    }

    /** Answers every GET of {@code path} (with its query) with an error status, as an API server refusing it would. */
    public void failGet(String path, int code, String reason, String message) {
        server.expect().get().withPath(path)
                .andReturn(code, new StatusBuilder().withCode(code).withReason(reason).withMessage(message).build())
                .always();
    }

    /** Installs a CRD for each API, so the server says it serves them and stores their resources. */
    public void serve(ResourceApi... apis) {
        for (ResourceApi api : apis) {
            ResourceDefinitionContext context = api.context();
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(context.getPlural() + "." + context.getGroup()).endMetadata()
                    .withNewSpec().withGroup(context.getGroup()).withScope("Namespaced")
                    .withNewNames().withKind(context.getKind()).withListKind(context.getKind() + "List")
                    .withPlural(context.getPlural()).withSingular(context.getKind().toLowerCase(Locale.ROOT))
                    .endNames()
                    .addNewVersion().withName(context.getVersion()).withServed(true).withStorage(true)
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                    .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                    .endVersion()
                    .endSpec()
                    .build()).create();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass) {
            stop();
        }
    }

    @SuppressWarnings("deprecation") // the mapper fabric8's own @EnableKubernetesMockClient gives the server
    private void start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = crud
                ? new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                        new KubernetesMixedDispatcher(responses), false)
                : new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
    }

    private void stop() throws Exception {
        Exception failure = null;
        server.destroy();
        while (!closeAfterServer.isEmpty()) {
            try {
                closeAfterServer.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        client.close();
        if (failure != null) {
            throw failure;
        }
    }
}
