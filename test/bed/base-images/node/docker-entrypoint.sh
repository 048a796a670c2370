#!/bin/sh
set -e

# Upstream's entrypoint (docker-library/node): run the command with node if
# the first argument starts with "-" or is not a system command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
