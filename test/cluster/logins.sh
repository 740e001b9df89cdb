#!/bin/sh
# The reader, writer and admin roles and a tenant, as real logins: each
# connects with its own password and may do what its role allows and
# nothing more.  test/security.sql checks the same roles with SET ROLE
# and enumerates every object.
set -eu

db=masecon_logins
roles="masecon_login_reader masecon_login_writer masecon_login_admin masecon_login_tenant"
cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	for role in $roles; do
		psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT
cleanup

createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION masecon;
CREATE ROLE masecon_login_reader LOGIN PASSWORD 'reader-pw';
CREATE ROLE masecon_login_writer LOGIN PASSWORD 'writer-pw';
CREATE ROLE masecon_login_admin LOGIN PASSWORD 'admin-pw';
CREATE ROLE masecon_login_tenant LOGIN PASSWORD 'tenant-pw';
SELECT masecon.mas_grant_access('masecon_login_reader', 'reader');
SELECT masecon.mas_grant_access('masecon_login_writer', 'writer');
SELECT masecon.mas_grant_access('masecon_login_admin', 'admin');
SELECT masecon.mas_grant_access('masecon_login_tenant', 'writer');
INSERT INTO masecon.tenant_roles (role, customer_id) VALUES ('masecon_login_tenant', 'login-a');
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('l-a', 'login-a', 'login-wf-a', 'gpt-4o', 10, 10),
       ('l-b', 'login-b', 'login-wf-b', 'gpt-4o', 10, 10);
SQL

failures=0
output=$(mktemp)
trap 'rm -f "$output"; cleanup' EXIT
# expect ROLE PASSWORD allowed|denied DESCRIPTION SQL
expect() {
	role=$1 password=$2 outcome=$3 description=$4 sql=$5
	if PGUSER=$role PGPASSWORD=$password psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$sql" > "$output" 2>&1; then
		result=allowed
	else
		result=denied
	fi
	if [ "$result" = "$outcome" ]; then
		echo "ok: $description"
	else
		echo "FAIL: $description: $result"
		cat "$output"
		failures=$((failures + 1))
	fi
}
# expect_output ROLE PASSWORD EXPECTED DESCRIPTION SQL
expect_output() {
	role=$1 password=$2 expected=$3 description=$4 sql=$5
	actual=$(PGUSER=$role PGPASSWORD=$password psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$sql" 2>&1 || true)
	if [ "$actual" = "$expected" ]; then
		echo "ok: $description"
	else
		echo "FAIL: $description: got '$actual', expected '$expected'"
		failures=$((failures + 1))
	fi
}

event="INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out) VALUES ('login-a', 'login-wf-a', 'gpt-4o', 10, 10)"
price="UPDATE masecon.model_prices SET input_usd_per_1m = 2.40 WHERE model_name = 'gpt-4o'"
policy="INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('login-a', 10)"

expect masecon_login_reader reader-pw allowed "reader reads the views" "SELECT * FROM masecon.unpriced_models"
expect masecon_login_reader reader-pw allowed "reader reads health" "SELECT * FROM masecon.mas_health()"
expect masecon_login_reader reader-pw denied "reader cannot insert events" "$event"
expect masecon_login_reader reader-pw denied "reader cannot edit the catalog" "$price"
expect masecon_login_reader reader-pw allowed "reader may log in with the right password only" "SELECT 1"
expect masecon_login_reader wrong-pw denied "a wrong password is rejected" "SELECT 1"

expect masecon_login_writer writer-pw allowed "writer inserts events" "$event"
expect masecon_login_writer writer-pw allowed "writer prices a step" "SELECT * FROM masecon.event_price('gpt-4o', now(), 10, 10)"
expect masecon_login_writer writer-pw allowed "writer simulates a workflow" "SELECT * FROM masecon.mas_workflow_cost(2, 3, 100, 10, 'gpt-4o')"
expect masecon_login_writer writer-pw denied "writer cannot edit the catalog" "$price"
expect masecon_login_writer writer-pw denied "writer cannot add a policy" "$policy"
expect masecon_login_writer writer-pw denied "writer cannot delete events" "DELETE FROM masecon.execution_events"
expect masecon_login_writer writer-pw denied "writer cannot grant itself more" "SELECT masecon.mas_grant_access('masecon_login_writer', 'admin')"

expect masecon_login_admin admin-pw allowed "admin edits the catalog" "$price"
expect masecon_login_admin admin-pw allowed "admin adds a policy" "$policy"
expect masecon_login_admin admin-pw allowed "admin reprices events" "SELECT masecon.mas_reprice()"
expect masecon_login_admin admin-pw denied "admin cannot change tenant roles" "DELETE FROM masecon.tenant_roles"

expect_output masecon_login_tenant tenant-pw "l-a" "tenant sees only its own events" \
	"SELECT execution_id FROM masecon.execution_events WHERE execution_id LIKE 'l-%' ORDER BY 1"
expect_output masecon_login_tenant tenant-pw "1" "tenant counts only its own workflows" \
	"SELECT workflows FROM masecon.mas_health()"
expect masecon_login_tenant tenant-pw allowed "tenant inserts its own events" "$event"
expect masecon_login_tenant tenant-pw denied "tenant cannot insert another customer's events" \
	"INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('login-b', 'login-wf-b', 'gpt-4o')"

echo "login checks: $failures failed"
[ "$failures" -eq 0 ]
