# classbot as a container: non-root, works with a read-only root filesystem
# (docker run --read-only --tmpfs /tmp …). See README "Run it for a school".
FROM python:3.11-slim

# EXTRAS: the channels this image serves (and postgres for asyncpg), e.g. "telegram,postgres".
ARG EXTRAS=telegram,wechat,postgres
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    CLASSBOT_CACHE_DIR=/tmp/classbot-cache

WORKDIR /opt/classbot
COPY pyproject.toml README.md ./
COPY core core
COPY kit kit
COPY bot bot
COPY handlers handlers
COPY models models
COPY services services
COPY scheduler scheduler
COPY templates templates
RUN pip install --no-cache-dir ".[${EXTRAS}]" \
    # jionlp unpacks its dictionaries at first import: do it now, while the image is writable.
    && python -c "from core.timeparse import warm_up; warm_up()" \
    && rm -rf /opt/classbot/build \
    && useradd --system --home-dir /var/lib/classbot --create-home --shell /usr/sbin/nologin classbot

# The only writable place: the SQLite file (when not on PostgreSQL) and nothing else.
VOLUME /var/lib/classbot
WORKDIR /var/lib/classbot
USER classbot
HEALTHCHECK --interval=60s --timeout=20s CMD ["classbot", "check", "--config", "/etc/classbot/config.yaml"]
CMD ["classbot", "run", "--config", "/etc/classbot/config.yaml", "--log-format", "json"]
