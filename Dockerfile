# Podium's image: `podium run` as a non-root user, libopus for voice cues, /healthz checked by the runtime.
# BASE is any Debian bookworm image: the public python:3.11-slim-bookworm by default, or a local one (see
# `make image`, which builds FROM a debootstrap'd bookworm where no registry is reachable).
ARG BASE=docker.io/library/python:3.11-slim-bookworm

FROM ${BASE} AS build
# PIP_ARGS: e.g. "--no-index --find-links /src/build/wheels" to install from wheels in the build context.
ARG PIP_ARGS=""
ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# A slim Python image has python3.11; a plain Debian base gets bookworm's python3 (3.11) and venv.
RUN if ! command -v python3.11 >/dev/null; then \
      apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY adapters /src/adapters
COPY scheduler /src/scheduler
COPY build/wheel[s] /src/build/wheels
RUN python3.11 -m venv /opt/podium \
    && /opt/podium/bin/pip install -q ${PIP_ARGS} /src

FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libopus0 ca-certificates tzdata \
       $(command -v python3.11 >/dev/null || echo python3) >/dev/null \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/podium --shell /usr/sbin/nologin podium
COPY --from=build /opt/podium /opt/podium
ENV PATH=/opt/podium/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9100 \
    SQLITE_PATH=/var/lib/podium/data/podium.db
USER podium
WORKDIR /var/lib/podium
EXPOSE 9100 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METRICS_PORT', '9100'), timeout=4)"]
ENTRYPOINT ["podium"]
CMD ["run"]
