package io.inferpulse.app;

import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.engine.EngineMapping;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.gpu.DcgmMapping;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.logs.AccessLogParseException;
import io.inferpulse.ingest.logs.AccessLogParser;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParseException;
import io.inferpulse.ingest.promtext.PromTextParser;
import io.inferpulse.ingest.publish.PodMetricsRecords;
import io.inferpulse.ingest.receive.AccessLogRecords;
import io.inferpulse.runtime.config.ConfigReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The dry run: reads a /metrics body or access-log lines and prints, as JSON lines, the records
 * ingest would publish, and on the error stream every rejected input with its reason. How a user
 * checks an engine definition or an access-log field mapping before going live.
 */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Dry run: parse a file (or stdin) as ingest would and print the normalized records as JSON lines; "
                + "rejected inputs and their reasons go to stderr.",
                "Formats: an engine name (vllm, sglang, trtllm, triton, or one defined under engines.*) or dcgm for a "
                        + "/metrics body; gcp-lb, envoy or envoy-json for access logs, one per line.",
                "Exit status: 0 when everything parsed, 1 when something was rejected, 2 for bad options."})
final class ParseCommand implements Callable<Integer>, ServiceCommand {
    @Option(names = "--format", required = true, description = "What the input is (see above).")
    String format;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Input file; standard input when absent or -.")
    Path file;

    @Option(names = "--pod", defaultValue = "namespace/pool/pod",
            description = "Identity given to a /metrics body, namespace/pool/pod (default ${DEFAULT-VALUE}).")
    String pod;

    @Mixin
    ServiceOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public ConfigReference settings() {
        return IngestCommand.SETTINGS;
    }

    @Override
    public Integer call() throws IOException {
        IngestConfig config = IngestConfig.from(options.load(settings(), System.getenv()));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (InputStream in = file == null || file.toString().equals("-") ? System.in : Files.newInputStream(file)) {
            int rejected = AccessLogFormats.names().contains(format)
                    ? accessLogs(config, in, out, err)
                    : exposition(config, in.readAllBytes(), out, err);
            out.flush();
            return rejected == 0 ? 0 : 1;
        }
    }

    private int exposition(IngestConfig config, byte[] body, PrintWriter out, PrintWriter err) {
        Instant now = Instant.now();
        EngineMapping mapping = null;
        if (!format.equals("dcgm")) {
            mapping = config.engines().find(format).orElseThrow(() -> new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--format " + format + ": not an engine (" + config.engines().names()
                    + "), dcgm, or an access-log format (" + AccessLogFormats.names() + ")"));
        }
        Exposition exposition;
        try {
            exposition = PromTextParser.parse(body, config.scrape().bodyLimitBytes());
        } catch (PromTextParseException e) {
            err.println("rejected: " + e.getMessage());
            return 1;
        }
        if (mapping == null) {
            for (DcgmMapping.AttributedGpu gpu : DcgmMapping.gpus(exposition)) {
                var node = AvroJson.node(PodMetricsRecords.gpu(gpu.gpu()));
                node.put("pod", gpu.pod().map(p -> p.namespace() + "/" + p.pod()).orElse(null));
                out.println(node);
            }
            return 0;
        }
        String[] who = pod.split("/", 3);
        if (who.length != 3) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pod " + pod + ": expected namespace/pool/pod");
        }
        PodIdentity identity = new PodIdentity(config.cluster(), who[0], who[1], who[2], "0.0.0.0:0", Map.of());
        out.println(AvroJson.write(PodMetricsRecords.toAvro(mapping.map(identity, exposition, now, 0))));
        return 0;
    }

    private int accessLogs(IngestConfig config, InputStream in, PrintWriter out, PrintWriter err) throws IOException {
        AccessLogParser parser = AccessLogFormats.parser(format, config.accessLogs().mapping(), config.accessLogs().maxLineBytes());
        // Lines are split as bytes and decoded one by one, so invalid UTF-8 rejects only its own line.
        byte[] input = in.readAllBytes();
        int lineNumber = 0;
        int rejected = 0;
        for (int start = 0; start < input.length; ) {
            int end = start;
            while (end < input.length && input[end] != '\n') {
                end++;
            }
            lineNumber++;
            String line;
            try {
                line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(input, start, end - start)).toString().stripTrailing();
            } catch (CharacterCodingException e) {
                line = null;
                rejected++;
                err.printf("line %d: rejected: invalid UTF-8%n", lineNumber);
            }
            start = end + 1;
            if (line == null || line.isBlank()) {
                continue;
            }
            try {
                out.println(AvroJson.write(AccessLogRecords.toAvro(parser.parse(line))));
            } catch (AccessLogParseException e) {
                rejected++;
                err.printf("line %d: rejected: %s%n", lineNumber, e.getMessage());
            }
        }
        err.printf("%d lines, %d rejected%n", lineNumber, rejected);
        return rejected;
    }
}
