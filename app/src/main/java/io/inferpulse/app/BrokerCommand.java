package io.inferpulse.app;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) on 127.0.0.1 for development.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "Broker port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--data-dir", description = "Where the log lives; kept across restarts. Default: a temporary directory.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Lifecycle life = new Lifecycle();
        var settings = EmbeddedKafkaBroker.Settings.defaults().withPort(port);
        EmbeddedKafkaBroker broker = life.add(EmbeddedKafkaBroker.start(dataDir == null ? settings : settings.withDataDir(dataDir)));
        System.out.println("Kafka broker on " + broker.bootstrapServers() + ", data in " + broker.dataDir());
        life.awaitShutdown();
        return 0;
    }
}
