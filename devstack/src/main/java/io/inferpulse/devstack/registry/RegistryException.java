package io.inferpulse.devstack.registry;

import java.util.List;

/** A request the registry refuses, with the HTTP status and Confluent error code clients branch on. */
final class RegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    private RegistryException(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    private RegistryException(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    int status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
    }

    static RegistryException versionNotFound(int version) {
        return new RegistryException(404, 40402, "Version " + version + " not found.");
    }

    static RegistryException schemaNotFound(String what) {
        return new RegistryException(404, 40403, what + " not found.");
    }

    static RegistryException noSubjectLevel(String subject) {
        return new RegistryException(404, 40408,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    static RegistryException incompatible(String subject, List<String> problems) {
        return new RegistryException(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                + subject + "\", details: " + problems);
    }

    static RegistryException invalidSchema(String why) {
        return new RegistryException(422, 42201, "Invalid schema: " + why);
    }

    static RegistryException invalidVersion(String version) {
        return new RegistryException(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static RegistryException invalidCompatibilityLevel(String level) {
        return new RegistryException(422, 42203, "Invalid compatibility level '" + level + "'. Valid values are none, "
                + "backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    }

    static RegistryException badRequest(String why) {
        return new RegistryException(400, 400, why);
    }

    static RegistryException notFound(String path) {
        return new RegistryException(404, 404, "HTTP 404 Not Found: " + path);
    }

    static RegistryException methodNotAllowed(String method, String path) {
        return new RegistryException(405, 405, "HTTP 405 Method Not Allowed: " + method + " " + path);
    }

    static RegistryException storeError(String why, Throwable cause) {
        return new RegistryException(500, 50001, "Error while storing to the schemas topic: " + why, cause);
    }
}
