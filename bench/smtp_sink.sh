#!/usr/bin/env bash
# Fetch Postfix's smtp-sink (a C SMTP server made for benchmarks: it accepts every message
# and throws it away) for `bench/issue.py --sink smtp-sink`, without installing Postfix or
# starting its daemon: the Debian package is downloaded and unpacked into var/smtp-sink/
# (ignored by git). Debian or Ubuntu (apt-get, dpkg-deb). Idempotent.
#
#   bench/smtp_sink.sh          prints the path of the binary
#
# Where Postfix is installed, `bench/issue.py` uses its /usr/sbin/smtp-sink instead.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=var/smtp-sink
binary=$dest/usr/sbin/smtp-sink
if [ ! -x "$binary" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt-get download fetches as the _apt user where it can write the directory
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
  (cd "$work" && apt-get download postfix >/dev/null)
  dpkg-deb -x "$work"/postfix_*.deb "$work/root"
  mkdir -p "$dest/usr/sbin" "$dest/usr/lib"
  cp "$work/root/usr/sbin/smtp-sink" "$dest/usr/sbin/"
  rm -rf "$dest/usr/lib/postfix"
  cp -r "$work/root/usr/lib/postfix" "$dest/usr/lib/"  # its shared libraries
fi
echo "$binary"
