# Multi-stage build: compile in the Rust image, ship only the binary on a slim Debian base.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY policies ./policies
COPY benches ./benches
RUN cargo build --release --locked --bin pluralis

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/pluralis --create-home pluralis
COPY --from=build /src/target/release/pluralis /usr/local/bin/pluralis
COPY policies /etc/pluralis/policies
USER pluralis
WORKDIR /var/lib/pluralis
ENV PLURALIS_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/pluralis", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/pluralis"]
CMD ["serve", "--policy", "/etc/pluralis/policies/openai.toml"]
