# RiskStream image: `riskstream run` (and the other CLI commands) on a Java 17 JRE. Not built or published by this
# repository yet; see helm/riskstream/README.md.
#   docker build -t REGISTRY/riskstream:TAG .
#   docker build --build-arg MAVEN_PROFILES=-Ptensorrt-redist -t REGISTRY/riskstream:TAG-gpu .   # TensorRT + CUDA jars (~3 GB)
FROM maven:3.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILES=""
WORKDIR /src
COPY pom.xml ./
COPY schemas schemas
COPY scoring scoring
COPY connectors connectors
COPY topology topology
COPY app app
RUN mvn -q -B -DskipTests ${MAVEN_PROFILES} package

FROM eclipse-temurin:17-jre
# The chart's pod securityContext runs as this uid/gid.
RUN groupadd --system --gid 10001 riskstream \
 && useradd --system --uid 10001 --gid riskstream --home-dir /home/riskstream --create-home riskstream
# The lean production artifact: riskstream.jar's manifest puts lib/*.jar on the class path, relative to the jar.
# app/target/lib-dev (embedded broker, Synthea, Debezium, plotting: demo, bench, cohort and cdc only) stays out.
COPY --from=build /src/app/target/lib /app/lib
COPY --from=build /src/app/target/riskstream.jar /app/riskstream.jar
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/riskstream.jar"]
CMD ["--help"]
