# Personae application image: one image for every app service in docker-compose.yml
# (migrate, worker, scheduler, and later the Discord/Slack/billing front doors).
#
#   docker build -t personae:latest .
#   docker run --rm personae:latest                 # personae --help
#   docker run --rm -it personae:latest personae demo

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# Step 1 — dependencies only, from pyproject.toml alone, so this layer is rebuilt only when the
# dependency list changes (not on every source edit).
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# Step 2 — the project itself (setuptools needs the packages present to install them).
COPY README.md ./
COPY engine ./engine
COPY bots ./bots
COPY workers ./workers
COPY migrations ./migrations
RUN pip install --no-deps . \
 && rm -rf build *.egg-info

# Run as an unprivileged user; /app is its writable working directory (the embedded mode keeps
# its SQLite file under ./.personae).
RUN useradd --create-home --uid 10001 --user-group personae \
 && mkdir /app && chown personae:personae /app
USER personae
WORKDIR /app

CMD ["personae", "--help"]
