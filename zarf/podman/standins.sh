#!/usr/bin/env bash
# standins.sh IMAGE... builds local stand-ins for images the kit pulls from
# registries, for a machine that cannot pull them. What each image stands
# in for comes from its name's last part:
#
#   go-build:TAG       the Dockerfiles' build stage (golang): this machine's
#                      Go toolchain ($(go env GOROOT)) and a static busybox
#                      for RUN's shell, on an empty image
#   static-nonroot:TAG their runtime stage (distroless static's nonroot):
#                      CA certificates, time zones, /etc/passwd with nonroot
#                      (65532), and nothing else (no shell)
#   debian:TAG         Debian bookworm (mmdebstrap, minbase) with Debian's
#                      postgresql-15 and prometheus packages: the base of the
#                      three below
#   postgres:TAG       postgres:17-alpine: Debian's PostgreSQL 15, user
#                      postgres as uid 70 as in the alpine image, and an
#                      entrypoint that initializes PGDATA from
#                      POSTGRES_PASSWORD as the official image's does
#   prometheus:TAG     prom/prometheus: Debian's Prometheus, as nobody
#   jaeger:TAG         grafana/tempo: Jaeger (the pinned tools/jaeger, make
#                      jaeger, in the tools cache or $JAEGER) with its OTLP
#                      receiver. Tempo cannot be built here (it is not on
#                      the Go module proxy under a usable version and is
#                      AGPL), so the trace store is Jaeger in its place.
#
# It needs podman, and for each kind what it copies: Debian's
# busybox-static, ca-certificates, tzdata, mmdebstrap. Each image is built
# once, and again when what it is made from changes (the entrypoint, the
# Jaeger binary: a label records them); podman rmi forces it.
#
# make images builds the first two when the registry is out of reach; make
# deploy-local always runs the last three (zarf/k8s/local names them).
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 IMAGE..." >&2
	exit 2
fi
engine=${ENGINE:-podman}
here=$(cd "$(dirname "$0")" && pwd)

need() {
	[ -e "$1" ] || { echo "$0: $1 is missing: apt-get install $2" >&2; exit 1; }
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# prefix is where the stand-ins are named: the folder of the first image.
prefix=${1%/*}

# inputs is what IMAGE is made from beyond this script, recorded in its
# label: when it changes, the image is made again.
inputs() {
	local script
	script=$(sha256sum "$here/standins.sh" | cut -c1-12)
	case ${1##*/} in
	postgres:*) echo "$script $(sha256sum "$here/postgres-entrypoint.sh" | cut -c1-12)" ;;
	prometheus:*) echo "$script" ;;
	jaeger:*) echo "$script $(basename "$(jaeger_bin)")" ;;
	esac
}
label=org.opencontainers.image.description

build() { # build IMAGE DIR
	$engine build --quiet --label "$label=stand-in $(inputs "$1")" -t "$1" "$2" >/dev/null
}

jaeger_bin() {
	local bin=${JAEGER:-}
	if [ -z "$bin" ]; then
		bin=$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/*/bin/jaeger-v* 2>/dev/null | tail -1 || true)
	fi
	echo "$bin"
}

go_build() {
	need /bin/busybox busybox-static
	local goroot
	goroot=$(go env GOROOT)
	echo "building $1 from $goroot ($(go version | cut -d' ' -f3))"
	mkdir -p "$work/go"
	cp /bin/busybox "$work/go/"
	cp -a "$goroot" "$work/go/goroot"
	cat >"$work/go/Containerfile" <<'IMAGE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY goroot /usr/local/go
ENV PATH=/usr/local/go/bin:/bin HOME=/root GOCACHE=/tmp/gocache GOTOOLCHAIN=local
RUN mkdir -p /tmp /root && chmod 1777 /tmp
IMAGE
	build "$1" "$work/go"
}

static_nonroot() {
	need /etc/ssl/certs/ca-certificates.crt ca-certificates
	need /usr/share/zoneinfo/UTC tzdata
	echo "building $1: CA certificates, time zones, user nonroot (65532)"
	mkdir -p "$work/rt/etc/ssl/certs" "$work/rt/usr/share"
	cp /etc/ssl/certs/ca-certificates.crt "$work/rt/etc/ssl/certs/"
	cp -a /usr/share/zoneinfo "$work/rt/usr/share/"
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/rt/etc/passwd"
	printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/rt/etc/group"
	cat >"$work/rt/Containerfile" <<'IMAGE'
FROM scratch
COPY etc/ /etc/
COPY usr/ /usr/
USER 65532:65532
IMAGE
	build "$1" "$work/rt"
}

debian() {
	command -v mmdebstrap >/dev/null || { echo "$0: mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
	echo "building $1: Debian bookworm with postgresql-15 and prometheus (mmdebstrap, about a minute)"
	# Debian's postinst makes a cluster of its own; the entrypoint makes
	# the one the pod uses, in PGDATA. Alpine's postgres is uid 70, which
	# the manifests run as.
	mmdebstrap --quiet --variant=minbase --include=postgresql-15,prometheus \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--customize-hook='rm -rf "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15 "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
		--customize-hook='chroot "$1" usermod -u 70 postgres' \
		--customize-hook='chroot "$1" groupmod -g 70 postgres' \
		--customize-hook='chown -R 70:70 "$1"/var/lib/postgresql "$1"/var/run/postgresql' \
		bookworm "$work/debian.tar"
	$engine import --quiet "$work/debian.tar" "$1" >/dev/null
}

# base is the Debian stand-in the service images build on.
base() {
	local img=$prefix/debian:bookworm
	if ! $engine image exists "$img"; then
		debian "$img" >&2 || return 1
	fi
	echo "$img"
}

postgres() {
	local from
	from=$(base) || exit 1
	echo "building $1 on $from: PostgreSQL 15, uid 70"
	mkdir -p "$work/pg"
	cp "$here/postgres-entrypoint.sh" "$work/pg/entrypoint.sh"
	cat >"$work/pg/Containerfile" <<IMAGE
FROM $from
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# A new volume mounted here takes this folder's owner, as on the official
# image, so uid 70 can make PGDATA in it.
RUN mkdir -p /var/lib/postgresql/data && chown 70:70 /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data
USER 70:70
EXPOSE 5432
# No STOPSIGNAL SIGINT, unlike the official image: the kubelet sends
# SIGTERM whatever the image says, and so does podman here, so the
# manifest's preStop hook is what stops Postgres fast in both.
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
IMAGE
	build "$1" "$work/pg"
}

prometheus() {
	local from
	from=$(base) || exit 1
	echo "building $1 on $from: Debian's Prometheus, as nobody"
	mkdir -p "$work/prom"
	cat >"$work/prom/Containerfile" <<IMAGE
FROM $from
# Its data folder belongs to nobody, as in prom/prometheus: a volume
# mounted there takes that owner (podman applies no fsGroup).
RUN mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534:65534
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
IMAGE
	build "$1" "$work/prom"
}

jaeger() {
	local from bin
	from=$(base) || exit 1
	bin=$(jaeger_bin)
	[ -x "$bin" ] || { echo "$0: no Jaeger binary: make jaeger builds the pinned one (or set JAEGER)" >&2; exit 1; }
	echo "building $1 on $from: $(basename "$bin") in Tempo's place"
	mkdir -p "$work/jaeger"
	cp "$bin" "$work/jaeger/jaeger"
	cat >"$work/jaeger/Containerfile" <<IMAGE
FROM $from
COPY jaeger /usr/local/bin/jaeger
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/jaeger"]
IMAGE
	build "$1" "$work/jaeger"
}

for image in "$@"; do
	if $engine image exists "$image" &&
		[ "$($engine image inspect --format "{{index .Labels \"$label\"}}" "$image")" = "stand-in $(inputs "$image")" ]; then
		continue
	fi
	name=${image##*/}
	case ${name%%:*} in
	go-build) go_build "$image" ;;
	static-nonroot) static_nonroot "$image" ;;
	debian) debian "$image" ;;
	postgres) postgres "$image" ;;
	prometheus) prometheus "$image" ;;
	jaeger) jaeger "$image" ;;
	*) echo "$0: no stand-in for $image" >&2; exit 2 ;;
	esac
done
