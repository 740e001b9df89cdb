-- The customer's last 30 days of masecon.daily_costs, today included, as a
-- dashboard panel reads them.
SELECT d.day, d.cost, d.executions
  FROM masecon.daily_costs AS d
 WHERE d.customer_id = :customer
   AND d.day > (pg_catalog.now() AT TIME ZONE d.time_zone)::date - 30
   AND d.day <= (pg_catalog.now() AT TIME ZONE d.time_zone)::date
 ORDER BY d.day;
