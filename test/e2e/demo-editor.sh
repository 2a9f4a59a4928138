#!/bin/sh
# `npm run demo:editor`: the extension in a real VS Code (code-server, the e2e harness's) on
# 127.0.0.1 with the sample workspace. Needs test/e2e/setup.sh once. Ctrl-C stops it.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E="$ROOT/test/e2e"
PORT=${PORT:-8080}
DIR=${DEMO_DIR:-$ROOT/.cache/demo-editor}
[ -x "$E2E/node_modules/.bin/code-server" ] || { echo "code-server missing: run 'sh test/e2e/setup.sh' first (apt packages + npm ci in test/e2e)" >&2; exit 1; }
export XDG_CONFIG_HOME="$DIR/config" XDG_DATA_HOME="$DIR/data"
mkdir -p "$DIR/ud/User" "$DIR/exts"
[ -f "$DIR/ud/User/settings.json" ] || echo '{"workbench.startupEditor":"none","telemetry.telemetryLevel":"off"}' > "$DIR/ud/User/settings.json"
node --import tsx "$E2E/workspace.ts" "$DIR/ws"
ln -sfn "$ROOT" "$DIR/exts/episode-lab.episode-lab-0.1.0"
echo "Episode Lab in VS Code: http://127.0.0.1:$PORT/?folder=$DIR/ws"
echo "Open tos.episode.yaml and press Run Episode. Footage: Tears of Steel (c) Blender Foundation, CC-BY 3.0."
exec "$E2E/node_modules/.bin/code-server" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
  --disable-update-check --disable-workspace-trust --user-data-dir "$DIR/ud" --extensions-dir "$DIR/exts" "$DIR/ws"
