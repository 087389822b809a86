#!/usr/bin/env bash
# standins.sh GO_IMAGE RUNTIME_IMAGE builds local stand-ins for the base
# images the Dockerfiles pull from registries, for a machine that cannot
# pull them (make images does when they are out of reach):
#
#   GO_IMAGE       the build stage's golang image: this machine's Go
#                  toolchain ($(go env GOROOT)) and a static busybox for
#                  RUN's shell, on an empty image
#   RUNTIME_IMAGE  distroless static's nonroot: CA certificates, time
#                  zones, /etc/passwd with nonroot (65532), and nothing else
#                  (no shell)
#
# It needs podman (or buildah's bud), Debian's busybox-static,
# ca-certificates and tzdata. Each image is built once; delete it to build
# it again.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 GO_IMAGE RUNTIME_IMAGE" >&2
	exit 2
fi
go_image=$1
runtime_image=$2
engine=${ENGINE:-podman}

need() {
	[ -e "$1" ] || { echo "$0: $1 is missing: apt-get install $2" >&2; exit 1; }
}
need /bin/busybox busybox-static
need /etc/ssl/certs/ca-certificates.crt ca-certificates
need /usr/share/zoneinfo/UTC tzdata

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! $engine image exists "$go_image"; then
	goroot=$(go env GOROOT)
	echo "building $go_image from $goroot ($(go version | cut -d' ' -f3))"
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
	$engine build --quiet -t "$go_image" "$work/go" >/dev/null
fi

if ! $engine image exists "$runtime_image"; then
	echo "building $runtime_image: CA certificates, time zones, user nonroot (65532)"
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
	$engine build --quiet -t "$runtime_image" "$work/rt" >/dev/null
fi
