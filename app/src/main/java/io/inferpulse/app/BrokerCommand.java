package io.inferpulse.app;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a Kafka broker (KRaft, broker and controller in one) on 127.0.0.1 for development: a single node,"
                + " or one node of a cluster (--node-id, --controller-port, --voters, --cluster-id; one process per node).")
final class BrokerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", description = "Broker port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--data-dir", description = "Where the log lives; kept across restarts. Default: a temporary directory.")
    Path dataDir;

    @Option(names = "--node-id", defaultValue = "1", description = "This node's id in a cluster (default ${DEFAULT-VALUE}).")
    int nodeId;

    @Option(names = "--controller-port", defaultValue = "0", description = "This node's controller port, as --voters names it.")
    int controllerPort;

    @Option(names = "--voters", paramLabel = "ID@HOST:PORT,...",
            description = "Every node of the cluster, id@127.0.0.1:controller-port comma-separated (controller.quorum.voters)."
                    + " Internal topics then get one replica per node and min.insync.replicas one less.")
    String voters;

    @Option(names = "--cluster-id", description = "The cluster id every node's storage is formatted with (with --voters).")
    String clusterId;

    @Override
    public Integer call() throws Exception {
        Lifecycle life = new Lifecycle();
        var settings = EmbeddedKafkaBroker.Settings.defaults().withPort(port);
        if (voters != null) {
            if (clusterId == null || controllerPort == 0) {
                throw new ParameterException(spec.commandLine(), "--voters needs --cluster-id and --controller-port");
            }
            settings = settings.inCluster(new EmbeddedKafkaBroker.Cluster(nodeId, controllerPort, voters, clusterId));
        }
        EmbeddedKafkaBroker broker = life.add(EmbeddedKafkaBroker.start(dataDir == null ? settings : settings.withDataDir(dataDir)));
        System.out.println("Kafka broker on " + broker.bootstrapServers() + ", data in " + broker.dataDir());
        life.awaitShutdown();
        return 0;
    }
}
