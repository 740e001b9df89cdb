-- What pg_dump saves and how a restore puts it back.
--
-- pg_dump saves the catalog rows with shipped = false, because CREATE
-- EXTENSION installs the shipped ones again.  An edit of a shipped row
-- therefore turns it into a user row.  A user row with the key of a
-- shipped row replaces that row, so the restored user row does not
-- collide with the shipped one that the restore has just installed.
--
-- Restore with session_replication_role = replica (README, "Operations"):
-- the pricing trigger then stores restored events exactly as dumped, and
-- the ENABLE ALWAYS triggers below still replace shipped rows.
--
-- An extension upgrade script that changes a shipped price deletes the
-- shipped row and inserts the new one with shipped = true; rows a user
-- edited are no longer shipped and stay as the user left them.
--
-- NOTE: a deleted shipped row comes back on restore, because nothing
-- records the deletion; edit its prices or add a later row instead.

CREATE FUNCTION masecon.unship_edited_row()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.shipped AND NEW.shipped AND NEW IS DISTINCT FROM OLD THEN
        NEW.shipped := false;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masecon.unship_edited_row() IS
    'trigger function that turns an edited shipped catalog row into a user row, so that pg_dump saves the edit';

CREATE FUNCTION masecon.replace_shipped_price()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT NEW.shipped THEN
        DELETE FROM masecon.model_prices AS p
         WHERE p.model_name = NEW.model_name
           AND p.valid_from = NEW.valid_from
           AND p.shipped;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masecon.replace_shipped_price() IS
    'trigger function that lets a user row of masecon.model_prices replace the shipped row with the same model and valid_from';

CREATE FUNCTION masecon.replace_shipped_alias()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT NEW.shipped THEN
        DELETE FROM masecon.model_aliases AS a
         WHERE a.alias = NEW.alias
           AND a.shipped;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masecon.replace_shipped_alias() IS
    'trigger function that lets a user row of masecon.model_aliases replace the shipped alias of the same name';

CREATE TRIGGER model_prices_unship
    BEFORE UPDATE ON masecon.model_prices
    FOR EACH ROW EXECUTE FUNCTION masecon.unship_edited_row();
CREATE TRIGGER model_aliases_unship
    BEFORE UPDATE ON masecon.model_aliases
    FOR EACH ROW EXECUTE FUNCTION masecon.unship_edited_row();
CREATE TRIGGER model_prices_replace_shipped
    BEFORE INSERT ON masecon.model_prices
    FOR EACH ROW EXECUTE FUNCTION masecon.replace_shipped_price();
CREATE TRIGGER model_aliases_replace_shipped
    BEFORE INSERT ON masecon.model_aliases
    FOR EACH ROW EXECUTE FUNCTION masecon.replace_shipped_alias();
ALTER TABLE masecon.model_prices ENABLE ALWAYS TRIGGER model_prices_unship;
ALTER TABLE masecon.model_aliases ENABLE ALWAYS TRIGGER model_aliases_unship;
ALTER TABLE masecon.model_prices ENABLE ALWAYS TRIGGER model_prices_replace_shipped;
ALTER TABLE masecon.model_aliases ENABLE ALWAYS TRIGGER model_aliases_replace_shipped;

-- Every backend caches the catalog, so a catalog restored or replicated in
-- replica mode must still invalidate those copies.
ALTER TABLE masecon.model_prices ENABLE ALWAYS TRIGGER model_prices_invalidate;
ALTER TABLE masecon.model_aliases ENABLE ALWAYS TRIGGER model_aliases_invalidate;

-- The identity sequence of budget_policies, so that policies created after
-- a restore do not reuse a dumped policy_id.
SELECT pg_catalog.pg_extension_config_dump('masecon.budget_policies_policy_id_seq', '');
