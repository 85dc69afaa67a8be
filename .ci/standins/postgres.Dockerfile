# CI stand-in for postgres:16: Debian's PostgreSQL 15 with an entrypoint that honours POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB like the official image's, and pg_isready on the PATH.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
