# Atrium API / worker / beat image. One image, three commands (see docker-compose.yml).

# The web console (console/), built once here and served by the API under /console.
FROM node:20-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console/ ./
RUN npm run build

FROM python:3.11-slim AS base

# Production unless told otherwise: no /docs, no dev defaults, real secrets required.
ENV ATRIUM_ENVIRONMENT=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv \
    && useradd --create-home --uid 10001 atrium

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
COPY migrations ./migrations
COPY alembic.ini ./
COPY --from=console /console/dist ./console/dist
RUN uv sync --frozen --no-dev && mkdir -p /app/var && chown atrium /app/var

USER atrium
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status == 200 else 1)"
CMD ["atrium", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
