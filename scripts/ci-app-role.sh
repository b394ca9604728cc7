#!/usr/bin/env bash
# Migrate a scratch PostgreSQL database as the owner, create the app's limited role with
# `manage.py create_app_role`, and run the app's own work as that role: seeding (every kind of record and
# audit entry), the periodic work (sealing, sweeps, building an export) and verification of the log.
# Used by .ci/run; the role and the database are dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=${PGHOST:-127.0.0.1}
DB=prevent_panel_ci_role
ROLE=prevent_panel_ci_app_$$
PASSWORD=$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")
WORK=$(mktemp -d)
PY="python3 -m uv run --frozen python"
psql_owner() { psql -h "$HOST" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

cleanup() {
  psql_owner -d "$DB" -c "DROP OWNED BY $ROLE" 2>/dev/null || true
  psql_owner -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export DEBUG=true HTTPS=false EXPORT_RENDER_PROCESSES=1 AUDIT_WITNESS_PATH="$WORK/witness.log"
export SECRET_KEY=ci-only-secret-key-not-for-production-0123456789abcdef
export AUDIT_SEAL_KEY=ci-only-audit-seal-key-0123456789abcdef
unset CELERY_BROKER_URL  # the embedded path: run_periodic builds the export

psql_owner -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
DATABASE_URL=postgres://postgres@$HOST:5432/$DB $PY manage.py migrate --no-input -v0
DATABASE_URL=postgres://postgres@$HOST:5432/$DB APP_DATABASE_PASSWORD=$PASSWORD \
  $PY manage.py create_app_role --role "$ROLE"

export DATABASE_URL=postgres://$ROLE:$PASSWORD@$HOST:5432/$DB
$PY manage.py seed_demo >/dev/null
$PY manage.py shell -c "
from django.db import transaction
from audit import jobs
from partners.models import Role, User
with transaction.atomic():
    jobs.request_export(requester=User.objects.filter(role=Role.AUDITOR).first(), kind='log', filters={})
"
$PY manage.py run_periodic --once >/dev/null
$PY manage.py shell -c "
from audit.models import ExportJob, ExportStatus
assert list(ExportJob.objects.values_list('status', flat=True)) == [ExportStatus.DONE], 'the export was not built'
"
$PY manage.py verify_audit
echo "The app ran as $ROLE: seeded, sealed, exported and verified."
