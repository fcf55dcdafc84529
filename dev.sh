#!/usr/bin/env bash
# The project's two commands (see README.md):
#   ./dev.sh demo   local PostgreSQL + virtualenv + demo database + today's
#                   follow-up run, then Odoo on http://127.0.0.1:8069
#   ./dev.sh test   every test: the pure lib/ rules with pytest, the code
#                   checks (ruff, pylint-odoo), then (when
#                   Odoo 18 is found) the whole Odoo suite on a fresh database
# Everything it creates lives in ./.work (ignored by git). Odoo is found
# through ODOO_PATH (default /opt/odoo).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${CF_WORK:-$ROOT/.work}  # CF_WORK lets several checkouts share one cluster and venv
ODOO_PATH=${ODOO_PATH:-/opt/odoo}
PYTHON=${PYTHON:-python3.11}
VENV="$WORK/venv"
CONF="$WORK/odoo-$(printf %s "$ROOT" | sha1sum | cut -c1-8).conf"  # one per checkout
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA="$WORK/pgdata"
PGPORT=${CF_PGPORT:-54329}
DB_USER=odoo
DB_PASSWORD=odoo
HTTP_PORT=${CF_HTTP_PORT:-8069}
DEMO_DB=${CF_DEMO_DB:-collections_demo}
TEST_DB=${CF_TEST_DB:-collections_test}
ADDONS="collections_followup,collections_followup_sale"
BASE_ADDONS=$ADDONS  # the addons of every release (the upgrade check builds the old ones)
# the newest queue_job 18.0 that runs on this Odoo 18.0 tree (later builds use
# odoo.api.private, which Odoo 18.0 gained in 2025)
QUEUE_JOB_SPEC=${CF_QUEUE_JOB:-"odoo-addon-queue-job==18.0.1.6.1"}
OCA_ADDONS="$WORK/oca-addons"  # OCA addons from PyPI, never in the repository
GET_ODOO="get it with: git clone --depth 1 -b 18.0 https://github.com/odoo/odoo $ODOO_PATH (or set ODOO_PATH to an Odoo 18.0 source tree)"

say() { printf '\n==> %s\n' "$*"; }

# wkhtmltopdf (Qt) wants a private runtime directory; without one it warns on every PDF
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK/xdg-runtime}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR" 2>/dev/null || true

have_odoo() { [ -f "$ODOO_PATH/odoo-bin" ]; }

require_odoo() {
    if ! have_odoo; then
        echo "No Odoo 18 source tree at $ODOO_PATH: $GET_ODOO" >&2
        exit 1
    fi
}

# --- system packages (root only; CI and fresh machines) ----------------------
apt_install() {
    # Installs missing Debian packages when running as root; otherwise says what is missing.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing Debian packages: ${missing[*]} (install them with apt-get)" >&2
        return 1
    fi
    say "Installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- virtualenv --------------------------------------------------------------
ensure_venv() {
    # $1 = "odoo" to include Odoo's dependencies.
    local reqs=("$ROOT/requirements-dev.txt")
    [ "${1:-}" = odoo ] && reqs+=("$ROOT/requirements-odoo.txt")
    local stamp
    stamp=$(cat "${reqs[@]}" | sha256sum | cut -c1-16)
    if [ -f "$VENV/.stamp" ] && grep -q "$stamp" "$VENV/.stamp"; then
        return 0
    fi
    say "Preparing the virtualenv in $VENV"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip wheel setuptools
    local args=()
    for r in "${reqs[@]}"; do args+=(-r "$r"); done
    "$VENV/bin/pip" install -q --disable-pip-version-check "${args[@]}"
    echo "$stamp" >>"$VENV/.stamp"
}

# --- PostgreSQL --------------------------------------------------------------
as_pg() {
    # from / : postgres may not be allowed into the current directory (a private checkout)
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

ensure_postgres() {
    [ -x "$PGBIN/initdb" ] || apt_install postgresql-15
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    mkdir -p "$WORK"
    if [ "$(id -u)" -eq 0 ] && [ ! -f "$PGDATA/PG_VERSION" ] \
        && ! runuser -u postgres -- test -x "$WORK" 2>/dev/null; then
        # As root the cluster runs as `postgres`, which cannot traverse a checkout in a
        # private directory (under /root, or made by mktemp -d): keep it where it can.
        PGDATA="/var/lib/postgresql/collections_followup-$(printf %s "$WORK" | sha1sum | cut -c1-8)/pgdata"
        echo "(the checkout is private to root: the PostgreSQL cluster lives in $PGDATA)"
    fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "Creating the PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA"
        if [ "$(id -u)" -eq 0 ]; then
            chown postgres: "$PGDATA"
            case "$PGDATA" in /var/lib/postgresql/*) chown postgres: "$(dirname "$PGDATA")" ;; esac
        fi
        chmod 700 "$PGDATA"
        as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$PGDATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGDATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        say "Starting PostgreSQL on 127.0.0.1:$PGPORT"
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
    fi
    psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1 \
        || psql_admin -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" >/dev/null
}

psql_admin() { as_pg psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

db_exists() { psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }

drop_db() { psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; rm -rf "$WORK/data/filestore/$1"; }

# --- Odoo --------------------------------------------------------------------
write_config() {
    mkdir -p "$WORK/data"
    cat >"$CONF" <<EOF
[options]
addons_path = $ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$ROOT${OCA_PATH:+,$OCA_PATH}
data_dir = $WORK/data
db_host = 127.0.0.1
db_port = $PGPORT
db_user = $DB_USER
db_password = $DB_PASSWORD
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $HTTP_PORT
list_db = True
EOF
}

odoo() { "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$CONF" "$@"; }

# OCA's queue_job (PyPI wheel, unpacked in the work folder) for the bridge
# collections_followup_queue; without it (no package registry) the bridge is
# left out and said so.
ensure_queue_job() {
    OCA_PATH=""
    if [ ! -f "$OCA_ADDONS/queue_job/__manifest__.py" ]; then
        local wheels="$WORK/oca-wheels"
        rm -rf "$wheels" && mkdir -p "$wheels"
        if "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$wheels" "$QUEUE_JOB_SPEC" >/dev/null 2>&1; then
            mkdir -p "$OCA_ADDONS"
            "$VENV/bin/python" -m zipfile -e "$wheels"/odoo_addon_queue_job-*.whl "$wheels/x"
            rm -rf "$OCA_ADDONS/queue_job" && cp -r "$wheels/x/odoo/addons/queue_job" "$OCA_ADDONS/"
        fi
    fi
    if [ -f "$OCA_ADDONS/queue_job/__manifest__.py" ]; then
        OCA_PATH="$OCA_ADDONS"
        ADDONS="$BASE_ADDONS,collections_followup_queue"
    else
        echo "(queue_job could not be downloaded from PyPI: collections_followup_queue is left out)"
        ADDONS="$BASE_ADDONS"
    fi
}

prepare_odoo() {
    require_odoo
    apt_install wkhtmltopdf fonts-dejavu-core
    ensure_venv odoo
    ensure_postgres
    ensure_queue_job
    write_config
}

# --- demo --------------------------------------------------------------------
# A fingerprint of the addons' code and data (and of the OCA addons found):
# the demo database is updated when it changes.
addons_stamp() {
    (cd "$ROOT" && find collections_followup* -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \
        -o -name '*.po' -o -name '*.js' \) -print0 | sort -z | xargs -0 sha1sum; echo "$ADDONS") | sha1sum | cut -c1-16
}

cmd_demo() {
    prepare_odoo
    if ! db_exists "$DEMO_DB" || [ ! -f "$WORK/$DEMO_DB.ready" ]; then
        drop_db "$DEMO_DB"
        say "Building the demo database $DEMO_DB (account + $ADDONS + demo data)"
        odoo -d "$DEMO_DB" -i "$ADDONS" --load-language=pt_BR --stop-after-init \
            --log-level=warn >"$WORK/demo-install.log" 2>&1 \
            || { tail -40 "$WORK/demo-install.log"; exit 1; }
        addons_stamp >"$WORK/$DEMO_DB.ready"
    elif [ "$(cat "$WORK/$DEMO_DB.ready")" != "$(addons_stamp)" ]; then
        # the checkout changed since the demo was built: bring its modules up to date
        say "Updating $ADDONS on $DEMO_DB (the code changed since the last demo)"
        odoo -d "$DEMO_DB" -i "$ADDONS" -u "$ADDONS" --stop-after-init \
            --log-level=warn >"$WORK/demo-update.log" 2>&1 \
            || { tail -40 "$WORK/demo-update.log"; exit 1; }
        addons_stamp >"$WORK/$DEMO_DB.ready"
    fi
    say "Running today's follow-up on $DEMO_DB"
    "$VENV/bin/python" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$DEMO_DB" --no-http --log-level=warn \
        <"$ROOT/scripts/demo_followup.py"
    say "Odoo is starting on http://127.0.0.1:$HTTP_PORT"
    echo "    database: $DEMO_DB   login: admin   password: admin"
    echo "    (Ctrl+C stops it; ./dev.sh demo again reuses everything)"
    exec "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$"
}

# --- translations ------------------------------------------------------------
# export_pot DB DIR: writes DIR/<addon>.pot for every addon, as Odoo exports it.
export_pot() {
    local db=$1 dir=$2 addon
    mkdir -p "$dir"
    for addon in ${ADDONS//,/ }; do
        odoo -d "$db" --i18n-export="$dir/$addon.pot" --modules="$addon" --stop-after-init \
            --log-level=warn >/dev/null 2>&1
    done
}

cmd_i18n() {
    # Maintainers' tool: regenerates every addon's .pot from the code and
    # merges it into i18n/pt_BR.po (new strings come in untranslated).
    prepare_odoo
    local db="${TEST_DB}_i18n" tmp="$WORK/i18n" addon
    drop_db "$db"
    odoo -d "$db" -i "$ADDONS" --without-demo=all --stop-after-init --log-level=warn >/dev/null 2>&1
    export_pot "$db" "$tmp"
    drop_db "$db"
    for addon in ${ADDONS//,/ }; do
        cp "$tmp/$addon.pot" "$ROOT/$addon/i18n/$addon.pot"
        "$VENV/bin/python" "$ROOT/scripts/merge_po.py" "$ROOT/$addon/i18n/$addon.pot" "$ROOT/$addon/i18n/pt_BR.po"
    done
}

# --- tests -------------------------------------------------------------------
LIB_PASSED=0
LIB_FAILED=0
ODOO_PASSED=0
ODOO_FAILED=0

run_lib_tests() {
    say "Pure business rules (collections_followup/lib) with pytest"
    local out rc=0
    out=$(cd "$ROOT" && "$VENV/bin/python" -m pytest -q 2>&1) || rc=$?
    printf '%s\n' "$out" | tail -25
    LIB_PASSED=$(printf '%s\n' "$out" | { grep -oE '[0-9]+ passed' || true; } | tail -1 | grep -oE '[0-9]+' || true)
    LIB_PASSED=${LIB_PASSED:-0}
    LIB_FAILED=$(printf '%s\n' "$out" | { grep -oE '[0-9]+ (failed|errors?)' || true; } | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$LIB_FAILED" -eq 0 ]; then LIB_FAILED=1; fi
    [ "$LIB_PASSED" -gt 0 ] || LIB_FAILED=$((LIB_FAILED + 1))
}

# OCA's code checks (also in .pre-commit-config.yaml): ruff with .ruff.toml and
# pylint-odoo with OCA's mandatory checks (.pylintrc-mandatory). Odoo is not
# imported: each check counts as one test.
LINT_PATHS=(collections_followup collections_followup_sale collections_followup_queue bench scripts tests)
lint_step() {
    # $1 = name, then the command
    local name=$1 out rc=0
    shift
    out=$(cd "$ROOT" && "$@" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "ok: $name"
        LIB_PASSED=$((LIB_PASSED + 1))
    else
        echo "FAILED: $name"
        printf '%s\n' "$out" | tail -60
        LIB_FAILED=$((LIB_FAILED + 1))
    fi
}

run_lint() {
    say "Code checks: ruff check, ruff format --check, pylint-odoo (OCA mandatory)"
    lint_step "ruff check" "$VENV/bin/ruff" check --no-fix "${LINT_PATHS[@]}"
    lint_step "ruff format --check" "$VENV/bin/ruff" format --check "${LINT_PATHS[@]}"
    lint_step "pylint-odoo" "$VENV/bin/pylint" --rcfile=.pylintrc-mandatory collections_followup collections_followup_sale collections_followup_queue
}

run_odoo_suite() {
    local log="$WORK/odoo-test-$TEST_DB.log"
    local clean_log="$WORK/odoo-install-nodemo-$TEST_DB.log"
    say "Installing $ADDONS on a fresh database without demo data (must log no warning)"
    drop_db "${TEST_DB}_nodemo"
    odoo -d "${TEST_DB}_nodemo" -i "$ADDONS" --without-demo=all --stop-after-init \
        --log-level=info >"$clean_log" 2>&1 || true
    local warnings
    warnings=$(grep -E ' (WARNING|ERROR|CRITICAL) ' "$clean_log" | grep -v 'odoo.modules.loading: .* modules loaded' || true)

    say "Translations: the committed .pot files are what the code exports"
    export_pot "${TEST_DB}_nodemo" "$WORK/pot-check-$TEST_DB"
    for addon in ${ADDONS//,/ }; do
        if "$VENV/bin/python" "$ROOT/scripts/merge_po.py" --compare \
            "$WORK/pot-check-$TEST_DB/$addon.pot" "$ROOT/$addon/i18n/$addon.pot"; then
            ODOO_PASSED=$((ODOO_PASSED + 1))
        else
            echo "FAILED: $addon/i18n/$addon.pot is stale: run ./dev.sh i18n and translate pt_BR.po"
            ODOO_FAILED=$((ODOO_FAILED + 1))
        fi
    done
    drop_db "${TEST_DB}_nodemo"
    if [ -n "$warnings" ]; then
        printf '%s\n' "$warnings" | head -30
        echo "FAILED: installing without demo data logged warnings or errors (see $clean_log)"
        ODOO_FAILED=$((ODOO_FAILED + 1))
    fi

    say "Odoo suite: fresh database $TEST_DB with demo data, every test of $ADDONS"
    drop_db "$TEST_DB"
    local rc=0 addon
    odoo -d "$TEST_DB" -i "$ADDONS" --test-enable --test-tags "$(echo "$ADDONS" | sed 's#\([^,]*\)#/\1#g')" \
        --stop-after-init --log-level=test --http-port=$((HTTP_PORT + 100)) >"$log" 2>&1 || rc=$?
    grep -E ' (ERROR|CRITICAL) |^(FAIL|ERROR):|Traceback|odoo.tests.result|demo data failed' "$log" | head -80 || true
    local results total failed errors
    results=$(grep -E 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1 || true)
    if [ -z "$results" ]; then
        echo "FAILED: the Odoo suite printed no result line (exit $rc); last lines of $log:"
        tail -40 "$log"
        ODOO_FAILED=$((ODOO_FAILED + 1))
        return
    fi
    failed=$(echo "$results" | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1/')
    errors=$(echo "$results" | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\2/')
    total=$(echo "$results" | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\3/')
    ODOO_FAILED=$((ODOO_FAILED + failed + errors))
    ODOO_PASSED=$((total - failed - errors))
    local bad_lines
    bad_lines=$(grep -cE ' (ERROR|CRITICAL) |demo data failed to install' "$log" || true)
    if [ "$bad_lines" -gt 0 ] && [ "$((failed + errors))" -eq 0 ]; then
        echo "FAILED: $bad_lines ERROR/CRITICAL line(s) in the Odoo log ($log)"
        ODOO_FAILED=$((ODOO_FAILED + 1))
    fi
    # A browser tour that cannot start (no Chromium, no websocket-client) is
    # skipped by Odoo: here it counts as a failure.
    local skipped_tours
    skipped_tours=$(grep -E 'skipped .*Tour' "$log" || true)
    if [ -n "$skipped_tours" ]; then
        printf '%s\n' "$skipped_tours" | head -5
        echo "FAILED: browser tours were skipped (is chromium installed and on PATH?)"
        ODOO_FAILED=$((ODOO_FAILED + 1))
    fi
    if [ "$total" -eq 0 ]; then
        echo "FAILED: the Odoo suite ran no test"
        ODOO_FAILED=$((ODOO_FAILED + 1))
    fi
    if [ "$rc" -ne 0 ] && [ "$ODOO_FAILED" -eq 0 ]; then
        echo "FAILED: odoo-bin exited with $rc"
        ODOO_FAILED=1
    fi
}

# --- upgrade check -----------------------------------------------------------
# The last release of the models (18.0.1.0.0): a database built and run with it
# must keep every record through `-u collections_followup` with this checkout.
UPGRADE_FROM=${CF_UPGRADE_FROM:-0ee6c20}

run_upgrade_check() {
    local db="${TEST_DB}_upgrade" old="$WORK/upgrade-from-$UPGRADE_FROM" log="$WORK/upgrade-$TEST_DB.log"
    say "Upgrade: a database of release $UPGRADE_FROM with demo data and a run, then -u with this checkout"
    if ! git -C "$ROOT" cat-file -e "$UPGRADE_FROM^{commit}" 2>/dev/null; then
        echo "Upgrade check SKIPPED: commit $UPGRADE_FROM not in this clone's history"
        return
    fi
    rm -rf "$old" && mkdir -p "$old"
    git -C "$ROOT" archive "$UPGRADE_FROM" collections_followup collections_followup_sale scripts | tar -x -C "$old"
    local old_conf="$WORK/upgrade-$TEST_DB.conf"
    sed "s#^addons_path = .*#addons_path = $ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$old#" "$CONF" >"$old_conf"
    drop_db "$db"
    local counts="SELECT (SELECT count(*) FROM collections_followup_action), (SELECT count(*) FROM collections_followup_action_line), (SELECT count(*) FROM collections_policy), (SELECT count(*) FROM collections_level), (SELECT count(*) FROM collections_followup_pair), (SELECT count(*) FROM collections_promise), (SELECT count(*) FROM collections_charge), (SELECT count(*) FROM mail_mail)"
    if ! { "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$old_conf" -d "$db" -i "$BASE_ADDONS" --stop-after-init --log-level=warn \
           && "$VENV/bin/python" "$ODOO_PATH/odoo-bin" shell -c "$old_conf" -d "$db" --no-http --log-level=warn <"$old/scripts/demo_followup.py"; } >"$log" 2>&1; then
        echo "FAILED: building the $UPGRADE_FROM database (see $log)"; ODOO_FAILED=$((ODOO_FAILED + 1)); return
    fi
    local before after
    before=$(psql_admin -d "$db" -tAc "$counts")
    if ! odoo -d "$db" -u collections_followup --stop-after-init --log-level=warn >>"$log" 2>&1 \
        || grep -qE ' (ERROR|CRITICAL) ' "$log"; then
        echo "FAILED: -u collections_followup logged errors (see $log)"; ODOO_FAILED=$((ODOO_FAILED + 1)); return
    fi
    after=$(psql_admin -d "$db" -tAc "$counts")
    local unmigrated
    unmigrated=$(psql_admin -d "$db" -tAc "SELECT count(*) FROM collections_followup_action_line WHERE overdue IS NULL")
    if [ "$before" = "$after" ] && [ "$unmigrated" = "0" ]; then
        echo "upgrade kept every record (actions|lines|policies|levels|pairs|promises|charges|mails: $after)"
        ODOO_PASSED=$((ODOO_PASSED + 1))
    else
        echo "FAILED: upgrade changed the records: before $before, after $after, lines not migrated: $unmigrated"
        ODOO_FAILED=$((ODOO_FAILED + 1))
    fi
    drop_db "$db"
}

cmd_test() {
    if have_odoo; then
        prepare_odoo
        # the browser tours of the Odoo suite run in Debian's chromium (Odoo
        # looks for `chromium` on PATH); a skipped tour fails the suite below
        apt_install chromium || true
    else
        ensure_venv
    fi
    run_lib_tests
    run_lint
    if have_odoo; then
        run_odoo_suite
        drop_db "$TEST_DB"
        run_upgrade_check
    else
        echo
        echo "Odoo suite SKIPPED: no Odoo 18 at $ODOO_PATH"
        echo "($GET_ODOO)"
    fi
    echo
    echo "lib: $LIB_PASSED passed, $LIB_FAILED failed"
    if have_odoo; then echo "odoo: $ODOO_PASSED passed, $ODOO_FAILED failed"; fi
    echo "$((LIB_PASSED + ODOO_PASSED)) passed, $((LIB_FAILED + ODOO_FAILED)) failed"
    [ "$((LIB_FAILED + ODOO_FAILED))" -eq 0 ]
}

# --- pytest-odoo --------------------------------------------------------------
# For developers who prefer pytest: the addons' Odoo tests through pytest-odoo,
# on a database like the test suite's (demo data, English), built when missing
# and reused. CI runs `./dev.sh test`. HttpCase tests need the HTTP server of
# odoo-bin and are skipped by pytest-odoo's runner.
cmd_pytest_odoo() {
    prepare_odoo
    "$VENV/bin/python" -c "import pytest_odoo" 2>/dev/null \
        || "$VENV/bin/pip" install -q --disable-pip-version-check "pytest-odoo==2.3.0"
    local db="${TEST_DB}_pytest"
    if ! db_exists "$db" || [ ! -f "$WORK/$db.ready" ]; then
        drop_db "$db"
        say "Building the database $db (demo data) for pytest-odoo"
        odoo -d "$db" -i "$ADDONS" --stop-after-init --log-level=warn >"$WORK/$db-install.log" 2>&1 \
            || { tail -40 "$WORK/$db-install.log"; exit 1; }
        touch "$WORK/$db.ready"
    fi
    local targets=("$@") arg paths=0
    for arg in "$@"; do case "$arg" in -*) ;; *) paths=1 ;; esac; done
    [ "$paths" -eq 1 ] || targets+=(collections_followup/tests collections_followup_sale/tests)
    [ "$paths" -eq 1 ] || [ -z "$OCA_PATH" ] || targets+=(collections_followup_queue/tests)
    cd "$ROOT" && PYTHONPATH="$ODOO_PATH" "$VENV/bin/python" -m pytest -o addopts="-p no:cacheprovider" \
        -o pythonpath="" --odoo-config="$CONF" --odoo-database="$db" "${targets[@]}"
}

case "${1:-}" in
    demo) cmd_demo ;;
    pytest-odoo) shift; cmd_pytest_odoo "$@" ;;
    test) cmd_test ;;
    i18n) cmd_i18n ;;
    *)
        echo "usage: $0 demo|test|i18n|pytest-odoo [pytest arguments]" >&2
        exit 2
        ;;
esac
