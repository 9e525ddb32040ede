package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AccessLog;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestOutcomesTest {

    @ParameterizedTest
    @CsvSource({"0, true", "200, false", "204, false", "400, false", "404, false", "428, false", "429, true",
            "499, false", "500, true", "503, true", "504, true"})
    void shouldCountNoResponseSheddingAndServerErrorsAsErrors(int status, boolean error) {
        assertThat(RequestOutcomes.isError(status)).isEqualTo(error);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            // proxyStatus wins, verbatim
            "'error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"', failed_to_pick_backend, UF, "
                    + "'error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"', proxy_status",
            "null, backend_timeout, UT, backend_timeout, status_details",
            // a success statusDetails is no error detail, so the Envoy flags decide
            "null, response_sent_by_backend, URX, URX, response_flags",
            "null, response_from_cache, -, null, null",
            "null, null, -, null, null",
            "'', '', '', null, null",
            "null, null, null, null, null"})
    void shouldPickTheFirstErrorDetail(String proxyStatus, String statusDetails, String flags, String detail, String source) {
        AccessLog log = AccessLog.newBuilder()
                .setRequestTime(Instant.EPOCH).setCluster("c").setNamespace("n").setPool("p")
                .setStatus(503).setLatencySeconds(0.1)
                .setProxyStatus(proxyStatus).setStatusDetails(statusDetails).setResponseFlags(flags)
                .build();

        RequestOutcomes.Detail found = RequestOutcomes.errorDetail(log);

        if (detail == null) {
            assertThat(found).isNull();
        } else {
            assertThat(found.value()).isEqualTo(detail);
            assertThat(found.source().label()).isEqualTo(source);
        }
    }
}
