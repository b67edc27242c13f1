# The bot as a small image: built in a full Rust image, run from Debian slim as a non-root user.
#   docker build -t solar-lottery .
#   docker run -p 8088:8088 -e LOTTO_MATTERMOST_URL=… -e LOTTO_BOT_TOKEN=… -e LOTTO_SLASH_TOKENS=… solar-lottery
# docker-compose.yml at the root runs it beside Mattermost.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so a change to the bot's code does not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && for b in calendar_fetch fill calendar_sync autopilot slash_load; do echo 'fn main() {}' > "benches/$b.rs"; done \
    && cargo build --release --locked --bin solar-lottery \
    && rm -rf src benches
COPY src src
COPY migrations migrations
COPY templates templates
COPY assets assets
COPY benches benches
# The dummy build above left newer timestamps behind; make sure the real code is compiled.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin solar-lottery

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin lotto \
    && mkdir -p /data /config \
    && chown lotto:lotto /data /config
COPY --from=build /src/target/release/solar-lottery /usr/local/bin/solar-lottery
USER lotto
WORKDIR /data
# Listen on every interface of the container; SQLite in the /data volume unless
# LOTTO_DATABASE_URL says otherwise (docker-compose.yml uses Postgres).
ENV LOTTO_LISTEN=0.0.0.0:8088 \
    LOTTO_DATABASE_URL=sqlite:///data/solar-lottery.db \
    LOTTO_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8088
# `healthcheck` asks this container's own /healthz (200 when the database answers).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["solar-lottery", "healthcheck"]
ENTRYPOINT ["solar-lottery"]
CMD ["serve"]
