-- Realistic events for the bulk-ingest test: :rows rows over January 2026,
-- the model mix of bench.models, the customers and workflows that
-- bench/setup.sql registers.  setseed makes every run write the same rows.

\set ON_ERROR_STOP on

SELECT pg_catalog.setseed(0.42);

CREATE TABLE bench.source AS
WITH mix AS (
    SELECT pg_catalog.array_agg(m.model_name ORDER BY m.model_name) AS names
      FROM bench.models AS m, pg_catalog.generate_series(1, m.weight)
),
drawn AS (
    SELECT i,
           100000 + pg_catalog.floor(pg_catalog.random() * 200)::integer AS workflow,
           mix.names[1 + pg_catalog.floor(pg_catalog.random() * pg_catalog.cardinality(mix.names))::integer] AS model_name,
           200 + pg_catalog.floor(pg_catalog.random() * 19800)::bigint AS tokens_in,
           pg_catalog.random() AS cached_share,
           pg_catalog.random() AS write_share,
           20 + pg_catalog.floor(pg_catalog.random() * 1980)::bigint AS tokens_out,
           pg_catalog.floor(pg_catalog.random() * 4)::integer AS tool_calls,
           200 + pg_catalog.floor(pg_catalog.random() * 8800)::integer AS latency_ms,
           0.5 + pg_catalog.random() / 2 AS confidence_score,
           '2026-01-01 00:00:00+00'::timestamptz
               + pg_catalog.floor(pg_catalog.random() * 2678400) * interval '1 second' AS at
      FROM mix, pg_catalog.generate_series(1, :rows) AS i
)
SELECT d.i AS id,
       (1000 + d.workflow % 8)::text AS customer_id,
       d.workflow::text AS workflow_id,
       m.agent_id,
       d.model_name,
       d.tokens_in,
       CASE WHEN m.cache_reads THEN pg_catalog.floor(d.tokens_in * d.cached_share / 2)::bigint ELSE 0 END
           AS cached_tokens_in,
       CASE WHEN m.cache_writes THEN pg_catalog.floor(d.tokens_in * d.write_share / 4)::bigint ELSE 0 END
           AS cache_write_tokens_in,
       d.tokens_out,
       d.tool_calls,
       d.tool_calls * 0.0015 AS tool_cost_total,
       d.latency_ms,
       d.confidence_score,
       d.at AS "timestamp"
  FROM drawn AS d
  JOIN bench.models AS m USING (model_name);
