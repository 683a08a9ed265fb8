# One image with the three binaries; docker-compose.yml picks the command of each service.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bins \
 && cp target/release/auth-service target/release/todo-service target/release/gateway /usr/local/bin/

FROM debian:bookworm-slim
# CA roots for the Vonage API over HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/auth-service /usr/local/bin/todo-service /usr/local/bin/gateway /usr/local/bin/
USER 65532:65532
ENV LOG_FORMAT=json
