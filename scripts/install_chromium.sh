#!/usr/bin/env bash
# Installs Debian's chromium (and its recommended fonts, so the screenshot has readable text) for
# the report's headless-browser test, tests/report_html.rs. Needs root; .ci/run calls it and
# then sets KINDSCAPE_REQUIRE_CHROMIUM=1 so that test cannot skip.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version 2>/dev/null || true
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install_chromium.sh: run as root (apt-get install chromium)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
/usr/bin/chromium --version 2>/dev/null || true
