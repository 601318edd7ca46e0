#!/usr/bin/env bash
# Everything CI checks, in order, with a summary and each stage's duration at the end:
#   ruff check, ruff format --check, missing migrations, `check --deploy` under production
#   settings, the whole pytest suite on SQLite (its browser tests in a round of their own beside
#   it), and, at the same time, every test that uses the database (but the browser tests) again
#   on a throw-away PostgreSQL cluster (127.0.0.1, temporary directories, stopped and removed
#   at exit).
#
# Run through `make test`, which installs the virtual environment, the Debian packages and
# axe-core first. Every stage runs even when an earlier one failed; the exit status is
# non-zero when any stage failed.
#
# Environment:
#   CI=true                 the PostgreSQL run is mandatory (it is skipped locally, with a
#                           message, when PostgreSQL is not installed or cannot start)
#   TILLIT_SKIP_BROWSER=1   leave the browser tests out (local use only; ignored when CI=true)
#   PYTEST_ARGS="..."       extra pytest arguments for every round (e.g. "-x" or "-k login")
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
CI=${CI:-false}
TMP=$(mktemp -d)

STAGES=()
RESULTS=()
DURATIONS=()
FAILED=0

PGBIN=""
PGDATA=""
PGSOCK=""
AS_PG=()
PG_START=0
ROUND_NAMES=() # background rounds: their names, "pid:junit-name", start times
ROUND_PIDS=()
ROUND_STARTS=()
PG_RESULT=""

cleanup() {
    # A run stopped midway takes the background rounds (and their pytest) with it.
    local round
    for round in "${ROUND_PIDS[@]}"; do pkill -P "${round%%:*}" 2>/dev/null || true; done
    if [[ -n $PGDATA && -f $PGDATA/postmaster.pid ]]; then
        "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    [[ -n $PGDATA ]] && rm -rf "$PGDATA"
    [[ -n $PGSOCK ]] && rm -rf "$PGSOCK"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }

record() {  # name result milliseconds
    STAGES+=("$1")
    RESULTS+=("$2")
    DURATIONS+=("$3")
    [[ $2 == failed ]] && FAILED=1
    return 0
}

stage() {  # name command...: run one stage, record its result and duration
    local name=$1
    shift
    echo
    echo "=== $name"
    local start rc=0
    start=$(now_ms)
    "$@" || rc=$?
    if ((rc == 0)); then
        record "$name" ok $(($(now_ms) - start))
    else
        echo "--- $name failed (exit $rc)"
        record "$name" failed $(($(now_ms) - start))
    fi
}

# --- static checks -----------------------------------------------------------------------

deploy_check() {
    local key
    key=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')
    env -u DATABASE_URL TILLIT_ENV=production TILLIT_SECRET_KEY="$key" \
        TILLIT_ALLOWED_HOSTS=tillit.example.org TILLIT_DATA_DIR="$TMP/deploy" \
        TILLIT_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
        tillit check --deploy --fail-level WARNING
}

missing_migrations() {
    env -u DATABASE_URL tillit makemigrations --check --dry-run
}

# --- pytest --------------------------------------------------------------------------------

# The slowest tests are listed after each run, to keep an eye on the suite's time.
PYTEST_OPTS=(--durations=8)
if [[ ${TILLIT_SKIP_BROWSER:-} == 1 ]]; then
    if [[ $CI == true ]]; then
        echo "TILLIT_SKIP_BROWSER is ignored when CI=true: the browser tests run."
    else
        echo "TILLIT_SKIP_BROWSER=1: the browser tests are left out of this run."
        PYTEST_OPTS+=(-m "not browser")
    fi
fi
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"

pytest_run() {  # junit-name [env assignments...] [-- extra pytest args]
    local junit=$TMP/$1.xml
    shift
    local assignments=() more=()
    while (($#)); do
        if [[ $1 == -- ]]; then
            shift
            more=("$@")
            break
        fi
        assignments+=("$1")
        shift
    done
    # pytest exits 5 when it ran no test: any non-zero status fails the stage.
    env "${assignments[@]}" pytest "${PYTEST_OPTS[@]}" "${EXTRA[@]}" "${more[@]}" --junitxml="$junit"
}

# --- PostgreSQL ----------------------------------------------------------------------------

free_port() {
    python - <<'EOF'
import socket

for port in [55432, *range(55433, 55532)]:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
EOF
}

start_postgres() {
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z $PGBIN || ! -x $PGBIN/initdb ]]; then
        echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)."
        return 1
    fi
    PGDATA=$(mktemp -d)
    PGSOCK=$(mktemp -d)
    if [[ $(id -u) -eq 0 ]]; then
        # The server refuses to run as root: a system user of its own runs the cluster.
        id pgci >/dev/null 2>&1 \
            || useradd --system --no-create-home --shell /usr/sbin/nologin pgci
        chown pgci "$PGDATA" "$PGSOCK"
        AS_PG=(runuser -u pgci --)
    fi
    PGPORT=$(free_port)
    if ! "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 -N >"$TMP/initdb.log" 2>&1; then
        cat "$TMP/initdb.log"
        return 1
    fi
    # No durability needed for a throw-away test cluster: fsync off makes it much faster.
    if ! "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGSOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        cat "$PGDATA/log" 2>/dev/null || true
        return 1
    fi
    "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres tillit || return 1
    echo "PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$PGPORT ($PGDATA)"
}

# --- rounds beside each other ------------------------------------------------------------------

# Three pytest rounds share the two cores: the SQLite round without the browser tests in the
# foreground, and beside it the browser tests (on SQLite too) and the PostgreSQL round. One
# after the other they took over the 15 minutes the suite must stay under; each keeps about one
# core busy, and whichever ends first leaves its core to the others.
round_start() {  # name junit-name [env assignments...] [-- extra pytest args]: in the background
    local name=$1 junit=$2
    shift 2
    ROUND_NAMES+=("$name")
    ROUND_STARTS+=("$(now_ms)")
    (
        rc=0
        pytest_run "$junit" "$@" >"$TMP/$junit.log" 2>&1 || rc=$?
        echo "$rc" >"$TMP/$junit.rc"
        date +%s%3N >"$TMP/$junit.end"
    ) &
    ROUND_PIDS+=("$!:$junit")
}

round_wait() {  # index: waits for that background round, prints its output and records it
    local i=$1 name=${ROUND_NAMES[$1]} pid=${ROUND_PIDS[$1]%%:*} junit=${ROUND_PIDS[$1]#*:} rc ms
    echo
    echo "=== $name"
    wait "$pid" || true
    cat "$TMP/$junit.log"
    read -r rc <"$TMP/$junit.rc"
    ms=$(($(cat "$TMP/$junit.end") - ${ROUND_STARTS[$i]}))
    # Arguments of PYTEST_ARGS (-k …) may select none of a round's tests: pytest's 5.
    if ((rc == 0)) || ((rc == 5 && ${#EXTRA[@]} > 0)); then
        record "$name" ok "$ms"
    else
        echo "--- $name failed (exit $rc)"
        record "$name" failed "$ms"
    fi
}

postgres_stage() {  # starts the cluster and the PostgreSQL round in the background
    PG_START=$(now_ms)
    if ! start_postgres; then
        if [[ $CI == true ]]; then
            echo "--- PostgreSQL could not be started, and CI=true requires the PostgreSQL run."
            PG_RESULT=failed
        else
            echo "--- PostgreSQL run SKIPPED: PostgreSQL is not installed or could not start"
            echo "    (as root, 'make test' installs Debian's postgresql; CI=true makes this an error)."
            PG_RESULT=skipped
        fi
        return 0
    fi
    # The browser tests run once, on SQLite: what they add is the page in a real browser, the
    # same on either database. So do the tests that use no database (TILLIT_DATABASE_TESTS_ONLY,
    # tests/conftest.py). Everything that touches the database runs on both.
    round_start "pytest (PostgreSQL)" postgres \
        DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/tillit" TILLIT_DATABASE_TESTS_ONLY=1 \
        -- -m "not browser"
}

# --- the run -------------------------------------------------------------------------------

TOTAL_START=$(now_ms)
stage "ruff check" ruff check .
stage "ruff format --check" ruff format --check .
stage "missing migrations" missing_migrations
stage "check --deploy (production)" deploy_check
echo
echo "=== PostgreSQL and the browser tests (their rounds run in the background; their output"
echo "    follows the SQLite round's)"
postgres_stage
if [[ ${TILLIT_SKIP_BROWSER:-} == 1 && $CI != true ]]; then
    stage "pytest (SQLite)" pytest_run sqlite -u DATABASE_URL
else
    round_start "pytest (SQLite, browser)" browser -u DATABASE_URL -- -m browser
    stage "pytest (SQLite)" pytest_run sqlite -u DATABASE_URL -- -m "not browser"
fi
for i in "${!ROUND_NAMES[@]}"; do round_wait "$i"; done
if [[ -n $PG_RESULT ]]; then record "pytest (PostgreSQL)" "$PG_RESULT" $(($(now_ms) - PG_START)); fi
TOTAL=$(($(now_ms) - TOTAL_START))

echo
echo "=== Summary"
for i in "${!STAGES[@]}"; do
    ms=${DURATIONS[$i]}
    printf '  %-30s %-8s %6d.%d s\n' "${STAGES[$i]}" "${RESULTS[$i]}" $((ms / 1000)) $((ms % 1000 / 100))
done
printf '  %-30s %-8s %6d.%d s\n' "total" "$( ((FAILED)) && echo failed || echo ok)" \
    $((TOTAL / 1000)) $((TOTAL % 1000 / 100))

# One closing line over both pytest runs, in the plain "N passed, N failed" form.
python - "$TMP"/*.xml <<'EOF'
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for suite in [root] if root.tag == "testsuite" else root.iter("testsuite"):
        tests, fail, err, skip = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += tests - fail - err - skip
        failed += fail + err
        skipped += skip
print(f"Summary: {passed} passed, {failed} failed, {skipped} skipped")
EOF
exit "$FAILED"
