#!/usr/bin/env bash
# Runs Odoo's own account and sale tests on two fresh databases, one without
# and one with collections_followup + collections_followup_sale, and prints
# both counts: the addons must not change Odoo's results.
#
#   scripts/odoo_own_suites.sh                  # the default tag subset below
#   ODOO_SUITE_TAGS=/account,/sale scripts/odoo_own_suites.sh   # whole suites (long)
#
# Environment: ODOO_PATH (default /opt/odoo), PYTHON (the venv's python),
# ODOO_CONF (an Odoo config with db_host/port/user/password and an
# addons_path holding this repository), DB_PREFIX (default cf_odoo_suites).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo}
PYTHON=${PYTHON:-$ROOT/.work/venv/bin/python}
CONF=${ODOO_CONF:?set ODOO_CONF to an Odoo config file whose addons_path includes $ROOT}
PREFIX=${DB_PREFIX:-cf_odoo_suites}
TAGS=${ODOO_SUITE_TAGS:-/account:TestAccountMoveOutInvoiceOnchanges,/account:TestAccountMoveInInvoiceOnchanges,/sale:TestSaleOrder,/sale:TestSalePayment,/sale:TestSaleToInvoice}
if [ ! -f "$ODOO_PATH/odoo-bin" ]; then
    echo "No Odoo 18 source tree at $ODOO_PATH: get it with: git clone --depth 1 -b 18.0 https://github.com/odoo/odoo $ODOO_PATH" >&2
    exit 1
fi
LOGS=$(mktemp -d)

run_suite() {  # $1 = label, $2 = modules to install
    local db="${PREFIX}_$1" log="$LOGS/$1.log"
    "$PYTHON" "$ODOO_PATH/odoo-bin" -c "$CONF" db --drop -d "$db" >/dev/null 2>&1 || \
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    "$PYTHON" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$db" -i "$2" --without-demo=all \
        --test-tags "$TAGS" --stop-after-init --log-level=test --http-port=0 >"$log" 2>&1 || true
    local ran failed
    ran=$(grep -cE ': Starting [A-Za-z0-9_]+\.test[A-Za-z0-9_]* \.\.\.' "$log" || true)
    failed=$(grep -cE ' (ERROR|FAIL): [A-Za-z0-9_]+\.test' "$log" || true)
    printf '%-8s %4d tests run, %3d failed or in error  (%s; log %s)\n' "$1" "$ran" "$failed" "$2" "$log"
    grep -E ' (ERROR|FAIL): [A-Za-z0-9_]+\.test' "$log" | sed 's/^.*\(ERROR\|FAIL\): /    /' | sort -u || true
}

echo "Odoo's own tests: $TAGS"
run_suite without "account,sale"
run_suite with "account,sale,collections_followup,collections_followup_sale"
