package io.inferpulse.devstack.registry;

import org.apache.avro.Schema;

/** One version of a subject, as the API answers it. */
record SubjectVersion(String subject, int version, int id, Schema schema) {}
