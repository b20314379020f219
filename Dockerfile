# Palisade as a container image. Not built on the development machines (they have
# no container engine); reviewed by hand. The result is a static binary on an
# empty base, running as an unprivileged user, so that the image itself passes
# `palisade scan --pss-level restricted` when deployed with the matching
# securityContext (runAsNonRoot, no privilege escalation, drop ALL, RuntimeDefault seccomp).

FROM rust:1.95-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl \
 && apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p palisade-cli \
 && strip target/x86_64-unknown-linux-musl/release/palisade

FROM scratch
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/palisade /palisade
COPY --from=build /src/LICENSE /LICENSE
# A numeric user, so that runAsNonRoot can verify it without an /etc/passwd.
USER 65532:65532
ENTRYPOINT ["/palisade"]
CMD ["--help"]
