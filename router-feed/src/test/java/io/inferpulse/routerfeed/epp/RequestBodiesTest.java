package io.inferpulse.routerfeed.epp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    @Test
    void shouldReadTheTopLevelModelPastNestedOnes() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"model\":\"not-this\"}],\"options\":{\"model\":\"nor-this\"},"
                + "\"model\":\"llama-3-8b\",\"stream\":true}";

        assertThat(RequestBodies.model(ByteString.copyFromUtf8(body))).isEqualTo("llama-3-8b");
    }

    @Test
    void shouldReadABodyMadeOfChunksInPlace() throws Exception {
        ByteString body = ByteString.copyFromUtf8("{\"mod").concat(ByteString.copyFromUtf8("el\":\"lo"))
                .concat(ByteString.copyFromUtf8("ra-a\"}"));

        assertThat(RequestBodies.model(body)).isEqualTo("lora-a");
    }

    @Test
    void shouldRefuseMalformedJsonAfterTheModelToo() {
        assertThatThrownBy(() -> RequestBodies.model(ByteString.copyFromUtf8("{\"model\":\"m\",\"prompt\":\"hi\",}")))
                .isInstanceOf(RequestBodies.BadBody.class).hasMessageStartingWith("request body is not valid JSON")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void shouldRefuseBodiesThatAreNotOneJsonObjectWithAStringModel() {
        assertThatThrownBy(() -> RequestBodies.model(ByteString.EMPTY)).hasMessageContaining("request body is empty");
        assertThatThrownBy(() -> RequestBodies.model(ByteString.copyFromUtf8("[1,2]"))).hasMessage("request body is not a JSON object");
        assertThatThrownBy(() -> RequestBodies.model(ByteString.copyFromUtf8("{\"model\":\"m\"} {}")))
                .hasMessageContaining("content after its JSON object");
        assertThatThrownBy(() -> RequestBodies.model(ByteString.copyFromUtf8("{\"model\":42}")))
                .hasMessageContaining("model not found in request body");
    }
}
