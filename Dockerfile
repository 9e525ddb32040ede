# syntax=docker/dockerfile:1
#
# The inferpulse image: one jar, every service, chosen by the first argument.
#
#   docker build -t ghcr.io/inferpulse/inferpulse:0.1.0 .
#   docker run --rm ghcr.io/inferpulse/inferpulse:0.1.0 --help
#   docker run --rm -p 9400:9400 -e INFERPULSE_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 \
#       ghcr.io/inferpulse/inferpulse:0.1.0 ingest
#
# Settings come from --config FILE, --set key=value or INFERPULSE_* environment variables; the
# image sets none of them, so a mounted config file is never overridden by an image default.

ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-21
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre

# ---------------------------------------------------------------------------------------------
# poms: the build context cut down to the Maven build files (every pom.xml, plus the empty Avro
# source folder the avro-maven-plugin insists on). Its content changes only when a pom changes,
# so the dependency layer of the build stage below stays cached across source edits, and a new
# module is picked up without editing this file.
FROM ${MAVEN_IMAGE} AS poms
WORKDIR /src
COPY . .
RUN find . -type f ! -name pom.xml -delete \
 && find . -depth -type d -empty ! -path '*/src/main/avro' -delete

# ---------------------------------------------------------------------------------------------
# build: resolve every dependency and plugin on the poms alone (the modules have no sources yet,
# so this builds empty jars and copies the runtime dependencies), throw that output away, then
# build the real thing. Only the second `mvn` runs again when a .java or .avsc file changes.
# The warm-up is only a cache: should a future plugin refuse to run without sources, the image
# still builds, the second `mvn` downloading whatever the first could not.
FROM ${MAVEN_IMAGE} AS build
WORKDIR /build
COPY --from=poms /src/ ./
RUN (mvn -B -q -DskipTests package \
     || echo "warning: dependency warm-up incomplete; the build below resolves the rest") \
 && find . -name target -type d -prune -exec rm -rf {} +
COPY . .
RUN mvn -B -q -DskipTests package \
 && test -f app/target/inferpulse.jar \
 && mkdir -p app/target/lib-inferpulse \
 && mv app/target/lib/inferpulse-*.jar app/target/lib-inferpulse/

# ---------------------------------------------------------------------------------------------
# runtime: JRE only (Ubuntu-based; curl is present for health checks), unprivileged user.
FROM ${RUNTIME_IMAGE}

LABEL org.opencontainers.image.title="inferpulse" \
      org.opencontainers.image.description="Kafka-based telemetry and autoscaling pipeline for LLM inference gateways"

# A numeric, non-root user (10001: Ubuntu images already use 1000), so that Kubernetes
# runAsNonRoot can verify it. /var/lib/inferpulse holds the Kafka Streams state when a volume is
# mounted there; a fresh named volume inherits this ownership.
RUN groupadd --system --gid 10001 inferpulse \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/inferpulse --no-create-home \
        --shell /usr/sbin/nologin inferpulse \
 && mkdir -p /var/lib/inferpulse/streams \
 && chown -R 10001:10001 /var/lib/inferpulse

# Third-party jars first (about 120 MB, a layer that changes only with the poms), then the
# project's own module jars and the launcher jar (whose manifest class path is lib/*.jar).
COPY --from=build /build/app/target/lib/ /opt/inferpulse/lib/
COPY --from=build /build/app/target/lib-inferpulse/ /opt/inferpulse/lib/
COPY --from=build /build/app/target/inferpulse.jar /opt/inferpulse/inferpulse.jar

# A directory the user may write to, for commands that write relative paths (`simulate`'s access log).
WORKDIR /var/lib/inferpulse

# Heap sized from the container's memory limit; a JVM out of memory exits so that the container
# is restarted rather than left limping. Replace JDK_JAVA_OPTIONS to change either.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001

# /metrics, /healthz and /readyz of each service: 9400 ingest, 9401 streams, 9402 alerts, 9403 notify.
EXPOSE 9400 9401 9402 9403

ENTRYPOINT ["java","--enable-native-access=ALL-UNNAMED","-jar","/opt/inferpulse/inferpulse.jar"]
CMD ["--help"]
