# CI stand-in for maven:3-eclipse-temurin-17 (Docker Hub is out of reach here): Debian's Maven and JDK 17,
# trusting the CA certificates of the CI host (its egress re-signs TLS).
FROM debian:bookworm-slim
COPY certs/ /usr/local/share/ca-certificates/
RUN mkdir -p /usr/share/man/man1 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates ca-certificates-java openjdk-17-jdk-headless maven \
 && update-ca-certificates && rm -rf /var/lib/apt/lists/*
