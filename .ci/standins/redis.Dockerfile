# CI stand-in for redis:7: Debian's redis-server (7.0) and redis-cli. Like the upstream image's entrypoint,
# a `redis-server …` command gets --protected-mode no appended (the compose file's command replaces CMD).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools && rm -rf /var/lib/apt/lists/*
RUN printf '#!/bin/sh\nif [ "$1" = redis-server ]; then set -- "$@" --protected-mode no; fi\nexec "$@"\n' > /usr/local/bin/redis-entrypoint \
 && chmod +x /usr/local/bin/redis-entrypoint
ENTRYPOINT ["/usr/local/bin/redis-entrypoint"]
EXPOSE 6379
CMD ["redis-server"]
