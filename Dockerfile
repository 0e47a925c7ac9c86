# syntax=docker/dockerfile:1
# Hazard Ledger — one image for all four services.
#
#   docker build -t hazard-ledger:dev .
#   docker run --rm hazard-ledger:dev migrate hazard        # one-shot: Alembic to head
#   docker run --rm -p 8001:8001 hazard-ledger:dev serve hazard
#
# The service is chosen by the command (`serve gateway|hazard|enterprise|reporting`); settings come
# from HL_<SERVICE>_* variables (see deploy/README.md). Migrations are a separate one-shot command,
# run before the service starts (compose: migrate-<svc>; Kubernetes: Job migrate-<svc>).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with the runtime subset of requirements.lock --------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml requirements.lock ./
COPY deploy/docker/runtime_requirements.py deploy/docker/
# requirements.lock also pins the dev tools (it is compiled with --extra dev); keep only what the
# runtime dependencies reach, at the locked versions. Wheels only: no compiler in this stage.
RUN python deploy/docker/runtime_requirements.py pyproject.toml requirements.lock > requirements.runtime.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps --only-binary=:all: -r requirements.runtime.txt \
 && /opt/venv/bin/pip uninstall -y pip \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

COPY libs/ /app/libs/
COPY cli/ /app/cli/
COPY services/ /app/services/
# Byte-compile once here, so the read-only runtime never needs to write .pyc files.
RUN /opt/venv/bin/python -m compileall -q /opt/venv/lib /app/libs /app/cli /app/services

# --- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="hazard-ledger" \
      org.opencontainers.image.description="Hazard Ledger services (gateway, hazard, enterprise, reporting)"

RUN groupadd --system --gid 10001 hl \
 && useradd --system --uid 10001 --gid hl --home-dir /app --no-create-home --shell /usr/sbin/nologin hl \
 && mkdir -p /app/data \
 && chown hl:hl /app/data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY deploy/docker/healthcheck.py /app/deploy/docker/healthcheck.py

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/libs:/app/cli:/app/services/hazard:/app/services/enterprise:/app/services/reporting:/app/services/gateway:/app/services/tips:/app/services/webhooks \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HL_GATEWAY_HOST=0.0.0.0 \
    HL_HAZARD_HOST=0.0.0.0 \
    HL_ENTERPRISE_HOST=0.0.0.0 \
    HL_REPORTING_HOST=0.0.0.0

WORKDIR /app
# Source and virtualenv belong to root and are read-only for the service user.
USER 10001:10001
EXPOSE 8000 8001 8002 8003

# Liveness of whichever service this container serves (/healthz); readiness (/readyz: database and
# NATS) is for the orchestrator's probes, not for restarting the container.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "/app/deploy/docker/healthcheck.py"]

ENTRYPOINT ["python", "-m", "hl_stack"]
CMD ["serve", "gateway"]
