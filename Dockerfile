# syntax=docker/dockerfile:1

# --- build: a virtualenv with the bot and its dependencies -------------------------------------
FROM python:3.11.10-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY bot ./bot
# The wheel carries the content pack as package data (bot/_content), so the runtime needs no copy.
COPY content ./content
# constraints.txt pins every dependency, so the image gets the versions the tests ran with.
RUN /opt/venv/bin/pip install -c constraints.txt .
# The sentence-embedding weights (pinned sha256) and the entry vectors for this content pack are
# baked in here, so the container never downloads anything at start-up.
RUN TUTOR_MODEL_DIR=/opt/model /opt/venv/bin/tutor-bot model fetch --content-dir /src/content

# --- runtime: the virtualenv (content pack inside) and a non-root user -------------------------
FROM python:3.11.10-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    TUTOR_DB_PATH=/data/tutor.sqlite3 \
    TUTOR_MODEL_DIR=/opt/model \
    TUTOR_HEARTBEAT_FILE=/tmp/tutor-heartbeat
# DejaVu is the first font bot/pictures/fonts.py looks for: every picture (diagram, table, heat
# map) gets a legible face with a real bold weight instead of Pillow's built-in fallback.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 tutor \
    && useradd --system --uid 10001 --gid tutor --no-create-home --shell /usr/sbin/nologin tutor \
    && mkdir -p /data \
    && chown tutor:tutor /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/model /opt/model
USER 10001:10001
WORKDIR /data
# The SQLite file (and its WAL) must outlive the container.
VOLUME ["/data"]
# A polling bot has no port to probe: a repeating job touches the heartbeat file instead.
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,time; p=os.environ['TUTOR_HEARTBEAT_FILE']; sys.exit(0 if os.path.exists(p) and time.time()-os.path.getmtime(p) < 180 else 1)"]
# The token is passed at run time only: docker run -e TELEGRAM_BOT_TOKEN=... -v tutor-data:/data
ENTRYPOINT ["tutor-bot", "run"]
