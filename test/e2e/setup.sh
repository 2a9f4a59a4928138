#!/bin/sh
# Machine prep for `npm run test:e2e` (Debian 12, root, node 20): headless chromium for the
# webview tests and the editor e2e, then code-server's own install in this folder.
set -eu
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || [ ! -f /usr/include/gssapi/gssapi.h ]; then
  # libkrb5-dev: code-server builds a native module against it; ripgrep: see below.
  apt-get update -qq && apt-get install -y -qq chromium ripgrep libkrb5-dev >/dev/null
fi
# @vscode/ripgrep's postinstall downloads rg from GitHub; seed its cache with Debian's rg instead.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache" && tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
if [ ! -x node_modules/.bin/code-server ]; then
  npm ci --no-audit --no-fund
fi
