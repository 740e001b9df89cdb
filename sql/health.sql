-- mas_health: what an operator checks first.

SELECT version = (SELECT extversion FROM pg_extension WHERE extname = 'masecon') AS version_matches,
       library_version = version AS library_matches,
       events = (SELECT count(*) FROM masecon.execution_events) AS events_match,
       newest_event IS NOT DISTINCT FROM (SELECT max("timestamp") FROM masecon.execution_events) AS newest_matches,
       unpriced_events = (SELECT count(*) FROM masecon.execution_events WHERE price_status = 'unpriced') AS unpriced_match,
       catalog_models = (SELECT count(DISTINCT model_name) FROM masecon.model_prices) AS catalog_matches,
       unknown_model
  FROM masecon.mas_health();

-- Figures move with the data.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, "timestamp")
VALUES ('health', 'health-wf', 'health-unknown-model', 5, '2099-01-01 00:00+00');
SELECT newest_event, unpriced_models > 0 AS has_unpriced FROM masecon.mas_health();
DELETE FROM masecon.execution_events WHERE customer_id = 'health';
DELETE FROM masecon.workflows WHERE customer_id = 'health';
