#!/bin/sh
# Editor end-to-end: code-server 4.100.3 (the real VS Code 1.100.3 workbench with a Node
# extension host) serving the built extension, driven by Playwright in headless chromium.
# Needs setup.sh once, and `npm run build` (dist/) plus the models (`npm test` fetches them).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E="$ROOT/test/e2e"
PORT=${PORT:-18080}
export SHOTS="${SHOTS:-$ROOT/test-output/e2e}"
T=$(mktemp -d)
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$T/ud/User" "$T/exts" "$SHOTS"
echo '{"workbench.startupEditor":"none","telemetry.telemetryLevel":"off","workbench.tips.enabled":false}' > "$T/ud/User/settings.json"
cd "$ROOT"
if [ ! -x "$E2E/node_modules/.bin/code-server" ]; then echo "code-server missing: run test/e2e/setup.sh" >&2; exit 1; fi

export FOLDER="$T/ws"
node --import tsx "$E2E/workspace.ts" "$FOLDER" 2> "$T/ws.err" || { cat "$T/ws.err" >&2; exit 1; }
if [ -s "$T/ws.err" ]; then cat "$T/ws.err" >&2; export CLIP_MISSING="$(cat "$T/ws.err")"; fi
if [ -n "${VSIX:-}" ]; then
  # The packaged extension, installed the way a user does (npm run package makes it).
  "$E2E/node_modules/.bin/code-server" --extensions-dir "$T/exts" --user-data-dir "$T/ud" --install-extension "$VSIX"
  # Whatever the run needs must come from the vsix: any npm fetch of models fails now.
  export npm_config_offline=true
else
  # Installed like a user's extension: a folder named publisher.name-version. A link to the repo
  # keeps dist/, the models and the engine's native modules where the bundles expect them.
  ln -s "$ROOT" "$T/exts/episode-lab.episode-lab-0.1.0"
fi
npx esbuild test/extension/*.ts --outdir=out/test/extension --format=cjs --platform=node --target=node20 --log-level=warning

# code-server on $PORT for $FOLDER with profile $1, plus any flags; waits until it answers.
start_code_server() {
  ud=$1; shift
  "$E2E/node_modules/.bin/code-server" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
    --disable-update-check "$@" --user-data-dir "$ud" --extensions-dir "$T/exts" "$FOLDER" > "$T/cs.log" 2>&1 &
  CS_PID=$!
  i=0
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do
    i=$((i + 1)); [ $i -lt 150 ] || { cat "$T/cs.log"; exit 1; }; sleep 0.2
  done
}
CS_PID=
trap 'if [ -n "$CS_PID" ]; then kill $CS_PID 2>/dev/null; fi; rm -rf "$T"' EXIT INT TERM
start_code_server "$T/ud" --disable-workspace-trust
export PORT
echo "== editor e2e (UI) =="
node --import tsx "$E2E/editor.e2e.ts"
echo "== Identities e2e =="
node --import tsx "$E2E/identities.e2e.ts"
if [ -z "${VSIX:-}" ]; then
  echo "== in-host suite =="
  node --import tsx "$E2E/run-in-host.ts"
fi

# Restricted Mode: a second code-server, workspace trust on, a fresh profile that trusts nothing.
kill $CS_PID; wait $CS_PID 2>/dev/null || true
while curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
export FOLDER="$T/restricted"
node --import tsx "$E2E/workspace.ts" --restricted "$FOLDER"
mkdir -p "$T/ud-trust/User" && cp "$T/ud/User/settings.json" "$T/ud-trust/User/"
start_code_server "$T/ud-trust"
echo "== Restricted Mode e2e (workspace trust on) =="
node --import tsx "$E2E/restricted.e2e.ts"
echo "screenshots: $SHOTS"
