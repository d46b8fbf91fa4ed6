#!/bin/sh
# Makes a local stand-in for the Dockerfile's base image where no image registry can be
# reached (this project's machines and CI): Debian bookworm (minbase, by debootstrap
# from Debian's archive) with the given Node binary at /usr/local/bin/node, the given
# npm at /usr/local/lib/node_modules/npm and the `node` user (1000), the layout of the
# official node:<version>-bookworm-slim, imported into podman under that image's name.
# The machine's CA bundle goes in too, with NODE_EXTRA_CA_CERTS, for a network whose
# TLS is intercepted (npm ci runs inside the build). Used by deploy/container/test.
#
#   sh deploy/container/stand-in-base.sh IMAGE NODE_BINARY NPM_FOLDER
set -eu
image="$1" node="$2" npm="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
install -m 755 "$node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca" ]; then mkdir -p "$rootfs/etc/ssl/certs" && cp "$ca" "$rootfs$ca"; fi
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
tar -C "$rootfs" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_EXTRA_CA_CERTS=$ca" \
  --change 'CMD ["node"]' - "$image" >/dev/null
echo "stand-in base $image made"
