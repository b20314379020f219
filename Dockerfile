# Palisade as a container image: one static binary on an empty base, run as an
# unprivileged numeric user. The same image serves the admission webhook
# (`palisade serve`, see deploy/) and runs the CLI (`docker run IMAGE scan ...`).
#
#   docker build -t ghcr.io/palisade/palisade:0.1.0 .
#
# Not built on the development machines (they have no container engine); the
# build stage's commands are the ones checked there by hand. The deployment in
# deploy/ gives it the matching securityContext (runAsNonRoot, no privilege
# escalation, drop ALL, RuntimeDefault seccomp, read-only root filesystem), so it
# passes `palisade scan deploy/ --pss-level restricted`.

# Build: a fully static x86_64 binary against musl, so the final image needs no
# libc. ring (TLS crypto) compiles C and assembly; musl-tools provides musl-gcc,
# which the cc crate picks for the musl target.
FROM rust:1.95-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl \
 && apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# --locked: exactly the dependency versions in Cargo.lock. The release profile
# keeps line tables for backtraces; strip them from the shipped binary.
RUN cargo build --release --locked -p palisade-cli --target x86_64-unknown-linux-musl \
 && strip target/x86_64-unknown-linux-musl/release/palisade

# Run: nothing but the binary and its licence. No shell, no package manager, no
# /etc/passwd. No CA certificate bundle either: in a cluster the Kubernetes
# client trusts only the service account's CA file
# (/var/run/secrets/kubernetes.io/serviceaccount/ca.crt, mounted by the kubelet),
# and the webhook's own serving certificate comes from a mounted Secret.
FROM scratch
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/palisade /palisade
COPY --from=build /src/LICENSE /LICENSE
# Numeric, so the kubelet can enforce runAsNonRoot without an /etc/passwd.
# 65532 is the usual "nonroot" id of distroless images.
USER 65532:65532
# 8443: HTTPS (admission reviews, /healthz, /readyz, /metrics).
# 9090: plain-HTTP /metrics, /healthz, /readyz, only with --metrics-listen.
EXPOSE 8443 9090
ENTRYPOINT ["/palisade"]
# The Deployment passes `serve ...` as args; a bare `docker run` prints the help.
CMD ["--help"]
