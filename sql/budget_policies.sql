-- The checks on masecon.budget_policies: the time zone must be known, and
-- updated_at follows every update.
\pset null '(null)'
\set SHOW_CONTEXT never

INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('gr-b-tokyo', 10, 'Asia/Tokyo');
INSERT INTO masecon.budget_policies (customer_id) VALUES ('gr-b-default');
SELECT customer_id, time_zone, warn_threshold, amber_threshold
  FROM masecon.budget_policies WHERE customer_id LIKE 'gr-b-%' ORDER BY 1;

-- Unknown and empty time zones are rejected, on insert and on update.
INSERT INTO masecon.budget_policies (customer_id, time_zone) VALUES ('gr-b-bad', 'Mars/Olympus_Mons');
INSERT INTO masecon.budget_policies (customer_id, time_zone) VALUES ('gr-b-bad', '');
UPDATE masecon.budget_policies SET time_zone = 'Europe/Atlantis' WHERE customer_id = 'gr-b-tokyo';
SELECT count(*) AS bad_rows FROM masecon.budget_policies WHERE customer_id = 'gr-b-bad';

-- updated_at is left as given on insert, so that a restored dump keeps it,
-- and set to now() by every update.
INSERT INTO masecon.budget_policies (customer_id, created_at, updated_at)
VALUES ('gr-b-old', '2025-01-01 00:00:00+00', '2025-01-02 00:00:00+00');
SELECT created_at = '2025-01-01 00:00:00+00' AS created_kept,
       updated_at = '2025-01-02 00:00:00+00' AS updated_kept
  FROM masecon.budget_policies WHERE customer_id = 'gr-b-old';
UPDATE masecon.budget_policies SET daily_budget_limit = 5, updated_at = '2020-01-01'
 WHERE customer_id = 'gr-b-old';
SELECT created_at = '2025-01-01 00:00:00+00' AS created_kept,
       updated_at > '2025-01-02 00:00:00+00' AND updated_at <= now() AS updated_now,
       daily_budget_limit
  FROM masecon.budget_policies WHERE customer_id = 'gr-b-old';

DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'gr-b-%';
