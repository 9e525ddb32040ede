package io.inferpulse.routerfeed.epp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;

/**
 * The model a request body names: the top-level {@code model} of an OpenAI-style JSON body, as the
 * EPP reads it. The whole body is parsed, not only up to {@code model}, so that a body the model
 * server would reject as malformed is refused here with the same 400 the EPP gives.
 */
final class RequestBodies {
    private static final JsonFactory JSON = new JsonFactory();

    /** Why a request body cannot be routed; answered with 400 and this message. */
    static final class BadBody extends Exception {
        BadBody(String message) {
            super(message);
        }
    }

    private RequestBodies() {}

    /**
     * @param body the complete request body, as the chunks arrived (a rope: read in place, not copied)
     * @throws BadBody the body is empty, not JSON, not a JSON object, or has no string {@code model}
     */
    static String model(ByteString body) throws BadBody {
        if (body.isEmpty()) {
            throw new BadBody("request body is empty; expected a JSON object with a model");
        }
        String model = null;
        try (InputStream in = body.newInput(); JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BadBody("request body is not a JSON object");
            }
            JsonToken t;
            while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (model == null && "model".equals(field) && value == JsonToken.VALUE_STRING) {
                    model = parser.getText();
                } else {
                    // Skipping still reads every token, so a malformed value anywhere is found.
                    parser.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadBody("request body is not a JSON object");
            }
            if (parser.nextToken() != null) {
                throw new BadBody("request body has content after its JSON object, at " + where(parser.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            throw new BadBody("request body is not valid JSON: " + e.getOriginalMessage() + " at " + where(e.getLocation()));
        } catch (IOException e) {
            // A ByteString's stream does no I/O; anything here is a parser failure on the content.
            throw new BadBody("request body cannot be read as JSON: " + e.getMessage());
        }
        if (model == null) {
            throw new BadBody("model not found in request body (a string field 'model' is required)");
        }
        return model;
    }

    private static String where(JsonLocation at) {
        return at == null ? "an unknown position" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
